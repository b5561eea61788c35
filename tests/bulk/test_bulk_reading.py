"""A bulk run says what its workers are reading now: a scan's OCR, page by page, in status.json (the
API's GET /bulk/{id}) and the progress bar, and leaves nothing of it behind when the run ends."""
from __future__ import annotations

import pytest

from bulk_testlib import corpus_plans, make_settings
from nlp.ingest import ocr
from service.bulk import BulkOptions, read_status, run_bulk
from service.bulk.reading import describe

import docgen
import scangen

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not ocr.ocr_available(), reason="tesseract not installed "
                                 "(scripts/install_system_deps.sh installs tesseract-ocr tesseract-ocr-vie)")]


def test_bulk_status_reports_ocr_progress_of_a_scan_page_by_page(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    text_pdf = docgen.plan_to_pdf(docgen.plan_blocks(corpus_plans()[0]))
    (folder / "ke-hoach-quet.pdf").write_bytes(scangen.mixed_pdf(text_pdf, {2, 3}))
    snapshots: list[list[dict]] = []
    out = tmp_path / "out"
    result = run_bulk(folder, out, settings=make_settings(tmp_path / "data"),
                      options=BulkOptions(workers=1, progress=False),
                      on_progress=lambda p: snapshots.append([dict(r) for r in p.reading]))
    assert result.progress.done == 1, result.outcomes
    seen = [r for snapshot in snapshots for r in snapshot]
    assert seen, "status.json never said the scan was being read"
    assert {(r["name"], r["stage"], r["total"]) for r in seen} == {("ke-hoach-quet.pdf", "ocr", 2)}
    assert [r["done"] for r in seen] == sorted(r["done"] for r in seen)
    assert describe(seen[:1]) == f"OCR ke-hoach-quet.pdf {seen[0]['done']}/2"
    assert read_status(out)["reading"] == []                 # the run is over: nothing is being read
    assert not (out / ".reading").exists()
