import io
import re

import pytest

from conftest import assert_spans_exact
from nlp.errors import IngestError
from nlp.ingest.docx_reader import format_number, read_docx
from nlp.ingest.normalize import normalize_inline

import docgen


@pytest.fixture(scope="module")
def doc_001(plan_001_docx):
    return read_docx(plan_001_docx, "001.docx")


def test_spans_index_the_canonical_text(doc_001):
    assert doc_001.format == "docx"
    assert len(doc_001.sha256) == 64
    assert_spans_exact(doc_001)


def test_same_blocks_as_the_plan_text(doc_001, plan_001_blocks):
    expected = [normalize_inline(b.text) for b in plan_001_blocks]
    assert [b.text for b in doc_001.blocks] == expected


def test_word_numbering_rendered_as_visible_labels(doc_001, plan_001_docx):
    # the generator wrote these labels as Word automatic numbering, not as text
    assert "I. MỤC ĐÍCH" not in plan_001_docx.decode("latin-1")
    texts = [b.text for b in doc_001.blocks]
    for label in ("I. MỤC ĐÍCH, YÊU CẦU", "II. NHIỆM VỤ, GIẢI PHÁP CHỦ YẾU", "III. KINH PHÍ THỰC HIỆN",
                  "IV. TỔ CHỨC THỰC HIỆN", "1. Mục đích", "2. Yêu cầu"):
        assert label in texts
    assert any(t.startswith("a) Quán triệt") for t in texts)
    assert any(t.startswith("b) Gắn trách nhiệm") for t in texts)


def test_headings_and_bold(doc_001):
    headings = {b.text: b.heading_level for b in doc_001.blocks if b.kind == "heading"}
    assert headings["KẾ HOẠCH"] == 2
    assert headings["I. MỤC ĐÍCH, YÊU CẦU"] == 3
    bold = [b.text for b in doc_001.blocks if b.kind == "paragraph" and b.bold]
    assert any(t.startswith("Thực hiện Nghị quyết số 71/NQ-CP") for t in bold)
    assert not any(t.startswith("Căn cứ") for t in bold)


def test_word_bullets_are_list_items_without_the_glyph(doc_001, plan_001_blocks):
    items = [b for b in doc_001.blocks if b.kind == "list_item"]
    assert len(items) == sum(1 for b in plan_001_blocks if b.kind == "bullet")
    assert all(b.bullet == "-" and not b.text.startswith("-") for b in items)


def test_symbol_font_bullets_and_typed_bullets():
    blocks = [docgen.PlanBlock("bullet", "Rà soát thủ tục hành chính", bullet="•"),
              docgen.PlanBlock("bullet", "Số hóa hồ sơ", bullet="-")]
    word = read_docx(docgen.plan_to_docx(blocks), "b.docx")
    assert [(b.kind, b.bullet, b.text) for b in word.blocks] == [
        ("list_item", "•", "Rà soát thủ tục hành chính"), ("list_item", "-", "Số hóa hồ sơ")]
    typed = read_docx(docgen.plan_to_docx(blocks, word_bullets=False), "b.docx")
    assert [(b.kind, b.bullet, b.text) for b in typed.blocks] == [
        ("list_item", "•", "Rà soát thủ tục hành chính"), ("list_item", "-", "Số hóa hồ sơ")]


def test_numbering_restarts_under_each_parent_and_typed_numbers_stay():
    blocks = [docgen.PlanBlock("heading", "I. MỤC TIÊU", level=1), docgen.PlanBlock("paragraph", "1. Chung"),
              docgen.PlanBlock("paragraph", "2. Cụ thể"), docgen.PlanBlock("paragraph", "a) Chỉ tiêu một"),
              docgen.PlanBlock("heading", "II. NHIỆM VỤ", level=1), docgen.PlanBlock("paragraph", "1. Nhận thức"),
              docgen.PlanBlock("paragraph", "7. Số gõ tay giữ nguyên")]
    doc = read_docx(docgen.plan_to_docx(blocks), "n.docx")
    assert [b.text for b in doc.blocks] == ["I. MỤC TIÊU", "1. Chung", "2. Cụ thể", "a) Chỉ tiêu một",
                                             "II. NHIỆM VỤ", "1. Nhận thức", "7. Số gõ tay giữ nguyên"]


@pytest.mark.parametrize("value, fmt, text", [(4, "upperRoman", "IV"), (14, "lowerRoman", "xiv"),
                                               (1, "lowerLetter", "a"), (27, "lowerLetter", "aa"),
                                               (3, "upperLetter", "C"), (5, "decimalZero", "05"),
                                               (12, "decimal", "12")])
def test_number_formats(value, fmt, text):
    assert format_number(value, fmt) == text


def test_merged_cells_and_nested_table():
    doc = read_docx(docgen.docx_with_merged_table(), "m.docx")
    assert_spans_exact(doc)
    table = next(b for b in doc.blocks if b.kind == "table")
    rows = [[(c.text, c.row_span, c.col_span) for c in r.cells] for r in table.rows]
    assert rows[0] == [("STT", 1, 1), ("Nhiệm vụ", 1, 1), ("Cơ quan chủ trì", 1, 1), ("Thời gian", 1, 1)]
    assert table.rows[0].is_header
    # vertical merge: the first cell spans 2 rows, the continuation repeats its text, flagged row_span=0
    assert rows[1][2] == ("Văn phòng HĐND và UBND", 2, 1)
    assert rows[2][2] == ("Văn phòng HĐND và UBND", 0, 1)
    # horizontal merge: one cell spanning two grid columns
    assert rows[3][1] == ("Đào tạo kỹ năng số cho cán bộ", 1, 2)
    # nested table flattened into its cell
    assert rows[3][2] == ("Quý III 2025", 1, 1)
    assert [b.kind for b in doc.blocks] == ["paragraph", "table", "paragraph"]


def test_table_continued_after_page_break_is_one_block(pl2_docx, pl2_blocks):
    doc = read_docx(pl2_docx, "pl2.docx")
    assert_spans_exact(doc)
    tables = [b for b in doc.blocks if b.kind == "table"]
    source = next(b for b in pl2_blocks if b.kind == "table")
    assert len(tables) == 1
    assert len(tables[0].rows) == len(source.rows)      # header once, no repeated header row
    assert [r.is_header for r in tables[0].rows].count(True) == 1
    group_rows = [r for r in tables[0].rows if r.cells[0].text in ("I.", "II.", "VII.")]
    assert len(group_rows) == 3 and all(len(r.cells) == 2 and r.cells[1].col_span == 5 for r in group_rows)
    for got, want in zip(tables[0].rows[1:], source.rows[1:]):
        assert got.cells[0].text == want[0]
        assert re.sub(r"\s", "", got.cells[1].text) == re.sub(r"\s", "", want[1])


def test_headers_footers_and_deleted_text_ignored():
    import docx
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "ĐẦU TRANG LẶP LẠI"
    document.sections[0].footer.paragraphs[0].text = "Trang 1"
    paragraph = document.add_paragraph("Nội dung kế hoạch chuyển đổi số của phường.")
    deleted = paragraph._p.makeelement("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}del", {})
    run = paragraph.add_run(" ĐÃ XÓA")
    deleted.append(run._r)
    paragraph._p.append(deleted)
    buf = io.BytesIO()
    document.save(buf)
    doc = read_docx(buf.getvalue(), "h.docx")
    assert doc.text == "Nội dung kế hoạch chuyển đổi số của phường."


def test_line_breaks_inside_a_paragraph_split_labelled_lines():
    import docx
    document = docx.Document()
    paragraph = document.add_paragraph()
    paragraph.add_run("a) Quán triệt nghị quyết;")
    paragraph.add_run().add_break()
    paragraph.add_run("b) Gắn trách nhiệm người đứng đầu.")
    buf = io.BytesIO()
    document.save(buf)
    doc = read_docx(buf.getvalue(), "br.docx")
    assert [b.text for b in doc.blocks] == ["a) Quán triệt nghị quyết;", "b) Gắn trách nhiệm người đứng đầu."]


def test_empty_docx_is_empty():
    import docx
    buf = io.BytesIO()
    docx.Document().save(buf)
    with pytest.raises(IngestError) as err:
        read_docx(buf.getvalue(), "rong.docx")
    assert err.value.code == "empty"
