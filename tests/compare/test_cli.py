"""`python -m service compare` and the report renderers, on a corpus plan."""
from __future__ import annotations

import csv
import io
import json

import pytest

from nlp.schema import ComparisonReport
from service.cli import main


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, repo):
    folder = tmp_path_factory.mktemp("compare")
    plan = repo / "corpus" / "plans" / "001_a9e7f9238c935776.txt"
    paths = {}
    for fmt in ("json", "html", "md", "csv", "xlsx"):
        paths[fmt] = folder / f"report.{fmt}"
        assert main(["compare", str(plan), "--out", str(paths[fmt])]) == 0
    return paths


def test_json_report(outputs):
    data = json.loads(outputs["json"].read_text(encoding="utf-8"))
    assert set(data) == {"child", "parents", "coverage", "alignments", "flags"}
    report = ComparisonReport.model_validate(data)
    assert report.parents == ["57-NQ-TW", "03-NQ-CP"] and report.coverage["task_groups"]["total"] == 7
    assert all(a.score is not None for a in report.alignments)


def test_csv_has_one_row_per_flag(outputs):
    report = ComparisonReport.model_validate_json(outputs["json"].read_text(encoding="utf-8"))
    rows = list(csv.DictReader(io.StringIO(outputs["csv"].read_text(encoding="utf-8-sig"))))   # BOM for Excel
    assert [r["id"] for r in rows] == [f.id for f in report.flags]


def test_xlsx_has_flags_and_coverage(outputs):
    from openpyxl import load_workbook

    wb = load_workbook(outputs["xlsx"])
    assert wb.sheetnames == ["Cảnh báo", "Độ bao phủ"]
    report = ComparisonReport.model_validate_json(outputs["json"].read_text(encoding="utf-8"))
    assert wb["Cảnh báo"].max_row == len(report.flags) + 1
    assert [c.value for c in wb["Độ bao phủ"]["A"][1:8]] == ["I", "II", "III", "IV", "V", "VI", "VII"]


def test_html_marks_evidence_on_both_sides(outputs):
    html = outputs["html"].read_text(encoding="utf-8")
    report = ComparisonReport.model_validate_json(outputs["json"].read_text(encoding="utf-8"))
    assert html.count('<mark class="entity">') >= sum(1 for f in report.flags if f.child and f.child.text)
    assert '<mark class="entity parent">' in html and "Hợp tác quốc tế" in html
    assert all(f'id="{f.id}"' in html for f in report.flags)


def test_markdown_lists_missing_group(outputs):
    md = outputs["md"].read_text(encoding="utf-8")
    assert "Thiếu nhóm nhiệm vụ VII" in md and "| VII |" in md


def test_parent_option_overrides_resolution(tmp_path, repo):
    out = tmp_path / "r.json"
    plan = repo / "corpus" / "plans" / "001_a9e7f9238c935776.txt"
    assert main(["compare", str(plan), "--parent", str(repo / "corpus" / "parents" / "57-NQ-TW.yml"), "--out", str(out)]) == 0
    report = ComparisonReport.model_validate_json(out.read_text(encoding="utf-8"))
    assert report.parents == ["57-NQ-TW"] and not [f for f in report.flags if f.type == "unresolved_parent"]


def test_extraction_json_child_with_text(tmp_path, repo, shared):
    out = tmp_path / "r.md"
    gold = shared / "gold" / "000_d8b9d199b3bc2332.json"
    text = repo / "corpus" / "plans" / "000_d8b9d199b3bc2332.txt"
    assert main(["compare", str(gold), "--text", str(text), "--out", str(out)]) == 0
    assert "1% tổng chi ngân sách" in out.read_text(encoding="utf-8")


def test_unknown_output_format_is_refused(tmp_path, repo):
    assert main(["compare", str(repo / "corpus" / "plans" / "001_a9e7f9238c935776.txt"), "--out", str(tmp_path / "r.pdf")]) == 2
