"""Plans saved from a legal-text website: the site's page around the document is not read as plan text
(nlp/ingest/web_page.py, grammar in nlp/resources/web_page.yml). Real pages of ../shared/wild."""
from __future__ import annotations

import pytest

import docgen
from nlp.ingest import ingest_bytes
from nlp.ingest.web_page import without_site_page

WILD = docgen.SHARED / "wild"
SITE_PAGES = ["987cadc82373c854", "c5d930a5fc8373cd", "646f0a00d4174382", "d5f01e57dbf5a890", "299dbc033cf2dcb6"]


@pytest.mark.parametrize("stem", SITE_PAGES)
def test_site_header_and_trailer_are_cut_from_a_saved_page(stem):
    text = (WILD / f"{stem}.md").read_text(encoding="utf-8")
    document = without_site_page(text)
    for chrome in ("Hiệu lực: Đã biết", "Văn bản này chưa cập nhật nội dung Tiếng Anh", "Đăng xuất",
                   "Bản dịch này thuộc quyền sở hữu", "Đang tải văn bản", "**Loại văn bản:**"):
        assert chrome in text and chrome not in document, chrome
    assert len(document) > 0.5 * len(text) or stem == "299dbc033cf2dcb6"   # the document itself stays


def test_regression_related_documents_of_the_site_were_read_as_46_tasks():
    from nlp.pipeline import extract_structured
    from nlp.structure import build_structure

    doc = ingest_bytes((WILD / "c5d930a5fc8373cd.md").read_bytes(), "c5d930a5fc8373cd.md")
    extraction = extract_structured(build_structure(doc))
    texts = [t.text for t in extraction.tasks]
    assert not any("Hiệu lực" in t or "Văn bản liên quan" in t or "980/KH-UBND ngày 18/11/2025" in t for t in texts)
    assert any(t.startswith("Kiện toàn và hoàn thiện cơ chế chỉ đạo") for t in texts)   # the plan's own tasks stay
    # the site's metadata list ("Loại văn bản: Kế hoạch") no longer stands in for the title
    assert extraction.document.title.startswith("Kế hoạch THỰC HIỆN QUYẾT ĐỊNH SỐ 1899/QĐ-TTG")
    assert extraction.document.number == "980/KH-UBND"


def test_a_plan_without_a_site_page_is_returned_unchanged():
    for path in sorted(WILD.glob("*.md")) + sorted((WILD.parent / "corpus").glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if "Đang tải văn bản" in text or "chưa cập nhật nội dung Tiếng Anh" in text:
            continue
        assert without_site_page(text) is text, path.name


def test_related_documents_as_plain_words_do_not_end_a_plan():
    text = "KẾ HOẠCH\nI. NHIỆM VỤ\n1. Rà soát văn bản liên quan.\nVăn bản liên quan\n2. Tổ chức tập huấn.\n"
    assert without_site_page(text) is text
