"""Section types from heading titles (nlp/structure/section_types.py, resources/section_types.yml)."""
from __future__ import annotations

import pytest

from nlp.schema import SectionType
from nlp.structure.section_types import classify_title, is_recipients, is_signature


@pytest.mark.parametrize("title, expected", [
    ("MỤC ĐÍCH, YÊU CẦU", SectionType.PURPOSE),
    ("MỤC ĐÍCH", SectionType.PURPOSE),
    ("YÊU CẦU", SectionType.PURPOSE),
    ("Mục đích", SectionType.PURPOSE),
    ("QUAN ĐIỂM CHỈ ĐẠO", SectionType.PURPOSE),
    ("MỤC TIÊU", SectionType.OBJECTIVES),
    ("MỤC TIÊU, CHỈ TIÊU", SectionType.OBJECTIVES),
    ("Tầm nhìn đến năm 2045", SectionType.OBJECTIVES),
    ("NHIỆM VỤ VÀ GIẢI PHÁP", SectionType.TASKS),
    ("NHIỆM VỤ, GIẢI PHÁP CHỦ YẾU", SectionType.TASKS),
    ("NỘI DUNG, NHIỆM VỤ", SectionType.TASKS),
    ("TỔ CHỨC THỰC HIỆN", SectionType.ORGANISATION),
    ("Tổ chức thực hiện", SectionType.ORGANISATION),
    ("KINH PHÍ THỰC HIỆN", SectionType.FUNDING),
    ("NGUỒN KINH PHÍ THỰC HIỆN", SectionType.FUNDING),
    ("Nơi nhận", SectionType.RECIPIENTS),
    ("phụ lục DANH MỤC CÁC CHỈ TIÊU CỤ THỂ", SectionType.APPENDIX_TARGETS),
    ("phụ lục DANH MỤC CÁC NHIỆM VỤ TRIỂN KHAI", SectionType.APPENDIX_TASKS),
    ("phụ lục BẢNG TỔNG HỢP", SectionType.APPENDIX),
    # a review of the past year describes; the tasks of the year ahead are tasks
    ("TÌNH HÌNH THỰC HIỆN NHIỆM VỤ KINH TẾ - XÃ HỘI VÀ DỰ TOÁN NGÂN SÁCH NĂM 2025", SectionType.PURPOSE),
    ("KẾT QUẢ ĐẠT ĐƯỢC", SectionType.PURPOSE),
    ("ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN VÀ NHIỆM VỤ, GIẢI PHÁP NĂM 2026", SectionType.TASKS),
    ("Thời gian", SectionType.PURPOSE),
])
def test_classify_title(title, expected):
    assert classify_title(title) == expected


@pytest.mark.parametrize("title", ["Công tác lãnh đạo, chỉ đạo", "Đến năm 2030", "Phòng Kinh tế"])
def test_unclassified_titles_inherit(title):
    assert classify_title(title) is None


@pytest.mark.parametrize("text, expected", [
    ("Nơi nhận:", True), ("Nơi nhận", True), ("NƠI NHẬN:", True),
    ("Nơi nhận hồ sơ là bộ phận một cửa của phường, tiếp nhận mọi ngày làm việc trong tuần", False),
    ("Các nơi nhận văn bản", False),
])
def test_is_recipients(text, expected):
    assert is_recipients(text) is expected


@pytest.mark.parametrize("text", ["CHỦ TỊCH", "PHÓ CHỦ TỊCH", "T/M BAN THƯỜNG VỤ", "Giám đốc Sở NN&MT"])
def test_is_signature(text):
    assert is_signature(text)


@pytest.mark.parametrize("text", ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "TL. CHỦ TỊCH"])
def test_regression_signature_with_tm_kt_prefix(text):
    """'TM. ỦY BAN NHÂN DÂN' / 'KT. CHỦ TỊCH' open the signature block of 001, 002, 003, 000;
    the pattern '^(tm\\.|kt\\.|...)\\b' needs a word character right after the dot, so never matches."""
    assert is_signature(text)


def test_long_sentence_is_not_a_signature():
    assert not is_signature("Chủ tịch UBND phường chỉ đạo các phòng, ban thực hiện nghiêm túc kế hoạch này")
