"""Text and Markdown exports -> IngestedDocument (nlp/ingest/text_reader.py).

Small synthetic inputs pin one behaviour each; the corpus plans check the same behaviours on
the real exports they were written for (lines broken mid-word, page numbers in the flow,
flattened tables).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from nlp.ingest.text_reader import read_text
from nlp.schema import IngestedDocument

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus" / "plans"
SHARED = REPO / ".." / "shared"


def read(text: str, fmt: str = "text") -> IngestedDocument:
    return read_text(text.encode("utf-8"), "sample.txt" if fmt == "text" else "sample.md", fmt)


def corpus_doc(ingested, prefix: str) -> IngestedDocument:
    (path,) = [p for p in sorted(CORPUS.glob("*.txt")) if p.name.startswith(prefix)]
    return ingested(path)


def assert_spans_exact(doc: IngestedDocument) -> None:
    """Every block, row and cell text is exactly what its span covers in the canonical text."""
    for block in doc.blocks:
        assert doc.text[block.span.start:block.span.end] == block.text, block
        for row in block.rows:
            row_text = doc.text[row.span.start:row.span.end]
            assert block.span.start <= row.span.start <= row.span.end <= block.span.end
            for cell in row.cells:
                assert doc.text[cell.span.start:cell.span.end] == cell.text, (cell, row_text)
                assert cell.text in row_text


# ------------------------------------------------------------------ broken lines


def test_word_broken_over_a_blank_line_is_rejoined():
    doc = read("Căn cứ Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột \n\n"
               "phá phát triển khoa học, công nghệ\n")
    assert len(doc.blocks) == 1
    assert doc.blocks[0].text.endswith("về đột phá phát triển khoa học, công nghệ")


def test_document_number_broken_after_hyphen_is_rejoined_without_space():
    doc = read("theo Công văn số 1703/SKHCN-\n CNTT&CĐS ngày 08/7/2025 của Sở Khoa học và Công nghệ.\n")
    assert "1703/SKHCN-CNTT&CĐS ngày 08/7/2025" in doc.text
    assert len(doc.blocks) == 1


def test_resolution_number_broken_after_hyphen_is_rejoined():
    doc = read("thực hiện Nghị quyết số 57-\n\nNQ/TW ngày 22/12/2024 của Bộ Chính trị.\n")
    assert doc.text == "thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị."


def test_hyphen_before_lowercase_word_keeps_the_space():
    # "kinh tế -\nxã hội": a dash between words, not a broken token
    doc = read("phát triển kinh tế - \n\nxã hội của phường trong giai đoạn mới\n")
    assert "kinh tế - xã hội" in doc.text


def test_numbered_line_starts_a_new_block():
    doc = read("Nội dung đoạn thứ nhất kết thúc tại đây.\n\n1. Mục đích\n\n2. Yêu cầu\n")
    assert [b.text for b in doc.blocks] == ["Nội dung đoạn thứ nhất kết thúc tại đây.", "1. Mục đích", "2. Yêu cầu"]


def test_corpus_000_document_number_rejoined(ingested):
    doc = corpus_doc(ingested, "000")
    assert "Công văn số 1703/SKHCN-CNTT&CĐS ngày 08/7/2025" in doc.text


def test_corpus_002_broken_words_rejoined(ingested):
    doc = corpus_doc(ingested, "002")
    # "về đột \n\nphá" in the first Căn cứ paragraph
    assert "Căn cứ Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển" in doc.text
    # "Nghị quyết số 57-\n\nNQ/TW" in the body
    assert "của Đảng ủy phường về thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024" in doc.text
    assert "57- NQ" not in doc.text and "57-\n" not in doc.text


def test_corpus_002_paragraphs_are_not_left_as_lines(ingested):
    doc = corpus_doc(ingested, "002")
    first = next(b for b in doc.blocks if b.text.startswith("Căn cứ Nghị quyết số 57-NQ/TW"))
    # one Căn cứ paragraph of 8 exported lines, ending at its semicolon
    assert first.text.endswith("tạo đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia;")
    assert "\n" not in first.text


# ------------------------------------------------------------------ Markdown marks


def test_markdown_heading_bold_bullet_and_escapes():
    doc = read("# KẾ HOẠCH\n\n**I. MỤC ĐÍCH, YÊU CẦU**\n\n1\\. Mục đích\n\n- Quán triệt nội dung.\n\n"
               "\\- Tổ chức thực hiện.\n\n## Tiêu đề phụ\n", "markdown")
    kinds = [(b.kind, b.text) for b in doc.blocks]
    assert kinds == [
        ("heading", "KẾ HOẠCH"),
        ("paragraph", "I. MỤC ĐÍCH, YÊU CẦU"),
        ("paragraph", "1. Mục đích"),
        ("list_item", "Quán triệt nội dung."),
        ("list_item", "Tổ chức thực hiện."),
        ("heading", "Tiêu đề phụ"),
    ]
    assert [b.heading_level for b in doc.blocks] == [1, None, None, None, None, 2]
    assert doc.blocks[1].bold and not doc.blocks[2].bold
    assert doc.blocks[3].bullet == "-" and doc.blocks[4].bullet == "-"
    assert "**" not in doc.text and "\\" not in doc.text and "#" not in doc.text
    assert_spans_exact(doc)


def test_bold_heading_not_joined_with_following_body():
    doc = read("**1. Đến năm 2030**\n\nKhoa học, công nghệ phát triển vững chắc.\n", "markdown")
    assert [b.text for b in doc.blocks] == ["1. Đến năm 2030", "Khoa học, công nghệ phát triển vững chắc."]
    assert doc.blocks[0].bold


def test_uppercase_heading_not_continued_by_body_text():
    doc = read("II. NHIỆM VỤ VÀ GIẢI PHÁP\n\nCông tác lãnh đạo, chỉ đạo được tăng cường\n")
    assert [b.text for b in doc.blocks] == ["II. NHIỆM VỤ VÀ GIẢI PHÁP", "Công tác lãnh đạo, chỉ đạo được tăng cường"]


# ------------------------------------------------------------------ Markdown tables


MD_TABLE = ("Đoạn mở đầu.\n\n"
            "| TT | Nhiệm vụ | Cơ quan chủ trì |\n"
            "|---|:---:|---|\n"
            "| 1 | Xây dựng kế hoạch | Sở **Tài chính** |\n"
            "| 2 | Rà soát | Phòng Kinh tế |\n\n"
            "Đoạn sau.\n")


def test_markdown_table_becomes_one_table_block_with_rows_and_cells():
    doc = read(MD_TABLE, "markdown")
    assert [b.kind for b in doc.blocks] == ["paragraph", "table", "paragraph"]
    table = doc.blocks[1]
    assert [[c.text for c in r.cells] for r in table.rows] == [
        ["TT", "Nhiệm vụ", "Cơ quan chủ trì"],
        ["1", "Xây dựng kế hoạch", "Sở Tài chính"],
        ["2", "Rà soát", "Phòng Kinh tế"],
    ]
    assert [r.is_header for r in table.rows] == [True, False, False]
    # rows joined by newlines, cells by " | ", separator row dropped
    assert table.text == "TT | Nhiệm vụ | Cơ quan chủ trì\n1 | Xây dựng kế hoạch | Sở Tài chính\n2 | Rà soát | Phòng Kinh tế"
    assert_spans_exact(doc)


def test_table_row_spans_cover_the_row_line():
    doc = read(MD_TABLE, "markdown")
    rows = doc.blocks[1].rows
    assert doc.text[rows[1].span.start:rows[1].span.end] == "1 | Xây dựng kế hoạch | Sở Tài chính"


def test_regression_multiline_pipe_table_is_a_table():
    """The wild Markdown exports write each cell between lone '|' lines, a row ending where
    '|' is followed by '|' (../shared/wild README: '`|` header tables, hard line breaks')."""
    text = ("Mở đầu phụ lục.\n\n|\n**TT**\n|\n**Nhiệm vụ**\n|\n**Cơ quan chủ trì**\n|\n**Thời gian hoàn thành**\n|\n"
            "|\n1\n|\nPhối hợp rà soát, sửa đổi Luật\nQuy hoạch và các văn bản có liên quan.\n|\nSở Tài chính\n|\nQuý IV/2025\n|\n"
            "|\n2\n|\nPhối hợp xây dựng nội dung\nquy định.\n|\nSở Xây dựng\n|\nNăm 2025 - 2026\n|\n\nĐoạn sau.\n")
    doc = read(text, "markdown")
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert len(tables) == 1, [b.text for b in doc.blocks]
    rows = [[c.text for c in r.cells] for r in tables[0].rows]
    assert rows == [
        ["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời gian hoàn thành"],
        ["1", "Phối hợp rà soát, sửa đổi Luật Quy hoạch và các văn bản có liên quan.", "Sở Tài chính", "Quý IV/2025"],
        ["2", "Phối hợp xây dựng nội dung quy định.", "Sở Xây dựng", "Năm 2025 - 2026"],
    ]
    assert "|\n" not in doc.text.replace(" | ", "")
    assert_spans_exact(doc)


def _pipe_table(*rows: list[str]) -> str:
    """The wild exports' form: each cell followed by a lone '|', a row closed by one more '|'."""
    return "|\n" + "".join("".join(f"{cell}\n|\n" if cell else "|\n" for cell in row) + "|\n" for row in rows)


def test_regression_long_cell_mid_row_ended_the_table():
    """646f0a00 (Phụ lục II of a national action plan): a "Nội dung chính" cell of 17 wrapped lines was
    taken for body text after a layout table; the table ended there and every later row lost its owner
    and date (24 "5 rõ" findings)."""
    long_cell = "\n".join(f"- Dòng nội dung thứ {k} của ô dài." for k in range(17))
    text = "Mở đầu.\n\n" + _pipe_table(
        ["STT", "Tên nhiệm vụ", "Nội dung chính", "Cơ quan chủ trì", "Thời gian"],
        ["1", "Xây dựng hệ thống cảnh báo", "- Ngắn.", "Bộ Nông nghiệp và Môi trường", "2026 - 2027"],
        ["2", "Xây dựng hệ thống kiểm kê", long_cell, "Bộ Xây dựng", "2026 - 2030"],
        ["3", "Đầu tư trạm quan trắc", "- Ngắn.", "Bộ Công Thương", "Năm 2026"],
    ) + "\nĐoạn sau.\n"
    doc = read(text, "markdown")
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert len(tables) == 1
    rows = [[c.text for c in r.cells] for r in tables[0].rows]
    assert [r[3] for r in rows[1:]] == ["Bộ Nông nghiệp và Môi trường", "Bộ Xây dựng", "Bộ Công Thương"]
    assert rows[2][2].startswith("- Dòng nội dung thứ 0") and rows[2][2].endswith("thứ 16 của ô dài.")
    assert_spans_exact(doc)


def test_pipe_table_body_text_after_a_layout_table_still_ends_it():
    """The long-cell limit stays for text after a complete row: a signature table then the body."""
    body = "\n".join(f"Dòng thân văn bản thứ {k}." for k in range(20))
    text = _pipe_table(["ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]) + body + "\n|\nCuối\n|\n"
    doc = read(text, "markdown")
    assert "Dòng thân văn bản thứ 19." in doc.text
    assert not any("Dòng thân văn bản" in b.text for b in doc.blocks if b.kind == "table")


def test_regression_unnumbered_row_lost_its_empty_first_cell():
    """646f0a00 (Phụ lục I): rows without a number start with an empty cell, written as a third '|'
    after the previous row's closing pair; dropped, the row's cells moved one column left (the partners
    read as the lead, the content as the group)."""
    text = _pipe_table(
        ["STT", "Cơ quan chủ trì", "Cơ quan phối hợp", "Nội dung nhiệm vụ"],
        ["**D.**", "**BỘ KHOA HỌC VÀ CÔNG NGHỆ**"],
        ["", "Bộ Khoa học và Công nghệ", "- Bộ Công Thương;", "Nghiên cứu, chuyển giao công nghệ."],
    )
    doc = read(text, "markdown")
    rows = [[c.text for c in r.cells] for r in next(b for b in doc.blocks if b.kind == "table").rows]
    assert rows[-1] == ["", "Bộ Khoa học và Công nghệ", "- Bộ Công Thương;", "Nghiên cứu, chuyển giao công nghệ."]


def test_regression_footnotes_cut_after_their_marker_are_one_paragraph():
    """646f0a00: "[1] Tại" / "phần 2 Nhiệm vụ, giải pháp …" ("phần 2" was taken for a part's heading), "[2]" /
    "Toàn bộ 34 tỉnh …" and "[4] Từ" / "0h sáng đến 6h sáng." were two paragraphs each, their second
    halves read as tasks."""
    text = ("Đoạn trước.\n[1] Tại\nphần 2 Nhiệm vụ, giải pháp của Kế hoạch hành động quốc gia.\n[2]\n"
            "Toàn bộ 34 tỉnh, thành phố trên toàn quốc.\n[4] Từ\n0h sáng đến 6h sáng.\n")
    texts = [b.text for b in read(text, "markdown").blocks]
    assert texts[1:] == ["[1] Tại phần 2 Nhiệm vụ, giải pháp của Kế hoạch hành động quốc gia.",
                         "[2] Toàn bộ 34 tỉnh, thành phố trên toàn quốc.", "[4] Từ 0h sáng đến 6h sáng."]


def test_corpus_and_parent_markdown_spans_exact(ingested):
    paths = sorted(CORPUS.glob("*.txt")) + sorted(p for p in (SHARED / "parents").glob("*.md") if p.name != "README.md")
    assert len(paths) >= 9
    for path in paths:
        assert_spans_exact(ingested(path))


def test_parent_pl2_table_cells(ingested):
    doc = ingested(SHARED / "parents" / "03-NQ-CP-PL2.md")
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert tables, "the 140-task appendix is a Markdown table"
    rows = [r for t in tables for r in t.rows]
    header = [c.text for c in rows[0].cells]
    assert header[:3] == ["TT", "Tên nhiệm vụ", "Cơ quan chủ trì"]
    # one row per task (140) plus the 7 group rows and the header
    numbered = [r for r in rows if r.cells and r.cells[0].text.strip().rstrip(".").isdigit()]
    assert len(numbered) == 140


# ------------------------------------------------------------------ page numbers


def test_page_numbers_in_running_text_are_dropped():
    doc = read("- Triển khai nhiệm vụ A của phường trong năm 2025 theo đúng kế hoạch đã được phê duyệt và\n\n"
               "12\n\nhướng dẫn của cấp trên.\n\n- 5 -\n\nTrang 3\n\nTiếp theo là đoạn khác.\n")
    assert [b.text for b in doc.blocks] == [
        "Triển khai nhiệm vụ A của phường trong năm 2025 theo đúng kế hoạch đã được phê duyệt và hướng dẫn của cấp trên.",
        "Tiếp theo là đoạn khác.",
    ]


def test_corpus_000_page_number_dropped(ingested):
    doc = corpus_doc(ingested, "000")
    texts = [b.text for b in doc.blocks]
    assert "6" not in texts
    end = next(i for i, t in enumerate(texts) if t.endswith("góp phần thực hiện thành công, hiệu quả mục tiêu Kế hoạch đề ra."))
    assert texts[end + 1].startswith("Trên đây là Kế hoạch thực hiện Nghị quyết số 57-NQ/TW")


def test_corpus_004_page_numbers_dropped(ingested):
    doc = corpus_doc(ingested, "004")
    texts = [b.text for b in doc.blocks]
    assert "4" not in texts and "11" not in texts
    # the item after page break "4" still starts with its own label
    assert any(t.startswith("11. Đẩy mạnh tuyên truyền, tạo sự đồng thuận") for t in texts)
    assert any(t.endswith("mạng thông tin di động 5G và các thế hệ tiếp theo phủ sóng toàn xã.") for t in texts)


# ------------------------------------------------------------------ flattened tables


FLAT = ("Danh mục nhiệm vụ.\n\n"
        "STT Tên nhiệm vụ \nCơ quan chủ trì \nCơ quan phối hợp \nThời gian hoàn thành \n"
        "I \nNâng cao nhận thức \n1 \nTriển khai tuyên truyền \nPhòng Văn hóa - Xã hội \nCác phòng \nTháng 9/2025 \n"
        "7\n2 \nXây dựng chương trình \nTrung tâm Văn hóa \nCác phòng \nThường xuyên \n")


def test_flattened_table_kept_line_by_line():
    doc = read(FLAT)
    texts = [b.text for b in doc.blocks]
    # each exported line stays its own block: the structure stage rebuilds the rows
    assert texts[1:] == ["STT Tên nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành", "I",
                         "Nâng cao nhận thức", "1", "Triển khai tuyên truyền", "Phòng Văn hóa - Xã hội", "Các phòng",
                         "Tháng 9/2025", "7", "2", "Xây dựng chương trình", "Trung tâm Văn hóa", "Các phòng", "Thường xuyên"]
    assert all(b.kind == "paragraph" for b in doc.blocks)
    assert_spans_exact(doc)


def test_flattened_table_ends_at_appendix_heading():
    doc = read(FLAT + "\nPHỤ LỤC 2\n\nDANH MỤC CÁC CHỈ TIÊU\n\nCác chỉ tiêu được theo dõi hằng năm, đánh giá\n\nvà báo cáo định kỳ.\n")
    texts = [b.text for b in doc.blocks]
    assert "Các chỉ tiêu được theo dõi hằng năm, đánh giá và báo cáo định kỳ." in texts


def test_corpus_002_appendix_tables_are_flattened_lines(ingested):
    doc = corpus_doc(ingested, "002")
    texts = [b.text for b in doc.blocks]
    header = texts.index("STT Tên nhiệm vụ")
    assert texts[header + 1:header + 3] == ["Cơ quan chủ trì tham", "mưu thực hiện"]
    assert "Tháng 9/2025" in texts[header:]


# ------------------------------------------------------------------ encodings


def test_utf8_bom_and_crlf():
    doc = read_text("\ufeffKẾ HOẠCH\r\n\r\nI. MỤC ĐÍCH\r\n".encode("utf-8"), "bom.txt", "text")
    assert doc.text == "KẾ HOẠCH\n\nI. MỤC ĐÍCH"


def test_decomposed_unicode_is_composed():
    import unicodedata

    doc = read(unicodedata.normalize("NFD", "Ủy ban nhân dân phường Trần Liễu"))
    assert doc.text == unicodedata.normalize("NFC", "Ủy ban nhân dân phường Trần Liễu")


def test_sha256_and_source():
    doc = read("KẾ HOẠCH\n")
    import hashlib

    assert doc.sha256 == hashlib.sha256("KẾ HOẠCH\n".encode()).hexdigest()
    assert doc.source == "sample.txt" and doc.format == "text"


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_blank_input_gives_no_blocks(text):
    doc = read(text)
    assert doc.blocks == [] and doc.text == ""


def test_regression_markdown_escaped_ampersand():
    """57-NQ-TW.md writes 'nghiên cứu phát triển (R\\&D)'; '&' is escapable ASCII punctuation in
    Markdown, but the reader keeps the backslash ('R\\&D' in targets of 57-NQ/TW)."""
    doc = read("Kinh phí chi cho nghiên cứu phát triển (R\\&D) đạt 2% GDP\n", "markdown")
    assert doc.text == "Kinh phí chi cho nghiên cứu phát triển (R&D) đạt 2% GDP"


def test_regression_lone_list_dash_takes_the_next_line():
    """'-' alone on a line, its text on the next (a hard-wrapped export): one list item."""
    doc = read_text("Nhiệm vụ\n\n-\n\nTuyên truyền, phổ biến quy định về tài sản công.\n\n- Tham mưu kế hoạch.\n".encode(),
                    "x.md", "markdown")
    items = [b for b in doc.blocks if b.kind == "list_item"]
    assert [b.text for b in items] == ["Tuyên truyền, phổ biến quy định về tài sản công.", "Tham mưu kế hoạch."]


def test_regression_list_item_cut_after_its_first_word():
    doc = read_text("+ Sở\n\nXây dựng: hướng dẫn các cơ quan, đơn vị thực hiện kiểm kê.\n\n+ Sở\n\nCông Thương: hướng dẫn.\n".encode(),
                    "x.md", "markdown")
    assert [b.text for b in doc.blocks] == ["Sở Xây dựng: hướng dẫn các cơ quan, đơn vị thực hiện kiểm kê.",
                                            "Sở Công Thương: hướng dẫn."]


def test_regression_attribute_line_after_a_full_width_item_is_its_own_line():
    text = ("- Rà soát, kiện toàn đội ngũ cán bộ làm công tác xây dựng pháp luật của các đơn vị.\n\n"
            "- Tổ chức tập huấn.\n\nĐơn vị chủ trì: Sở Tư pháp.\n")
    doc = read_text(text.encode(), "x.md", "markdown")
    assert [b.text for b in doc.blocks][-1] == "Đơn vị chủ trì: Sở Tư pháp."
