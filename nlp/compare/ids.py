"""Stable flag ids: a fingerprint of the flag type and its normalised evidence texts.

The same inputs give the same ids on every run (no counters, no timestamps, no offsets), so a
reviewer's notes on a flag survive re-analysis; a collision inside one report gets a suffix.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata


def normalise_evidence(text: str | None) -> str:
    text = unicodedata.normalize("NFC", text or "").lower()
    text = re.sub(r"[^\w%]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def fingerprint(flag_type: str, *texts: str | None) -> str:
    material = "\x1f".join([flag_type, *(normalise_evidence(t) for t in texts)])
    return f"{flag_type}-{hashlib.sha1(material.encode('utf-8')).hexdigest()[:12]}"


def deduplicate_ids(ids: list[str]) -> list[str]:
    """Suffix repeated ids (-2, -3 ...) in order of appearance."""
    seen: dict[str, int] = {}
    out = []
    for i in ids:
        seen[i] = seen.get(i, 0) + 1
        out.append(i if seen[i] == 1 else f"{i}-{seen[i]}")
    return out
