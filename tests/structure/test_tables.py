"""Tables -> table_row items with column roles (nlp/structure/tables.py): header roles, real
(Markdown) tables, and flattened tables rebuilt from one line per cell fragment."""
from __future__ import annotations

import pytest

from nlp.ingest.text_reader import read_text
from nlp.schema import SectionType, StructuredDocument
from nlp.structure import build_structure
from nlp.structure.tables import column_role, column_roles


def structure(text: str, fmt: str = "text") -> StructuredDocument:
    return build_structure(read_text(text.encode("utf-8"), "t.md" if fmt == "markdown" else "t.txt", fmt))


def sections(doc: StructuredDocument) -> dict:
    return {s.path: s for s in doc.walk() if s.path}


@pytest.mark.parametrize("header, role", [
    ("TT", "number"), ("STT", "number"),
    ("Tên nhiệm vụ", "task"), ("Nhiệm vụ", "task"), ("Nội dung", "task"),
    ("Cơ quan chủ trì", "lead"), ("Cơ quan chủ trì theo dõi, đánh giá", "lead"), ("Cơ quan thực hiện", "lead"),
    ("Cơ quan phối hợp", "support"),
    ("Thời gian hoàn thành", "deadline"), ("Thời hạn", "deadline"), ("Tiến độ", "deadline"),
    ("Kết quả/Sản phẩm", "product"), ("Sản phẩm đầu ra", "product"),
    ("Năm 2030", "year:2030"), ("2025", "year:2025"),
    ("Đơn vị tính", "unit"), ("ĐVT", "unit"),
    ("Chỉ tiêu", "indicator"),
    ("Ghi chú", "note"),
    ("Cột lạ", "other"), ("", "other"),
])
def test_column_role(header, role):
    assert column_role(header) == role


def test_second_indicator_column_holds_the_value():
    assert column_roles(["STT", "Chỉ tiêu", "Đơn vị tính", "Chỉ tiêu", "Cơ quan chủ trì"]) == \
        ["number", "indicator", "unit", "value", "lead"]


def test_regression_result_column_of_task_table_is_product():
    """'Kết quả' next to 'Tên nhiệm vụ' is what the task produces (03/NQ-CP Phụ lục II)."""
    roles = column_roles(["TT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Kết quả", "Thời gian hoàn thành"])
    assert roles == ["number", "task", "lead", "support", "product", "deadline"]


def test_result_column_of_indicator_table_is_value():
    assert column_roles(["TT", "Chỉ tiêu", "Đơn vị", "Kết quả", "Cơ quan chủ trì theo dõi, đánh giá"]) == \
        ["number", "indicator", "unit", "value", "lead"]


# ------------------------------------------------------------------ Markdown tables

MD_TARGETS = ("PHỤ LỤC 2\n\nDANH MỤC CÁC CHỈ TIÊU\n\n"
              "| STT | Chỉ tiêu | Đơn vị tính | Năm 2025 | Năm 2030 | Cơ quan chủ trì |\n|---|---|---|---|---|---|\n"
              "| I | Hạ tầng số | | | | |\n"
              "| 1 | Tỷ lệ phủ sóng 5G | % | ≥ 60 | 100 | Phòng Văn hóa - Xã hội |\n"
              "| 2 | Tỷ lệ hộ gia đình có cáp quang | % | - | 90 | Phòng Kinh tế |\n")


def test_markdown_indicator_table_rows_under_group():
    doc = structure(MD_TARGETS, "markdown")
    found = sections(doc)
    assert found["PL2"].type == SectionType.APPENDIX_TARGETS
    assert found["PL2.I"].title == "Hạ tầng số"
    items = found["PL2.I"].items
    assert [it.label for it in items] == ["1", "2"]
    assert items[0].roles == ["number", "indicator", "unit", "year:2025", "year:2030", "lead"]
    assert items[0].cells == ["1", "Tỷ lệ phủ sóng 5G", "%", "≥ 60", "100", "Phòng Văn hóa - Xã hội"]
    assert items[1].cells[3] == "-"
    assert items[0].header == ["STT", "Chỉ tiêu", "Đơn vị tính", "Năm 2025", "Năm 2030", "Cơ quan chủ trì"]
    for item in items:
        assert doc.text[item.span.start:item.span.end].startswith(item.label)
        for text, span in zip(item.cells, item.cell_spans):
            assert doc.text[span.start:span.end] == text


def test_repeated_header_row_is_skipped():
    text = MD_TARGETS + "| STT | Chỉ tiêu | Đơn vị tính | Năm 2025 | Năm 2030 | Cơ quan chủ trì |\n" \
                        "| 3 | Tỷ lệ dân số có chữ ký số | % | 50 | 70 | Phòng Văn hóa - Xã hội |\n"
    doc = structure(text, "markdown")
    assert [it.label for it in sections(doc)["PL2.I"].items] == ["1", "2", "3"]


def test_regression_header_cell_split_below_it():
    """9b7eebad (Mẫu biểu 01): "Năm hiện hành 2025" stands over "Kế hoạch | Ước thực hiện", so the rows
    are one cell wider than the header; the 2025 estimate was read as 2026's value, 2026's as 2027's."""
    text = ("| STT | Nội dung | Đơn vị tính | Năm hiện hành 2025 | Năm 2026 | Năm 2027 |\n"
            "|---|---|---|---|---|---|\n"
            "| Kế hoạch | Ước thực hiện |\n"
            "| 1 | Tốc độ tăng trưởng GRDP | % | 8,00 | 7,50 | 10,00 | 10,50 |\n"
            "| 2 | Tỷ trọng công nghiệp, xây dựng | % | 24,23 | 24,20 | 25,09 | 25,92 |\n")
    items = [it for s in structure(text, "markdown").walk() for it in s.items if it.kind == "table_row"]
    assert [it.label for it in items] == ["1", "2"]
    by_role = dict(zip(items[1].roles, items[1].cells))
    assert (by_role["year:2026"], by_role["year:2027"]) == ("25,09", "25,92")
    assert [r for r in items[1].roles if r.startswith("year:")] == ["year:2026", "year:2027"]   # the estimate is no year's target


# ------------------------------------------------------------------ flattened tables

FLAT = ("PHỤ LỤC 1: DANH MỤC CÁC NHIỆM VỤ\n\n"
        "STT Tên nhiệm vụ \nCơ quan chủ trì \nCơ quan phối hợp \nThời gian hoàn thành \n"
        "I \nNâng cao nhận thức \n"
        "1 \nTriển khai tuyên truyền về \nchuyển đổi số \nPhòng Văn hóa - Xã hội \nCác phòng, ban \nTháng 9/2025 \n"
        "7\n"                                                     # a page number inside the table
        "2 \nXây dựng chương trình \nTrung tâm Văn hóa \nCác phòng \nThường xuyên \n"
        "II \nHoàn thiện thể chế\n"
        "1 \nRà soát quy định \nPhòng Kinh tế \nCác đơn vị liên quan \nNăm 2026\n")


def test_flat_table_rows_rebuilt_in_groups():
    doc = structure(FLAT)
    found = sections(doc)
    assert found["PL1"].type == SectionType.APPENDIX_TASKS
    assert [(c.path, c.title) for c in found["PL1"].children] == [("PL1.I", "Nâng cao nhận thức"), ("PL1.II", "Hoàn thiện thể chế")]
    first, second = found["PL1.I"].items
    assert first.roles == ["number", "task", "lead", "support", "deadline"]
    assert first.cells == ["1", "Triển khai tuyên truyền về chuyển đổi số", "Phòng Văn hóa - Xã hội", "Các phòng, ban", "Tháng 9/2025"]
    assert second.cells == ["2", "Xây dựng chương trình", "Trung tâm Văn hóa", "Các phòng", "Thường xuyên"]
    assert [it.cells for it in found["PL1.II"].items] == [["1", "Rà soát quy định", "Phòng Kinh tế", "Các đơn vị liên quan", "Năm 2026"]]


def test_flat_table_page_number_is_not_a_row_nor_a_cell():
    doc = structure(FLAT)
    rows = [it for s in doc.walk() for it in s.items if it.kind == "table_row"]
    assert [it.label for it in rows] == ["1", "2", "1"]
    assert not any("7" == c for it in rows for c in it.cells)
    assert "7" not in rows[0].cells[-1]


def test_flat_row_span_covers_its_lines():
    doc = structure(FLAT)
    first = sections(doc)["PL1.I"].items[0]
    source = doc.text[first.span.start:first.span.end]
    assert source.startswith("1") and source.endswith("Tháng 9/2025")
    assert "Xây dựng chương trình" not in source


def test_regression_flat_table_ends_at_tm_signature():
    """A flattened table ends at the signature block; "TM. ỦY BAN NHÂN DÂN" is not recognised
    (see test_regression_signature_with_tm_kt_prefix), so it is glued to the last deadline."""
    doc = structure(FLAT + "TM. ỦY BAN NHÂN DÂN\n\nCHỦ TỊCH\n\nNguyễn Văn A\n")
    rows = [it for s in doc.walk() for it in s.items if it.kind == "table_row"]
    assert rows[-1].cells[-1] == "Năm 2026"
    assert not any("Nguyễn Văn A" in c for it in rows for c in it.cells)


def test_flat_indicator_table_with_year_values():
    text = ("PHỤ LỤC 2: CÁC CHỈ TIÊU THEO DÕI\n\n"
            "STT Chỉ tiêu Năm 2025 Năm 2030 \nCơ quan chủ trì \nCơ quan phối hợp \n"
            "I Phát triển hạ tầng \n"
            "1 \nTỷ lệ phủ sóng 5G trên địa \nbàn phường ≥60% 100% Phòng Văn hóa \n- Xã hội \nSở Khoa học và \nCông nghệ \n"
            "2 \nTỉ lệ phủ sóng 6G trên địa \nbàn phường - 50% Phòng Văn hóa \n- Xã hội \nCác đơn vị liên \nquan \n")
    doc = structure(text)
    rows = sections(doc)["PL2.I"].items
    assert rows[0].roles == ["number", "indicator", "year:2025", "year:2030", "lead", "support"]
    assert rows[0].cells == ["1", "Tỷ lệ phủ sóng 5G trên địa bàn phường", "≥60%", "100%", "Phòng Văn hóa - Xã hội",
                             "Sở Khoa học và Công nghệ"]
    assert rows[1].cells[1:4] == ["Tỉ lệ phủ sóng 6G trên địa bàn phường", "-", "50%"]
