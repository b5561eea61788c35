"""Numbering labels (nlp/structure/labels.py)."""
from __future__ import annotations

import pytest

from nlp.structure.labels import is_bare_row_number, parse_label, roman_to_int


@pytest.mark.parametrize("text, label, kind, rest", [
    ("I. MỤC ĐÍCH, YÊU CẦU", "I", "roman", "MỤC ĐÍCH, YÊU CẦU"),
    ("II- MỤC TIÊU", "II", "roman", "MỤC TIÊU"),
    ("IV. TỔ CHỨC THỰC HIỆN", "IV", "roman", "TỔ CHỨC THỰC HIỆN"),
    ("VII. Tăng cường hợp tác quốc tế", "VII", "roman", "Tăng cường hợp tác quốc tế"),
    ("1. Mục đích", "1", "arabic1", "Mục đích"),
    ("10. Các doanh nghiệp trên địa bàn.", "10", "arabic1", "Các doanh nghiệp trên địa bàn."),
    ("1.1. Tỷ lệ sử dụng dịch vụ công", "1.1", "arabic2", "Tỷ lệ sử dụng dịch vụ công"),
    ("2.1.3. Về hạ tầng", "2.1.3", "arabic3", "Về hạ tầng"),
    ("3) Phát huy tiềm năng", "3", "arabic1", "Phát huy tiềm năng"),
    ("a) Phát triển hạ tầng", "a", "letter", "Phát triển hạ tầng"),
    ("đ) Phát triển chuyển đổi số", "đ", "letter", "Phát triển chuyển đổi số"),
    ("b. Phát triển nguồn lực", "b", "letter", "Phát triển nguồn lực"),
    ("(1) Rà soát quy định", "1", "paren", "Rà soát quy định"),
    ("PHỤ LỤC 2", "PL2", "appendix", ""),
    ("PHỤ LỤC II", "PL2", "appendix", ""),
    ("Phụ lục III: DANH MỤC CÁC NHIỆM VỤ", "PL3", "appendix", "DANH MỤC CÁC NHIỆM VỤ"),
    ("PHỤ LỤC 3: DANH MỤC CÁC NHIỆM VỤ TRIỂN KHAI", "PL3", "appendix", "DANH MỤC CÁC NHIỆM VỤ TRIỂN KHAI"),
    ("Phụ lục số 1", "PL1", "appendix", ""),
    # the forms a budget plan attaches (9b7eebad): appendices after the signature
    ("Mẫu biểu số 01 DỰ BÁO MỘT SỐ CHỈ TIÊU KINH TẾ", "PL1", "appendix", "DỰ BÁO MỘT SỐ CHỈ TIÊU KINH TẾ"),
    ("Biểu số 2", "PL2", "appendix", ""),
])
def test_labels(text, label, kind, rest):
    parsed = parse_label(text)
    assert parsed is not None, text
    assert (parsed.text, parsed.kind, parsed.rest) == (label, kind, rest)


def test_arabic_depth():
    assert parse_label("2.1.3. Về hạ tầng").depth == 3
    assert parse_label("1. Mục đích").depth == 1
    assert parse_label("a) Khác").depth == 0


@pytest.mark.parametrize("text", [
    "Căn cứ Nghị quyết số 57-NQ/TW",
    "2030 tầm nhìn đến năm 2045",       # a year, not a label
    "1. 5% tổng chi ngân sách",          # a value
    "Chỉ tiêu",
    "- Quán triệt nội dung",
    "Im lặng là vàng",                    # a word starting with a roman letter
    "Mẫu biểu số 04 đính kèm.",           # a pointer to a form, in prose
    "",
])
def test_not_labels(text):
    assert parse_label(text) is None


def test_bare_roman_only_with_allow_bare():
    # flattened tables write group rows as "I Đến năm 2030"; prose never does
    assert parse_label("I Đến năm 2030") is None
    bare = parse_label("I Đến năm 2030", allow_bare=True)
    assert (bare.text, bare.kind, bare.rest) == ("I", "roman", "Đến năm 2030")


def test_bare_arabic_with_text_only_with_allow_bare():
    assert parse_label("1 Tỷ lệ phủ sóng 5G") is None
    bare = parse_label("1 Tỷ lệ phủ sóng 5G", allow_bare=True)
    assert (bare.text, bare.kind, bare.rest) == ("1", "arabic1", "Tỷ lệ phủ sóng 5G")


def test_dotted_label_without_closing_dot_is_a_label():
    """'2.1 Các chỉ tiêu' (no closing dot) is unambiguous: a dotted number never starts prose,
    so it is a label everywhere; a bare '12' or '2030' needs allow_bare (flattened tables)."""
    assert parse_label("1.1 Tỷ lệ sử dụng dịch vụ công trực tuyến").text == "1.1"
    assert parse_label("1.1 Tỷ lệ sử dụng dịch vụ công trực tuyến", allow_bare=True).text == "1.1"
    assert parse_label("1.1") is None
    assert parse_label("2030 tầm nhìn") is None


def test_regression_lone_number_needs_allow_bare():
    """A line holding only '12' is a page or row number, a label only inside a flattened
    table (allow_bare). parse_label('12') returns a label today: `"" in ".)"` is True."""
    assert parse_label("12") is None
    assert parse_label("12", allow_bare=True).text == "12"


@pytest.mark.parametrize("roman, value", [("I", 1), ("IV", 4), ("VII", 7), ("IX", 9), ("XIV", 14), ("XL", 40)])
def test_roman_to_int(roman, value):
    assert roman_to_int(roman) == value


@pytest.mark.parametrize("text, expected", [("12", True), ("1.3", True), ("II", True), ("4.", True),
                                            ("12 Tỷ lệ", False), ("Tháng 9/2025", False), ("2025-2030", False)])
def test_is_bare_row_number(text, expected):
    assert is_bare_row_number(text) is expected
