"""What the API and the UI both do: accept an upload, request an analysis, record a review.
Routes stay thin; every rule (limits, dedup, queue) lives here once."""
from __future__ import annotations

from typing import Optional

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nlp.errors import IngestError
from nlp.pipeline import content_hash
from service.api.deps import Principal
from service.api.errors import ApiError
from service.config import Settings
from service.storage import repository as repo
from service.storage.models import Analysis, Document, FlagRow, Review
from service.worker import JobRunner, QueueFull

SUPPORTED_FORMATS = {"pdf", "docx", "markdown", "text"}
RETRYABLE = {"timeout", "worker_crashed", "internal_error", "out_of_memory", "file_missing"}
INGEST_STATUS = {"unsupported_type": 415, "too_large": 413, "empty": 422}


def queue_full() -> ApiError:
    return ApiError(429, "queue_full", "Hàng đợi xử lý đang đầy, vui lòng thử lại sau ít phút", {"Retry-After": "30"})


def too_large(settings: Settings) -> ApiError:
    return ApiError(413, "too_large", f"Tệp quá lớn: tối đa {settings.max_upload_mb:g} MB")


def sniff(data: bytes, filename: str) -> str:
    """The file's format, decided by its content; unsupported content is a 415."""
    if not data:
        raise ApiError(422, "empty", "Tệp rỗng")
    from nlp.ingest.sniff import sniff_format

    try:
        fmt = sniff_format(data, filename)
    except IngestError as exc:
        raise ApiError(INGEST_STATUS.get(exc.code, 422), exc.code, exc.message) from exc
    if fmt not in SUPPORTED_FORMATS:
        raise ApiError(415, "unsupported_type", "Định dạng tệp không được hỗ trợ (chỉ nhận PDF, DOCX, Markdown, TXT)")
    return fmt


def accept_upload(session: Session, runner: JobRunner, settings: Settings, data: bytes, filename: str,
                  principal: Principal) -> tuple[Document, bool]:
    """Store an upload and queue its extraction; an identical file already stored is returned instead."""
    if len(data) > settings.max_upload_bytes:
        raise too_large(settings)
    existing = repo.find_document_by_hash(session, content_hash(data))
    if existing is not None:
        if existing.status == "failed" and existing.error_code in RETRYABLE and runner.has_room():
            existing.status = "queued"   # a failure of the machine, not of the file: try again
            session.commit()
            runner.submit_extraction(existing.id, force=True)
        return existing, True
    fmt = sniff(data, filename)
    if not runner.has_room():
        raise queue_full()
    try:
        document, created = repo.store_document(session, data, filename or "document", files_dir=settings.files_dir,
                                                uploaded_by=principal.name, fmt=fmt)
        session.commit()   # the worker reads the row from its own connection
    except IntegrityError:   # the same file, uploaded at the same moment by someone else
        session.rollback()
        return repo.find_document_by_hash(session, content_hash(data)), True
    if created:
        try:
            runner.submit_extraction(document.id, force=True)
        except QueueFull:  # unreachable with force; kept for clarity of intent
            raise queue_full()
    return document, not created


def request_analysis(session: Session, runner: JobRunner, document_id: str, parent_ids: Optional[list[str]],
                     principal: Principal) -> Analysis:
    """Queue an analysis; it starts once the document (and chosen parents) are extracted."""
    for needed in [document_id] + list(parent_ids or []):
        document = repo.get_document(session, needed)
        if document is None:
            raise ApiError(404, "not_found", f"Không tìm thấy tài liệu {needed}")
        if document.status == "failed":
            raise ApiError(409, "document_failed",
                           f"Tài liệu {needed} không đọc được: {document.error_message or document.error_code}")
    if parent_ids and document_id in parent_ids:
        raise ApiError(422, "invalid_request", "Tài liệu không thể là văn bản cấp trên của chính nó")
    if not runner.has_room():
        raise queue_full()
    analysis = repo.create_analysis(session, document_id, parent_ids, requested_by=principal.name)
    session.commit()
    runner.dispatch_analyses()
    return analysis


def review_flag(session: Session, key: str, *, status: Optional[str], comment: Optional[str],
                reviewer: Optional[str], principal: Principal) -> tuple[FlagRow, Review]:
    """Record a decision on the flag ``key`` ('<document id>:<fingerprint>'; a bare fingerprint is
    accepted when a single document has it)."""
    document_id, fingerprint = repo.split_flag_key(key)
    rows = repo.current_flags(session, fingerprint, document_id)
    if not rows:
        raise ApiError(404, "not_found", f"Không tìm thấy cờ {key}")
    if len(rows) > 1:
        raise ApiError(409, "ambiguous", f"Cờ {fingerprint} có ở {len(rows)} tài liệu: dùng mã '<mã tài liệu>:{fingerprint}'")
    row = rows[0]

    def record() -> Review:
        review = repo.set_review(session, row.document_id, fingerprint, status=status, comment=comment,
                                 reviewer=reviewer or principal.name)
        session.commit()
        return review

    try:
        return row, record()
    except IntegrityError:   # a first decision on this flag was recorded at the same moment: update it
        session.rollback()
        return row, record()
