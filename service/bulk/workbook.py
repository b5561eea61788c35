"""results.xlsx of a bulk run, for a province's office to open in Excel: a summary sheet (one row per
document, labelled by issuer, locality and number, grouped by level and province, with its coverage and
the reviewers' decisions), then one sheet per analysed document with its findings and decisions.
Vietnamese headers, widths, frozen header, autofilter; formula-like text kept as text."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from service.bulk.labels import LEVEL_TITLES
from service.reports.cells import write_sheet
from service.ui.labels import DISMISS_REASONS, FLAG_TYPES, REVIEW_STATUSES, SEVERITIES

SUMMARY = [("label", "Văn bản", 48), ("province", "Tỉnh/thành phố", 18), ("level_rank", "Cấp", 18),
           ("title", "Tiêu đề", 50), ("groups_covered", "Nhóm nhiệm vụ có", 10), ("groups_total", "Trên tổng", 9),
           ("flags_total", "Số cờ", 8), ("decisions_open", "Chưa xử lý", 10), ("decisions_accepted", "Đã chấp nhận", 11),
           ("decisions_dismissed", "Đã bác bỏ", 10), ("not_implementing", "Không đối chiếu vì", 40), ("name", "Tệp", 30)]
FLAGS = [("type", "Loại", 24), ("severity", "Mức độ", 10), ("message", "Nội dung", 60), ("score", "Độ giống", 9),
         ("child_section", "Mục (kế hoạch)", 12), ("child_text", "Đoạn kế hoạch", 50), ("parent_doc", "Văn bản cấp trên", 14),
         ("parent_section", "Mục (cấp trên)", 12), ("parent_text", "Đoạn văn bản cấp trên", 50),
         ("status", "Trạng thái rà soát", 14), ("reason", "Lý do bác bỏ", 22), ("comment", "Ghi chú", 36),
         ("reviewer", "Người rà soát", 14), ("reviewed_at", "Thời điểm rà soát", 18), ("flag_key", "Mã cờ", 20)]
WORDS = {"type": FLAG_TYPES, "severity": SEVERITIES, "status": REVIEW_STATUSES, "reason": DISMISS_REASONS}


def _value(column: str, value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if column == "level_rank":
        return LEVEL_TITLES.get(int(value), "")
    if hasattr(value, "tz_localize") or hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if column in WORDS:
        return WORDS[column].get(value, value)
    return value.item() if hasattr(value, "item") else value


def _rows(frame: pd.DataFrame, columns: list[tuple[str, str, int]]):
    for record in frame.to_dict("records"):
        yield [_value(column, record.get(column)) for column, _, _ in columns]


def sorted_documents(documents: pd.DataFrame) -> pd.DataFrame:
    """By level (province before commune), then province, then label."""
    if documents.empty:
        return documents
    keys = [c for c in ("level_rank", "province", "label") if c in documents.columns]
    return documents.sort_values(keys, na_position="last", kind="stable")


def _sheet_title(index: int, label: str, used: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "-", f"{index:02d} {label}")[:31]
    while title in used:
        title = title[:29] + f"~{len(used) % 10}"
    used.add(title)
    return title


def write_workbook(tables, path: Path) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    summary = workbook.active
    summary.title = "Tổng hợp"
    documents = sorted_documents(tables.documents)
    write_sheet(summary, [h for _, h, _ in SUMMARY], _rows(documents, SUMMARY), [w for _, _, w in SUMMARY])
    used = {summary.title}
    flags = tables.flags
    for index, record in enumerate(documents.to_dict("records"), start=1):
        if not record.get("document_id") or pd.isna(record.get("analysis_id")):
            continue
        own = flags[flags["document_id"] == record["document_id"]] if not flags.empty else flags
        sheet = workbook.create_sheet(_sheet_title(index, str(record.get("label") or record["name"]), used))
        write_sheet(sheet, [h for _, h, _ in FLAGS], _rows(own, FLAGS), [w for _, _, w in FLAGS])
    workbook.save(path)
    return path
