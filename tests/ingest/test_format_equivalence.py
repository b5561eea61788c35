"""The same plan as TXT/Markdown, DOCX and PDF gives the same sections, item counts and table rows.

DOCX and PDF are generated from the plan text (tests/fixtures/docgen.py): Word headings, automatic
numbering and bullets, real tables split over pages; a PDF with running headers and page numbers.
"""
import re

import pytest

from conftest import PARENT_PL2, PLAN_001, PLAN_003
from nlp.ingest import ingest_bytes

import docgen

structure = pytest.importorskip("nlp.structure")


def _outline(doc):
    """Per section: path, type, title, number of items, and the table rows' cells (spaces ignored)."""
    out = []
    for section in structure.build_structure(doc).walk():
        rows = [tuple(re.sub(r"\s", "", c) for c in (item.cells or [])) for item in section.items
                if item.kind == "table_row"]
        out.append((section.path, section.type.value, section.title, len(section.items), rows))
    return out


def _three_formats(path, **docx_options):
    # source notes (<!-- -->) are not document content: no format carries them
    raw = re.sub(r"<!--.*?-->", "", path.read_text(encoding="utf-8"), flags=re.S).encode("utf-8")
    blocks = docgen.parse_plan(raw.decode("utf-8"))
    return {
        "text": ingest_bytes(raw, path.name),
        "docx": ingest_bytes(docgen.plan_to_docx(blocks, **docx_options), path.stem + ".docx"),
        "pdf": ingest_bytes(docgen.plan_to_pdf(blocks), path.stem + ".pdf"),
    }


@pytest.fixture(scope="module")
def plan_001():
    return {fmt: _outline(doc) for fmt, doc in _three_formats(PLAN_001).items()}


@pytest.fixture(scope="module")
def parent_pl2():
    if not PARENT_PL2.exists():
        pytest.skip("../shared/parents not available")
    return {fmt: _outline(doc) for fmt, doc in _three_formats(PARENT_PL2, split_tables_at=70).items()}


def test_plan_sections_and_items_match_across_formats(plan_001):
    assert len(plan_001["text"]) > 10
    assert plan_001["docx"] == plan_001["text"]
    assert plan_001["pdf"] == plan_001["text"]


def test_plan_has_the_expected_sections(plan_001):
    paths = [s[0] for s in plan_001["pdf"]]
    for path in ("I", "I.1", "I.2", "II", "II.1", "II.6", "III", "IV"):
        assert path in paths


def test_appendix_table_rows_match_across_formats(parent_pl2):
    text = parent_pl2["text"]
    rows = sum(len(s[4]) for s in text)
    assert rows == 140        # 140 tasks of Phụ lục II in its 7 groups
    assert [s[0] for s in text if s[4]] == ["PL2.I", "PL2.II", "PL2.III", "PL2.IV", "PL2.V", "PL2.VI", "PL2.VII"]
    assert parent_pl2["docx"] == text
    assert parent_pl2["pdf"] == text


# ---------------------------------------------------------------- PDFs whose headings are not bold


def _without_signature(outline, upper: bool = False):
    """The generator joins the signature's Markdown hard line break ('TM. ỦY BAN NHÂN DÂN  / CHỦ TỊCH')
    into one PDF line in every rendering, bold or not: that block is left out of these comparisons."""
    return [(path, kind, (title or "").upper() if upper else title, items, rows)
            for path, kind, title, items, rows in outline if kind != "signature"]


@pytest.fixture(scope="module")
def plan_003():
    raw = re.sub(r"<!--.*?-->", "", PLAN_003.read_text(encoding="utf-8"), flags=re.S)
    blocks = docgen.parse_plan(raw)
    return {
        "text": _outline(ingest_bytes(raw.encode("utf-8"), PLAN_003.name)),
        "plain": _outline(ingest_bytes(docgen.plan_to_pdf(blocks, plain_headings=True), "003_plain.pdf")),
        "capitals": _outline(ingest_bytes(docgen.plan_to_pdf(blocks, capital_headings=True), "003_caps.pdf")),
    }


def test_pdf_with_regular_weight_headings_keeps_its_sections(plan_003):
    """Headings recognised from their numbering and the document's own pattern, not from bold."""
    paths = [s[0] for s in plan_003["plain"]]
    for path in ("I.1", "I.2", "II", "II.1", "II.2", "II.5", "II.7", "III.5"):
        assert path in paths
    assert _without_signature(plan_003["plain"]) == _without_signature(plan_003["text"])


def test_pdf_with_headings_in_capitals_only_matches_the_text(plan_003):
    assert _without_signature(plan_003["capitals"], upper=True) == _without_signature(plan_003["text"], upper=True)


def test_regression_numbered_item_with_owner_lead_in_stays_an_item(plan_003):
    """'3. Phòng Kinh tế xã: Chủ trì ...' between the headings 2. and 4. is an item, not a heading."""
    section = next(s for s in plan_003["plain"] if s[0] == "III.3")
    assert section[2] == "Phòng Kinh tế xã" and section[3] == 1
