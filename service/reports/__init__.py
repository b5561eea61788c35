"""Renderers of a ComparisonReport: json, html, md, csv, xlsx.

    render_report(report, fmt, child_text=None, decisions=None) -> str | bytes

Used by `python -m service compare` and by the API (GET /analyses/{id}.csv|.xlsx|.html).
``child_text`` is the child's canonical text, for showing each flag's evidence in context;
``decisions`` maps a flag's id to the reviewers' decision on it (status, reason, comment, reviewer,
reviewed_at), written beside the flag in CSV and XLSX. Spreadsheet cells are neutralised against formula
injection (service.reports.cells); Markdown escapes raw HTML of the documents.
"""
from __future__ import annotations

import io
from collections import OrderedDict
from pathlib import Path
from typing import Optional

from nlp.schema import ComparisonReport, Flag
from service.reports.cells import csv_text, write_sheet
from service.ui.labels import DISMISS_REASONS as DISMISS_REASON_TITLES
from service.ui.labels import REVIEW_STATUSES as REVIEW_STATUS_TITLES

FORMATS = ("json", "html", "md", "csv", "xlsx")

FLAG_TITLES = OrderedDict([
    ("missing_task_group", "Thiếu nhóm nhiệm vụ"),
    ("missing_task", "Thiếu nhiệm vụ giao cho địa phương"),
    ("missing_target", "Thiếu chỉ tiêu"),
    ("weaker_target", "Chỉ tiêu yếu hơn cấp trên"),
    ("later_deadline", "Thời hạn muộn hơn cấp trên"),
    ("no_owner", "Chưa giao cơ quan chủ trì"),
    ("no_deadline", "Chưa có thời hạn"),
    ("citation_error", "Trích dẫn sai"),
    ("internal_conflict", "Mâu thuẫn nội tại"),
    ("duplicate_item", "Nhiệm vụ trùng lặp"),
    ("stale_deadline", "Thời hạn đã qua khi ban hành"),
    ("unresolved_parent", "Không tìm thấy văn bản cấp trên"),
    ("incomplete_tasks", "Nhiệm vụ chưa đủ “5 rõ”"),
    ("owner_conflict", "Một nhiệm vụ, hai cơ quan chủ trì"),
    ("lead_is_partner", "Chủ trì đồng thời là phối hợp"),
])
SEVERITY_TITLES = {"high": "cao", "medium": "trung bình", "low": "thấp", "info": "thông tin"}
DECISION_COLUMNS = ["status", "reason", "comment", "reviewer", "reviewed_at"]
CSV_COLUMNS = ["id", "type", "severity", "message", "score", "confidence", "child_doc", "child_section", "child_start",
               "child_end", "child_text", "parent_doc", "parent_section", "parent_text"] + DECISION_COLUMNS
# XLSX: (column, Vietnamese header, width in characters)
XLSX_COLUMNS = [("id", "Mã cờ", 18), ("type", "Loại", 26), ("severity", "Mức độ", 11), ("message", "Nội dung", 60),
                ("score", "Điểm tương đồng", 10), ("confidence", "Độ tin cậy", 10),
                ("child_section", "Mục (kế hoạch)", 12), ("child_text", "Đoạn kế hoạch", 50),
                ("parent_doc", "Văn bản cấp trên", 16), ("parent_section", "Mục (cấp trên)", 12),
                ("parent_text", "Đoạn văn bản cấp trên", 50), ("status", "Trạng thái rà soát", 16),
                ("reason", "Lý do bác bỏ", 24), ("comment", "Ghi chú", 40), ("reviewer", "Người rà soát", 16),
                ("reviewed_at", "Thời điểm rà soát", 18)]


def render_report(report: ComparisonReport, fmt: str, child_text: Optional[str] = None,
                  decisions: Optional[dict[str, dict]] = None) -> str | bytes:
    fmt = fmt.lower().lstrip(".")
    if fmt == "json":
        return report.model_dump_json(indent=2)
    if fmt == "csv":
        return render_csv(report, decisions)
    if fmt == "md":
        return render_markdown(report)
    if fmt == "xlsx":
        return render_xlsx(report, decisions)
    if fmt == "html":
        return render_html(report, child_text)
    raise ValueError(f"unknown report format {fmt!r}; one of {', '.join(FORMATS)}")


def flag_row(flag: Flag, decision: Optional[dict] = None) -> dict:
    child, parent, decision = flag.child, flag.parent, decision or {}
    confidence = getattr(flag, "confidence", None)
    reviewed_at = decision.get("reviewed_at")
    return {
        "id": flag.id, "type": flag.type, "severity": flag.severity, "message": flag.message,
        "score": "" if flag.score is None else flag.score, "confidence": "" if confidence is None else confidence,
        "child_doc": child.doc if child else "", "child_section": (child.section or "") if child else "",
        "child_start": child.span.start if child and child.span else "", "child_end": child.span.end if child and child.span else "",
        "child_text": child.text if child else "",
        "parent_doc": parent.doc if parent else "", "parent_section": (parent.section or "") if parent else "",
        "parent_text": parent.text if parent else "",
        "status": decision.get("status") or "open", "reason": decision.get("reason") or "",
        "comment": decision.get("comment") or "", "reviewer": decision.get("reviewer") or "",
        "reviewed_at": reviewed_at.strftime("%Y-%m-%d %H:%M:%S") if hasattr(reviewed_at, "strftime") else (reviewed_at or ""),
    }


def xlsx_values(row: dict) -> list:
    """A flag row as the XLSX shows it: Vietnamese words for codes."""
    words = {"type": FLAG_TITLES, "severity": SEVERITY_TITLES, "status": REVIEW_STATUS_TITLES,
             "reason": DISMISS_REASON_TITLES}
    return [words[key].get(row[key], row[key]) if key in words else row[key] for key, _, _ in XLSX_COLUMNS]


def grouped_flags(report: ComparisonReport) -> list[tuple[str, str, list[Flag]]]:
    groups = []
    for flag_type, title in FLAG_TITLES.items():
        flags = [f for f in report.flags if f.type == flag_type]
        if flags:
            groups.append((flag_type, title, flags))
    return groups


def coverage_rows(report: ComparisonReport) -> list[dict]:
    groups = report.coverage.get("task_groups", {}).get("groups", {})
    return [{"group": gid, "title": g.get("title", ""), "covered": g.get("covered"), "score": g.get("score"),
             "child_sections": ", ".join(g.get("child_sections", []) + [s for s in g.get("aligned_tasks", [])
                                                                         if s not in g.get("child_sections", [])])}
            for gid, g in groups.items()]


def render_csv(report: ComparisonReport, decisions: Optional[dict[str, dict]] = None) -> str:
    rows = (flag_row(flag, (decisions or {}).get(flag.id)) for flag in report.flags)
    return csv_text(CSV_COLUMNS, ([row[c] for c in CSV_COLUMNS] for row in rows))


def _summary_lines(report: ComparisonReport) -> list[str]:
    cov = report.coverage
    lines = []
    for key, label in (("task_groups", "Nhóm nhiệm vụ"), ("tasks", "Nhiệm vụ giao địa phương"), ("targets", "Chỉ tiêu")):
        c = cov.get(key, {})
        if c:
            lines.append(f"{label}: {c.get('covered')}/{c.get('total')} ({round(100 * c.get('ratio', 0))}%)")
    return lines


def _md(text) -> str:
    """Document text inside Markdown: raw HTML (``<script>``…) shown as text, not passed to a renderer."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _md_cell(text) -> str:
    return _md(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(report: ComparisonReport) -> str:
    out = [f"# Đối chiếu {_md(report.child)} với văn bản cấp trên", "",
           f"Văn bản cấp trên: {_md(', '.join(report.parents)) or '(không có)'}", ""]
    out += [f"- {line}" for line in _summary_lines(report)] + [""]
    out += ["## Nhóm nhiệm vụ", "", "| Nhóm | Nội dung | Có trong kế hoạch | Điểm | Mục tương ứng |", "|---|---|---|---|---|"]
    for row in coverage_rows(report):
        out.append(f"| {_md_cell(row['group'])} | {_md_cell(row['title'])} | {'có' if row['covered'] else '**không**'} "
                   f"| {row['score']} | {_md_cell(row['child_sections'])} |")
    out.append("")
    out.append(f"## Cảnh báo ({len(report.flags)})")
    for flag_type, title, flags in grouped_flags(report):
        out += ["", f"### {title} (`{flag_type}`, {len(flags)})", ""]
        for f in flags:
            where = f" — mục {_md(f.child.section)}" if f.child and f.child.section else ""
            out.append(f"- [{SEVERITY_TITLES[f.severity]}] {_md(f.message)}{where} `{f.id}`")
            if f.child and f.child.text:
                out.append(f"  - Kế hoạch: “{_md(_clip(f.child.text))}”")
            if f.parent and f.parent.text:
                out.append(f"  - Đối chiếu ({_md(f.parent.doc)}{', ' + _md(f.parent.section) if f.parent.section else ''}): "
                           f"“{_md(_clip(f.parent.text))}”")
    return "\n".join(out) + "\n"


def _clip(text: str, limit: int = 240) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def add_flags_sheet(wb, title: str, report: ComparisonReport, decisions: Optional[dict[str, dict]] = None):
    sheet = wb.create_sheet(title[:31])
    rows = (xlsx_values(flag_row(flag, (decisions or {}).get(flag.id))) for flag in report.flags)
    write_sheet(sheet, [header for _, header, _ in XLSX_COLUMNS], rows, [width for _, _, width in XLSX_COLUMNS])
    return sheet


def render_xlsx(report: ComparisonReport, decisions: Optional[dict[str, dict]] = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    add_flags_sheet(wb, "Cảnh báo", report, decisions)
    coverage = wb.create_sheet("Độ bao phủ")
    write_sheet(coverage, ["Nhóm", "Nội dung", "Có trong kế hoạch", "Điểm", "Mục tương ứng"],
                ([row["group"], row["title"], "có" if row["covered"] else "không", row["score"], row["child_sections"]]
                 for row in coverage_rows(report)), [8, 60, 16, 8, 30])
    coverage.append([])
    for line in _summary_lines(report):
        coverage.append([line])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _excerpt(text: Optional[str], flag: Flag, context: int = 160) -> Optional[dict]:
    """Child text around the evidence span, split for marking: before / marked / after."""
    if not text or not flag.child or not flag.child.span:
        return None
    start, end = flag.child.span.start, flag.child.span.end
    if not (0 <= start <= end <= len(text)):
        return None
    lo, hi = max(0, start - context), min(len(text), end + context)
    return {"before": ("…" if lo else "") + text[lo:start], "marked": text[start:end],
            "after": text[end:hi] + ("…" if hi < len(text) else "")}


def render_html(report: ComparisonReport, child_text: Optional[str] = None) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"]))
    groups = [(t, title, [(f, _excerpt(child_text, f)) for f in flags]) for t, title, flags in grouped_flags(report)]
    return env.get_template("report.html").render(
        report=report, groups=groups, coverage=coverage_rows(report), summary=_summary_lines(report),
        severity_titles=SEVERITY_TITLES)
