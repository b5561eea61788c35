"""Instruction verbs ("triển khai", "tham mưu", "báo cáo" …), one list for every extractor that must
tell a duty from a name: the item-role cues' ``imperative_openers`` (nlp/resources/item_role_cues.yml).

- ``opens_duty(text)``: the text starts with a verb ("tham mưu hoạt động …" is a duty, not a name);
- ``clause_start(phrase)``: where a list of names turns into a clause ("Sở X tiến hành rà soát …");
  mid-sentence verbs are written in lower case, names ("Sở Giáo dục và Đào tạo") are not;
- ``duty_after_subject()``: the verb after an agency subject, behind "chủ trì," / "phối hợp với …" / a
  modal ("có trách nhiệm", "chủ động") or "căn cứ …,".
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

CUES = Path(__file__).resolve().parents[1] / "resources" / "item_role_cues.yml"
_ROLE_VERBS = ("chủ trì", "phối hợp")     # they name a role, the duty comes after them


@lru_cache(maxsize=1)
def duty_verbs() -> tuple[str, ...]:
    return tuple(yaml.safe_load(CUES.read_text(encoding="utf-8"))["imperative_openers"])


@lru_cache(maxsize=1)
def _opening() -> re.Pattern:
    return re.compile(r"^(?:" + "|".join(duty_verbs()) + r")(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _mid_sentence() -> re.Pattern:
    verbs = [v for v in duty_verbs() if v not in _ROLE_VERBS]
    # a verb takes an object: "tổ chức" closing a list or before "khác"/"có liên quan" is the noun
    # ("các cơ quan, tổ chức khác có liên quan"), not the duty "tổ chức …"
    return re.compile(r"(?<=\s)(?<!các\s)(?<!những\s)(?:" + "|".join(verbs) + r")(?!\w)"
                      r"(?!\s*(?:[,;.)]|$|khác(?!\w)|có liên quan|liên quan))")


def opens_duty(text: str) -> bool:
    return bool(_opening().match(text))


def contains_duty(text: str) -> bool:
    return bool(_mid_sentence().search(" " + text))


def clause_start(phrase: str) -> int:
    """Where a list of names turns into a clause (the first duty verb after a name), else its end."""
    m = _mid_sentence().search(phrase)
    return m.start() if m and m.start() > 0 else len(phrase)


@lru_cache(maxsize=1)
def duty_after_subject() -> re.Pattern:
    return re.compile(r"[\s:,]*(?:chủ trì[\s,]*)?(?:(?:và\s+)?phối hợp[^.;:]{0,120}?\s)?"
                      r"(?:(?:có trách nhiệm|chịu trách nhiệm|chủ động|khẩn trương|tiếp tục|căn cứ[^.;:]{0,80}?,)\s*)?"
                      r"(?:" + "|".join(duty_verbs()) + r")(?!\w)", re.IGNORECASE)
