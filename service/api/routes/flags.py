from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Query

from nlp.schema import FlagType, Severity
from service.api import actions
from service.api.deps import DbDep, Reader, Reviewer
from service.api.errors import error_responses
from service.api.presenters import flag_out
from service.api.schemas import FlagOut, ReviewIn, ReviewStatus
from service.storage import repository as repo

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
    return [flag_out(row, review) for row, review in rows]


@router.patch("/{flag_id}", response_model=FlagOut, responses=error_responses(401, 403, 404, 409, 422),
              summary="Rà soát một cờ: chấp nhận / bỏ qua / mở lại, kèm ghi chú")
def review_flag(flag_id: str, body: ReviewIn, session: DbDep, principal: Reviewer):
    row, review = actions.review_flag(session, flag_id, status=body.status, comment=body.comment,
                                      reviewer=body.reviewer, principal=principal)
    return flag_out(row, review)
