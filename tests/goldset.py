"""The development gold: which documents have a hand annotation, and where each one's source is.

The gold (../shared/gold) annotates the five corpus plans (../shared/corpus/<id>.txt) and five wild
plans (../shared/wild/<id>.md); tests read every source in place.
"""
from __future__ import annotations

import json
from pathlib import Path

SHARED = (Path(__file__).resolve().parents[1] / ".." / "shared").resolve()
GOLD = SHARED / "gold"


def gold_ids() -> list[str]:
    return sorted(p.stem for p in GOLD.glob("*.json"))


def gold_source(doc_id: str) -> Path:
    """../shared/corpus/<id>.txt or ../shared/wild/<id>.md."""
    for path in (SHARED / "corpus" / f"{doc_id}.txt", SHARED / "wild" / f"{doc_id}.md"):
        if path.exists():
            return path
    raise FileNotFoundError(f"no source for gold document {doc_id}")


def gold_of(doc_id: str) -> dict:
    return json.loads((GOLD / f"{doc_id}.json").read_text(encoding="utf-8"))


def is_corpus(doc_id: str) -> bool:
    return (SHARED / "corpus" / f"{doc_id}.txt").exists()
