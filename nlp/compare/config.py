"""The compare stage's data (nlp/resources/compare.yml), loaded once."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

RESOURCE = Path(__file__).resolve().parents[1] / "resources" / "compare.yml"


@lru_cache(maxsize=1)
def settings() -> dict:
    return yaml.safe_load(RESOURCE.read_text(encoding="utf-8"))


def threshold(name: str) -> float:
    return float(settings()["thresholds"][name])
