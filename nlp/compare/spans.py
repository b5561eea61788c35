"""Finding an item's text in the document when the extraction did not record its span.

Gold files and some hand-made extractions carry the text but no offsets; evidence must still point
into the canonical text, so the first ~120 characters are searched whitespace-insensitively.
"""
from __future__ import annotations

import re
from typing import Optional

from nlp.schema import Extraction, Span


def find_span(text: str, needle: str, start: int = 0) -> Optional[Span]:
    words = re.findall(r"\S+", needle or "")
    if not words or not text:
        return None
    head = []
    length = 0
    for w in words:
        head.append(re.escape(w))
        length += len(w)
        if length > 120:
            break
    m = re.compile(r"\s+".join(head)).search(text, start) or re.compile(r"\s+".join(head)).search(text)
    if not m:
        return None
    if len(head) == len(words):
        return Span(start=m.start(), end=m.end())
    # extend to the end of the full needle where it continues verbatim, else keep the head
    full = re.compile(r"\s+".join(re.escape(w) for w in words)).match(text, m.start())
    return Span(start=m.start(), end=full.end() if full else m.end())


def _checked_mentions(text: str, number: str, mentions: list[Span], window: int = 200) -> list[Span]:
    """Mentions that really cover the cited number: each recorded span is kept when it does, moved to
    the number written nearby when it does not, dropped otherwise; all occurrences when none is recorded."""
    from nlp.compare.citations import parse_number
    from nlp.compare.parents import number_mentions

    cited = parse_number(number)
    if not mentions:
        return [Span(start=m.start(), end=m.end()) for m in number_mentions(text, number)]
    checked: list[Span] = []
    for span in mentions:
        # a variant spelling of the same number ("71-NQ/TW" recorded for 71/NQ-CP) stays: it is what
        # the citation check must see
        written = parse_number(text[span.start:span.end])
        if cited and written and written.loose_key == cited.loose_key and written.key != cited.key:
            if all(span != c for c in checked):
                checked.append(span)
            continue
        lo = max(0, span.start - window)
        found = number_mentions(text[lo:span.end + window], number)
        if found:
            best = min(found, key=lambda m: abs(lo + m.start() - span.start))
            fixed = Span(start=lo + best.start(), end=lo + best.end())
            if all(fixed != c for c in checked):
                checked.append(fixed)
    return checked


def with_spans(ext: Extraction) -> Extraction:
    """A copy whose tasks and targets without a span get one located in ``ext.text``."""
    if not ext.text:
        return ext
    ext = ext.model_copy(deep=True)
    cursor = 0
    for task in ext.tasks:
        if task.span is None:
            task.span = find_span(ext.text, task.text, cursor)
        if task.span is not None:
            cursor = task.span.start
    for ref in ext.references:
        ref.mentions = _checked_mentions(ext.text, ref.number, ref.mentions)
    for target in ext.targets:
        # the indicator's words locate the row or sentence; the raw value alone is too short to place
        if target.span is None:
            target.span = find_span(ext.text, target.indicator)
    return ext
