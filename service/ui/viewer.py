"""The document viewer: a document's canonical text cut into blocks for display, its tables drawn as
tables (where they are: text_tables), with the evidence span marked where it falls, in a paragraph or
in table cells (and its column's header marked too)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from service.ui.labels import SIMILARITY_BANDS
from service.ui.text_tables import RebuiltRow, TableRegion, pipe_tables, rebuilt_tables

Span = tuple[int, int]


@dataclass
class Piece:
    text: str
    marked: bool = False
    anchor: bool = False     # the first marked piece: the page opens there (#hit)


@dataclass
class Cell:
    pieces: list[Piece]
    hit: bool = False
    colspan: int = 1                            # a row of one cell (a part heading) spans the table


@dataclass
class Block:
    kind: str                                   # "text" or "table"
    pieces: list[Piece] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    hit_column: Optional[int] = None            # the column of the marked value, in a table
    hit: bool = False
    header: bool = True                         # a table's first row names its columns


def _pieces(text: str, offset: int, span: Optional[Span]) -> list[Piece]:
    """``text`` (which starts at ``offset`` in the document) split around the span."""
    if span is None:
        return [Piece(text)]
    lo, hi = max(span[0] - offset, 0), min(span[1] - offset, len(text))
    if lo >= hi:
        return [Piece(text)]
    return [p for p in (Piece(text[:lo]), Piece(text[lo:hi], True), Piece(text[hi:])) if p.text]


def _table(text: str, region: TableRegion, span: Optional[Span]) -> Block:
    block = Block("table", header=region.header)
    width = max(len(row) for row in region.rows)
    for cells in region.rows:
        row = []
        for source in cells:
            pieces = (_pieces(text[source.start:source.end], source.start, span) if source.located
                      else [Piece(source.text)])
            hit = any(p.marked for p in pieces)
            row.append(Cell(pieces, hit, colspan=width if len(cells) == 1 and width > 1 else 1))
            if hit and block.hit_column is None and len(cells) > 1:
                block.hit_column = len(row) - 1
        block.rows.append(row)
    block.hit = any(cell.hit for row in block.rows for cell in row)
    return block


def _text(text: str, start: int, end: int, span: Optional[Span]) -> Optional[Block]:
    """Running text start..end, without the line breaks at its edges (the blocks around it separate it)."""
    while start < end and text[start] == "\n":
        start += 1
    while end > start and text[end - 1] in "\n ":
        end -= 1
    if start >= end:
        return None
    pieces = _pieces(text[start:end], start, span)
    return Block("text", pieces=pieces, hit=any(p.marked for p in pieces))


def table_regions(text: str, rebuilt_rows: Sequence[RebuiltRow] = ()) -> list[TableRegion]:
    """The tables of the text in order: those the structure stage rebuilt, and pipe rows elsewhere."""
    regions, position = [], 0
    for table in rebuilt_tables(text, rebuilt_rows) + [None]:
        stop = table.start if table else len(text)
        regions += pipe_tables(text, position, max(stop, position))
        if table is not None and table.start >= position:
            regions.append(table)
            position = table.end
    return regions


def text_blocks(text: str, span: Optional[Span] = None, rebuilt_rows: Sequence[RebuiltRow] = ()) -> list[Block]:
    """The text as running text and tables (see text_tables), the span marked where it falls."""
    blocks: list[Block] = []
    position = 0
    for region in table_regions(text, rebuilt_rows):
        blocks += [b for b in (_text(text, position, region.start, span), _table(text, region, span)) if b]
        position = region.end
    last = _text(text, position, len(text), span)
    if last is not None or not blocks:
        blocks.append(last or Block("text", pieces=[Piece(text)]))
    first_marked = next((p for b in blocks for p in block_pieces(b) if p.marked), None)
    if first_marked is not None:
        first_marked.anchor = True
    return blocks


def block_pieces(block: Block):
    if block.kind == "text":
        yield from block.pieces
    for row in block.rows:
        for cell in row:
            yield from cell.pieces


def _cell_text(cell: Cell) -> str:
    return " ".join("".join(p.text for p in cell.pieces).split())


def marked_cell(blocks: list[Block]) -> Optional[tuple[str, str]]:
    """(column name, row) of the marked value when it sits in a table with a header row: said at the top
    of the viewer, so that the reviewer knows which indicator and which year the value is without
    scrolling up to the table's header."""
    for block in blocks:
        if block.kind != "table" or block.hit_column is None or not block.header:
            continue
        header = block.rows[0]
        row = next((r for r in block.rows[1:] if block.hit_column < len(r) and r[block.hit_column].hit), None)
        if row is None or block.hit_column >= len(header):
            return None
        label = " · ".join(t for t in (_cell_text(c) for c in row[:2]) if t and t != _cell_text(row[block.hit_column]))
        return _cell_text(header[block.hit_column]), (label[:119] + "…") if len(label) > 120 else label
    return None


def viewer_url(document_id: Optional[str], evidence: Any) -> Optional[str]:
    """Link to the viewer opened at the evidence's span (None without a stored document or a span)."""
    span = evidence.get("span") if isinstance(evidence, dict) else getattr(evidence, "span", None)
    if not document_id or not span:
        return None
    start, end = span.get("start"), span.get("end")
    if start is None or end is None:
        return None
    return f"/ui/documents/{document_id}/text?start={start}&end={end}#hit"


def search_hint(flag: Any, words: int = 6) -> str:
    """A few words worth searching the plan for when a parent item is reported missing."""
    source = (flag.parent.text if flag.parent and flag.parent.text else flag.message) or ""
    source = re.sub(r"^[\W\d]+", "", source)
    return " ".join(source.split()[:words])


def document_label(document: Any) -> str:
    """'597/KH-UBND — Kế hoạch thực hiện …' when the number and title are known, else the file name."""
    number, title = getattr(document, "number", None), getattr(document, "title", None)
    title = " ".join((title or "").split())
    if len(title) > 110:
        title = title[:109] + "…"
    if number and title:
        return f"{number} — {title}"
    return number or title or getattr(document, "filename", "") or getattr(document, "id", "")


MISSING_TYPES = ("missing_task", "missing_target")


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", (text or "").lower()) if len(w) > 1}


def nearest_items(extraction: Optional[dict], flag: Any, limit: int = 3) -> Optional[list[dict]]:
    """Compare's candidates (the plan's closest passages with their scores) where it gave them; for a
    missing item of an analysis stored before it did, whose finding names the plan's nearest section
    (compare keeps the section of the best match below the threshold, and its score): the plan's tasks or
    targets under that section, those sharing most words with the parent item first, so the reviewer can
    judge "is it really absent?"."""
    if flag.candidates or flag.type not in MISSING_TYPES or not flag.child or not flag.child.section:
        return flag.candidates
    kind = "tasks" if flag.type == "missing_task" else "targets"
    section = flag.child.section
    items = [item for item in (extraction or {}).get(kind) or []
             if item.get("section") == section or str(item.get("section") or "").startswith(section + ".")]
    wanted = _words(flag.parent.text if flag.parent else flag.message)
    items.sort(key=lambda item: -len(wanted & _words(item.get("text") or item.get("raw") or "")))
    return [{"text": item.get("text") or item.get("raw") or "", "span": item.get("span"), "score": None}
            for item in items[:limit]] or None


@dataclass
class Closeness:
    percent: int          # the score, 0..100
    threshold: int        # the alignment threshold, 0..100
    band: str             # near / partial / far (the page colours it)
    words: str            # what it means for the reviewer


def closeness(candidate: Any) -> Optional[Closeness]:
    """A candidate's similarity said in words: how far it is from counting as the parent item."""
    get = candidate.get if isinstance(candidate, dict) else lambda key: getattr(candidate, key, None)
    score, threshold = get("score"), get("threshold")
    if score is None or not threshold:
        return None
    ratio = float(score) / float(threshold)
    _, band, words = next(b for b in SIMILARITY_BANDS if ratio >= b[0])
    return Closeness(round(float(score) * 100), round(float(threshold) * 100), band, words)


def evidence_blocks(context: Any) -> Optional[list[Block]]:
    """A piece of evidence cut from a table (its context holds cell-separated rows) as blocks to draw
    as a small table, the value's cell and column marked; None for running text."""
    if not context:
        return None
    before, text, after = (context.get(k, "") if isinstance(context, dict) else getattr(context, k, "")
                           for k in ("before", "text", "after"))
    whole = (before or "") + (text or "") + (after or "")
    blocks = text_blocks(whole, (len(before or ""), len(before or "") + len(text or "")))
    return blocks if any(b.kind == "table" for b in blocks) else None
