"""The whole of a bundled parent (corpus/parents/*.yml) for the document viewer: every item in the
parent's order, with its numbering, as the blocks the viewer draws (targets and tasks of an appendix as
tables with their header row), the finding's item marked so that the page opens at it.

An item's own wording comes from the git-ignored corpus/parents/texts/ (built by build_parents.py from
the source texts, which are not the project's to copy); without it the rendering's summary is shown."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Optional
from urllib.parse import quote

import yaml

from nlp.compare.parents import BUNDLED_DIR, ParentPlan, ParentTarget, ParentTask, load_bundled_parents
from service.ui.viewer import Block, Cell, Piece, block_pieces

TEXTS_DIR = BUNDLED_DIR / "texts"
_COMPARATORS = {">=": "≥", "<=": "≤", "=": "", ">": ">", "<": "<"}


@lru_cache(maxsize=1)
def bundled_parents() -> dict[str, ParentPlan]:
    return {plan.doc_id: plan for plan in load_bundled_parents() if isinstance(plan, ParentPlan)}


def item_texts(doc_id: str, directory: Optional[Path] = None) -> dict[str, dict]:
    path = (directory or TEXTS_DIR) / f"{doc_id}.yml"
    if not path.is_file():
        return {}
    return _read_texts(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _read_texts(path: Path, _mtime: int) -> dict[str, dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def with_full_wording(evidence):
    """A bundled parent's side of a finding in the item's own wording (compare gives the rendering's
    summary, cut with "…"), where the source texts are installed and the side names one item."""
    if evidence is None or evidence.doc not in bundled_parents() or "," in (evidence.section or ""):
        return evidence
    wording = (item_texts(evidence.doc).get(item_of(evidence.section)) or {}).get("text")
    if not wording:
        return evidence
    return type(evidence).model_validate({**evidence.model_dump(), "text": wording,
                                          "context": {"before": "", "text": wording, "after": ""}})


def item_of(section: Optional[str]) -> str:
    """The item a finding points at: its section, the first where it lists several ('PL1.I.11, PL1.I.12')."""
    return (section or "").split(",")[0].strip()


def _wording(item, texts: dict[str, dict]) -> str:
    own = (texts.get(item.id) or {}).get("text")
    if own:
        return own
    return item.summary if isinstance(item, ParentTask) else item.indicator


def _value(target: ParentTarget) -> str:
    if target.comparator == "range" and target.value_max is not None:
        value = f"{target.value:g}–{target.value_max:g}"
    else:
        value = f"{_COMPARATORS.get(target.comparator, target.comparator)}{target.value:g}"
    return f"{value} {target.unit}".strip()


def _deadline(task: ParentTask) -> str:
    if task.deadline is None:
        return ""
    return task.deadline.raw + (f" (sửa đổi theo {task.amended_by})" if task.amended_by else "")


def _row(cells: list[str], marked: int, hit: bool) -> list[Cell]:
    """One table row; in the finding's row every cell is marked as hit and the ``marked`` one's text marked."""
    return [Cell([Piece(text, marked=hit and k == marked)], hit=hit) for k, text in enumerate(cells)]


def _table(header: list[str], rows: list[tuple[str, list[str]]], item: str, text_column: int) -> Block:
    block = Block("table", rows=[[Cell([Piece(h)]) for h in header]])
    for item_id, cells in rows:
        hit = item_id == item
        block.rows.append(_row(cells, text_column, hit))
        if hit:
            block.hit, block.hit_column = True, text_column
    return block


def _heading(text: str, marked: bool = False) -> Block:
    return Block("text", pieces=[Piece(text, marked=marked)], hit=marked)


def parent_blocks(plan: ParentPlan, item: Optional[str] = None, texts: Optional[dict[str, dict]] = None) -> list[Block]:
    """Every target, then every task group with its tasks, in the parent's order; ``item`` (an item id,
    or a group id such as 'VII') marked."""
    texts = item_texts(plan.doc_id) if texts is None else texts
    item = item_of(item)
    blocks = [_heading(f"{plan.document.kind or 'Văn bản'} {plan.document.number} — {plan.document.title}")]
    if plan.targets:
        blocks.append(_heading("CHỈ TIÊU"))
        rows = [(t.id, [t.id, _wording(t, texts), _value(t), str(t.year or ""), "; ".join(t.lead)]) for t in plan.targets]
        blocks.append(_table(["Mã", "Chỉ tiêu", "Mức", "Năm", "Cơ quan chủ trì"], rows, item, 1))
    blocks.append(_heading("NHIỆM VỤ"))
    for group in plan.groups:
        blocks.append(_heading(f"Nhóm {group.id}. {group.title}", marked=group.id == item))
        tasks = [t for t in plan.tasks if isinstance(t, ParentTask) and t.group == group.id]
        rows = [(t.id, [t.id, _wording(t, texts), (texts.get(t.id) or {}).get("result", ""), "; ".join(t.lead),
                        "; ".join(t.support), _deadline(t)]) for t in tasks]
        if rows:
            blocks.append(_table(["Mã", "Nhiệm vụ", "Kết quả", "Chủ trì", "Phối hợp", "Thời hạn"], rows, item, 1))
    first = next((p for b in blocks for p in block_pieces(b) if p.marked), None)
    if first is not None:
        first.anchor = True
    return blocks


def parent_url(evidence) -> Optional[str]:
    """Link to the whole bundled parent opened at the evidence's item (None for another document)."""
    doc = evidence.get("doc") if isinstance(evidence, dict) else getattr(evidence, "doc", None)
    section = evidence.get("section") if isinstance(evidence, dict) else getattr(evidence, "section", None)
    if doc not in bundled_parents():
        return None
    return f"/ui/parents/{doc}/text" + (f"?item={quote(item_of(section))}#hit" if item_of(section) else "")
