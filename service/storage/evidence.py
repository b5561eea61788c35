"""Context around a piece of evidence, so that a reviewer sees the highlighted span inside its text."""
from __future__ import annotations

from typing import Optional

CONTEXT_CHARS = 160


def _trim_start(text: str) -> str:
    """Start the left context at a word boundary."""
    cut = text.find(" ")
    return text[cut + 1:] if 0 <= cut < 30 else text


def _trim_end(text: str) -> str:
    cut = text.rfind(" ")
    return text[:cut] if cut > len(text) - 30 else text


def evidence_context(evidence: Optional[dict], text: Optional[str], width: int = CONTEXT_CHARS) -> Optional[dict]:
    """{"before", "text", "after"} around the evidence span; without a usable span, the evidence text alone."""
    if not evidence:
        return None
    span = evidence.get("span")
    if text and span and 0 <= span.get("start", -1) < span.get("end", -1) <= len(text):
        start, end = span["start"], span["end"]
        before = text[max(0, start - width):start]
        after = text[end:end + width]
        return {
            "before": ("…" if start > width else "") + (_trim_start(before) if start > width else before),
            "text": text[start:end],
            "after": (_trim_end(after) if end + width < len(text) else after) + ("…" if end + width < len(text) else ""),
        }
    if not evidence.get("text"):
        return None
    return {"before": "", "text": evidence["text"], "after": ""}
