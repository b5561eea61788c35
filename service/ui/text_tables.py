"""Where the tables of a document's canonical text are, for the viewer to draw them as tables.

Three shapes reach the viewer:
- rows ingest read as a table: cells joined by " | ", one row a line (a row whose cells merge into one,
  "A. THỦ TỤC … CẤP TRUNG ƯƠNG", sits between them as a line of its own);
- pipe tables ingest kept as text ("STT|Chỉ tiêu|Năm 2030", or "| a | b |" with a "|---|" line), one
  paragraph a row;
- tables of a text export flattened to one cell a line, which the structure stage rebuilt row by row
  (its table_row items: span, cells and header, but no cell positions): their cells are found again in
  the row's text, whatever the line breaks inside them.

Every cell is a position range in the text (or, where it cannot be found, its text alone), so that the
evidence span can be marked in the cell that holds it."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Sequence

from nlp.ingest.normalize import CELL_SEPARATOR

_SEPARATOR_ROW = re.compile(r"\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*")
_SPANNING_ROW_MAX = 160      # a line between two rows that is a row of its own (a part heading), not prose
_LONE_ROW_MIN_CELLS = 3      # a pipe line with no row beside it is a table only with this many cells


@dataclass
class CellSource:
    start: int = -1           # position in the text; -1: not found, ``text`` is shown as it is
    end: int = -1
    text: str = ""

    @property
    def located(self) -> bool:
        return self.start >= 0


@dataclass
class TableRegion:
    start: int                # the text this table stands for: start..end
    end: int
    rows: list[list[CellSource]] = field(default_factory=list)
    header: bool = True       # the first row names the columns


@dataclass(frozen=True)
class RebuiltRow:
    """A table row the structure stage rebuilt from a flattened table (Item of kind table_row)."""
    start: int
    end: int
    cells: tuple[str, ...]
    header: tuple[str, ...] = ()


# ---------------------------------------------------------------- pipe rows written in the text


def pipe_cells(line: str, offset: int) -> Optional[list[CellSource]]:
    """The cells of a line that is a table row, each trimmed of its spaces; None for other lines."""
    if "|" not in line or _SEPARATOR_ROW.fullmatch(line):
        return None
    stripped = line.strip()
    markdown = stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1
    separator = CELL_SEPARATOR if CELL_SEPARATOR in line and not markdown else "|"
    bounds, position = [], 0
    for piece in line.split(separator):
        bounds.append((position, position + len(piece)))
        position += len(piece) + len(separator)
    if markdown:   # "| a | b |": the empty text outside the outer pipes is no cell
        bounds = bounds[1:-1]
    if len(bounds) < 2:
        return None
    cells = []
    for lo, hi in bounds:
        text = line[lo:hi]
        lead = len(text) - len(text.lstrip())
        cells.append(CellSource(offset + lo + lead, offset + lo + lead + len(text.strip())))
    return cells


def _lines(text: str, start: int, end: int) -> list[tuple[int, str]]:
    out, offset = [], start
    for line in text[start:end].split("\n"):
        out.append((offset, line))
        offset += len(line) + 1
    return out


def pipe_tables(text: str, start: int = 0, end: Optional[int] = None) -> list[TableRegion]:
    """Runs of pipe rows in text[start:end]: blank lines and one short line (a spanning row) may sit
    between two rows; a markdown "|---|" line marks the header."""
    lines = _lines(text, start, len(text) if end is None else end)
    kinds = []
    for offset, line in lines:
        if not line.strip():
            kinds.append(("blank", None))
        elif _SEPARATOR_ROW.fullmatch(line) and "-" in line:
            kinds.append(("separator", None))
        else:
            cells = pipe_cells(line, offset)
            kinds.append(("row", cells) if cells else ("text", None))
    tables: list[TableRegion] = []
    i = 0
    while i < len(lines):
        if kinds[i][0] != "row":
            i += 1
            continue
        region, last = TableRegion(lines[i][0], 0), i
        j = i
        while j < len(lines):
            kind, cells = kinds[j]
            if kind == "row":
                region.rows.append(cells)
                last = j
            elif kind == "text":
                following = _next_non_blank(kinds, j + 1)
                if len(lines[j][1].strip()) > _SPANNING_ROW_MAX or following is None or kinds[following][0] != "row":
                    break
                offset, line = lines[j]
                lead = len(line) - len(line.lstrip())
                region.rows.append([CellSource(offset + lead, offset + lead + len(line.strip()))])
            elif kind == "blank":
                # rows kept as paragraphs (a blank line after each) go on while they have the table's
                # columns; a table written a row a line ends at its first blank line
                following = _next_non_blank(kinds, j + 1)
                tight = j - 1 > i and kinds[i + 1][0] != "blank"
                if (tight or following is None or kinds[following][0] != "row"
                        or len(kinds[following][1]) != len(region.rows[0])):
                    break
            j += 1
        region.end = lines[last][0] + len(lines[last][1])
        if len(region.rows) > 1 or len(region.rows[0]) >= _LONE_ROW_MIN_CELLS:
            tables.append(region)
        i = last + 1
    return tables


def _next_non_blank(kinds, j: int) -> Optional[int]:
    while j < len(kinds) and kinds[j][0] == "blank":
        j += 1
    return j if j < len(kinds) else None


# ---------------------------------------------------------------- rows the structure stage rebuilt


def _find(text: str, words: str, start: int, end: int) -> Optional[re.Match]:
    """``words`` in text[start:end], whatever the spaces and line breaks between them (case kept loose)."""
    parts = words.split()
    if not parts:
        return None
    pattern = re.compile(r"\s+".join(re.escape(p) for p in parts), re.I)
    return pattern.search(text, start, end)


def _located(text: str, names: Sequence[str], start: int, end: int) -> list[CellSource]:
    """Each cell found in order in text[start:end] (its text alone where it is not)."""
    cells, position = [], start
    for name in names:
        found = _find(text, name, position, end)
        if found:
            cells.append(CellSource(found.start(), found.end()))
            position = found.end()
        else:
            cells.append(CellSource(text=name))
    return cells


def _header_cells(text: str, first: RebuiltRow, floor: int) -> tuple[int, list[CellSource]]:
    """Where the table's header line starts (just before its first row) and its cells; the structure
    stage's own (lower-case) column names where the line is not found."""
    names = [name for name in first.header if name]
    window = max(floor, first.start - 600)
    found = None
    for match in re.finditer(r"\s+".join(re.escape(w) for name in names for w in name.split()), text[window:first.start], re.I):
        found = match
    if found is None:
        return first.start, [CellSource(text=name[:1].upper() + name[1:]) for name in first.header]
    start = window + found.start()
    return start, _located(text, first.header, start, window + found.end())


def rebuilt_tables(text: str, rows: Sequence[RebuiltRow]) -> list[TableRegion]:
    """The structure stage's rebuilt rows gathered into tables (consecutive rows of one header); a short
    text between two rows, such as "II Đến năm 2045", or between the header line and the first row, is a
    row of its own, so that no text of the table is left out."""
    tables: list[TableRegion] = []
    previous: Optional[RebuiltRow] = None
    for row in sorted(rows, key=lambda r: r.start):
        continues = (previous is not None and row.header == previous.header and row.start >= previous.end
                     and len(text[previous.end:row.start].strip()) <= _SPANNING_ROW_MAX)
        if not continues:
            floor = tables[-1].end if tables else 0
            start, header = _header_cells(text, row, floor) if row.header else (row.start, [])
            header_end = max((c.end for c in header if c.located), default=start)
            tables.append(TableRegion(start, max(header_end, start), [header] if header else [], header=bool(header)))
        table = tables[-1]
        gap = text[table.end:row.start]
        if gap.strip():
            lo = table.end + len(gap) - len(gap.lstrip())
            table.rows.append([CellSource(lo, lo + len(gap.strip()))])
        table.rows.append(_located(text, row.cells, row.start, row.end))
        table.end = row.end
        previous = row
    return tables


def rebuilt_rows(structured) -> list[RebuiltRow]:
    """The rows of a StructuredDocument that it rebuilt from a flattened table (no cell positions:
    rows ingest read as a table are drawn from their " | " lines)."""
    return [RebuiltRow(item.span.start, item.span.end, tuple(item.cells or ()), tuple(item.header or ()))
            for section in structured.walk() for item in section.items
            if item.kind == "table_row" and item.cells and not any(item.cell_spans or ())]
