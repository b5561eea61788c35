"""The tables of a bulk run, read back from the database so that documents skipped on a resumed run
are summarised like the others: one row per input document (documents.csv/.parquet) and one row
per flag (flags.csv/.parquet)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, get_args

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from nlp.schema import FlagType
from service.bulk.inputs import InputFile
from service.bulk.store import current_analyses, documents_by_hash
from service.bulk.labels import document_label, level_rank, not_implementing_reason, province_of
from service.reports.cells import neutralise
from service.storage.models import REVIEW_STATUSES, FlagRow, Review

FLAG_TYPES: tuple[str, ...] = get_args(FlagType)
GENERIC_ISSUER = re.compile(r"^(UBND|Ủy ban nhân dân|Đảng ủy|Ban Thường vụ Đảng ủy)\s+(xã|phường|thị trấn)$", re.I)


@dataclass
class Entry:
    """One input of the run and what became of it."""

    file: InputFile
    sha256: Optional[str] = None
    this_run: str = "processed"      # processed | skipped (already in the database) | duplicate | unreadable
    error_code: Optional[str] = None   # only for inputs that never reached the database (unreadable)
    error_message: Optional[str] = None
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class Tables:
    documents: pd.DataFrame
    flags: pd.DataFrame
    groups: dict[str, str]           # parent task group id -> title, in report order


def commune_label(file: InputFile, info: dict) -> str:
    """The row label of the heatmap: the manifest's commune, else the issuer (with the file name
    when the issuer is only 'UBND phường'), else the file name."""
    stem = Path(file.name).stem
    if file.labels.get("commune"):
        return str(file.labels["commune"])
    issuer = (info or {}).get("issuer")
    if issuer and not GENERIC_ISSUER.match(issuer.strip()):
        return issuer
    return f"{issuer} ({stem})" if issuer else stem


def _coverage_columns(coverage: dict, groups: dict[str, str]) -> dict[str, Any]:
    task_groups = (coverage or {}).get("task_groups") or {}
    row: dict[str, Any] = {
        "groups_covered": task_groups.get("covered"), "groups_total": task_groups.get("total"),
        "groups_ratio": task_groups.get("ratio"),
        "parent_tasks_ratio": ((coverage or {}).get("tasks") or {}).get("ratio"),
        "parent_targets_ratio": ((coverage or {}).get("targets") or {}).get("ratio"),
    }
    for group_id, group in (task_groups.get("groups") or {}).items():
        groups.setdefault(group_id, group.get("title", ""))
        row[f"group_{group_id}"] = int(bool(group.get("covered")))
        row[f"group_{group_id}_score"] = group.get("score")
    return row


def _flag_rows(session: Session, analysis_ids: list[str]) -> dict[str, list[FlagRow]]:
    by_analysis: dict[str, list[FlagRow]] = {}
    for start in range(0, len(analysis_ids), 500):
        chunk = analysis_ids[start:start + 500]
        for row in session.scalars(select(FlagRow).where(FlagRow.analysis_id.in_(chunk)).order_by(FlagRow.ordinal)):
            by_analysis.setdefault(row.analysis_id, []).append(row)
    return by_analysis


def build_tables(session: Session, entries: list[Entry]) -> Tables:
    documents = documents_by_hash(session, [e.sha256 for e in entries if e.sha256])
    analyses = current_analyses(session, [d.current_analysis_id for d in documents.values()])
    flags_by_analysis = _flag_rows(session, list(analyses))
    decisions = _decisions(session, [d.id for d in documents.values()])
    groups: dict[str, str] = {}
    rows, flag_rows = [], []
    for entry in entries:
        document = documents.get(entry.sha256) if entry.sha256 else None
        extraction = (document.extraction or {}) if document is not None else {}
        info = extraction.get("document") or {}
        analysis = analyses.get(document.current_analysis_id) if document is not None else None
        commune = commune_label(entry.file, info)
        row: dict[str, Any] = {
            "name": entry.file.name, "commune": commune, "this_run": entry.this_run,
            "document_id": document.id if document is not None else None, "sha256": entry.sha256,
            "status": document.status if document is not None else "failed",
            "error_code": document.error_code if document is not None else entry.error_code,
            "error_message": document.error_message if document is not None else entry.error_message,
            "format": document.format if document is not None else None,
            "pages": document.pages if document is not None else None,
            "number": info.get("number"), "title": info.get("title"), "issuer": info.get("issuer"),
            "level": info.get("level"), "is_plan": info.get("is_plan"),
            "tasks": len(extraction.get("tasks") or []) if document is not None and document.extraction else None,
            "targets": len(extraction.get("targets") or []) if document is not None and document.extraction else None,
            "seconds": round(entry.seconds["total"], 3) if "total" in entry.seconds else None,
        }
        row.update({k: v for k, v in entry.file.labels.items() if k not in row})
        text = extraction.get("text")
        row.update({"label": document_label(info, text, commune if entry.file.labels.get("commune") else entry.file.name),
                    "kind": info.get("kind"), "province": province_of(info, text, entry.file.labels),
                    "level_rank": level_rank(info.get("level"), info.get("issuer")),
                    "analysis_id": analysis.id if analysis is not None else None})
        flags = flags_by_analysis.get(analysis.id, []) if analysis is not None else []
        row["flags_total"] = len(flags) if analysis is not None else None
        for flag_type in FLAG_TYPES:
            row[f"flags_{flag_type}"] = sum(f.type == flag_type for f in flags) if analysis is not None else None
        for status in REVIEW_STATUSES:
            row[f"decisions_{status}"] = sum(_decision(decisions, f)["status"] == status for f in flags) \
                if analysis is not None else None
        if analysis is not None:
            row.update(_coverage_columns(analysis.coverage or {}, groups))
            flag_rows.extend(_flag_row(entry, commune, document.id, flag, _decision(decisions, flag)) for flag in flags)
        row["not_implementing"] = not_implementing_reason(row)
        rows.append(row)
    return Tables(documents=_ordered(pd.DataFrame(rows), groups), flags=pd.DataFrame(flag_rows, columns=FLAG_COLUMNS),
                  groups=groups)


FLAG_COLUMNS = ["name", "commune", "document_id", "flag_key", "type", "severity", "message", "score",
                "child_section", "child_text", "parent_doc", "parent_section", "parent_text",
                "status", "reason", "comment", "reviewer", "reviewed_at"]
NO_DECISION = {"status": "open", "reason": None, "comment": None, "reviewer": None, "reviewed_at": None}


def _decisions(session: Session, document_ids: list[str]) -> dict[tuple[str, str], dict]:
    out = {}
    for start in range(0, len(document_ids), 500):
        for review in session.scalars(select(Review).where(Review.document_id.in_(document_ids[start:start + 500]))):
            out[(review.document_id, review.fingerprint)] = {
                "status": review.status, "reason": review.reason, "comment": review.comment,
                "reviewer": review.reviewer, "reviewed_at": review.updated_at}
    return out


def _decision(decisions: dict, flag: FlagRow) -> dict:
    return decisions.get((flag.document_id, flag.fingerprint), NO_DECISION)


def _flag_row(entry: Entry, commune: str, document_id: str, flag: FlagRow, decision: dict) -> dict[str, Any]:
    child, parent = (flag.data or {}).get("child") or {}, (flag.data or {}).get("parent") or {}
    return {"name": entry.file.name, "commune": commune, "document_id": document_id,
            "flag_key": f"{document_id}:{flag.fingerprint}", "type": flag.type, "severity": flag.severity,
            "message": flag.message, "score": flag.score, "child_section": child.get("section"),
            "child_text": child.get("text"), "parent_doc": parent.get("doc"), "parent_section": parent.get("section"),
            "parent_text": parent.get("text"), **decision}


def _ordered(frame: pd.DataFrame, groups: dict[str, str]) -> pd.DataFrame:
    """Group columns in report order, whatever document first showed them."""
    if frame.empty:
        return frame
    group_columns = [c for g in groups for c in (f"group_{g}", f"group_{g}_score") if c in frame.columns]
    others = [c for c in frame.columns if c not in group_columns]
    return frame[others + group_columns]


def _csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as formulas, prefixed (service.reports.cells)."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    return safe


def write_tables(tables: Tables, out_dir: Path) -> dict[str, Path]:
    """CSV (UTF-8 with BOM, for Excel; formulas neutralised), Parquet (the values as they are) and
    results.xlsx (service.bulk.workbook)."""
    from service.bulk.workbook import write_workbook

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"documents_csv": out_dir / "documents.csv", "documents_parquet": out_dir / "documents.parquet",
             "flags_csv": out_dir / "flags.csv", "flags_parquet": out_dir / "flags.parquet",
             "results_xlsx": out_dir / "results.xlsx"}
    _csv_safe(tables.documents).to_csv(paths["documents_csv"], index=False, encoding="utf-8-sig")
    tables.documents.to_parquet(paths["documents_parquet"], index=False)
    _csv_safe(tables.flags).to_csv(paths["flags_csv"], index=False, encoding="utf-8-sig")
    tables.flags.to_parquet(paths["flags_parquet"], index=False)
    write_workbook(tables, paths["results_xlsx"])
    return paths
