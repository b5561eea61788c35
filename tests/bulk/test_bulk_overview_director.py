"""The bulk overview a province director reads in a minute: documents labelled by issuer with its
locality and number (read from real headers of ../shared/wild), grouped by level and province, the
documents that do not implement the parents listed apart with why, decisions counted per document;
bulk tables open cleanly in Excel (BOM, formulas neutralised, results.xlsx)."""
from __future__ import annotations

import math

import openpyxl
import pandas as pd

from service.bulk.labels import document_label, not_implementing_reason, province_of
from service.bulk.overview import write_overview
from service.bulk.summary import Tables, write_tables

FORMULA = '=HYPERLINK("http://example.invalid","bấm")'


def wild_text(shared, stem: str) -> str:
    return next((shared / "wild").glob(stem + "*")).read_text(encoding="utf-8")


def test_labels_name_the_issuer_with_its_locality_and_the_number(shared):
    dong_thap = wild_text(shared, "bffd9da6")
    assert document_label({"issuer": "UBND tỉnh", "number": "556/KH-UBND"}, dong_thap, "x.md") == \
        "UBND tỉnh Đồng Tháp — 556/KH-UBND"
    assert province_of({}, dong_thap, {}) == "Đồng Tháp"
    hcm = wild_text(shared, "001c610b")
    assert document_label({"issuer": "UBND thành phố", "number": "2820/QĐ-UBND"}, hcm, "x.md") == \
        "UBND thành phố Hồ Chí Minh — 2820/QĐ-UBND"
    # "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" is not a commune called "Hội"
    assert document_label({"issuer": "UBND xã"}, wild_text(shared, "1796a553"), "x.md") in {"UBND xã", "UBND xã Hà Nội"}
    assert document_label({}, None, "f.txt") == "f.txt"


def _row(name, label, province, level_rank, analysis_id, covered, total, **extra):
    row = {"name": name, "commune": name, "label": label, "province": province, "level_rank": level_rank,
           "document_id": "d" + name, "analysis_id": analysis_id, "status": "done", "title": "Kế hoạch",
           "is_plan": True, "kind": "Kế hoạch", "groups_covered": covered, "groups_total": total,
           "flags_total": 2, "flags_missing_task": 2, "decisions_open": 1, "decisions_accepted": 0,
           "decisions_dismissed": 1, "group_I": 1 if covered else 0, "group_I_score": 0.6,
           "group_II": 0, "group_II_score": 0.3}
    row.update(extra)
    row["not_implementing"] = not_implementing_reason(row)
    return row


def tables() -> Tables:
    documents = pd.DataFrame([
        _row("phuong.txt", "UBND phường Hòa Hưng — 12/KH-UBND", "Hồ Chí Minh", 3, "a1", 1, 2),
        _row("tinh.txt", "UBND tỉnh Đồng Tháp — 556/KH-UBND", "Đồng Tháp", 1, "a2", 2, 2),
        _row("qd.txt", "UBND tỉnh Nghệ An — 1/QĐ-UBND", "Nghệ An", 1, None, None, math.nan, is_plan=False,
             kind="Quyết định", flags_total=None),
        _row("khong-dan.txt", "UBND xã Tân Phú — 3/KH-UBND", None, 3, "a3", 0, 0),
    ])
    flags = pd.DataFrame([{"name": "phuong.txt", "commune": "phuong.txt", "document_id": "dphuong.txt",
                           "flag_key": "dphuong.txt:f1", "type": "missing_task", "severity": "medium",
                           "message": FORMULA, "score": 0.3, "child_section": "II", "child_text": "-5 nhiệm vụ",
                           "parent_doc": "03-NQ-CP", "parent_section": "1", "parent_text": "@x", "status": "dismissed",
                           "reason": "wrong_parent_item", "comment": "+1 lần nữa", "reviewer": "lan",
                           "reviewed_at": pd.Timestamp("2026-12-02 10:00")}])
    return Tables(documents=documents, flags=flags, groups={"I": "Thể chế", "II": "Hạ tầng"})


def test_overview_groups_by_level_and_province_and_lists_the_others_apart(tmp_path):
    html = write_overview(tables(), {"total": 4, "done": 4, "failed": 0, "processed": 4, "skipped": 0}, tmp_path,
                          source="tinh").read_text(encoding="utf-8")
    heatmap = html[html.index("<svg"):html.index("</svg>")]
    assert heatmap.index("Tỉnh, thành phố · Đồng Tháp") < heatmap.index("UBND tỉnh Đồng Tháp — 556/KH-UBND") \
        < heatmap.index("Xã, phường, đặc khu · Hồ Chí Minh") < heatmap.index("UBND phường Hòa Hưng — 12/KH-UBND")
    assert "Nghệ An" not in heatmap and "Tân Phú" not in heatmap           # not implementing: not in the heatmap
    assert '<a href="/ui/analyses/a2">' in heatmap                          # each cell links to the findings
    apart = html[html.index('id="not-implementing"'):]
    assert "Không phải kế hoạch (Quyết định)" in apart and "Không dẫn chiếu văn bản cấp trên" in apart
    assert "Chưa xử lý" in html and "Đã bác bỏ" in html


def test_regression_formula_injection_in_bulk_tables(tmp_path):
    paths = write_tables(tables(), tmp_path)
    raw = paths["flags_csv"].read_bytes()
    assert raw.startswith("\ufeff".encode("utf-8"))
    flags = pd.read_csv(paths["flags_csv"], encoding="utf-8-sig")
    assert flags.loc[0, "message"] == "'" + FORMULA and flags.loc[0, "child_text"] == "'-5 nhiệm vụ"
    assert flags.loc[0, "parent_text"] == "'@x" and flags.loc[0, "comment"] == "'+1 lần nữa"
    assert pd.read_parquet(paths["flags_parquet"]).loc[0, "message"] == FORMULA   # data files keep the value
    workbook = openpyxl.load_workbook(paths["results_xlsx"])
    assert workbook.sheetnames[0] == "Tổng hợp" and len(workbook.sheetnames) == 1 + 3   # one per analysed document
    summary = workbook["Tổng hợp"]
    assert summary.freeze_panes == "A2" and summary.auto_filter.ref
    labels = [row[0] for row in summary.iter_rows(min_row=2, values_only=True)]
    assert labels[0].startswith("UBND tỉnh") and labels[-1].startswith("UBND xã")    # by level, then province
    sheet = next(workbook[n] for n in workbook.sheetnames if "Hòa Hưng" in n)
    cells = [c for row in sheet.iter_rows() for c in row if c.value == FORMULA]
    assert cells and all(c.data_type == "s" for c in cells)
    headers = [c.value for c in sheet[1]]
    row = dict(zip(headers, [c.value for c in sheet[2]]))
    assert row["Trạng thái rà soát"] == "Đã bác bỏ" and row["Lý do bác bỏ"] == "Đối chiếu sai mục cấp trên"
