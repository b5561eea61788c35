"""The compare stage's data (nlp/resources/compare.yml), loaded once."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
RESOURCE = RESOURCES / "compare.yml"
REGISTRY = RESOURCES / "documents.yml"     # document-number grammar per issuer and key documents


@lru_cache(maxsize=1)
def settings() -> dict:
    data = yaml.safe_load(RESOURCE.read_text(encoding="utf-8"))
    data["citations"] = yaml.safe_load(REGISTRY.read_text(encoding="utf-8"))
    return data


def threshold(name: str) -> float:
    return float(settings()["thresholds"][name])
