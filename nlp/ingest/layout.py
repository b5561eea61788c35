"""Layout helpers shared by every reader: building the canonical text with spans, and the
cues that start a new block (numbering labels, bullets) in line-oriented sources."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from nlp.schema import Span

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
BLOCK_SEPARATOR = "\n\n"

# "I.", "II-", "1.", "1.1.", "2.1.3", "a)", "đ)", "a.", "(1)", "Điều 1."
_LABEL = re.compile(
    r"^(?:"
    r"[IVXLC]{1,6}[.\-–)]\s"                 # roman: I. II- III)
    r"|\d{1,2}(?:\.\d{1,2}){0,3}[.)]\s"       # 1.  1.1.  2.1.3)
    r"|\d{1,2}\.\d{1,2}(?:\.\d{1,2}){0,2}\s"  # 1.1 without trailing dot
    r"|[a-zđ][)]\s|[a-zđ]\.\s(?=[A-ZĐÀ-Ỹ])"   # a) b) đ)  a. (followed by upper case)
    r"|\(\d{1,2}\)\s"                          # (1)
    # capitalised: "Phần 2", "Điều 1." head a part; "… Tại / phần 2 Nhiệm vụ …" wraps mid-sentence
    r"|(?-i:Điều|ĐIỀU)\s+\d+[.:]"               # Điều 1.
    r"|(?-i:Phụ lục|PHỤ LỤC|Phần|PHẦN|Mục|MỤC|Chương|CHƯƠNG)\s+[0-9IVX]+\b"
    r")",
    re.IGNORECASE,
)
_ROMAN_ONLY_UPPER = re.compile(r"^[IVXLC]{1,6}[.\-–)]\s")
_PAGE_NUMBER = re.compile(r"^(?:-\s*)?\d{1,3}(?:\s*-)?$|^trang\s+\d+(\s*/\s*\d+)?$", re.IGNORECASE)


def is_block_start(text: str) -> bool:
    """True when a line opens a new block: a numbering label or a bullet."""
    if not text:
        return False
    if text[0] in "-+•▪*–" and len(text) > 1 and text[1] == " ":
        return True
    m = _LABEL.match(text + " ")
    if not m:
        return False
    # lowercase roman letters are letters (i), v)): accept only upper-case roman numerals
    if re.match(r"^[ivxlc]{1,6}[.\-–)]\s", text + " ") and not _ROMAN_ONLY_UPPER.match(text + " "):
        return bool(re.match(r"^[a-zđ][)]", text))
    return True


def looks_like_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text.strip()))


@lru_cache(maxsize=1)
def table_lexicon() -> dict:
    return yaml.safe_load((RESOURCES / "table_columns.yml").read_text(encoding="utf-8"))


def is_table_header_line(text: str, following: list[str] = ()) -> bool:
    """A flattened table header: 'STT Chỉ tiêu Đơn vị tính Kết quả Cơ quan chủ trì ...', its
    column names possibly wrapped over the next short lines (``following``)."""
    if len(text) > 160 or not re.match(r"^(stt|tt)\b", text.strip().lower()):
        return False
    parts = [text]
    for line in following:
        if len(line) > 40:
            break
        parts.append(line)
    low = " ".join(parts).lower()
    lex = table_lexicon()
    terms = sorted(lex["flat_header_terms"], key=len, reverse=True)
    hits = 0
    for term in terms:
        pattern = r"(?<!\w)" + re.escape(term)
        if re.search(pattern, low):
            hits += 1
            low = re.sub(pattern, " ", low)
    return hits >= lex["flat_header_min_hits"]


class TextBuilder:
    """Accumulates block texts into one canonical text and hands out their spans."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0

    def add(self, text: str) -> Span:
        if self._parts:
            self._parts.append(BLOCK_SEPARATOR)
            self._length += len(BLOCK_SEPARATOR)
        start = self._length
        self._parts.append(text)
        self._length += len(text)
        return Span(start=start, end=self._length)

    @staticmethod
    def span_at(block: Span, start: int, end: int) -> Span:
        return Span(start=block.start + start, end=block.start + end)

    @staticmethod
    def layout_table(rows: list[list[str]]) -> tuple[str, list[list[tuple[int, int]]]]:
        """Rows joined by newlines, cells by ' | '; returns the text and each cell's offsets."""
        out: list[str] = []
        offsets: list[list[tuple[int, int]]] = []
        pos = 0
        for r, cells in enumerate(rows):
            if r:
                out.append("\n")
                pos += 1
            row_offsets = []
            for c, cell in enumerate(cells):
                if c:
                    out.append(" | ")
                    pos += 3
                row_offsets.append((pos, pos + len(cell)))
                out.append(cell)
                pos += len(cell)
            offsets.append(row_offsets or [(pos, pos)])
        return "".join(out), offsets

    @property
    def text(self) -> str:
        return "".join(self._parts)
