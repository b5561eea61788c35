"""Stored rows -> response bodies."""
from __future__ import annotations

from typing import Optional

from service.api.schemas import (AnalysisOut, AnalysisSummary, DocumentDetail, DocumentOut, FlagCounts, FlagOut,
                                 ReadingProgress, VersionChanges)
from service.storage.models import Analysis, Document, FlagRow, Review
from service.storage.repository import flag_key


def document_out(document: Document, counts: Optional[dict] = None, *, model=DocumentOut, **extra):
    return model(id=document.id, sha256=document.sha256, filename=document.filename, size=document.size,
                 format=document.format, status=document.status, error=document.error_code,
                 error_message=document.error_message, number=document.number, title=document.title,
                 pages=document.pages, uploaded_by=document.uploaded_by, created_at=document.created_at,
                 current_analysis_id=document.current_analysis_id, version=document.version or 1,
                 previous_version_id=document.previous_version_id,
                 progress=reading_progress(document.progress) if document.status == "running" else None,
                 flag_counts=FlagCounts(**counts) if counts else FlagCounts(), **extra)


STAGE_WORDS = {"ocr": "Đang nhận dạng chữ (OCR) các trang ảnh quét"}


def reading_progress(progress: Optional[dict]) -> Optional[ReadingProgress]:
    if not progress or not progress.get("total"):
        return None
    stage = str(progress.get("stage", ""))
    done, total = int(progress.get("done", 0)), int(progress["total"])
    words = STAGE_WORDS.get(stage, "Đang đọc tài liệu")
    return ReadingProgress(stage=stage, done=done, total=total, message=f"{words}: {done}/{total} trang")


def document_detail(document: Document, counts: Optional[dict]) -> DocumentDetail:
    return document_out(document, counts, model=DocumentDetail, extraction=document.extraction)


def flag_out(row: FlagRow, review: Optional[Review], factors: Optional[dict[str, float]] = None) -> FlagOut:
    """``factors``: per flag type, what reviewers' decisions say a finding of that rule is worth
    (service.storage.reviews.confidence_factors); it scales the confidence compare gave."""
    data = row.data
    base = data.get("confidence")
    confidence = round((1.0 if base is None else float(base)) * (factors or {}).get(row.type, 1.0), 3)
    return FlagOut(id=flag_key(row.document_id, row.fingerprint), fingerprint=row.fingerprint, type=row.type,
                   severity=row.severity, message=row.message, score=row.score,
                   status=review.status if review else "open", comment=review.comment if review else None,
                   reason=review.reason if review else None, version=review.version if review else 0,
                   reviewer=review.reviewer if review else None, reviewed_at=review.updated_at if review else None,
                   confidence=confidence, base_confidence=base, candidates=data.get("candidates"),
                   collapsed=data.get("collapsed", False),
                   child=data.get("child"), parent=data.get("parent"),
                   document_id=row.document_id, analysis_id=row.analysis_id)


def analysis_out(analysis: Analysis, flags: list[tuple[FlagRow, Optional[Review]]],
                 factors: Optional[dict[str, float]] = None) -> AnalysisOut:
    return AnalysisOut(id=analysis.id, status=analysis.status, document_id=analysis.document_id,
                       coverage=analysis.coverage, flags=[flag_out(row, review, factors) for row, review in flags],
                       parents=analysis.parents, unresolved=analysis.unresolved,
                       requested_parent_ids=analysis.requested_parent_ids, error=analysis.error_code,
                       error_message=analysis.error_message, created_at=analysis.created_at,
                       started_at=analysis.started_at, finished_at=analysis.finished_at)


def version_changes(document: Document, changes: dict) -> VersionChanges:
    previous = changes["previous"]
    return VersionChanges(document_id=document.id, version=document.version or 1,
                          previous_version_id=previous.id if previous is not None else None,
                          analysis_id=document.current_analysis_id,
                          previous_analysis_id=previous.current_analysis_id if previous is not None else None,
                          new=[flag_out(*pair) for pair in changes["new"]],
                          resolved=[flag_out(*pair) for pair in changes["resolved"]],
                          carried=[flag_out(*pair) for pair in changes["carried"]], kept=changes["kept"])


def analysis_summary(analysis: Analysis) -> AnalysisSummary:
    return AnalysisSummary(id=analysis.id, status=analysis.status, document_id=analysis.document_id,
                           error=analysis.error_code, created_at=analysis.created_at, finished_at=analysis.finished_at)


def review_decisions(flags: list[tuple[FlagRow, Optional[Review]]]) -> dict[str, dict]:
    """Flag id (fingerprint) -> its decision, as the report renderers take it."""
    return {row.fingerprint: {"status": review.status, "reason": review.reason, "comment": review.comment,
                              "reviewer": review.reviewer, "reviewed_at": review.updated_at}
            for row, review in flags if review is not None}
