"""One FlagSpec per flag type (nlp/resources/compare.yml `flags`): severity, title, base confidence.

Rules, reports and the UI read the type's facts from here, so a type lives in one place. A flag's
severity follows its type and its confidence: under `collapse_below` it drops one level and is
collapsed (shown folded, after the others).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import get_args

from nlp.compare.config import settings
from nlp.schema import FlagType

SEVERITIES = ("high", "medium", "low", "info")


@dataclass(frozen=True)
class FlagSpec:
    type: str
    severity: str
    confidence: float
    title: str
    retired: bool = False


@lru_cache(maxsize=1)
def flag_specs() -> dict[str, FlagSpec]:
    return {name: FlagSpec(type=name, **entry) for name, entry in settings()["flags"].items()}


def spec(flag_type: str) -> FlagSpec:
    return flag_specs()[flag_type]


def all_flag_types() -> tuple[str, ...]:
    return get_args(FlagType)


def graded(flag_type: str, confidence: float) -> tuple[str, bool]:
    """(severity, collapsed) of a flag of this type with this confidence: a high-severity type needs
    `high_needs` confidence to stay high; under `collapse_below` any flag drops one level and is collapsed."""
    base = spec(flag_type).severity
    lower = SEVERITIES[min(SEVERITIES.index(base) + 1, len(SEVERITIES) - 1)]
    if confidence < float(settings()["collapse_below"]):
        return lower, True
    if base == "high" and confidence < float(settings()["high_needs"]):
        return lower, False
    return base, False
