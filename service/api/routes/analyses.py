from __future__ import annotations

from typing import Literal, Optional

from fastapi import APIRouter, Query
from fastapi.responses import Response

from service.api import actions
from service.api.deps import DbDep, Reader, RunnerDep, Uploader
from service.api.errors import ApiError, error_responses
from nlp.schema import FlagType, Severity
from service.api.presenters import analysis_out, analysis_summary, review_decisions
from service.api.schemas import AnalysisAccepted, AnalysisIn, AnalysisOut, AnalysisSummary, JobStatus, ReviewStatus
from service.storage import repository as repo
from service.storage import reviews

router = APIRouter(prefix="/analyses", tags=["analyses"])

EXPORT_MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}


def _analysis_or_404(session, analysis_id: str):
    analysis = repo.get_analysis(session, analysis_id)
    if analysis is None:
        raise ApiError(404, "not_found", f"Không tìm thấy phân tích {analysis_id}")
    return analysis


@router.post("", status_code=202, response_model=AnalysisAccepted,
             responses=error_responses(401, 403, 404, 409, 422, 429),
             summary="Yêu cầu phân tích một tài liệu so với văn bản cấp trên (chạy nền)")
def create_analysis(body: AnalysisIn, session: DbDep, runner: RunnerDep, principal: Uploader):
    analysis = actions.request_analysis(session, runner, body.document_id, body.parent_ids, principal)
    session.refresh(analysis)
    return AnalysisAccepted(id=analysis.id, status=analysis.status, document_id=analysis.document_id)


@router.get("", response_model=list[AnalysisSummary], responses=error_responses(401),
            summary="Danh sách phân tích")
def list_analyses(session: DbDep, _reader: Reader, document_id: Optional[str] = Query(None, max_length=64),
                  status: Optional[JobStatus] = None, limit: int = Query(100, ge=1, le=1000)):
    return [analysis_summary(a) for a in repo.list_analyses(session, document_id=document_id, status=status, limit=limit)]


@router.get("/{analysis_id}.{fmt}", responses={200: {"content": {t: {} for t in EXPORT_MEDIA_TYPES.values()}},
                                                **error_responses(401, 404, 409)},
            response_class=Response, summary="Xuất báo cáo: csv, xlsx (và json, html, md)")
def export_analysis(analysis_id: str, fmt: Literal["csv", "xlsx", "json", "html", "md"], session: DbDep,
                    _reader: Reader, type: Optional[FlagType] = None, severity: Optional[Severity] = None,
                    status: Optional[ReviewStatus] = None):
    """The report with the reviewers' decisions; ``type``, ``severity``, ``status`` keep only the flags
    that match, as the UI's filters do."""
    analysis = _analysis_or_404(session, analysis_id)
    if analysis.status != "done":
        raise ApiError(409, "not_ready", "Phân tích chưa xong, chưa thể xuất báo cáo")
    from service.reports import render_report

    document = repo.get_document(session, analysis.document_id)
    child_text = (document.extraction or {}).get("text") if document else None
    report = repo.analysis_report(analysis)
    decisions = review_decisions(repo.list_flags(session, analysis_id=analysis.id))
    report = report.model_copy(update={"flags": [
        f for f in report.flags if (not type or f.type == type) and (not severity or f.severity == severity)
        and (not status or decisions.get(f.id, {}).get("status", "open") == status)]})
    content = render_report(report, fmt, child_text=child_text, decisions=decisions)
    body = content.encode("utf-8") if isinstance(content, str) else content
    stem = (document.filename.rsplit(".", 1)[0] if document else analysis.document_id) or analysis.document_id
    filename = f"phan-tich-{analysis.id}.{fmt}"
    return Response(body, media_type=EXPORT_MEDIA_TYPES[fmt], headers={
        "Content-Disposition": f"attachment; filename=\"{filename}\"; filename*=UTF-8''{_quote(stem)}-{filename}"})


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


@router.get("/{analysis_id}", response_model=AnalysisOut, responses=error_responses(401, 404),
            summary="Trạng thái, độ bao phủ và các cờ của một phân tích")
def get_analysis(analysis_id: str, session: DbDep, _reader: Reader):
    analysis = _analysis_or_404(session, analysis_id)
    return analysis_out(analysis, repo.list_flags(session, analysis_id=analysis.id),
                        reviews.confidence_factors(session))
