"""Text normalisation shared by every reader, and assembly of the canonical document.

``normalize_text`` makes the same words have the same code points whatever the source: NFC, one
tone-mark placement (hóa, thủy, khỏe), no zero-width or no-break characters, bullet glyphs from
symbol fonts mapped to real bullets. Decimal commas and typed numbers are left as written.

``split_paragraphs`` / ``join_broken_lines`` put back together lines that a PDF or a text export
broke in the middle of a sentence or of a token ("57-" + "NQ/TW").

``assemble_document`` turns reader drafts into an ``IngestedDocument`` whose spans index the
canonical text exactly (blocks joined by a blank line; table rows by newline, cells by " | ").
All character data and patterns live in nlp/resources/normalize.yml.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

import yaml

from nlp.errors import IngestError
from nlp.schema import Block, Cell, DocFormat, IngestedDocument, Row, Span

RESOURCE = Path(__file__).resolve().parent.parent / "resources" / "normalize.yml"
BLOCK_SEPARATOR = "\n\n"
ROW_SEPARATOR = "\n"
CELL_SEPARATOR = " | "


@lru_cache(maxsize=1)
def _data() -> dict:
    return yaml.safe_load(RESOURCE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class _Compiled:
    char_table: dict
    line_start_bullets: re.Pattern
    mark_run: re.Pattern
    tone_shift: list
    block_start: re.Pattern
    bullet_line: re.Pattern
    sentence_end: str
    vowel_marks: frozenset
    tone_marks: frozenset


@lru_cache(maxsize=1)
def _compiled() -> _Compiled:
    data = _data()
    table: dict = {}
    for ch in data["remove_chars"]:
        table[ord(ch)] = None
    for ch in data["space_chars"]:
        table[ord(ch)] = " "
    for ch in data["newline_chars"]:
        table[ord(ch)] = "\n"
    for ch, repl in data["ligatures"].items():
        table[ord(ch)] = repl
    for ch, repl in data["bullet_glyphs"].items():
        table[ord(ch)] = repl
    for ch, repl in data["tone_mark_aliases"].items():
        table[ord(ch)] = repl
    tones = "".join(data["tone_marks"])
    shifts = []
    for pair in data["tone_shift_pairs"]:
        first, second = pair[0], pair[1]
        # NFD: <first><second><tone> at the end of a word, not after 'q' (quá, quý keep their tone).
        pattern = re.compile(
            rf"(?<![qQ])([{first}{first.upper()}])([{second}{second.upper()}])([{tones}])"
            r"(?![^\W\d_]|[\u0300-\u036f])"
        )
        shifts.append(pattern)
    bullets = "".join(re.escape(b) for b in data["bullets"])
    return _Compiled(
        char_table=table,
        line_start_bullets=re.compile(rf"^[ ]*([{bullets}])(?=\s)", re.M),
        mark_run=re.compile(r"[\u0300-\u036f]{2,}"),
        tone_shift=shifts,
        block_start=re.compile("|".join(f"(?:{p})" for p in data["block_start_patterns"])),
        bullet_line=re.compile(rf"^\s*([{bullets}])\s+(?=\S)"),
        sentence_end=data["sentence_end"],
        vowel_marks=frozenset(data["vowel_marks"]),
        tone_marks=frozenset(data["tone_marks"]),
    )


# ---------------------------------------------------------------- characters


def _order_marks(match: re.Match) -> str:
    """Vowel-shape marks before tone marks, so 'a' + acute + circumflex composes to 'ấ'."""
    c = _compiled()
    marks = match.group(0)
    return "".join(sorted(marks, key=lambda m: 1 if m in c.tone_marks else 0))


def _place_tone_marks(decomposed: str) -> str:
    for pattern in _compiled().tone_shift:
        decomposed = pattern.sub(r"\1\3\2", decomposed)
    return decomposed


_MULTI_SPACE = re.compile(r"(?<=\S) {2,}")
_TRAILING_SPACE = re.compile(r"[ ]+$", re.M)


def normalize_text(s: str) -> str:
    """Canonical form of a piece of text (see module doc). Line structure is kept."""
    if not s:
        return ""
    c = _compiled()
    s = s.replace("\r\n", "\n").replace("\r", "\n").translate(c.char_table)
    decomposed = unicodedata.normalize("NFD", s)
    decomposed = c.mark_run.sub(_order_marks, decomposed)
    decomposed = _place_tone_marks(decomposed)
    s = unicodedata.normalize("NFC", decomposed)
    s = _MULTI_SPACE.sub(" ", s)
    return _TRAILING_SPACE.sub("", s)


def normalize_inline(s: str) -> str:
    """``normalize_text`` for one block: every run of whitespace, newlines included, becomes one space."""
    return " ".join(normalize_text(s).split())


# ---------------------------------------------------------------- Markdown emphasis

_EMPHASIS = [
    re.compile(r"\*\*(.+?)\*\*", re.S),
    re.compile(r"__(.+?)__", re.S),
    re.compile(r"~~(.+?)~~", re.S),
    re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![\w*])"),
    re.compile(r"(?<![\w_])_(?=[^\s_])([^_\n]*?[^\s_])_(?![\w_])"),
]
_STRAY_EMPHASIS = re.compile(r"\*\*+|__+")
# Exports of PDFs close an emphasis after the space ('*Đơn vị phối hợp: *Sở Tư pháp') and carry
# an italic over a line break ('*Bắc Ninh, ngày 20' / 'tháng 11 năm 2025*'): a single '*' touching
# a word on one side only is such a mark. '* ' opening a line is a bullet and '5 * 3' a product.
# '(*)' is a footnote mark, kept.
_STRAY_STAR = re.compile(r"(?<=[^\s(])\*(?![*)])|(?<!\S)\*(?=[^\s*)])")


def strip_markdown_emphasis(s: str) -> str:
    """'**Bold** and *it*' -> 'Bold and it'. A leading '* ' bullet is kept; unpaired marks dropped."""
    for pattern in _EMPHASIS:
        s = pattern.sub(r"\1", s)
    return _STRAY_STAR.sub("", _STRAY_EMPHASIS.sub("", s))


def is_markdown_emphasised(s: str) -> bool:
    """True when the whole string is wrapped in ** or __ (a bold Markdown paragraph)."""
    t = s.strip()
    return len(t) > 4 and ((t.startswith("**") and t.endswith("**")) or (t.startswith("__") and t.endswith("__")))


# ---------------------------------------------------------------- bullets and block starts


def canonical_bullet(glyph: str) -> str:
    return _data()["bullet_canonical"].get(glyph, "•")


def split_bullet(line: str) -> tuple[Optional[str], str]:
    """'- Tuyên truyền' -> ('-', 'Tuyên truyền'); a line without a bullet -> (None, line)."""
    m = _compiled().bullet_line.match(line)
    if not m:
        return None, line
    return canonical_bullet(m.group(1)), line[m.end():]


def starts_block(line: str) -> bool:
    """A bullet, a numbering label ('1.', '1.1.', 'a)', 'II.') or 'Điều 3' opens a new block."""
    return bool(_compiled().block_start.match(line.lstrip()))


def ends_sentence(line: str) -> bool:
    t = line.rstrip()
    return bool(t) and t[-1] in _compiled().sentence_end


_ATTACHED_BREAK = re.compile(r"(?<=[^\s])[-/]$")


def ends_mid_token(line: str) -> bool:
    """'1703/SKHCN-' or '57-': the token goes on in the next line."""
    return bool(_ATTACHED_BREAK.search(line.rstrip()))


def _starts_lower(line: str) -> bool:
    t = line.lstrip()
    return bool(t) and (t[0].islower() or t[0] in ",;)")


def should_join(prev: str, nxt: str, blank_between: bool = False) -> bool:
    """Does ``nxt`` continue the block that ``prev`` ended? (text rules only)

    - a token cut at a hyphen or slash always continues ('57-' / 'NQ/TW');
    - a line that opens a block (bullet, label) never continues;
    - after a sentence end, a new block;
    - mid-sentence: continues when the next line starts in lower case (even across blank lines, as
      PDF text exports put blank lines between wrapped lines), or when no blank line separates them.
    """
    if not prev.strip() or not nxt.strip():
        return False
    if ends_mid_token(prev) and not starts_block(nxt):
        return True
    if starts_block(nxt):
        return False
    if ends_sentence(prev):
        return False
    if _starts_lower(nxt):
        return True
    return not blank_between


def join_pair(prev: str, nxt: str) -> str:
    """Join two pieces of one block: no space after a cut token, one space otherwise."""
    left, right = prev.rstrip(), nxt.strip()
    if ends_mid_token(left):
        return left + right
    return f"{left} {right}" if left else right


def split_paragraphs(lines: Iterable[str]) -> list[str]:
    """Group raw lines into blocks with ``should_join``; blank lines are only a hint."""
    blocks: list[str] = []
    current: Optional[str] = None
    blank_between = False
    for raw in lines:
        line = raw.strip()
        if not line:
            blank_between = True
            continue
        if current is not None and should_join(current, line, blank_between):
            current = join_pair(current, line)
        else:
            if current is not None:
                blocks.append(current)
            current = line
        blank_between = False
    if current is not None:
        blocks.append(current)
    return blocks


def join_broken_lines(lines: Iterable[str] | str) -> str:
    """Lines -> canonical text: broken lines rejoined, blocks separated by a blank line."""
    if isinstance(lines, str):
        lines = lines.split("\n")
    return BLOCK_SEPARATOR.join(split_paragraphs(lines))


# ---------------------------------------------------------------- language check

_VIETNAMESE_ONLY = frozenset("ăâđêôơưĂÂĐÊÔƠƯ")


def vietnamese_diacritic_ratio(text: str) -> tuple[int, float]:
    """(number of letters, share of letters that carry a Vietnamese diacritic)."""
    letters = 0
    marked = 0
    for ch in text:
        if not ch.isalpha():
            continue
        letters += 1
        if ch in _VIETNAMESE_ONLY or (ord(ch) > 127 and len(unicodedata.normalize("NFD", ch)) > 1):
            marked += 1
    return letters, (marked / letters if letters else 0.0)


def check_vietnamese(text: str) -> None:
    """Raise not_vietnamese for a document with enough text and almost no Vietnamese letters."""
    cfg = _data()["vietnamese_check"]
    letters, ratio = vietnamese_diacritic_ratio(text)
    if letters >= cfg["min_letters"] and ratio < cfg["min_diacritic_ratio"]:
        raise IngestError(
            f"Văn bản không phải tiếng Việt: chỉ {ratio:.0%} chữ cái có dấu tiếng Việt "
            f"(văn bản tiếng Việt thường 25-30%). Hệ thống chỉ phân tích văn bản tiếng Việt có dấu.",
            "not_vietnamese",
        )


# ---------------------------------------------------------------- canonical document assembly


@dataclass
class CellDraft:
    text: str
    col_span: int = 1
    row_span: int = 1


@dataclass
class RowDraft:
    cells: list[CellDraft]
    page: Optional[int] = None
    is_header: bool = False

    def texts(self) -> list[str]:
        return [c.text for c in self.cells]


@dataclass
class BlockDraft:
    kind: str
    text: str = ""
    page: Optional[int] = None
    bold: bool = False
    heading_level: Optional[int] = None
    bullet: Optional[str] = None
    rows: list[RowDraft] = field(default_factory=list)


_ROW_NUMBER = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*\.?|[IVXLC]{1,6}\.?|[a-zđ]\)?)$")


def mark_header_row(rows: list[RowDraft]) -> None:
    """Mark the first row as the header when no row is marked and it reads like column names:
    every cell filled, none of them a row number ('1', '1.2', 'II', 'a')."""
    if len(rows) < 2 or any(r.is_header for r in rows):
        return
    texts = [normalize_inline(t) for t in rows[0].texts()]
    if all(texts) and not any(_ROW_NUMBER.match(t) for t in texts):
        rows[0].is_header = True


def _clean_cell(text: str) -> str:
    return normalize_inline(text)


def assemble_document(
    drafts: Iterable[BlockDraft], *, source: str, fmt: DocFormat, data: bytes, pages: Optional[int] = None
) -> IngestedDocument:
    """Normalise the drafts' text and lay them out in the canonical text with exact spans."""
    parts: list[str] = []
    blocks: list[Block] = []
    pos = 0
    for draft in drafts:
        start = pos + (len(BLOCK_SEPARATOR) if parts else 0)
        if draft.kind == "table":
            rows, block_text = _layout_table(draft.rows, start)
            if not rows:
                continue
            block = Block(kind="table", text=block_text, span=Span(start=start, end=start + len(block_text)),
                          page=draft.page, rows=rows)
        else:
            block_text = normalize_inline(draft.text)
            if not block_text:
                continue
            block = Block(kind=draft.kind, text=block_text, span=Span(start=start, end=start + len(block_text)),
                          page=draft.page, bold=draft.bold, heading_level=draft.heading_level, bullet=draft.bullet)
        if parts:
            parts.append(BLOCK_SEPARATOR)
        parts.append(block_text)
        pos = start + len(block_text)
        blocks.append(block)
    text = "".join(parts)
    return IngestedDocument(source=source, format=fmt, sha256=hashlib.sha256(data).hexdigest(),
                            text=text, blocks=blocks, pages=pages)


def _layout_table(rows: list[RowDraft], start: int) -> tuple[list[Row], str]:
    out_rows: list[Row] = []
    pieces: list[str] = []
    pos = start
    for row in rows:
        texts = [_clean_cell(c.text) for c in row.cells]
        if not any(texts):
            continue
        if out_rows:
            pieces.append(ROW_SEPARATOR)
            pos += len(ROW_SEPARATOR)
        row_start = pos
        cells: list[Cell] = []
        for i, (draft, text) in enumerate(zip(row.cells, texts)):
            if i:
                pieces.append(CELL_SEPARATOR)
                pos += len(CELL_SEPARATOR)
            cells.append(Cell(text=text, span=Span(start=pos, end=pos + len(text)),
                              row_span=draft.row_span, col_span=draft.col_span))
            pieces.append(text)
            pos += len(text)
        out_rows.append(Row(cells=cells, span=Span(start=row_start, end=pos), page=row.page,
                            is_header=row.is_header))
    return out_rows, "".join(pieces)
