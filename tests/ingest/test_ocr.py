"""Scanned plans are read by OCR (Tesseract, Vietnamese model) in the sandbox.

The scans are made from corpus plans (tests/fixtures/scangen.py): the PDF rendering of the plan,
rasterised at 200 dpi, grey, turned ±1.5°, speckled, JPEG quality 60, with a red round stamp on the
last page, wrapped back as a PDF without any text layer. The whole plan 003 is OCR'd once (module
fixture, five pages); the other tests OCR one page or none.
"""
from __future__ import annotations

import importlib.util
import json
import re

import pytest

from conftest import PLAN_001, PLAN_003
from nlp.errors import IngestError
from nlp.ingest import ocr
from nlp.ingest.sandbox import ingest_sandboxed

import docgen
import scangen

pytestmark = [pytest.mark.skipif(not ocr.ocr_available(), reason="tesseract not installed "
                                 "(scripts/install_system_deps.sh installs tesseract-ocr tesseract-ocr-vie)"),
              pytest.mark.slow]      # Tesseract: seconds per page; the module OCRs about nine pages in all

GOLD_003 = docgen.SHARED / "gold" / "003_799e3f1e10b8b658.json"
SCORER = docgen.SHARED / "eval" / "score.py"


def _scorer():
    spec = importlib.util.spec_from_file_location("plangap_gold_scorer", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _f1(extraction, gold: dict) -> dict:
    score = _scorer()
    tallies = {field: score.Tally() for field in score.FIELDS}
    score.score_doc(gold, json.loads(extraction.model_dump_json()), tallies)
    return {field: tallies[field].prf()[2] for field in score.FIELDS}


@pytest.fixture(scope="module")
def plan_003_pdf() -> bytes:
    return docgen.plan_to_pdf(docgen.plan_blocks(PLAN_003))


@pytest.fixture(scope="module")
def scanned_003(plan_003_pdf):
    """(ingested document, progress events) of the scan of plan 003, read through the sandbox."""
    scan = scangen.scan_pdf(plan_003_pdf)
    events: list[dict] = []
    doc = ingest_sandboxed(scan, "003_scan.pdf", progress=events.append)
    return doc, events


@pytest.fixture(scope="module")
def extraction_003(scanned_003):
    from nlp.pipeline import extract_structured
    from nlp.structure import build_structure

    return extract_structured(build_structure(scanned_003[0]))


def test_scanned_plan_extracts_like_its_gold(extraction_003):
    if not GOLD_003.exists():
        pytest.skip("../shared/gold not available")
    extraction = extraction_003
    f1 = _f1(extraction, json.loads(GOLD_003.read_text(encoding="utf-8")))
    assert f1["tasks"] >= 0.9, f1
    assert f1["lead"] >= 0.85, f1
    assert extraction.ocr is not None and extraction.ocr.pages == [1, 2, 3, 4, 5]


def test_scanned_plan_keeps_its_sections(scanned_003):
    from nlp.structure import build_structure

    doc, _ = scanned_003
    paths = {s.path for s in build_structure(doc).walk()}
    assert {"I", "I.1", "I.2", "II", "II.1", "II.2", "II.7", "III"} <= paths


def test_every_ocr_block_has_its_confidence_and_the_document_says_it_was_ocrd(scanned_003):
    doc, _ = scanned_003
    assert doc.ocr.pages == list(range(1, doc.pages + 1))
    assert all(b.confidence is not None and 0 < b.confidence <= 1 for b in doc.blocks)
    assert 0.85 < doc.ocr.mean_confidence <= 1
    for span in doc.ocr.low_confidence:          # flagged blocks are the ones under the threshold
        block = next(b for b in doc.blocks if b.span == span)
        assert block.confidence < doc.ocr.threshold
        assert doc.ocr.is_low_confidence(span)


def test_a_finding_on_low_confidence_ocr_says_so(extraction_003):
    from nlp.compare import compare

    extraction = extraction_003.model_copy(deep=True)
    report = compare(extraction, [])
    flagged = next(f for f in report.flags if f.child and f.child.span)
    assert not flagged.child.low_confidence_ocr and "OCR" not in flagged.message
    extraction.ocr.low_confidence = [flagged.child.span]      # as if that block had been read poorly
    again = next(f for f in compare(extraction, []).flags if f.id == flagged.id)
    assert again.child.low_confidence_ocr
    assert "OCR, độ tin cậy thấp" in again.message


def test_ocr_progress_is_reported_page_by_page(scanned_003):
    doc, events = scanned_003
    done = [e["done"] for e in events if e.get("stage") == "ocr"]
    assert done[0] == 0 and done[-1] == doc.pages == 5
    assert done == sorted(done)
    assert all(e["total"] == 5 for e in events)


def test_mixed_pdf_ocrs_only_its_image_pages(plan_001_pdf):
    mixed = scangen.mixed_pdf(plan_001_pdf, {2})
    events: list[dict] = []
    doc = ingest_sandboxed(mixed, "001_mixed.pdf", progress=events.append)
    assert doc.ocr.pages == [2]
    assert {e["total"] for e in events} == {1}
    assert {b.page for b in doc.blocks if b.confidence is not None} == {2}
    text_pages = [b for b in doc.blocks if b.confidence is None]
    assert {b.page for b in text_pages} >= {1, 3}
    from nlp.ingest import ingest_bytes
    original = ingest_bytes(plan_001_pdf, "001.pdf")
    # the pages with a text layer read exactly as in the text PDF
    assert [b.text for b in original.blocks if b.page == 1][:-1] == [b.text for b in doc.blocks if b.page == 1][:-1]
    page_2 = " ".join(b.text for b in doc.blocks if b.page == 2)
    assert "UBND" in page_2 or "Ủy ban" in page_2 or len(page_2) > 1000


def test_ocr_page_limit_refuses_before_reading(plan_001_pdf):
    scan = scangen.scan_pdf(plan_001_pdf, pages=[1, 2])
    events: list[dict] = []
    with pytest.raises(IngestError) as err:
        ingest_sandboxed(scan, "dai.pdf", ocr_max_pages=1, progress=events.append)
    assert err.value.code == "ocr_too_many_pages"
    assert "2 trang ảnh quét" in err.value.message and "giới hạn 1 trang" in err.value.message
    assert not events                     # refused before the first page was read


def test_ocr_time_limit_stops_the_reading(plan_001_pdf):
    scan = scangen.scan_pdf(plan_001_pdf, pages=[1])
    with pytest.raises(IngestError) as err:
        ingest_sandboxed(scan, "cham.pdf", ocr_timeout_s=0.5)
    assert err.value.code == "ocr_timeout"
    assert "quá thời gian" in err.value.message and "cham.pdf" in err.value.message


def _line_picture(dash: bool, specks: bool = False):
    """A line of text at x >= 170 px, optionally a list dash left of it, optionally scan specks."""
    from pathlib import Path

    import matplotlib
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"), 30)
    image = Image.new("L", (1600, 200), 255)
    draw = ImageDraw.Draw(image)
    if dash:
        draw.rectangle([110, 80, 128, 83], fill=0)
    draw.text((170, 60), "Tổ chức triển khai kế hoạch năm 2026", font=font, fill=0)
    if specks:
        pixels = np.asarray(image).copy()
        noise = np.random.default_rng(7).random(pixels.shape)
        pixels[noise < 0.003] = 20
        image = Image.fromarray(pixels)
    return image


def _text_only_line():
    """What Tesseract returned for such a line when it dropped the dash: the words only."""
    return ocr.OcrLine(words=[ocr.OcrWord("Tổ", 170, 62, 205, 95, 0.96), ocr.OcrWord("chức", 214, 62, 290, 95, 0.96)],
                       block=1)


def test_regression_bullet_dash_dropped_by_tesseract_is_found_in_the_picture():
    line = _text_only_line()
    ocr.mark_bullets(_line_picture(dash=True, specks=True), [line], 200)
    assert line.bullet


def test_no_bullet_where_the_margin_holds_only_specks():
    line = _text_only_line()
    ocr.mark_bullets(_line_picture(dash=False, specks=True), [line], 200)
    assert not line.bullet


def test_ruled_table_of_a_scan_keeps_its_rows_and_cells(pl2_pdf):
    """A scanned page of a ruled table (03/NQ-CP appendix II, page 2): the ruling found in the picture
    gives the grid, each word goes to its cell, and the rules Tesseract reads as '|' are dropped."""
    doc = ingest_sandboxed(scangen.scan_pdf(pl2_pdf, scangen.ScanStyle(stamp_on_last_page=False), pages=[2]),
                           "pl2_scan.pdf")
    rows = [r for b in doc.blocks if b.kind == "table" for r in b.rows]
    numbered = [r for r in rows if re.fullmatch(r"\d+\.", r.cells[0].text)]
    assert {"8.", "9.", "10.", "11.", "12."} <= {r.cells[0].text for r in numbered}
    assert all(len(r.cells) == 6 for r in numbered)           # TT, task, lead, support, result, deadline
    assert not any("|" in c.text for r in rows for c in r.cells)
