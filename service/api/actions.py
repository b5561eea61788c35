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
from service.storage import disk, repository as repo
from service.storage import reviews
from service.storage.models import Analysis, Document, FlagRow, Review
from service.worker import JobRunner, QueueFull

SUPPORTED_FORMATS = {"pdf", "docx", "markdown", "text"}
RETRY_AFTER_S = 30
RETRYABLE = {"timeout", "worker_crashed", "internal_error", "out_of_memory", "file_missing"}
INGEST_STATUS = {"unsupported_type": 415, "too_large": 413, "empty": 422}


def queue_full() -> ApiError:
    return ApiError(429, "queue_full", "Hàng đợi xử lý đang đầy, vui lòng thử lại sau ít phút",
                    {"Retry-After": str(RETRY_AFTER_S)})


def too_large(settings: Settings) -> ApiError:
    return ApiError(413, "too_large", f"Tệp quá lớn: tối đa {settings.max_upload_mb:g} MB")


def disk_full(settings: Settings) -> ApiError:
    return ApiError(507, "disk_full", "Máy chủ không còn đủ dung lượng đĩa để lưu tệp; tệp chưa được nhận, "
                                      "vui lòng báo quản trị viên và thử lại sau")


def check_free_space(settings: Settings, incoming: int) -> None:
    """Refuse work that would leave less than PLANGAP_MIN_FREE_MB free where uploads are kept."""
    if disk.free_bytes(settings.files_dir) - incoming < settings.min_free_bytes:
        raise disk_full(settings)


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
    """Store an upload and queue its extraction; an identical file already stored is returned instead.
    The queue place is reserved before anything is stored, so a burst never overfills the queue and a
    refused upload leaves nothing behind."""
    if len(data) > settings.max_upload_bytes:
        raise too_large(settings)
    sha256 = content_hash(data)
    existing = repo.find_document_by_hash(session, sha256)
    if existing is not None:
        if existing.status == "failed" and existing.error_code in RETRYABLE:
            try:
                runner.reserve("extraction", existing.id)   # a failure of the machine, not of the file: try again
            except QueueFull:
                return existing, True
            try:
                existing.status = "queued"
                session.commit()
            except BaseException:
                runner.release("extraction", existing.id)
                raise
            runner.submit_extraction(existing.id)
        return existing, True
    fmt = sniff(data, filename)
    check_free_space(settings, len(data))
    document_id = repo.document_id_for_hash(sha256)
    try:
        runner.reserve("extraction", document_id)
    except QueueFull:
        raise queue_full() from None
    try:
        document, created = repo.store_document(session, data, filename or "document", files_dir=settings.files_dir,
                                                uploaded_by=principal.name, fmt=fmt)
        session.commit()   # the worker reads the row from its own connection
    except IntegrityError:   # the same file, uploaded at the same moment by someone else
        session.rollback()
        runner.release("extraction", document_id)
        return repo.find_document_by_hash(session, sha256), True
    except OSError as exc:
        session.rollback()
        runner.release("extraction", document_id)
        if disk.is_disk_full(exc):
            raise disk_full(settings) from None
        raise
    except BaseException:
        session.rollback()
        runner.release("extraction", document_id)
        raise
    if created:
        runner.submit_extraction(document.id)
    else:
        runner.release("extraction", document_id)
    return document, not created


def request_analysis(session: Session, runner: JobRunner, document_id: str, parent_ids: Optional[list[str]],
                     principal: Principal) -> Analysis:
    """Queue an analysis; it starts once the document (and chosen parents) are extracted. Its queue
    place is reserved now and kept until it runs."""
    for needed in [document_id] + list(parent_ids or []):
        document = repo.get_document(session, needed)
        if document is None:
            raise ApiError(404, "not_found", f"Không tìm thấy tài liệu {needed}")
        if document.status == "failed":
            raise ApiError(409, "document_failed",
                           f"Tài liệu {needed} không đọc được: {document.error_message or document.error_code}")
    if parent_ids and document_id in parent_ids:
        raise ApiError(422, "invalid_request", "Tài liệu không thể là văn bản cấp trên của chính nó")
    analysis_id = repo.new_analysis_id()
    try:
        runner.reserve("analysis", analysis_id)
    except QueueFull:
        raise queue_full() from None
    try:
        analysis = repo.create_analysis(session, document_id, parent_ids, requested_by=principal.name,
                                        analysis_id=analysis_id)
        session.commit()
    except BaseException:
        session.rollback()
        runner.release("analysis", analysis_id)
        raise
    runner.dispatch_analyses()
    return analysis


def flag_row(session: Session, key: str) -> FlagRow:
    document_id, fingerprint = repo.split_flag_key(key)
    rows = repo.current_flags(session, fingerprint, document_id)
    if not rows:
        raise ApiError(404, "not_found", f"Không tìm thấy cờ {key}")
    if len(rows) > 1:
        raise ApiError(409, "ambiguous", f"Cờ {fingerprint} có ở {len(rows)} tài liệu: dùng mã '<mã tài liệu>:{fingerprint}'")
    return rows[0]


def stale_decision(row: FlagRow, review: Optional[Review]) -> ApiError:
    from service.api.presenters import flag_out

    who = review.reviewer if review is not None and review.reviewer else "người khác"
    when = review.updated_at.strftime("%H:%M %d/%m/%Y") if review is not None and review.updated_at else ""
    current = flag_out(row, review).model_dump(mode="json")
    return ApiError(409, "stale_decision",
                    f"{who} đã quyết định cờ này lúc {when} (UTC), sau khi bạn mở trang: "
                    f"hiện là “{REVIEW_STATUS_WORDS.get(current['status'], current['status'])}”. "
                    "Xem lại rồi quyết định lần nữa nếu vẫn muốn đổi.", extra={"current": current})


REVIEW_STATUS_WORDS = {"open": "chưa xử lý", "accepted": "đã chấp nhận", "dismissed": "đã bỏ qua"}


def review_flag(session: Session, key: str, *, status: Optional[str], comment: Optional[str],
                principal: Principal, reason: Optional[str] = None,
                expected_version: Optional[int] = None) -> tuple[FlagRow, Review]:
    """Record a decision on the flag ``key`` ('<document id>:<fingerprint>'; a bare fingerprint is
    accepted when a single document has it). The reviewer is always the authenticated caller: a name
    sent in the request cannot attribute the decision to someone else."""
    row = flag_row(session, key)
    try:
        review = reviews.record_decision(session, row, reviewer=principal.name, status=status, reason=reason,
                                         comment=comment, expected_version=expected_version)
        session.commit()
    except reviews.StaleDecision as exc:
        session.rollback()
        if expected_version is not None:
            raise stale_decision(row, exc.review) from None
        # no version given: the caller wants its decision recorded over whatever came first
        review = reviews.record_decision(session, row, reviewer=principal.name, status=status, reason=reason,
                                         comment=comment)
        session.commit()
    return row, review


def review_many(session: Session, keys: list[str], *, status: str, reason: Optional[str], comment: Optional[str],
                principal: Principal, expected_versions: Optional[dict[str, int]] = None):
    """One decision on many flags (e.g. every flag matching the reviewer's filter). Flags decided by
    someone else since the reviewer saw them are left as they are and reported as conflicts."""
    updated, conflicts, not_found = [], [], []
    for key in dict.fromkeys(keys):
        try:
            row = flag_row(session, key)
        except ApiError:
            not_found.append(key)
            continue
        try:
            review = reviews.record_decision(session, row, reviewer=principal.name, status=status, reason=reason,
                                             comment=comment,
                                             expected_version=(expected_versions or {}).get(key))
            session.commit()
            updated.append((row, review))
        except reviews.StaleDecision as exc:
            session.rollback()
            conflicts.append((row, exc.review))
    return updated, conflicts, not_found
