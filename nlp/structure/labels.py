"""Numbering labels of Vietnamese administrative documents: I./II., 1./1.1./2.1.3., a)/đ), PHỤ LỤC N."""
from __future__ import annotations

import re
from dataclasses import dataclass

_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}

_APPENDIX = re.compile(r"^phụ\s+lục\s*(?:số\s*)?([0-9]+|[IVXLC]+)?\b[\s.:\-–]*", re.IGNORECASE)
# a form attached to a budget plan ("Mẫu biểu số 01 DỰ BÁO MỘT SỐ CHỈ TIÊU …") heads an appendix when it
# stands alone or before a title in capitals ("Mẫu biểu số 04 đính kèm." in prose is a pointer)
_FORM_APPENDIX = re.compile(r"^(?:[Mm]ẫu\s+)?[Bb]iểu(?:\s+mẫu)?\s+số\s*([0-9]{1,2})(?=\s*$|\s+[A-ZĐÀ-Ỹ]{2,}(?:\s|$))")
_ROMAN = re.compile(r"^([IVXLC]{1,6})\s*[.\-–):]\s*")
_ROMAN_BARE = re.compile(r"^([IVXLC]{1,6})(?:\s+(?=[A-ZĐÀ-Ỹ])|$)")          # "I Đến năm 2030" in flattened tables
_ARABIC = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})(?:[.)]\s*|\s+(?=\S)|$)")
_LETTER = re.compile(r"^([a-zđ])\s*[)]\s*|^([a-zđ])\.\s+(?=[A-ZĐÀ-Ỹ])")
_PAREN = re.compile(r"^\((\d{1,2}|[a-zđ])\)\s*")


@dataclass(frozen=True)
class Label:
    text: str        # as normalised: 'III', '2.1', 'a', 'PL2'
    kind: str        # 'appendix', 'roman', 'arabic1'..'arabic4', 'letter', 'paren'
    rest: str        # the text after the label

    @property
    def depth(self) -> int:
        return int(self.kind[-1]) if self.kind.startswith("arabic") else 0


def roman_to_int(roman: str) -> int:
    total, prev = 0, 0
    for ch in reversed(roman.upper()):
        value = _ROMAN_VALUES[ch]
        total = total - value if value < prev else total + value
        prev = max(prev, value)
    return total


def parse_label(text: str, *, allow_bare: bool = False) -> Label | None:
    """The numbering label at the start of ``text``, or None.

    ``allow_bare`` accepts labels without punctuation ("12", "I Đến năm 2030"), as flattened
    tables write them; in prose "2030 tầm nhìn" must not read as a label. A dotted number
    followed by text ("2.1 Các chỉ tiêu") is a label everywhere: prose never starts so.
    """
    text = text.strip()
    m = _APPENDIX.match(text)
    if m and (m.group(1) or len(text) < 40 or text.startswith("PHỤ LỤC")):
        number = m.group(1) or "1"
        if not number.isdigit():
            number = str(roman_to_int(number))
        return Label(f"PL{number}", "appendix", text[m.end():].strip())
    m = _FORM_APPENDIX.match(text)
    if m:
        return Label(f"PL{int(m.group(1))}", "appendix", text[m.end():].strip())
    m = _ROMAN.match(text)
    if m and not _LETTER.match(text):
        return Label(m.group(1), "roman", text[m.end():].strip())
    if allow_bare:
        m = _ROMAN_BARE.match(text)
        if m:
            return Label(m.group(1), "roman", text[m.end():].strip())
    m = _ARABIC.match(text)
    if m:
        number = m.group(1)
        after = text[len(number):len(number) + 1]
        punctuated = after != "" and after in ".)"
        rest = text[m.end():].strip()
        if punctuated or allow_bare or ("." in number and rest):
            if rest[:1] in ("%",) or re.match(r"^\d", rest):
                return None          # "1. 5%" or "2.5 100" are values, not labels
            return Label(number, f"arabic{number.count('.') + 1}", rest)
    m = _LETTER.match(text)
    if m:
        return Label(m.group(1) or m.group(2), "letter", text[m.end():].strip())
    m = _PAREN.match(text)
    if m:
        return Label(m.group(1), "paren", text[m.end():].strip())
    return None


_LETTERS = "abcdđeghiklmnopqrstuvxy"      # Vietnamese list letters: 'd)' is followed by 'đ)', no f, j, w, z


def follows(previous: str, label: str) -> bool:
    """Is ``label`` the next number after ``previous`` at the same depth ('2' -> '3', '1.2' -> '1.3', 'b' -> 'c', 'd' -> 'đ')?"""
    if previous.isalpha() and label.isalpha():
        return previous in _LETTERS and label in _LETTERS and _LETTERS.index(label) == _LETTERS.index(previous) + 1
    head_prev, _, last_prev = previous.rpartition(".")
    head, _, last = label.rpartition(".")
    return head == head_prev and last.isdigit() and last_prev.isdigit() and int(last) == int(last_prev) + 1


def is_bare_row_number(text: str) -> bool:
    """A line holding only a row number of a flattened table: '12', '1.3', 'II'."""
    return bool(re.fullmatch(r"\d{1,3}(?:\.\d{1,2}){0,3}\.?|[IVXLC]{1,6}\.?", text.strip()))
