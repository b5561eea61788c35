"""Evidence and flags: how a rule points at both sides and builds its Flag (id, confidence, severity).

Evidence conventions: ``child`` is the item of the plan under review; ``parent`` is the parent's item,
or, for the plan-internal flags (duplicate_item, internal_conflict), the other item of the same plan.
"""
from __future__ import annotations

import re
from typing import Optional, Sequence

import numpy as np

from nlp.compare.config import threshold
from nlp.compare.context import Context, ParentItem
from nlp.compare.ids import fingerprint
from nlp.compare.parents import ParentTask
from nlp.compare.specs import graded, spec
from nlp.schema import Candidate, Evidence, Extraction, Flag, Target, Task

CANDIDATES = 3   # closest plan passages kept as the evidence of a "missing" finding

def _short(text: str, limit: int = 90) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fmt_date(iso: Optional[str]) -> str:
    if not iso:
        return "?"
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


def _num(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def _target_value(t: Target) -> str:
    unit = f" {t.unit}" if t.unit and not t.unit.startswith("%") else (t.unit or "")
    if t.comparator == "range" and t.value_max is not None:
        return f"{_num(t.value)}-{_num(t.value_max)}{unit}"
    comp = {">=": "≥", "<=": "≤", "=": "", ">": ">", "<": "<"}[t.comparator]
    return f"{comp}{_num(t.value)}{unit}"


def _source(pi: ParentItem, ctx: Context) -> str:
    """'NQ 03/NQ-CP, PL2 dòng 73' / 'NQ 57-NQ/TW'."""
    doc = ctx.parent_doc(pi.plan)
    kind = "NQ" if "NQ" in doc.upper() else (pi.plan.document.kind or "VB")
    src = getattr(pi.item, "source", {}) or {}
    where = f", {src['appendix']} dòng {src['row']}" if src.get("appendix") and src.get("row") else ""
    if not where and getattr(pi.item, "section", None):
        where = f", mục {pi.item.section}"
    return f"{kind} {doc}{where}"


def _text_at(ext: Extraction, item) -> str:
    span = getattr(item, "span", None)
    if span is not None and ext.text:
        return span.slice(ext.text)
    if isinstance(item, ParentTask):
        return item.summary
    if isinstance(item, Task):
        return item.text
    if isinstance(item, Target):
        return f"{item.indicator}: {item.raw or _target_value(item)}"
    return ""


def child_evidence(ctx: Context, item=None, *, section: Optional[str] = None, text: str = "") -> Evidence:
    if item is None:
        return Evidence(doc=ctx.child.doc_id, section=section, text=text)
    return Evidence(doc=ctx.child.doc_id, section=item.section, span=item.span, text=_text_at(ctx.child, item))


def parent_evidence(pi: ParentItem) -> Evidence:
    return Evidence(doc=pi.plan.doc_id, section=pi.item.section, span=pi.item.span, text=_text_at(pi.plan, pi.item))


def nearest_candidates(ctx: Context, items: Sequence, sim: np.ndarray, kind: str,
                       parent_labels: Sequence[str] = ()) -> list[Candidate]:
    """The plan's items (tasks or targets) closest to the parent item(s) a finding says the plan lacks:
    ``sim`` holds one row per item, one column per parent item; each item counts with its best column.
    Best first, at most CANDIDATES, none that shares nothing with the parent. ``kind`` names the
    alignment threshold the scores are measured against; ``parent_labels`` (one per column, when the
    finding lists several parent items) say which one each passage is closest to."""
    if not len(items) or sim.size == 0:
        return []
    best_column = sim.argmax(axis=1)
    best = sim[np.arange(len(items)), best_column]
    ranked = [i for i in np.argsort(-best, kind="stable")[:CANDIDATES] if best[i] > 0]
    out = []
    for i in ranked:
        item = items[i]
        label = parent_labels[best_column[i]] if len(parent_labels) > 1 else None
        text = _text_at(ctx.child, item)
        if isinstance(item, Target) and item.indicator and item.indicator not in text:
            text = f"{item.indicator}: {text}"     # a target's span holds its value only
        out.append(Candidate(doc=ctx.child.doc_id, section=item.section, span=item.span, text=text,
                             score=round(float(best[i]), 4), threshold=threshold(kind), nearest_to=label))
    return out


def make_flag(flag_type: str, message: str, child: Optional[Evidence], parent: Optional[Evidence] = None,
              score: Optional[float] = None, confidence_factor: float = 1.0,
              candidates: Sequence[Candidate] = ()) -> Flag:
    """A flag whose confidence is its type's (judged) confidence, lowered by ``confidence_factor`` where
    the rule's evidence is weaker; severity and collapsing follow from type and confidence."""
    fid = fingerprint(flag_type, child.text if child else "", child.section if child and not child.text else "",
                      parent.text if parent else "", parent.doc if parent else "")
    confidence = round(spec(flag_type).confidence * confidence_factor, 2)
    severity, collapsed = graded(flag_type, confidence)
    return Flag(id=fid, type=flag_type, severity=severity, message=message, child=child, parent=parent,
                score=round(float(score), 4) if score is not None else None, confidence=confidence, collapsed=collapsed,
                candidates=list(candidates))


def best_parent_task(ctx: Context, i: int) -> tuple[Optional[int], float]:
    if ctx.task_sim.shape[1] == 0:
        return None, 0.0
    j = int(ctx.task_sim[i].argmax())
    return j, float(ctx.task_sim[i, j])


def _equivalent_elsewhere(ctx: Context, i: int, has) -> bool:
    """Is task i restated elsewhere in the plan (body vs appendix) by a task that has the property?"""
    for k, other in enumerate(ctx.child.tasks):
        if k != i and ctx.child_task_sim[i, k] >= threshold("equivalent") and has(other):
            return True
    return False
