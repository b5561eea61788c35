"""Tables -> table_row items with column roles.

Real tables (Markdown, DOCX, PDF) come with their cells; flattened tables of text exports
come as one line per cell fragment, and their rows and cells are rebuilt here from the
evidence: row numbers in sequence, value tokens, agency names and deadline words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nlp.ingest.layout import table_lexicon
from nlp.schema import Block, Item, Section, Span
from nlp.structure.labels import Label, parse_label, roman_to_int

GroupedItems = list[tuple[str | None, str, list[Item]]]   # (group label, group title, rows)


# ------------------------------------------------------------------ column roles

@lru_cache(maxsize=1)
def _role_patterns() -> list[tuple[str, re.Pattern]]:
    roles = table_lexicon()["roles"]
    return [(role, re.compile("|".join(patterns), re.IGNORECASE)) for role, patterns in roles.items()]


def column_role(header: str) -> str:
    """'Cơ quan chủ trì' -> 'lead'; 'Năm 2030' -> 'year:2030'; unknown -> 'other'."""
    text = " ".join(header.replace("*", "").lower().split())
    if not text:
        return "other"
    year = re.search(r"(?:năm\s*)?(20\d{2})$", text)
    if year and len(text) <= 16:
        return f"year:{year.group(1)}"
    for role, pattern in _role_patterns():
        if role == "year":
            continue
        if pattern.search(text):
            return role
    return "other"


def column_roles(header: list[str]) -> list[str]:
    roles = [column_role(h) for h in header]
    if "task" in roles and "value" in roles:     # 'Kết quả' of a task table is its product
        roles[roles.index("value")] = "product"
    if roles.count("indicator") > 1:       # 'Chỉ tiêu' twice: the second holds the value
        second = roles.index("indicator", roles.index("indicator") + 1)
        roles[second] = "value"
    return roles


# ------------------------------------------------------------------ real tables

HEADER_CELL_MAX = 60
_GROUP_LABEL = re.compile(r"^\(?([IVXLC]{1,6}|[A-Z])\)?[.)]?$")


def _clean(cell: str) -> str:
    return " ".join(cell.replace("**", "").split()).strip()


def _header_rows(rows: list[list[str]]) -> int:
    """How many leading rows are header rows (column names, not data)."""
    count = 0
    for cells in rows[:3]:
        # column names are short; a row holding a sentence is data, even when its agency and year cells
        # look like "Cơ quan chủ trì" / "Năm 2025" to the role patterns (a table continued without header)
        if any(len(c) > HEADER_CELL_MAX for c in cells):
            break
        roles = [column_role(c) for c in cells if c]
        known = sum(r != "other" for r in roles)
        if known >= 2 or (count == 0 and known >= 1 and len(cells) <= 3):
            count += 1
        else:
            break
    return count


def table_header(block: Block) -> list[str] | None:
    """The column names of a table that states them in its first rows; None for a headerless one."""
    rows = [[_clean(c.text) for c in row.cells] for row in block.rows]
    n_header = _header_rows(rows) if rows else 0
    if not n_header:
        return None
    width = max(len(r) for r in rows[:n_header])
    return [" ".join(r[i] for r in rows[:n_header] if i < len(r) and r[i]).strip() for i in range(width)]


def table_items(block: Block, section: Section, continued_header: list[str] | None = None) -> GroupedItems:
    """``continued_header``: the header of the table this one continues (a table cut by a page break or an
    elided row "…" and started again without its header row), used when this one has none and its rows
    are as wide."""
    rows = [[_clean(c.text) for c in row.cells] for row in block.rows]
    if not rows:
        return []
    n_header = _header_rows(rows)
    width = max(len(r) for r in rows)
    if n_header:
        header = table_header(block)
    elif continued_header and len(continued_header) - 1 <= width <= len(continued_header):
        header = continued_header[:width]
    else:
        header = [f"col{i + 1}" for i in range(width)]
    if n_header:
        header, n_header = _with_sub_header(rows, n_header, header)
    roles = column_roles(header)
    out: GroupedItems = [(None, "", [])]
    for row_index, (row, cells) in enumerate(zip(block.rows, rows)):
        if row_index < n_header:
            continue
        if not any(cells):
            continue
        if set(cells) <= {""} or _is_repeated_header(cells, header):
            continue
        filled = [c for c in cells if c]
        first = cells[0] if cells else ""
        group = _GROUP_LABEL.match(first)
        lead_empty = all(not c for c, r in zip(cells, roles) if r in ("lead", "support"))
        if group and (len(filled) <= 2 or len(filled) <= 3 and lead_empty):
            title = next((c for c in cells[1:] if c), "")
            out.append((group.group(1), title, []))
            continue
        label = first.rstrip(".") if re.fullmatch(r"\d{1,3}(\.\d{1,2})*\.?", first) else None
        spans = [c.span for c in row.cells]
        out[-1][2].append(Item(kind="table_row", text=" | ".join(filled), span=row.span, page=row.page,
                               label=label, cells=cells, header=header, roles=roles[:len(cells)] + ["other"] * (len(cells) - len(roles)),
                               cell_spans=spans))
    return [g for g in out if g[0] or g[2]]


_SUB_HEADER_CELL_MAX = 30


def _with_sub_header(rows: list[list[str]], n_header: int, header: list[str]) -> tuple[list[str], int]:
    """A header cell split in two below it ("Năm hiện hành 2025" over "Kế hoạch | Ước thực hiện"): the
    data rows are wider than the header by the extra sub-columns, and the row after the header holds
    only their short names. The split column is the first year column (budget and indicator tables put
    the current year's plan and estimate side by side); its sub-columns after the first are not that
    year's target (read as the next year's, the estimate made one indicator conflict with itself).
    Returns the widened header and the header row count including the sub-header."""
    data = [r for r in rows[n_header + 1:] if sum(1 for c in r if c) >= 3]
    if n_header >= len(rows) or not data:
        return header, n_header
    widths = [len(r) for r in data]
    width = max(set(widths), key=widths.count)
    sub = [c for c in rows[n_header] if c]
    extra = width - len(header)
    years = [i for i, h in enumerate(header) if re.search(r"\b20\d\d\b", h)]
    if (extra < 1 or not years or len(sub) != extra + 1
            or any(len(c) > _SUB_HEADER_CELL_MAX or re.search(r"\d", c) for c in sub)):
        return header, n_header
    split = years[0]
    widened = header[:split + 1] + [f"{sub[k]} ({header[split]})" for k in range(1, extra + 1)]
    return widened + header[split + 1:], n_header + 1


def _is_repeated_header(cells: list[str], header: list[str]) -> bool:
    return [c.lower() for c in cells] == [h.lower() for h in header] and any(cells)


# ------------------------------------------------------------------ flattened tables

@dataclass
class _FlatRow:
    label: Label
    blocks: list[Block]


def _flat_header(blocks: list[Block]) -> tuple[list[str], int]:
    """Column names of a flattened header and how many blocks the header takes."""
    lex = table_lexicon()
    used = 1
    parts = [blocks[0].text]
    for block in blocks[1:16]:
        if parse_label(block.text, allow_bare=True) or _row_number_only(block.text) or len(block.text) > 40:
            break
        parts.append(block.text)
        used += 1
    text = " ".join(parts).lower()
    found: list[tuple[int, str]] = []
    for phrase in lex["flat_header_phrases"]:
        for m in re.finditer(r"(?<!\w)" + phrase + r"(?!\w)", text):
            found.append((m.start(), m.group(0)))
            text = text[:m.start()] + " " * (m.end() - m.start()) + text[m.end():]
    header = [name for _, name in sorted(found)]
    return header, used


def _row_number_only(text: str) -> bool:
    return bool(re.fullmatch(r"\d{1,3}(?:\.\d{1,2}){0,3}\.?|[IVXLC]{1,6}\.?", text.strip()))


class _Sequence:
    """Accepts a row label only when it continues the numbering (page numbers do not)."""

    def __init__(self) -> None:
        self.roman = 0
        self.arabic: list[int] | None = None
        self.after_group = False

    def accepts(self, label: Label) -> bool:
        if label.kind == "roman":
            return roman_to_int(label.text) == self.roman + 1
        if not label.kind.startswith("arabic"):
            return False
        parts = [int(p) for p in label.text.split(".")]
        last = self.arabic
        if self.after_group and parts == [1]:
            return True                                    # numbering restarts in a new group
        if last is None:
            return parts[-1] == 1 or len(parts) == 1 and parts[0] <= 2
        if len(parts) == len(last) + 1 and parts[:-1] == last and parts[-1] == 1:
            return True                                    # 1 -> 1.1
        for depth in range(min(len(parts), len(last)), 0, -1):
            if len(parts) == depth and parts[:-1] == last[:depth - 1] and parts[-1] == last[depth - 1] + 1:
                return True                                # 1.1 -> 1.2, 1.9 -> 2
        return False

    def take(self, label: Label) -> None:
        if label.kind == "roman":
            self.roman = roman_to_int(label.text)
            self.after_group = True
        else:
            self.arabic = [int(p) for p in label.text.split(".")]
            self.after_group = False


def _split_rows(blocks: list[Block]) -> list[_FlatRow]:
    seq = _Sequence()
    rows: list[_FlatRow] = []
    for block in blocks:
        text = block.text.strip()
        label = parse_label(text, allow_bare=True)
        if label is not None and label.kind in ("roman",) or label is not None and label.kind.startswith("arabic"):
            if seq.accepts(label):
                seq.take(label)
                rows.append(_FlatRow(label, [block]))
                continue
            if _row_number_only(text):
                continue          # a page number inside the table
        if rows:
            rows[-1].blocks.append(block)
    return rows


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern]:
    lex = table_lexicon()
    heads = sorted(lex["agency_heads"], key=len, reverse=True)
    products = sorted(lex["product_heads"], key=len, reverse=True)
    return {
        "agency_line": re.compile(r"^(?:" + "|".join(map(re.escape, heads)) + r")\b"),
        "agency_inline": re.compile(r"(?<=[\d%\-–])\s+(?=(?:" + "|".join(map(re.escape, heads)) + r")\b)"),
        "product": re.compile(r"^(?:" + "|".join(map(re.escape, products)) + r")\b"),
        "deadline": re.compile(r"(?<!\w)(?:" + lex["deadline_starts"] + r")", re.IGNORECASE),
        "value": re.compile(lex["value_token"], re.IGNORECASE),
    }


def _lines(row: _FlatRow) -> list[tuple[str, Span, int | None]]:
    """The row's lines after its label, with spans."""
    out = []
    first = row.blocks[0]
    rest = row.label.rest
    if rest:
        start = first.span.start + first.text.rindex(rest) if rest in first.text else first.span.start
        out.append((rest, Span(start=start, end=first.span.end), first.page))
    for block in row.blocks[1:]:
        text = f"{block.bullet} {block.text}" if block.bullet else block.text    # '- Xã hội' is no bullet here
        out.append((text.strip(), block.span, block.page))
    return out


_CONTINUES_SENTENCE = re.compile(r"(?:,|\b(?:của|và|các|về|với|tại|cho|trong|thuộc|ngày|đến|do|từ|giữa|đối với|nhằm|để|(?<!tiếp )theo))\s*$", re.IGNORECASE)


def _agency_start(lines: list[tuple[str, Span, int | None]], min_line: int) -> tuple[int, int]:
    """(line index, char offset in that line) where the agency cells begin, or (len, 0)."""
    pat = _patterns()
    for idx, (text, _, _) in enumerate(lines):
        if idx >= min_line and pat["agency_line"].match(text) and not _CONTINUES_SENTENCE.search(lines[idx - 1][0]):
            return idx, 0
        m = pat["agency_inline"].search(text)
        if m and (idx >= min_line or pat["value"].search(text[:m.start()])):
            return idx, m.end()
    return len(lines), 0


def _join_cell(parts: list[str]) -> str:
    text = ""
    for part in parts:
        if not text:
            text = part
        elif text.endswith("-") and not text.endswith(" -"):
            text += part
        else:
            text += " " + part
    return " ".join(text.split())


def _split_agency_cells(lines: list[str]) -> list[str]:
    """'Phòng Văn hóa' '- Xã hội' 'Sở Khoa học và' 'Công nghệ, các' ... -> cells."""
    pat = _patterns()
    cells: list[list[str]] = []
    for line in lines:
        starts_new = bool(pat["agency_line"].match(line) or pat["product"].match(line)) and not (
            cells and re.search(r"(,|;|-|–|&|\bvà)$", cells[-1][-1].strip()))
        if not cells or starts_new:
            cells.append([line])
        else:
            cells[-1].append(line)
    return [_join_cell(c) for c in cells]


def _segment_row(row: _FlatRow, header: list[str], roles: list[str]) -> tuple[list[str], list[str]]:
    """Cells of a flattened row, aligned to the header columns (roles)."""
    pat = _patterns()
    lines = _lines(row)
    texts = [t for t, _, _ in lines]
    year_cols = [i for i, r in enumerate(roles) if r.startswith("year:")]
    text_role = "task" if "task" in roles else "indicator"
    cells = {role: "" for role in roles}
    cells[roles[0]] = row.label.text
    line_idx, offset = _agency_start(lines, 1)
    before = texts[:line_idx] + ([texts[line_idx][:offset]] if line_idx < len(texts) and offset else [])
    after = ([texts[line_idx][offset:]] if line_idx < len(texts) else []) + texts[line_idx + 1:]
    body = _join_cell([t for t in before if t.strip()])

    if year_cols:
        values, body = _take_values(body, len(year_cols))
        # the run of values ends at the agency column: fewer values than years fill the last years
        for col, value in zip(year_cols[len(year_cols) - len(values):], values):
            cells[roles[col]] = value
    elif "value" in roles or "unit" in roles:
        unit, value, body = _take_unit_value(body)
        if "unit" in roles:
            cells["unit"] = unit
        if "value" in roles:
            cells["value"] = value
        elif value:
            body = f"{body} {value}".strip()
    cells[text_role] = body

    agency_lines = [a.strip() for a in after if a.strip()]
    if "deadline" in roles and agency_lines:
        tail = _join_cell(agency_lines)
        deadline = _take_deadline(tail)
        if deadline:
            cells["deadline"] = deadline
            tail = tail[: len(tail) - len(deadline)].strip()
            agency_lines = _rewrap(agency_lines, tail)
    agency_cells = _split_agency_cells(agency_lines)
    wanted = sum(r in ("lead", "support") for r in roles)
    if text_role == "task" and len(agency_cells) < wanted and cells.get("task"):
        cells["task"], moved = _trailing_agency(cells["task"])     # "... hằng năm Phòng Văn hóa - Xã hội"
        if moved:
            agency_cells.insert(0, moved)
    if "product" in roles and agency_cells and _patterns()["product"].match(agency_cells[-1]) and len(agency_cells) > 1:
        cells["product"] = agency_cells.pop()
    for role in ("lead", "support"):
        if role in roles and agency_cells:
            cells[role] = agency_cells.pop(0)
    if agency_cells:                        # more cells than columns: the rest supports
        key = "support" if "support" in roles else "lead"
        cells[key] = "; ".join([c for c in [cells.get(key, "")] + agency_cells if c])
    return [cells.get(r, "") for r in roles], roles


def _trailing_agency(text: str) -> tuple[str, str]:
    """Split an agency name written on the same line after a short task: (task, agency)."""
    pattern = _patterns()["agency_line"]
    for m in re.finditer(r"(?<=\s)\S", text):
        tail = text[m.start():]
        if len(tail.split()) <= 8 and pattern.match(tail) and len(text[:m.start()].split()) >= 4:
            return text[:m.start()].strip(), tail.strip()
    return text, ""


def _rewrap(lines: list[str], kept: str) -> list[str]:
    """The agency lines cut down to the text ``kept`` (the deadline removed from the end)."""
    out, used = [], 0
    for line in lines:
        if used >= len(kept):
            break
        piece = line[: max(0, len(kept) - used)]
        out.append(piece.strip())
        used += len(line) + 1
    return [o for o in out if o]


def _take_deadline(text: str) -> str:
    pat = _patterns()["deadline"]
    for m in pat.finditer(text):
        tail = text[m.start():]
        if len(tail) <= 90 and m.start() > 0 or (m.start() == 0 and len(tail) <= 90):
            return tail.strip()
    return ""


def _take_values(body: str, n: int) -> tuple[list[str], str]:
    """The last run of up to ``n`` value cells at the end of ``body``; returns (values, indicator)."""
    pat = _patterns()["value"]
    tokens = list(pat.finditer(body))
    best: list[re.Match] = []
    run: list[re.Match] = []
    for tok in tokens:
        if run and body[run[-1].end():tok.start()].strip():
            run = []
        run.append(tok)
        if len(run) >= len(best) and len(run) <= n:
            best = list(run)
    if not best:
        return [], body
    if len(best) < min(n, 2) and best[-1].end() < len(body.rstrip()) - 1:
        return [], body
    values = [" ".join(t.group(0).split()) for t in best]
    return values, body[: best[0].start()].strip()


_UNIT_START = re.compile(r"(?:^|\s)(%(?=\s|$)|% ?[a-zA-ZÀ-ỹđĐ])")
_VALUE_START = re.compile(r"(?:phấn\s+đấu|đạt|có|≥|≤|>|<|\d)", re.IGNORECASE)


def _take_unit_value(body: str) -> tuple[str, str, str]:
    m = None
    for cand in _UNIT_START.finditer(body):
        if cand.start() > 10:
            m = cand
            break
    if m is None:
        values, rest = _take_values(body, 1)
        return "", (values[0] if values else ""), rest if values else body
    start = m.start(1)
    tail = body[start:]
    v = _VALUE_START.search(tail, 1)
    if v is None:
        return tail.strip(), "", body[:start].strip()
    return tail[: v.start()].strip(), tail[v.start():].strip(), body[:start].strip()


def flat_table_items(blocks: list[Block], section: Section) -> GroupedItems:
    header, used = _flat_header(blocks)
    roles = column_roles(header)
    out: GroupedItems = [(None, "", [])]
    for row in _split_rows(blocks[used:]):
        if row.label.kind == "roman":
            title = _join_cell([row.label.rest] + [b.text for b in row.blocks[1:]])
            out.append((row.label.text, title, []))
            continue
        cells, _ = _segment_row(row, header, roles)
        span = Span(start=row.blocks[0].span.start, end=row.blocks[-1].span.end)
        text = " | ".join(c for c in cells if c)
        out[-1][2].append(Item(kind="table_row", text=text, span=span, page=row.blocks[0].page, label=row.label.text,
                               cells=cells, header=header, roles=roles))
    return [g for g in out if g[0] or g[2]]
