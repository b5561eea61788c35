import unicodedata

import pytest

from nlp.errors import IngestError
from nlp.ingest.normalize import (
    BlockDraft, CellDraft, RowDraft, assemble_document, check_vietnamese, join_broken_lines, normalize_text,
    split_bullet, split_paragraphs, starts_block, strip_markdown_emphasis,
)


@pytest.mark.parametrize("old, new", [
    ("hoá học", "hóa học"), ("Hoà Bình", "Hòa Bình"), ("thuỷ lợi", "thủy lợi"), ("khoẻ mạnh", "khỏe mạnh"),
    ("xoá bỏ", "xóa bỏ"), ("toạ đàm", "tọa đàm"), ("Thuý", "Thúy"), ("HOÁ", "HÓA"), ("luỹ kế", "lũy kế"),
])
def test_tone_marks_moved_to_the_gold_style(old, new):
    assert normalize_text(old) == new
    assert normalize_text(new) == new


@pytest.mark.parametrize("word", ["quý", "quá", "quỹ", "hoạch", "hoặc", "ngoài", "khuỷu", "huỳnh", "thuyết", "xoáy"])
def test_tone_marks_left_alone_where_both_styles_agree(word):
    assert normalize_text(word) == word


def test_decomposed_and_misordered_marks_compose():
    decomposed = unicodedata.normalize("NFD", "Kế hoạch chuyển đổi số")
    assert normalize_text(decomposed) == "Kế hoạch chuyển đổi số"
    # tone mark typed before the circumflex (old keyboards): still one precomposed letter
    assert normalize_text("a\u0301\u0302") == "ấ"
    # deprecated combining tone marks of Windows-1258-era fonts
    assert normalize_text("e\u0341") == "é"


def test_windows_1258_bytes_decode_to_precomposed_text():
    raw = "Vi\u00ea\u0323t Nam".encode("cp1258")     # cp1258 stores ệ as ê + combining dot below
    assert normalize_text(raw.decode("cp1258")) == "Việt Nam"


def test_invisible_and_disguised_characters():
    assert normalize_text("số\u00a0hóa\u200b dữ\u00adliệu\ufeff") == "số hóa dữliệu"
    assert normalize_text("a\tb  c   \n") == "a b c\n"
    assert normalize_text("\ufb01 x\r\ny") == "fi x\ny"


def test_decimal_comma_and_typed_numbers_kept():
    assert normalize_text("đạt 2,5% GRDP; 1.1. Mục tiêu") == "đạt 2,5% GRDP; 1.1. Mục tiêu"


def test_symbol_font_bullets_become_real_bullets():
    assert normalize_text("\uf0b7 Tuyên truyền") == "• Tuyên truyền"
    assert split_bullet(normalize_text("\uf0a7 Rà soát")) == ("•", "Rà soát")


@pytest.mark.parametrize("line, bullet", [("- a", "-"), ("+ a", "+"), ("• a", "•"), ("* a", "*"), ("▪ a", "•"),
                                          ("– a", "-"), ("-a", None), ("57-NQ/TW", None)])
def test_bullets_recognised(line, bullet):
    assert split_bullet(line)[0] == bullet


def test_markdown_emphasis_removed():
    assert strip_markdown_emphasis("## **2. Yêu cầu**") == "## 2. Yêu cầu"
    assert strip_markdown_emphasis("*Căn cứ* Luật và __x__") == "Căn cứ Luật và x"
    assert strip_markdown_emphasis("* mục có dấu sao") == "* mục có dấu sao"
    assert strip_markdown_emphasis("**Mở không đóng") == "Mở không đóng"
    assert strip_markdown_emphasis("tên_biến_giữ") == "tên_biến_giữ"


@pytest.mark.parametrize("label", ["1. Mục", "1.1. Mục", "1.2 Mục", "a) Mục", "đ) Mục", "II. MỤC", "(1) Mục",
                                   "- Mục", "Điều 3. Mục", "Phụ lục II"])
def test_block_start_labels(label):
    assert starts_block(label)


@pytest.mark.parametrize("line", ["2024 của Bộ Chính trị", "Ủy ban nhân dân", "57-NQ/TW ngày"])
def test_not_block_starts(line):
    assert not starts_block(line)


def test_join_broken_lines_word_split_across_blank_line():
    assert join_broken_lines(["đột ", "", "phá"]) == "đột phá"
    assert join_broken_lines("đột \n\nphá phát triển") == "đột phá phát triển"


def test_join_broken_lines_token_split_at_hyphen():
    assert join_broken_lines(["Công văn 1703/SKHCN-", " CNTT&CĐS ngày 5/9"]) == "Công văn 1703/SKHCN-CNTT&CĐS ngày 5/9"
    assert join_broken_lines(["Nghị quyết số 57-", "NQ/TW"]) == "Nghị quyết số 57-NQ/TW"


def test_join_broken_lines_keeps_spaced_dash():
    assert join_broken_lines(["Phòng Văn hóa -", "Xã hội"]) == "Phòng Văn hóa - Xã hội"


def test_join_broken_lines_mid_sentence_joins_next():
    assert join_broken_lines(["tạo sự chuyển biến rõ rệt trong hành động và nhận", "", "thức về vị trí"]) == \
        "tạo sự chuyển biến rõ rệt trong hành động và nhận thức về vị trí"


def test_split_paragraphs_respects_labels_bullets_and_sentence_ends():
    lines = ["1. Mục đích", "Thống nhất trong chỉ đạo.", "", "- Tuyên truyền", "thường xuyên;", "- Định kỳ",
             "a) Quán triệt", "", "b) Gắn trách nhiệm", "", "Ủy ban nhân dân ban hành."]
    assert split_paragraphs(lines) == ["1. Mục đích Thống nhất trong chỉ đạo.", "- Tuyên truyền thường xuyên;",
                                       "- Định kỳ", "a) Quán triệt", "b) Gắn trách nhiệm",
                                       "Ủy ban nhân dân ban hành."]


def test_not_vietnamese_rejects_english_prose():
    english = "The committee will implement the plan on science, technology and digital transformation. " * 10
    with pytest.raises(IngestError) as err:
        check_vietnamese(english)
    assert err.value.code == "not_vietnamese"
    assert "không phải tiếng Việt" in err.value.message


def test_not_vietnamese_accepts_plans_and_short_texts():
    check_vietnamese("Kế hoạch triển khai thực hiện Nghị quyết 57-NQ/TW về đột phá phát triển khoa học. " * 10)
    check_vietnamese("Plan 57")    # too short to judge
    # a Vietnamese plan with English names and abbreviations still passes
    check_vietnamese(("Triển khai nền tảng AI, IoT, Big Data, Cloud computing tại phường; "
                      "ứng dụng công nghệ số trong quản lý. ") * 10)


def test_assemble_document_spans_index_canonical_text():
    drafts = [
        BlockDraft(kind="heading", text="  I. MỤC  ĐÍCH ", heading_level=1),
        BlockDraft(kind="paragraph", text=""),                       # dropped
        BlockDraft(kind="table", rows=[RowDraft([CellDraft("STT"), CellDraft("Nhiệm vụ")]),
                                       RowDraft([CellDraft(""), CellDraft("")]),   # empty row dropped
                                       RowDraft([CellDraft("1"), CellDraft("Số hóa\nhồ sơ", col_span=2)])]),
        BlockDraft(kind="list_item", text="Tuyên truyền", bullet="-"),
    ]
    doc = assemble_document(drafts, source="x", fmt="docx", data=b"abc")
    assert doc.text == "I. MỤC ĐÍCH\n\nSTT | Nhiệm vụ\n1 | Số hóa hồ sơ\n\nTuyên truyền"
    table = doc.blocks[1]
    assert len(table.rows) == 2 and table.rows[1].cells[1].col_span == 2
    for block in doc.blocks:
        assert doc.text[block.span.start:block.span.end] == block.text
    for row in table.rows:
        for cell in row.cells:
            assert doc.text[cell.span.start:cell.span.end] == cell.text
    assert doc.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_regression_emphasis_closed_after_space_is_removed():
    # PDF exports close an italic label after its space: '*Đơn vị phối hợp: *Sở Tư pháp.'
    assert strip_markdown_emphasis("*Đơn vị phối hợp: *Sở Tư pháp.") == "Đơn vị phối hợp: Sở Tư pháp."
    assert strip_markdown_emphasis("*Thời gian thực hiện: *Thường") == "Thời gian thực hiện: Thường"


def test_regression_emphasis_carried_over_a_line_break_is_removed():
    # one half of '*Bắc Ninh, ngày 20\ntháng 11 năm 2025*' on each line
    assert strip_markdown_emphasis("*Bắc Ninh, ngày 20") == "Bắc Ninh, ngày 20"
    assert strip_markdown_emphasis("tháng 11 năm 2025*") == "tháng 11 năm 2025"
    assert strip_markdown_emphasis("theo)*") == "theo)"


def test_lone_stars_that_are_not_emphasis_are_kept():
    assert strip_markdown_emphasis("chỉ tiêu (*) của tỉnh") == "chỉ tiêu (*) của tỉnh"
    assert strip_markdown_emphasis("5 * 3") == "5 * 3"
    assert strip_markdown_emphasis("* mục có dấu sao") == "* mục có dấu sao"
