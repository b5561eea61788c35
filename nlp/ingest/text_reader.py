"""Plain text and Markdown exports -> IngestedDocument.

The exports we receive are text pulled out of PDFs and DOCX files: lines broken mid-sentence,
blank lines between every line, page numbers in the flow, ``#``/``**`` marks, Markdown tables,
and tables flattened to one cell fragment per line. This reader re-joins broken lines into
paragraphs, recognises headings, bullets and Markdown tables, and keeps flattened tables
line by line (the structure stage rebuilds their rows: only it knows the column roles).
Whether a line break is a wrap is decided by structural rules first, then by the learned
join/break model of nlp/ingest/line_joins.py (models/line_joins/MODEL_CARD.md).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from nlp.ingest.layout import TextBuilder, is_block_start, is_table_header_line, looks_like_page_number
from nlp.ingest.line_joins import DocumentJoins, default_model as default_join_model
from nlp.ingest.normalize import normalize_text, strip_markdown_emphasis
from nlp.schema import Block, Cell, DocFormat, IngestedDocument, Row

_SIGNATURE_LINE = re.compile(r"^(tm\.|kt\.|t/m|tl\.|q\.|chủ tịch|phó chủ tịch|bí thư|phó bí thư|giám đốc)", re.IGNORECASE)
_LONE_BULLET = re.compile(r"^\s*[-+•–]\s*$")
_LABEL_ONLY = re.compile(r"^(?:[IVXLC]{1,6}|\d{1,2}(?:\.\d{1,2}){0,3}|[a-zđ])[.)]$")
# a footnote's marker with at most two words of its text on its line ("[2]" / "Toàn bộ 34 tỉnh …")
_FOOTNOTE_OPENING = re.compile(r"^\[\d{1,3}\](?:\s+\S+){0,2}$")
_MD_HEADING = re.compile(r"^(#{1,6})\s*(.*)$")
_BULLET = re.compile(r"^([-+•*▪–])\s+(.*)$")
_BOLD_LINE = re.compile(r"^\*\*(.+?)\*\*[\s:.]*$")
_MD_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
_SENTENCE_END = re.compile(r"[.;:!?…]['\"”)]*$")
_HYPHEN_SPLIT = re.compile(r"[0-9A-Za-zĐđÀ-ỹ]-$")
class _StartsLower:
    """A line starting with a lower-case letter continues a sentence (str.islower knows Vietnamese
    capitals; a regex range such as [à-ỹ] would also take 'Đ', 'Ơ', 'Ư')."""

    @staticmethod
    def match(text: str) -> bool:
        first = text.lstrip("“\"'(")[:1]
        return bool(first) and first.islower()


_STARTS_LOWER = _StartsLower()
_SIGNATURE_START = re.compile(r"^(nơi nhận|tm\.|kt\.|t/m|tl\.)", re.IGNORECASE)
# the labelled lines of a task record (nlp/resources/task_records.yml holds the full grammar)
_ATTRIBUTE_LINE = re.compile(r"^[*_\s]*(?:(?:cơ quan|đơn vị)(?:,? (?:cơ quan|đơn vị))? (?:chủ trì|phối hợp|thực hiện)"
                             r"|thời (?:gian|hạn) (?:thực hiện|hoàn thành)|sản phẩm|kết quả đầu ra)[^:\n]{0,40}:", re.IGNORECASE)
_PARAGRAPH_OPENER = re.compile(r"^(Căn cứ|Thực hiện (Nghị quyết|Kế hoạch|Chỉ thị|Quyết định|Công văn|Chương trình))\b")
_APPENDIX = re.compile(r"^((?-i:PHỤ\s+LỤC)\b|phụ\s+lục\s+(số\s+)?(\d+|(?-i:[IVX]+))\b)", re.IGNORECASE)


@dataclass
class _Line:
    text: str                 # normalised, Markdown marks removed
    heading_level: int | None = None
    bold: bool = False
    bullet: str | None = None
    table_cells: list[str] | None = None
    blank_before: bool = False
    width: int = 0            # length of the physical line, bullet included
    open_emphasis: bool = False   # a '**' or '*' opened on this line or before is still open at its end
    index: int = 0            # position among the raw lines it came from


@dataclass
class _PendingBlock:
    kind: str
    lines: list[_Line] = field(default_factory=list)


def decode_text(data: bytes) -> str:
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(enc)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1258", errors="replace")


_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>&<~=\"'])")


def _parse_line(raw: str) -> _Line:
    text = _MD_ESCAPE.sub(r"\1", raw.strip())      # Markdown escapes: "1\." -> "1."
    heading_level = None
    if text.startswith("|") and text.count("|") >= 2:
        cells = [strip_markdown_emphasis(c).strip() for c in text.strip("|").split("|")]
        return _Line(text=" | ".join(cells), table_cells=cells)
    m = _MD_HEADING.match(text)
    if m:
        heading_level, text = len(m.group(1)), m.group(2).strip()
    bold = bool(_BOLD_LINE.match(text)) or (text.startswith("**") and text.rstrip(" :").endswith("**"))
    text = strip_markdown_emphasis(text).strip()
    bullet = None
    b = _BULLET.match(text)
    if b and heading_level is None:
        bullet, text = b.group(1), b.group(2).strip()
    return _Line(text=text, heading_level=heading_level, bold=bold, bullet=bullet, width=len(raw.strip()))


def _typical_width(lines: list[_Line]) -> int:
    """Width of a full line in this export: lines this long were wrapped, not ended."""
    widths = sorted(l.width for l in lines if l.table_cells is None and l.width > 20)
    if len(widths) < 10:
        return 10_000
    return widths[int(len(widths) * 0.9)]


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.85 * len(letters)


# Above this probability of a wrap the model may join a line that opens like a block: the second
# half of a range ('giai đoạn 2026' / '- 2030'), a document number ('Nghị quyết số' / '57-NQ/TW').
_CONFIDENT_WRAP = 0.95
_JOIN_AFTER_SENTENCE_END = 0.9
_OVER_WIDTH = 1.1


def _continues(prev: _PendingBlock, line: _Line, full_width: int, joins: DocumentJoins | None = None,
               blank_line_paragraphs: bool = False) -> bool:
    """Does ``line`` continue the paragraph ``prev`` (a line broken by the PDF export)?

    Structure decides first (tables, Markdown headings, signatures, appendices, capitals, bold
    runs, split tokens, a lower-case start). What is left (a line ending with or without
    punctuation followed by one starting with a capital, a digit, '(' or a marker) is decided by
    ``p_wrap``, the learned probability that the break is a wrap (nlp/ingest/line_joins.py), when
    the model is there (``joins``, asked only here); otherwise by the width rule it replaced."""
    if prev.kind not in ("paragraph", "list_item", "heading") or line.table_cells is not None:
        return False
    last = prev.lines[-1]
    p_wrap = _LazyProbability(joins, line)
    # the model may join a line that opens like a block only mid-sentence, and a bullet only
    # when a number follows it (a range), never a bullet opening words
    confident = (line.bullet is not None or is_block_start(line.text) or line.bold != last.bold) \
        and not _SENTENCE_END.search(last.text) and p_wrap.at_least(_CONFIDENT_WRAP)
    if line.heading_level is not None or line.bold != last.bold and line.bold and not confident:
        return False
    if line.bullet is not None and not (confident and line.text[:1].isdigit()):
        return False
    if is_block_start(line.text) and not confident:
        return False
    if _SIGNATURE_START.match(line.text) or _APPENDIX.match(line.text):
        return False
    if last.heading_level is not None and not _STARTS_LOWER.match(line.text):
        return False
    if _is_upper(last.text) and not _is_upper(line.text):
        return False     # an all-caps heading line is not continued by body text
    if _SIGNATURE_LINE.match(last.text) or _SIGNATURE_LINE.match(line.text):
        return False      # 'KT. CHỦ TỊCH' / 'PHÓ CHỦ TỊCH' are lines of their own
    if _is_upper(last.text) and _is_upper(line.text) and not _SENTENCE_END.search(last.text):
        return True      # a heading in capitals wrapped over two lines: 'I. MỤC' / 'ĐÍCH, YÊU CẦU'
    if last.bold and line.bold and not _SENTENCE_END.search(last.text):
        return True      # bold wrapped over lines
    if last.bold and not line.bold and line.blank_before and not _STARTS_LOWER.match(line.text):
        return False     # a bold heading, a blank line, then plain text: the text under it (2f6f80b9 II.3)
    if _PARAGRAPH_OPENER.match(line.text):
        return False
    if blank_line_paragraphs and not line.blank_before and not _ATTRIBUTE_LINE.match(line.text):
        return True       # the export ends paragraphs with a blank line: a plain line without one is a wrap
    if _HYPHEN_SPLIT.search(last.text) or (_LABEL_ONLY.match(last.text) and len(prev.lines) == 1):
        return True       # a split token, or a label alone on its line ('**3.' / 'Công an Thành phố**')
    if len(prev.lines) == 1 and _FOOTNOTE_OPENING.match(last.text) and not _SENTENCE_END.search(last.text):
        return True       # a footnote cut after its marker ('[4] Từ' / '0h sáng đến 6h sáng.')
    if prev.kind == "list_item" and len(prev.lines) == 1 and len(last.text.split()) == 1 \
            and not _SENTENCE_END.search(last.text) and line.bullet is None and not is_block_start(line.text):
        return True       # a list item cut after its first word ('+ Sở' / 'Xây dựng: hướng dẫn …')
    if _ATTRIBUTE_LINE.match(line.text):
        return False      # 'Đơn vị chủ trì: …', 'Thời gian thực hiện: …' open a line of a task record
    if _STARTS_LOWER.match(line.text):
        return True
    if last.width > _OVER_WIDTH * full_width:
        p_wrap = _LazyProbability(None, line)   # a line longer than the page was not wrapped at it
    if p_wrap.known and not _SENTENCE_END.search(last.text):
        return p_wrap.at_least(0.5)
    if _SENTENCE_END.search(last.text):
        # after a full stop, colon or semicolon a wrongly joined paragraph merges two tasks, a
        # wrongly kept break only splits one: the model must be surer there, and is not asked
        # across a blank line (in exports with a blank line after every line, where the widths of
        # the PDF's text layer are ragged, the margin rule below knows better)
        if not line.blank_before and p_wrap.at_least(_JOIN_AFTER_SENTENCE_END):
            return True
        # in a list item, a sentence that ends exactly at the right margin does not end the item
        in_list_item = prev.kind == "list_item" or is_block_start(prev.lines[0].text)
        return in_list_item and last.text.endswith(".") and last.width >= 0.95 * full_width
    # an upper-case start continues only a line that ran to the full width (a wrapped line)
    return last.width >= 0.7 * full_width


class _LazyProbability:
    """The model's probability that the break before ``line`` is a wrap, computed on first use."""

    def __init__(self, joins: DocumentJoins | None, line: _Line):
        self.joins, self.line = joins, line

    @property
    def known(self) -> bool:
        return self.joins is not None

    def at_least(self, threshold: float) -> bool:
        p = self.joins.before(self.line) if self.joins is not None else None
        return p is not None and p >= threshold


def _document_joins(lines: list[_Line]) -> DocumentJoins | None:
    model = default_join_model()
    flow = [l for l in lines if l.table_cells is None]
    return model.for_document(flow) if model is not None and len(flow) >= 2 else None


def _ends_paragraphs_with_blank_lines(lines: list[_Line]) -> bool:
    """Markdown exports that end each paragraph with a blank line and hard-wrap inside it ('+ Báo cáo
    kết quả thực hiện' / 'Chương trình, kết quả xử lý …'): a share of lines after a blank line that
    is neither ~0 (no blank lines at all) nor ~1 (a blank line after every line, where blanks mean
    nothing). Text exports of the corpus are of the second kind (0.85-0.98)."""
    flow = [l for l in lines if l.table_cells is None]
    if len(flow) < 40:
        return False
    share = sum(l.blank_before for l in flow) / len(flow)
    return _BLANK_PARAGRAPHS[0] <= share <= _BLANK_PARAGRAPHS[1]


_BLANK_PARAGRAPHS = (0.15, 0.6)


def _join(lines: list[_Line]) -> str:
    out = ""
    for line in lines:
        if not out:
            out = line.text
        elif line.bullet is not None:
            out += f" {line.bullet} {line.text}"     # a wrapped '- 2030' keeps its dash
        elif _HYPHEN_SPLIT.search(out) and not _STARTS_LOWER.match(line.text):
            out += line.text          # "1703/SKHCN-" + "CNTT&CĐS", "57-" + "NQ/TW"
        else:
            out += " " + line.text
    return out


def _table_block(lines: list[_Line]) -> _PendingBlock:
    rows = [l for l in lines if not _MD_TABLE_SEPARATOR.match(l.text.replace(" | ", "|"))]
    return _PendingBlock("table", rows)


_MAX_PIPE_COLUMNS = 20
_MAX_CELL_LINES = 15
# a row begun and not yet complete must go on: its next cell may be long (an appendix's "Nội dung chính"
# of 17 wrapped lines ended the table and cost every later row its owner and date)
_MAX_CELL_LINES_MID_ROW = 80


_HEADER_CELL = re.compile(r"^\s*(STT|TT|Số TT)\s*$", re.IGNORECASE)


def _next_text(raw_lines: list[str], i: int) -> str:
    while i < len(raw_lines) and not raw_lines[i].strip():
        i += 1
    return raw_lines[i].strip() if i < len(raw_lines) else ""


def _lines_to_next_pipe(raw_lines: list[str], i: int, limit: int = _MAX_CELL_LINES) -> int:
    """Lines up to the next lone '|', or ``limit + 1`` when there is none within ``limit``."""
    count = 0
    while i < len(raw_lines) and raw_lines[i].strip() != "|":
        count += 1
        i += 1
        if count > limit:
            break
    return count if i < len(raw_lines) else limit + 1


def _empty_cells_around_row_end(cells: int, ncols: int | None, extra_pipes: int) -> tuple[int, int]:
    """Empty cells (ending this row, opening the next) among the '|' after a cell beyond its own: one
    of them ends the row. Enough of them to fill the row to the table's width are its empty cells
    ("3 | Cơ cấu kinh tế" and six empty values); fewer end a short (merged) row at once, and the rest
    open the next row with empty cells (an unnumbered row after a group row "D. | BỘ KHOA HỌC …"),
    which dropped, moved that row's cells one column left (partners read as the lead)."""
    if ncols is None:
        return 0, 0
    missing = ncols - cells
    if 0 < missing <= extra_pipes - 1:
        return missing, extra_pipes - 1 - missing
    return 0, extra_pipes - 1


def _pipe_rows(raw_lines: list[str], start: int) -> tuple[list[list[str]], int]:
    """A table written one cell per run of lines between lone '|' lines (the wild Markdown exports):
    each cell is followed by a '|', a row by one more; an empty cell is a '|' with no text before it.
    Returns the rows and the index after it.

    The table ends at a blank line after a '|', or when text follows a row that already has
    as many cells as the first row (those exports have no blank lines at all)."""
    rows: list[list[str]] = []
    row: list[str] = []
    cell: list[str] = []
    ncols: int | None = None
    i = start
    previous_pipe = False
    while i < len(raw_lines):
        line = raw_lines[i].strip()
        if line == "|":
            previous_pipe = True
            if not cell:                          # the table's opening '|'
                i += 1
                continue
            row.append(" ".join(cell))
            cell = []
            if ncols is None and len(row) > _MAX_PIPE_COLUMNS:
                return [], start + 1              # not a table: leave the lines to the paragraph reader
            run_end = i + 1
            while run_end < len(raw_lines) and raw_lines[run_end].strip() == "|":
                run_end += 1
            if run_end > i + 1:                   # more '|' than the cell's own: the row ends among them
                before, after = _empty_cells_around_row_end(len(row), ncols, run_end - i - 1)
                rows.append(row + [""] * before)
                ncols = ncols or len(rows[-1])
                row = [""] * after
                if _HEADER_CELL.match(strip_markdown_emphasis(_next_text(raw_lines, run_end))):
                    return [r for r in rows if any(c.strip() for c in r)], run_end - 1   # a new table starts here
            i = run_end
            continue
        if not line:
            if previous_pipe:
                break
            i += 1
            continue
        if previous_pipe and not cell and ncols is not None and len(row) >= ncols:
            break                                 # a complete row followed by text: the table is over
        mid_row = ncols is not None and 0 < len(row) < ncols
        limit = _MAX_CELL_LINES_MID_ROW if mid_row else _MAX_CELL_LINES
        if previous_pipe and not cell and _lines_to_next_pipe(raw_lines, i, limit) > limit:
            break                                 # body text after a layout table, not a cell
        if _APPENDIX.match(strip_markdown_emphasis(line).strip()):
            break                                 # 'PHỤ LỤC' opens a new part, never a cell
        cell.append(strip_markdown_emphasis(line).strip())
        previous_pipe = False
        i += 1
    if cell:
        row.append(" ".join(cell))
    if row:
        rows.append(row)
    return [r for r in rows if any(c.strip() for c in r)], i


_ITALIC_STAR = re.compile(r"(?<!\()\*(?!\))")


def _toggles_italic(raw: str) -> bool:
    """An odd number of single '*' (not '**', not a '* ' bullet, not '(*)') opens or closes an italic."""
    body = raw.strip().replace("**", "")
    if body.startswith("* "):
        body = body[2:]
    return len(_ITALIC_STAR.findall(body)) % 2 == 1


def scan_lines(raw_lines: list[str | list[str]]) -> list[_Line]:
    """Physical lines -> parsed non-empty lines, with the blank line before each and the state of
    emphasis marks carried over line breaks ('**I. MỤC ĐÍCH,' / 'YÊU CẦU**'). A list is a table row."""
    lines: list[_Line] = []
    blank = False
    open_bold = False           # a '**' opened on an earlier line and not yet closed (hard-wrapped bold)
    open_italic = False
    for index, raw in enumerate(raw_lines):
        if isinstance(raw, list):
            lines.append(_Line(text=" | ".join(raw), table_cells=raw, blank_before=blank, index=index))
            blank = False
            open_bold = open_italic = False
            continue
        if not raw.strip() or raw.strip() in ("*", "**"):
            blank = True
            continue
        line = _parse_line(raw)
        marks = raw.count("**")
        if open_bold or (raw.strip().startswith("**") and marks % 2 == 1):
            line.bold = True
        if marks % 2 == 1:
            open_bold = not open_bold
        if _toggles_italic(raw):
            open_italic = not open_italic
        if not line.text and line.table_cells is None:
            blank = True
            continue
        line.blank_before = blank
        line.open_emphasis = open_bold or open_italic
        line.index = index
        blank = False
        lines.append(line)
    return lines


def read_text(data: bytes, source: str, fmt: DocFormat = "text") -> IngestedDocument:
    raw_lines = normalize_text(decode_text(data)).split("\n")
    expanded: list[str | list[str]] = []
    i = 0
    while i < len(raw_lines):
        if raw_lines[i].strip() == "|":
            rows, after = _pipe_rows(raw_lines, i)
            if rows:
                expanded.extend(rows)         # each row becomes one table line
                expanded.append("")
                i = after
                continue
            i = after                         # lone '|' lines that make no table are dropped
            continue
        if _LONE_BULLET.match(raw_lines[i]):
            # a list dash on a line of its own, its text on the next non-blank line ('-' / 'Tuyên truyền …')
            j = i + 1
            while j < len(raw_lines) and not raw_lines[j].strip():
                j += 1
            if j < len(raw_lines) and raw_lines[j].strip() and raw_lines[j].strip() != "|":
                expanded.append(f"{raw_lines[i].strip()} {raw_lines[j].strip()}")
                i = j + 1
                continue
        expanded.append(raw_lines[i])
        i += 1
    lines = scan_lines(expanded)
    full_width = _typical_width(lines)
    joins = _document_joins(lines)
    blank_line_paragraphs = fmt == "markdown" and _ends_paragraphs_with_blank_lines(lines)

    pending: list[_PendingBlock] = []
    in_flat_table = False
    for i, line in enumerate(lines):
        if line.table_cells is not None:
            if pending and pending[-1].kind == "table":
                pending[-1].lines.append(line)
            else:
                pending.append(_PendingBlock("table", [line]))
            continue
        if _APPENDIX.match(line.text) or _SIGNATURE_START.match(line.text):
            in_flat_table = False
        if is_table_header_line(line.text, [l.text for l in lines[i + 1:i + 9]]):
            in_flat_table = True     # a flattened table: keep its lines apart for the structure stage
        if in_flat_table:
            pending.append(_PendingBlock("paragraph", [line]))
            continue
        if looks_like_page_number(line.text):
            continue     # a page number in running text (inside tables it may be a row number)
        if pending and _continues(pending[-1], line, full_width, joins, blank_line_paragraphs):
            pending[-1].lines.append(line)
            continue
        kind = "heading" if line.heading_level is not None else "list_item" if line.bullet else "paragraph"
        pending.append(_PendingBlock(kind, [line]))

    builder = TextBuilder()
    blocks: list[Block] = []
    for pb in pending:
        if pb.kind == "table":
            pb = _table_block(pb.lines)
            rows = []
            row_texts = []
            for line in pb.lines:
                row_texts.append(line.table_cells or [line.text])
            table_text, cell_offsets = TextBuilder.layout_table(row_texts)
            span = builder.add(table_text)
            for r, offsets in enumerate(cell_offsets):
                cells = [Cell(text=t, span=builder.span_at(span, s, e)) for t, (s, e) in zip(row_texts[r], offsets)]
                row_start, row_end = offsets[0][0], offsets[-1][1]
                rows.append(Row(cells=cells, span=builder.span_at(span, row_start, row_end)))
            if rows:
                rows[0].is_header = True
            blocks.append(Block(kind="table", text=table_text, span=span, rows=rows))
            continue
        text = _join(pb.lines)
        if not text:
            continue
        first = pb.lines[0]
        span = builder.add(text)
        blocks.append(Block(kind=pb.kind, text=text, span=span, bold=all(l.bold for l in pb.lines),
                            heading_level=first.heading_level, bullet=first.bullet))
    return IngestedDocument(source=source, format=fmt, sha256=hashlib.sha256(data).hexdigest(),
                            text=builder.text, blocks=blocks)
