"""The pdfium text engine against pdfminer.six, the reference reader (issue 13).

Over the generated corpus PDFs (the five corpus plans, Phụ lục II of 03/NQ-CP with its table over
many pages, plan 003 with regular-weight headings and with capitals-only headings, a table with a
vertical merge, lines broken mid-token) both engines give the same document: canonical text, blocks
(kind, page, bold, bullet), table rows and cells, hence the same structure and the same extraction.

Page model (what the layout code sees), compared line by line: same text, same box, same bold and
centring; vertical positions within 0.05 pt; horizontal positions within X_TOLERANCE_PT, because
pdfium places each glyph with its width rounded to a whole 1/1000 em where pdfminer keeps the
fraction, so positions drift by up to ~0.75 pt at the end of a long line. The layout code's own
tolerances are several points wide (text frame ±10 %, centring ±4 %, cells: the glyph's centre).

Where pdfium cannot read a file the same way, pdfminer reads it (tested below).
"""
from __future__ import annotations

import json

import pytest

from conftest import PARENT_PL2, PLAN_003
from nlp.errors import IngestError
from nlp.ingest import pdf_reader
from nlp.ingest.pdf_reader import read_pdf

import docgen

X_TOLERANCE_PT = 1.0
Y_TOLERANCE_PT = 0.05
PLANS = sorted(docgen.CORPUS.glob("*.txt"))


def _generated_pdfs() -> dict:
    """name -> zero-argument builder of the PDF (built when the test runs)."""
    builders = {path.stem[:3]: (lambda path=path: docgen.plan_to_pdf(docgen.plan_blocks(path))) for path in PLANS}
    builders["003_plain"] = lambda: docgen.plan_to_pdf(docgen.plan_blocks(PLAN_003), plain_headings=True)
    builders["003_capitals"] = lambda: docgen.plan_to_pdf(docgen.plan_blocks(PLAN_003), capital_headings=True)
    builders["merged_cells"] = _merged_table_pdf
    builders["broken_lines"] = lambda: docgen.simple_pdf([
        "Căn cứ Công văn số 1703/SKHCN-", "CNTT&CĐS của Sở Khoa học và Công nghệ về đột",
        "phá phát triển khoa học, công nghệ.", "1. Mục đích", "a) Quán triệt thực hiện nghiêm túc."])
    return builders


def _merged_table_pdf() -> bytes:
    return docgen.merged_table_pdf("Phụ lục: danh mục nhiệm vụ chuyển đổi số của phường năm 2025.")


BUILDERS = _generated_pdfs()


@pytest.fixture(scope="module")
def pl2_pdf_bytes():
    if not PARENT_PL2.exists():
        pytest.skip("../shared/parents not available")
    return docgen.plan_to_pdf(docgen.plan_blocks(PARENT_PL2))


def _document_view(doc) -> dict:
    data = json.loads(doc.model_dump_json())
    return data


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_engines_give_the_same_document(name):
    pdf = BUILDERS[name]()
    reference = read_pdf(pdf, f"{name}.pdf", engine="pdfminer")
    fast = read_pdf(pdf, f"{name}.pdf", engine="pdfium")
    assert fast.text == reference.text
    assert _document_view(fast) == _document_view(reference)


def test_engines_give_the_same_table_over_many_pages(pl2_pdf_bytes):
    reference = read_pdf(pl2_pdf_bytes, "pl2.pdf", engine="pdfminer")
    fast = read_pdf(pl2_pdf_bytes, "pl2.pdf", engine="pdfium")
    tables = [b for b in fast.blocks if b.kind == "table"]
    assert len(tables) == 1 and len(tables[0].rows) > 140      # the test really saw the long table
    assert _document_view(fast) == _document_view(reference)


# ---------------------------------------------------------------- the page model, line by line


def _pages(pdf: bytes, engine: str) -> list:
    pdf_reader._install_inflate_cap()
    document = pdf_reader._open_document(pdf, "x.pdf")
    if engine == "pdfium":
        pages = pdf_reader._pdfium_read(pdf, document, "x.pdf", 10_000, None)
        assert pages is not None, "pdfium fell back to pdfminer"
        return pages
    return pdf_reader._pdfminer_read(document, "x.pdf", 10_000, None)


@pytest.mark.parametrize("name", ["000", "002", "003_plain", "merged_cells"])
def test_engines_give_the_same_page_model(name):
    pdf = BUILDERS[name]()
    reference, fast = _pages(pdf, "pdfminer"), _pages(pdf, "pdfium")
    assert len(fast) == len(reference)
    widest = 0.0
    for want_page, got_page in zip(reference, fast):
        assert (got_page.width, got_page.height) == pytest.approx((want_page.width, want_page.height), abs=0.01)
        assert got_page.images == want_page.images
        assert [type(i).__name__ for i in got_page.items] == [type(i).__name__ for i in want_page.items]
        for want, got in zip(want_page.items, got_page.items):
            if isinstance(want, pdf_reader._Table):
                assert [r.texts() for r in got.rows] == [r.texts() for r in want.rows]
                assert got.col_edges == pytest.approx(want.col_edges, abs=X_TOLERANCE_PT)
                continue
            assert (got.text, got.box, got.bold, got.centred, got.page) == (
                want.text, want.box, want.bold, want.centred, want.page)
            assert got.size == pytest.approx(want.size, abs=Y_TOLERANCE_PT)
            assert (got.top, got.bottom) == pytest.approx((want.top, want.bottom), abs=Y_TOLERANCE_PT)
            widest = max(widest, abs(got.x0 - want.x0), abs(got.x1 - want.x1))
    assert widest <= X_TOLERANCE_PT


# ---------------------------------------------------------------- extraction


def test_engines_give_the_same_extraction_f1_against_gold():
    gold_path = docgen.SHARED / "gold" / "003_799e3f1e10b8b658.json"
    scorer_path = docgen.SHARED / "eval" / "score.py"
    if not gold_path.exists() or not scorer_path.exists():
        pytest.skip("../shared/gold not available")
    import importlib.util

    from nlp.pipeline import extract_structured
    from nlp.structure import build_structure

    spec = importlib.util.spec_from_file_location("plangap_gold_scorer", scorer_path)
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    pdf = BUILDERS["003"]()
    f1 = {}
    for engine in ("pdfminer", "pdfium"):
        extraction = extract_structured(build_structure(read_pdf(pdf, "003.pdf", engine=engine)))
        tallies = {field: score.Tally() for field in score.FIELDS}
        score.score_doc(gold, json.loads(extraction.model_dump_json()), tallies)
        f1[engine] = {field: tallies[field].prf()[2] for field in score.FIELDS}
    assert f1["pdfium"] == f1["pdfminer"]
    assert f1["pdfium"]["tasks"] >= 0.9


# ---------------------------------------------------------------- choice and fallback


def test_engine_chosen_by_environment(monkeypatch):
    monkeypatch.setenv(pdf_reader.ENGINE_ENV, "pdfminer")
    assert pdf_reader.pdf_engine() == "pdfminer"
    monkeypatch.setenv(pdf_reader.ENGINE_ENV, "PDFium")
    assert pdf_reader.pdf_engine() == "pdfium"
    monkeypatch.setenv(pdf_reader.ENGINE_ENV, "something else")
    assert pdf_reader.pdf_engine() == "pdfium"
    monkeypatch.delenv(pdf_reader.ENGINE_ENV)
    assert pdf_reader.pdf_engine() == "pdfium"


def _spy_pdfminer(monkeypatch) -> list:
    calls = []
    original = pdf_reader._pdfminer_read
    monkeypatch.setattr(pdf_reader, "_pdfminer_read", lambda *a: calls.append(a) or original(*a))
    return calls


def test_pdfium_reads_by_default_without_pdfminer_layout(monkeypatch, plan_001_pdf):
    monkeypatch.delenv(pdf_reader.ENGINE_ENV, raising=False)
    calls = _spy_pdfminer(monkeypatch)
    read_pdf(plan_001_pdf, "001.pdf")
    assert calls == []


def test_pdfium_raising_falls_back_to_pdfminer(monkeypatch, plan_001_pdf):
    from nlp.ingest import pdfium_pages

    reference = read_pdf(plan_001_pdf, "001.pdf", engine="pdfminer")
    calls = _spy_pdfminer(monkeypatch)

    def broken(self, index):
        raise RuntimeError("pdfium failed on this page")

    monkeypatch.setattr(pdfium_pages.PdfiumPages, "page", broken)
    doc = read_pdf(plan_001_pdf, "001.pdf", engine="pdfium")
    assert len(calls) == 1 and doc.text == reference.text


def test_page_whose_text_objects_give_no_text_falls_back_to_pdfminer(monkeypatch, plan_001_pdf):
    from nlp.ingest import pdfium_pages

    calls = _spy_pdfminer(monkeypatch)
    monkeypatch.setattr(pdfium_pages, "_glyphs", lambda *a: [])      # pdfium decodes no character
    doc = read_pdf(plan_001_pdf, "001.pdf", engine="pdfium")
    assert len(calls) == 1 and len(doc.blocks) > 50


def test_rotated_page_is_read_by_pdfminer(monkeypatch):
    pdf = docgen.simple_pdf(["Kế hoạch thực hiện chuyển đổi số của phường năm 2025 và các năm tiếp theo."])
    rotated = pdf.replace(b"/Type /Page\n", b"/Type /Page /Rotate 90\n", 1)
    if rotated == pdf:
        rotated = pdf.replace(b"/Type /Page ", b"/Type /Page /Rotate 90 ", 1)
    assert rotated != pdf
    calls = _spy_pdfminer(monkeypatch)
    read_pdf(rotated, "xoay.pdf", engine="pdfium")
    assert len(calls) == 1


@pytest.mark.parametrize("engine", ["pdfium", "pdfminer"])
def test_damaged_and_locked_files_give_the_same_errors_with_both_engines(engine, plan_001_pdf):
    cases = [
        (plan_001_pdf[: len(plan_001_pdf) // 2], "corrupt"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 20, "corrupt"),
        (docgen.simple_pdf(["Kế hoạch chuyển đổi số của phường năm 2025."], encrypt="secret"), "encrypted"),
        (docgen.image_only_pdf(), "image_only"),
    ]
    for data, code in cases:
        with pytest.raises(IngestError) as err:
            read_pdf(data, "x.pdf", engine=engine, ocr=False)
        assert err.value.code == code, err.value.message


@pytest.mark.parametrize("engine", ["pdfium", "pdfminer"])
def test_page_limit_with_both_engines(engine, monkeypatch, plan_001_pdf):
    monkeypatch.setattr(pdf_reader, "MAX_PAGES", 3)
    with pytest.raises(IngestError) as err:
        read_pdf(plan_001_pdf, "dai.pdf", engine=engine)
    assert err.value.code == "too_large" and "3 trang" in err.value.message


@pytest.mark.slow
def test_flate_bomb_refused_before_pdfium_sees_it():
    with pytest.raises(IngestError) as err:
        read_pdf(docgen.pdf_flate_bomb(200), "bom.pdf", engine="pdfium")
    assert err.value.code == "bomb" and "bom nén" in err.value.message


@pytest.mark.slow
def test_flate_bomb_inside_a_form_refused_before_pdfium_sees_it():
    import zlib

    comp = zlib.compressobj(1)
    bomb = b"".join(comp.compress(b" " * (1 << 20)) for _ in range(200)) + comp.flush()
    pdf = docgen._pdf_from_objects([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /XObject << /F1 5 0 R >> >> >>",
        b"<< /Length 8 >>\nstream\n/F1 Do\n\nendstream",
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Length %d /Filter /FlateDecode >>\nstream\n"
        % len(bomb) + bomb + b"\nendstream",
    ])
    with pytest.raises(IngestError) as err:
        read_pdf(pdf, "bom_form.pdf", engine="pdfium")
    assert err.value.code == "bomb"


def test_regression_pieces_of_a_justified_line_read_left_to_right():
    """pdfminer cuts a justified line at its widest gaps and used to leave the pieces in the order it
    merged them, and each piece became a block of its own: plan 000 read '... chuyển đổi số và' /
    'theo Công văn số' / 'tổ giúp việc ban chỉ đạo' (the middle piece, short, even looked centred)."""
    pdf = BUILDERS["000"]()
    for engine in ("pdfminer", "pdfium"):
        text = read_pdf(pdf, "000.pdf", engine=engine).text
        assert "chuyển đổi số và tổ giúp việc ban chỉ đạo theo Công văn số" in text, engine


def test_regression_pdfium_line_end_hyphen_is_kept():
    """pdfium reports a hyphen that ends a line as a marker (U+0002 / U+FFFE), not as '-':
    'SKHCN-' + 'CNTT' must still rejoin as 'SKHCN-CNTT'."""
    doc = read_pdf(BUILDERS["broken_lines"](), "s.pdf", engine="pdfium")
    assert doc.blocks[0].text.startswith("Căn cứ Công văn số 1703/SKHCN-CNTT&CĐS của Sở")
