"""Section types from heading titles; the rules are data (resources/section_types.yml)."""
from __future__ import annotations

import re
from functools import lru_cache

import yaml

from nlp.ingest.layout import RESOURCES
from nlp.schema import SectionType


@lru_cache(maxsize=1)
def _rules() -> tuple:
    data = yaml.safe_load((RESOURCES / "section_types.yml").read_text(encoding="utf-8"))
    rules = [(SectionType(r["type"]), re.compile(r["pattern"], re.IGNORECASE)) for r in data["rules"]]
    return rules, re.compile(data["signature"], re.IGNORECASE), re.compile(data["closing"], re.IGNORECASE), \
        re.compile(data["describes_within_tasks"], re.IGNORECASE)


def describes_within_tasks(title: str) -> bool:
    """'1. Mục tiêu phát triển và tầm nhìn' or '2. Thời gian thực hiện:' under a part holding tasks."""
    return bool(_rules()[3].match(" ".join(title.lower().split())))


def classify_title(title: str) -> SectionType | None:
    text = " ".join(title.lower().split())
    for section_type, pattern in _rules()[0]:
        if pattern.search(text):
            return section_type
    return None


def is_recipients(text: str) -> bool:
    return bool(re.match(r"^nơi nhận\s*:?", text.strip(), re.IGNORECASE)) and len(text) < 60


def is_signature(text: str) -> bool:
    return bool(_rules()[1].match(text.strip())) and len(text) < 60


def is_closing(text: str) -> bool:
    """The closing formula after the last section: 'Trên đây là Kế hoạch ...', 'UBND phường yêu cầu ...'."""
    return bool(_rules()[2].match(text.strip()))
