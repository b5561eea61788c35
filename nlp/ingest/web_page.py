"""A plan saved from a legal-text website keeps the site's page around it; only the document is read.

The site's header (copyright notice, "Đang tải văn bản...") and trailer (the document's one-line
title, "Văn bản này chưa cập nhật nội dung Tiếng Anh", related documents with "Hiệu lực: Đã biết",
account notices) are recognised by their form, described in nlp/resources/web_page.yml, and cut
before the text reader sees them. A text without them is returned unchanged.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

RESOURCE = Path(__file__).resolve().parents[1] / "resources" / "web_page.yml"
CONFIRM_WITHIN = 3        # lines after "Văn bản liên quan" where the site's metadata must show
_MARKS = re.compile(r"^[\s#*|>_]+|[\s#*|>_]+$")


@lru_cache(maxsize=1)
def _grammar() -> dict:
    data = yaml.safe_load(RESOURCE.read_text(encoding="utf-8"))
    compiled = {key: [re.compile(p, re.I) for p in data[key]]
                for key in ("trailer_starts", "trailer_confirmations", "header_ends")}
    compiled["trailer_title"] = re.compile(data["trailer_title"], re.I)
    compiled["header_fields"] = re.compile(data["header_fields"], re.I)
    compiled["header_max_share"] = float(data["header_max_share"])
    return compiled


def _bare(line: str) -> str:
    return _MARKS.sub("", line)


def without_site_page(text: str) -> str:
    """``text`` without the website's header and trailer around the document."""
    grammar = _grammar()
    lines = text.split("\n")
    bare = [_bare(line) for line in lines]
    end = _trailer_start(bare, grammar)
    start = _header_end(bare[:end], grammar, len(lines))
    if start == 0 and end == len(lines):
        return text
    return "\n".join(lines[start:end]).strip("\n") + "\n"


def _trailer_start(bare: list[str], grammar: dict) -> int:
    for index, line in enumerate(bare):
        if not any(p.search(line) for p in grammar["trailer_starts"]):
            continue
        confirmed = any(any(c.search(follow) for c in grammar["trailer_confirmations"])
                        for follow in bare[index + 1:index + 1 + CONFIRM_WITHIN])
        if "tiếng anh" not in line.lower() and not confirmed:
            continue
        previous = index - 1
        while previous >= 0 and not bare[previous]:
            previous -= 1
        if previous >= 0 and grammar["trailer_title"].search(bare[previous]):
            return previous
        return index
    return len(bare)


def _header_end(bare: list[str], grammar: dict, total: int) -> int:
    limit = max(1, int(total * grammar["header_max_share"]))
    for index, line in enumerate(bare[:limit]):
        if any(p.search(line) for p in grammar["header_ends"]):
            return _after_metadata(bare, index + 1, grammar["header_fields"])
    return 0


def _after_metadata(bare: list[str], start: int, field: re.Pattern) -> int:
    """The first line after the site's metadata list ("Số hiệu:" / value, "Loại văn bản:" / value, …)."""
    index, awaiting_value = start, False
    while index < len(bare):
        line = bare[index]
        if field.search(line):
            awaiting_value = True
        elif line and awaiting_value:
            awaiting_value = False
        elif line:
            break
        index += 1
    return index
