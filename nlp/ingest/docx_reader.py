"""DOCX -> IngestedDocument (python-docx for the package, lxml for the body).

- Paragraphs and tables in body order; headers, footers, footnotes, text boxes and deleted
  (tracked) text are left out.
- 'Heading N' styles (or an outline level) -> kind "heading", heading_level N.
- Word automatic numbering (numPr) is rendered into the text as the visible label ("1.", "1.1.",
  "a)", "I.") computed from numbering.xml, so a DOCX reads like its text export. Bullet numbering
  -> kind "list_item" with ``bullet``, the glyph not in the text. Numbers typed by hand stay.
- Tables: horizontal merges (gridSpan) -> one Cell with col_span. Vertical merges (vMerge): the
  first cell gets row_span = number of rows merged; every continuation cell REPEATS the merged
  cell's text and has row_span = 0 (the flag), so each row reads on its own (a task row keeps its
  lead agency). Nested tables are flattened into their cell's text. A table continued after a page
  break (the next table, with only empty paragraphs between, has the same column count or repeats
  the header row) is joined into one table block, the repeated header dropped.
- Zip bombs are refused from the declared sizes before anything is decompressed.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Iterator, Optional

from nlp.errors import IngestError
from nlp.ingest.normalize import (
    BlockDraft, CellDraft, RowDraft, assemble_document, canonical_bullet, check_vietnamese,
    mark_header_row, normalize_inline, split_bullet, split_paragraphs,
)
from nlp.schema import IngestedDocument

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W = f"{{{W_NS}}}"

# Zip-bomb limits, checked on the declared sizes before any member is decompressed.
MAX_UNCOMPRESSED_TOTAL = 400 * 1024 * 1024
MAX_MEMBER_RATIO = 200          # uncompressed / compressed, for members above RATIO_MIN_SIZE
RATIO_MIN_SIZE = 8 * 1024 * 1024
MAX_MEMBERS = 10_000


def read_docx(data: bytes, source: str = "document.docx") -> IngestedDocument:
    check_zip_bomb(data, source)
    document = _open(data, source)
    reader = _BodyReader(document)
    drafts = reader.read()
    doc = assemble_document(drafts, source=source, fmt="docx", data=data)
    if not doc.blocks:
        raise IngestError(f"Tệp DOCX «{source}» không có nội dung văn bản trong thân tài liệu.", "empty")
    check_vietnamese(doc.text)
    return doc


# ---------------------------------------------------------------- package checks


def check_zip_bomb(data: bytes, source: str) -> None:
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise IngestError(f"Tệp DOCX «{source}» bị hỏng, không giải nén được.", "corrupt") from exc
    if len(infos) > MAX_MEMBERS:
        raise _bomb(source, f"{len(infos)} tệp con")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_SIZE and ratio > MAX_MEMBER_RATIO:
            raise _bomb(source, f"«{info.filename}» nén {ratio:.0f} lần ({info.file_size // 1048576} MB khi giải nén)")
    if total > MAX_UNCOMPRESSED_TOTAL:
        raise _bomb(source, f"tổng dung lượng giải nén {total // 1048576} MB")


def _bomb(source: str, detail: str) -> IngestError:
    return IngestError(
        f"Tệp DOCX «{source}» có dấu hiệu «bom nén» ({detail}), vượt giới hạn an toàn "
        f"{MAX_UNCOMPRESSED_TOTAL // 1048576} MB; tệp không được đọc.",
        "bomb",
    )


def _open(data: bytes, source: str):
    import docx  # lazy: python-docx pulls lxml and its templates
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError, XMLSyntaxError, ValueError... on bad packages
        # the library's own words (English, its internals) stay out of the message
        if "amplification" in str(exc) or "entit" in str(exc).lower():
            raise IngestError(f"Tệp DOCX «{source}» chứa thực thể XML tự nhân bản («bom XML»); tệp không được đọc.",
                              "bomb") from exc
        raise IngestError(f"Tệp DOCX «{source}» bị hỏng hoặc không đúng cấu trúc Word.", "corrupt") from exc


# ---------------------------------------------------------------- styles


def _on(el) -> bool:
    """<w:b/> or <w:b w:val="1"/> is on; val 0/false/off is off."""
    return el.get(f"{W}val", "true").lower() not in ("0", "false", "off", "none")


@dataclass
class _Style:
    name: str = ""
    based_on: Optional[str] = None
    bold: Optional[bool] = None
    num_id: Optional[str] = None
    ilvl: Optional[str] = None
    outline: Optional[int] = None


class _Styles:
    def __init__(self, styles_el):
        self._styles: dict[str, _Style] = {}
        self.default_bold = False
        if styles_el is None:
            return
        b = styles_el.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}b")
        self.default_bold = b is not None and _on(b)
        for st in styles_el.iter(f"{W}style"):
            sid = st.get(f"{W}styleId")
            if not sid:
                continue
            style = _Style()
            name = st.find(f"{W}name")
            style.name = (name.get(f"{W}val") if name is not None else sid) or sid
            based = st.find(f"{W}basedOn")
            style.based_on = based.get(f"{W}val") if based is not None else None
            b = st.find(f"{W}rPr/{W}b")
            style.bold = _on(b) if b is not None else None
            num_pr = st.find(f"{W}pPr/{W}numPr")
            if num_pr is not None:
                style.num_id = _val(num_pr.find(f"{W}numId"))
                style.ilvl = _val(num_pr.find(f"{W}ilvl"))
            outline = st.find(f"{W}pPr/{W}outlineLvl")
            if outline is not None and (_val(outline) or "").isdigit():
                style.outline = int(_val(outline))
            self._styles[sid] = style

    def chain(self, style_id: Optional[str]) -> Iterator[_Style]:
        seen = set()
        while style_id and style_id in self._styles and style_id not in seen:
            seen.add(style_id)
            style = self._styles[style_id]
            yield style
            style_id = style.based_on

    def bold(self, style_id: Optional[str]) -> Optional[bool]:
        for style in self.chain(style_id):
            if style.bold is not None:
                return style.bold
        return None

    def numbering(self, style_id: Optional[str]) -> tuple[Optional[str], Optional[str]]:
        for style in self.chain(style_id):
            if style.num_id is not None:
                return style.num_id, style.ilvl
        return None, None

    def heading_level(self, style_id: Optional[str]) -> Optional[int]:
        for style in self.chain(style_id):
            m = _HEADING_NAME.match(style.name)
            if m:
                return int(m.group(1))
            if style.outline is not None and style.outline < 9:
                return style.outline + 1
        return None


_HEADING_NAME = re.compile(r"^heading\s*(\d)$", re.I)


def _val(el) -> Optional[str]:
    return el.get(f"{W}val") if el is not None else None


# ---------------------------------------------------------------- numbering


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    legal: bool = False
    restart: Optional[int] = None
    suffix: str = "tab"


@dataclass
class _Counters:
    values: list = field(default_factory=lambda: [None] * 9)


class _Numbering:
    """Computes the visible label of each numbered paragraph, in document order."""

    def __init__(self, numbering_el, styles: _Styles):
        self._abstract: dict[str, dict[int, _Level]] = {}
        self._style_link: dict[str, str] = {}
        self._nums: dict[str, tuple[str, dict[int, _Level], dict[int, int]]] = {}
        self._counters: dict[str, _Counters] = {}
        self._started: set[str] = set()
        self._styles = styles
        if numbering_el is None:
            return
        for absn in numbering_el.iter(f"{W}abstractNum"):
            aid = absn.get(f"{W}abstractNumId")
            self._abstract[aid] = {int(lvl.get(f"{W}ilvl", "0")): _parse_level(lvl) for lvl in absn.iter(f"{W}lvl")}
            link = absn.find(f"{W}numStyleLink")
            if link is not None:
                self._style_link[aid] = _val(link)
        for num in numbering_el.iter(f"{W}num"):
            nid = num.get(f"{W}numId")
            aid = _val(num.find(f"{W}abstractNumId"))
            level_overrides: dict[int, _Level] = {}
            start_overrides: dict[int, int] = {}
            for ov in num.iter(f"{W}lvlOverride"):
                ilvl = int(ov.get(f"{W}ilvl", "0"))
                so = ov.find(f"{W}startOverride")
                if so is not None and (_val(so) or "").lstrip("-").isdigit():
                    start_overrides[ilvl] = int(_val(so))
                lvl = ov.find(f"{W}lvl")
                if lvl is not None:
                    level_overrides[ilvl] = _parse_level(lvl)
            self._nums[nid] = (aid, level_overrides, start_overrides)

    def _levels(self, num_id: str) -> tuple[Optional[str], dict[int, _Level]]:
        aid, overrides, _ = self._nums.get(num_id, (None, {}, {}))
        levels = self._abstract.get(aid, {})
        if aid in self._style_link:  # abstractNum defined through a numbering style
            linked_num, _ = self._styles.numbering(self._style_link[aid])
            if linked_num and linked_num != num_id and linked_num in self._nums:
                aid, levels = self._levels(linked_num)
        if overrides:
            levels = {**levels, **overrides}
        return aid, levels

    def label(self, num_id: str, ilvl: int) -> Optional[tuple[str, Optional[str]]]:
        """(label text, bullet glyph or None), advancing the counters; None when not numbered."""
        if not num_id or num_id == "0" or num_id not in self._nums:
            return None
        aid, levels = self._levels(num_id)
        level = levels.get(ilvl)
        if level is None:
            return None
        if level.fmt == "bullet":
            return "", canonical_bullet(normalize_inline(level.text)[:1] or "•")
        if level.fmt == "none":
            return (_render(level.text, levels, [None] * 9), None) if "%" not in level.text else None
        counters = self._counters.setdefault(aid, _Counters()).values
        _, _, start_overrides = self._nums[num_id]
        if num_id not in self._started:
            self._started.add(num_id)
            for lvl_index, start in start_overrides.items():
                counters[lvl_index] = start - 1
                for deeper in range(lvl_index + 1, 9):
                    counters[deeper] = None
        current = counters[ilvl]
        counters[ilvl] = (level.start if current is None else current + 1)
        for deeper in range(ilvl + 1, 9):
            deeper_level = levels.get(deeper)
            if deeper_level is None or deeper_level.restart != 0:
                counters[deeper] = None
        text = _render(level.text, levels, counters, legal=level.legal)
        return (text + ("" if level.suffix == "nothing" else " ")), None


def _parse_level(lvl) -> _Level:
    level = _Level()
    start = _val(lvl.find(f"{W}start"))
    if start and start.lstrip("-").isdigit():
        level.start = int(start)
    level.fmt = _val(lvl.find(f"{W}numFmt")) or "decimal"
    text = lvl.find(f"{W}lvlText")
    level.text = _val(text) if text is not None else ""
    level.text = level.text or ""
    level.legal = lvl.find(f"{W}isLgl") is not None
    restart = _val(lvl.find(f"{W}lvlRestart"))
    level.restart = int(restart) if restart and restart.isdigit() else None
    level.suffix = _val(lvl.find(f"{W}suff")) or "tab"
    return level


def _render(template: str, levels: dict[int, _Level], counters: list, legal: bool = False) -> str:
    def sub(m: re.Match) -> str:
        index = int(m.group(1)) - 1
        level = levels.get(index, _Level())
        value = counters[index] if counters[index] is not None else level.start
        return format_number(value, "decimal" if legal else level.fmt)
    return re.sub(r"%([1-9])", sub, template)


_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def format_number(value: int, fmt: str) -> str:
    if fmt in ("upperRoman", "lowerRoman"):
        out, n = "", max(value, 1)
        for arabic, roman in _ROMAN:
            while n >= arabic:
                out += roman
                n -= arabic
        return out if fmt == "upperRoman" else out.lower()
    if fmt in ("lowerLetter", "upperLetter"):
        n = max(value, 1)
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "lowerLetter" else letter.upper()
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


# ---------------------------------------------------------------- body


_SKIP_IN_PARAGRAPH = {f"{W}pPr", f"{W}rPr", f"{W}del", f"{W}moveFrom", f"{W}delText", f"{W}instrText",
                      f"{W}drawing", f"{W}pict", f"{W}object", f"{{{MC_NS}}}AlternateContent",
                      f"{W}footnoteReference", f"{W}endnoteReference", f"{W}commentReference"}


@dataclass
class _Paragraph:
    text: str
    bold: bool
    style_id: Optional[str]
    num_id: Optional[str]
    ilvl: int


class _BodyReader:
    def __init__(self, document):
        self._body = document.element.body
        try:
            styles_el = document.styles.element
        except Exception:  # a package without styles.xml
            styles_el = None
        self._styles = _Styles(styles_el)
        try:
            numbering_el = document.part.numbering_part.element
        except Exception:  # no numbering part: nothing is auto-numbered
            numbering_el = None
        self._numbering = _Numbering(numbering_el, self._styles)

    # ---- top level

    def read(self) -> list[BlockDraft]:
        drafts: list[BlockDraft] = []
        gap_is_empty = False   # only empty paragraphs since the last table
        for el in self._iter_body(self._body):
            if el.tag == f"{W}tbl":
                rows = self._table_rows(el)
                previous = drafts[-1] if drafts else None
                if previous is not None and previous.kind == "table" and gap_is_empty and _continues(previous.rows, rows):
                    previous.rows.extend(_without_repeated_header(previous.rows, rows))
                else:
                    drafts.append(BlockDraft(kind="table", rows=rows))
                gap_is_empty = True
            elif el.tag == f"{W}p":
                new = self._paragraph_drafts(el)
                if new:
                    drafts.extend(new)
                    gap_is_empty = False
        return drafts

    def _iter_body(self, parent) -> Iterator:
        for el in parent:
            if el.tag in (f"{W}p", f"{W}tbl"):
                yield el
            elif el.tag in (f"{W}sdt", f"{W}customXml"):
                content = el.find(f"{W}sdtContent")
                yield from self._iter_body(content if content is not None else el)

    # ---- paragraphs

    def _paragraph(self, p) -> _Paragraph:
        p_pr = p.find(f"{W}pPr")
        style_id = _val(p_pr.find(f"{W}pStyle")) if p_pr is not None else None
        num_id, ilvl = None, None
        num_pr = p_pr.find(f"{W}numPr") if p_pr is not None else None
        if num_pr is not None:
            num_id, ilvl = _val(num_pr.find(f"{W}numId")), _val(num_pr.find(f"{W}ilvl"))
        if num_id is None:
            style_num, style_ilvl = self._styles.numbering(style_id)
            num_id = style_num
            ilvl = ilvl if ilvl is not None else style_ilvl
        para_bold = self._styles.bold(style_id)
        pieces: list[tuple[str, bool]] = []
        self._collect_runs(p, pieces, para_bold)
        text = "".join(t for t, _ in pieces)
        visible = [(t, b) for t, b in pieces if t.strip()]
        bold = bool(visible) and all(b for _, b in visible)
        return _Paragraph(text=text, bold=bold, style_id=style_id, num_id=num_id,
                          ilvl=int(ilvl) if ilvl and ilvl.isdigit() else 0)

    def _collect_runs(self, el, pieces: list, para_bold: Optional[bool]) -> None:
        for child in el:
            tag = child.tag
            if tag in _SKIP_IN_PARAGRAPH or not isinstance(tag, str):
                continue
            if tag == f"{W}r":
                pieces.append((self._run_text(child), self._run_bold(child, para_bold)))
            else:  # hyperlink, ins, smartTag, sdt/sdtContent, fldSimple, moveTo, customXml...
                self._collect_runs(child, pieces, para_bold)

    def _run_text(self, run) -> str:
        out = []
        for child in run:
            tag = child.tag
            if tag == f"{W}t":
                out.append(child.text or "")
            elif tag == f"{W}tab":
                out.append(" ")
            elif tag in (f"{W}br", f"{W}cr"):
                if child.get(f"{W}type") not in ("page", "column"):
                    out.append("\n")
            elif tag == f"{W}noBreakHyphen":
                out.append("-")
            elif tag == f"{W}sym":
                code = child.get(f"{W}char", "")
                try:
                    out.append(chr(int(code, 16)))
                except ValueError:
                    pass
        return "".join(out)

    def _run_bold(self, run, para_bold: Optional[bool]) -> bool:
        r_pr = run.find(f"{W}rPr")
        if r_pr is not None:
            b = r_pr.find(f"{W}b")
            if b is not None:
                return _on(b)
            style_bold = self._styles.bold(_val(r_pr.find(f"{W}rStyle")))
            if style_bold is not None:
                return style_bold
        if para_bold is not None:
            return para_bold
        return self._styles.default_bold

    def _numbered_text(self, para: _Paragraph) -> tuple[str, Optional[str]]:
        """Paragraph text with the automatic label in front; or the bullet glyph for bullet lists."""
        label = self._numbering.label(para.num_id, para.ilvl) if para.num_id else None
        if label is None:
            return para.text, None
        label_text, bullet = label
        if bullet:
            return para.text, bullet
        return label_text + para.text.lstrip(), None

    def _paragraph_drafts(self, p) -> list[BlockDraft]:
        para = self._paragraph(p)
        if not para.text.strip():
            # An empty numbered paragraph still consumes its number in Word, but shows nothing.
            return []
        text, auto_bullet = self._numbered_text(para)
        heading_level = self._styles.heading_level(para.style_id)
        drafts: list[BlockDraft] = []
        for i, piece in enumerate(split_paragraphs(text.split("\n"))):
            bullet = auto_bullet if i == 0 else None
            if bullet is None:
                bullet, rest = split_bullet(normalize_inline(piece))
                piece = rest if bullet else piece
            if heading_level is not None:
                kind = "heading"
            elif bullet is not None:
                kind = "list_item"
            else:
                kind = "paragraph"
            drafts.append(BlockDraft(kind=kind, text=piece, bold=para.bold,
                                     heading_level=heading_level if kind == "heading" else None,
                                     bullet=bullet if kind == "list_item" else None))
        return drafts

    # ---- tables

    def _cell_text(self, tc) -> str:
        parts: list[str] = []
        for el in self._iter_body(tc):
            if el.tag == f"{W}p":
                para = self._paragraph(el)
                if not para.text.strip():
                    continue
                text, bullet = self._numbered_text(para)
                parts.append(f"{bullet} {text}" if bullet else text)
            else:  # nested table: flattened into this cell, row by row
                for row in self._table_rows(el):
                    parts.append(" ".join(c.text for c in row.cells if c.text))
        return " ".join(normalize_inline(p) for p in parts if p.strip())

    def _table_rows(self, tbl) -> list[RowDraft]:
        rows: list[RowDraft] = []
        open_merges: dict[int, CellDraft] = {}   # grid column -> top cell of a vertical merge
        for tr in self._iter_children(tbl, f"{W}tr"):
            tr_pr = tr.find(f"{W}trPr")
            header_el = tr_pr.find(f"{W}tblHeader") if tr_pr is not None else None
            grid_before = _val(tr_pr.find(f"{W}gridBefore")) if tr_pr is not None else None
            col = int(grid_before) if grid_before and grid_before.isdigit() else 0
            cells: list[CellDraft] = []
            for tc in self._iter_children(tr, f"{W}tc"):
                tc_pr = tc.find(f"{W}tcPr")
                span_val = _val(tc_pr.find(f"{W}gridSpan")) if tc_pr is not None else None
                span = int(span_val) if span_val and span_val.isdigit() else 1
                v_merge = tc_pr.find(f"{W}vMerge") if tc_pr is not None else None
                if v_merge is not None and (v_merge.get(f"{W}val") or "continue") == "continue" and col in open_merges:
                    top = open_merges[col]
                    top.row_span += 1
                    cell = CellDraft(text=top.text, col_span=span, row_span=0)
                else:
                    cell = CellDraft(text=self._cell_text(tc), col_span=span)
                    if v_merge is not None:
                        open_merges[col] = cell
                    else:
                        open_merges.pop(col, None)
                cells.append(cell)
                col += span
            if cells:
                rows.append(RowDraft(cells=cells, is_header=header_el is not None and _on(header_el)))
        mark_header_row(rows)
        return rows

    def _iter_children(self, parent, tag: str) -> Iterator:
        """Direct children with ``tag``, looking through content controls (sdt) and customXml."""
        for el in parent:
            if el.tag == tag:
                yield el
            elif el.tag in (f"{W}sdt", f"{W}customXml"):
                content = el.find(f"{W}sdtContent")
                yield from self._iter_children(content if content is not None else el, tag)


def _grid_width(rows: list[RowDraft]) -> int:
    return max((sum(c.col_span for c in r.cells) for r in rows), default=0)


def _continues(previous: list[RowDraft], rows: list[RowDraft]) -> bool:
    """Is ``rows`` the same table continued (after a page break)?"""
    if not previous or not rows:
        return False
    return _grid_width(previous) == _grid_width(rows) or rows[0].texts() == previous[0].texts()


def _without_repeated_header(previous: list[RowDraft], rows: list[RowDraft]) -> list[RowDraft]:
    if rows and (rows[0].texts() == previous[0].texts()):
        return rows[1:]
    return rows
