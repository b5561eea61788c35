"""Exports that carry the reviewers' decisions and open cleanly in Excel: CSV with a UTF-8 BOM, XLSX
with Vietnamese headers and values, widths, a frozen header and an autofilter; filters respected;
uploaders' text never becomes a live formula (issue 10) nor raw HTML in Markdown."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from fastapi.testclient import TestClient

from service.api.main import create_app
from service.reports.cells import neutralise
from service_testlib import AUTH, make_settings
from triage_testlib import FORMULA, hostile_flag, real_report, seed_analysis


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("exports"), workers=0)
    child, _ = real_report(0)
    _, analysis_id = seed_analysis(settings, 0, extra_flags=(hostile_flag(child),))
    with TestClient(create_app(settings)) as client:
        flags = client.get(f"/analyses/{analysis_id}", headers=AUTH).json()["flags"]
        dismissed, accepted = flags[0], flags[1]
        assert client.patch(f"/flags/{dismissed['id']}", headers=AUTH, json={
            "status": "dismissed", "reason": "present_other_wording", "comment": "Có ở mục III.2"}).status_code == 200
        assert client.patch(f"/flags/{accepted['id']}", headers=AUTH, json={"status": "accepted"}).status_code == 200
        yield client, analysis_id, flags, dismissed, accepted


def csv_rows(response) -> list[dict]:
    assert response.content.startswith("\ufeff".encode("utf-8")), "Excel needs the BOM to read UTF-8"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_carries_decisions_and_has_a_bom(exported):
    client, analysis_id, flags, dismissed, accepted = exported
    rows = {r["id"]: r for r in csv_rows(client.get(f"/analyses/{analysis_id}.csv", headers=AUTH))}
    assert len(rows) == len(flags)
    row = rows[dismissed["fingerprint"]]
    assert (row["status"], row["reason"], row["comment"], row["reviewer"]) == (
        "dismissed", "present_other_wording", "Có ở mục III.2", "admin")
    assert row["reviewed_at"][:4] == "2026" or row["reviewed_at"][:2] == "20"
    assert rows[accepted["fingerprint"]]["status"] == "accepted"
    assert sum(r["status"] == "open" for r in rows.values()) == len(flags) - 2


def test_export_respects_the_status_filter(exported):
    client, analysis_id, flags, dismissed, _ = exported
    rows = csv_rows(client.get(f"/analyses/{analysis_id}.csv", params={"status": "dismissed"}, headers=AUTH))
    assert [r["id"] for r in rows] == [dismissed["fingerprint"]]
    opened = csv_rows(client.get(f"/analyses/{analysis_id}.csv", params={"status": "open"}, headers=AUTH))
    assert len(opened) == len(flags) - 2
    high = csv_rows(client.get(f"/analyses/{analysis_id}.csv", params={"severity": "high"}, headers=AUTH))
    assert {r["severity"] for r in high} == {"high"} and len(high) == sum(f["severity"] == "high" for f in flags)
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/analyses/{analysis_id}.xlsx",
                                                            params={"status": "dismissed"}, headers=AUTH).content))
    assert workbook["Cảnh báo"].max_row == 2


def test_xlsx_has_vietnamese_headers_widths_frozen_header_and_autofilter(exported):
    client, analysis_id, flags, dismissed, _ = exported
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/analyses/{analysis_id}.xlsx", headers=AUTH).content))
    sheet = workbook["Cảnh báo"]
    headers = [c.value for c in sheet[1]]
    assert {"Loại", "Mức độ", "Nội dung", "Trạng thái rà soát", "Lý do bác bỏ", "Ghi chú", "Người rà soát",
            "Thời điểm rà soát"} <= set(headers)
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
    assert sheet.column_dimensions["D"].width >= 40 and all(c.font.bold for c in sheet[1])
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == dismissed["fingerprint"])
    values = dict(zip(headers, row))
    assert values["Trạng thái rà soát"] == "Đã bác bỏ" and values["Lý do bác bỏ"] == "Đã có, diễn đạt khác"
    assert values["Mức độ"] in {"cao", "trung bình", "thấp", "thông tin"} and "_" not in values["Loại"]
    assert values["Người rà soát"] == "admin" and values["Ghi chú"] == "Có ở mục III.2"


def test_regression_formula_injection_exported_as_text(exported):
    client, analysis_id, *_ = exported
    rows = csv_rows(client.get(f"/analyses/{analysis_id}.csv", headers=AUTH))
    hostile = next(r for r in rows if r["id"] == "hostile-formula")
    assert hostile["child_text"] == "'" + FORMULA and hostile["message"].startswith("'=")
    assert all(not value.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for value in r.values())
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/analyses/{analysis_id}.xlsx", headers=AUTH).content))
    cells = [c for row in workbook["Cảnh báo"].iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)          # text, never a formula
    assert any(c.value == FORMULA for c in cells)                      # and the text is kept exactly


@pytest.mark.parametrize("value", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_regression_formula_injection_every_trigger_is_neutralised(value):
    assert neutralise(value) == "'" + value
    assert neutralise("Kế hoạch 12") == "Kế hoạch 12" and neutralise(-2) == -2


def test_regression_markdown_export_escapes_raw_script(exported):
    client, analysis_id, *_ = exported
    markdown = client.get(f"/analyses/{analysis_id}.md", headers=AUTH).text
    assert "<script>" not in markdown and "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown
