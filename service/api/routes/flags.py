from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Query

from nlp.schema import FlagType, Severity
from service.api import actions
from service.api.deps import DbDep, Reader, Reviewer
from service.api.errors import error_responses
from service.api.presenters import flag_out
from service.api.schemas import (BulkReviewIn, BulkReviewOut, FlagOut, ReviewEventOut, ReviewIn, ReviewStatus,
                                 RuleStatsOut)
from service.storage import repository as repo
from service.storage import reviews

router = APIRouter(prefix="/flags", tags=["flags"])


@router.get("", response_model=list[FlagOut], responses=error_responses(401, 422),
            summary="Các cờ (của phân tích mới nhất mỗi tài liệu, hoặc của một phân tích), có lọc")
def list_flags(session: DbDep, _reader: Reader,
               document_id: Optional[str] = Query(None, max_length=64, description="lọc theo tài liệu"),
               analysis_id: Optional[str] = Query(None, max_length=64, description="cờ của một phân tích cụ thể"),
               type: Optional[FlagType] = None, severity: Optional[Severity] = None,
               status: Optional[ReviewStatus] = None,
               limit: int = Query(1000, ge=1, le=5000), offset: int = Query(0, ge=0, le=10 ** 9)):
    rows = repo.list_flags(session, analysis_id=analysis_id, document_id=document_id, type=type,
                           severity=severity, status=status, limit=limit, offset=offset)
    factors = reviews.confidence_factors(session)
    return [flag_out(row, review, factors) for row, review in rows]


@router.get("/stats", response_model=list[RuleStatsOut], responses=error_responses(401),
            summary="Quyết định rà soát theo loại cờ: độ chính xác theo người rà soát, lý do bỏ qua")
def decision_stats(session: DbDep, _reader: Reader):
    stats = reviews.decision_stats(session)
    return [RuleStatsOut(flag_type=s.flag_type, accepted=s.accepted, dismissed=s.dismissed, open=s.open,
                         reasons=dict(s.reasons), precision=s.precision, confidence_factor=s.confidence_factor)
            for s in sorted(stats.values(), key=lambda s: s.flag_type)]


@router.post("/decisions", response_model=BulkReviewOut, responses=error_responses(401, 403, 422),
             summary="Một quyết định cho nhiều cờ (ví dụ mọi cờ khớp bộ lọc), kèm lý do")
def review_many(body: BulkReviewIn, session: DbDep, principal: Reviewer):
    updated, conflicts, not_found = actions.review_many(
        session, body.ids, status=body.status, reason=body.reason, comment=body.comment, principal=principal,
        expected_versions=body.expected_versions)
    return BulkReviewOut(updated=[flag_out(row, review) for row, review in updated],
                         conflicts=[flag_out(row, review) for row, review in conflicts], not_found=not_found)


@router.get("/{flag_id}/history", response_model=list[ReviewEventOut], responses=error_responses(401, 404, 409),
            summary="Lịch sử quyết định của một cờ (ai, lúc nào, từ → thành), cũ trước")
def flag_history(flag_id: str, session: DbDep, _reader: Reader):
    row = actions.flag_row(session, flag_id)
    return [ReviewEventOut(reviewer=e.reviewer, at=e.at, from_status=e.from_status, to_status=e.to_status,
                           reason=e.reason, comment=e.comment)
            for e in reviews.history(session, row.document_id, row.fingerprint)]


@router.patch("/{flag_id}", response_model=FlagOut, responses=error_responses(401, 403, 404, 409, 422),
              summary="Rà soát một cờ: chấp nhận / bỏ qua (kèm lý do) / mở lại, kèm ghi chú")
def review_flag(flag_id: str, body: ReviewIn, session: DbDep, principal: Reviewer):
    row, review = actions.review_flag(session, flag_id, status=body.status, comment=body.comment, reason=body.reason,
                                      expected_version=body.expected_version, principal=principal)
    return flag_out(row, review)
