"""Request and response bodies of the API (what OpenAPI documents)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any, Literal, Optional

from pydantic import AfterValidator, BaseModel, Field, model_validator

from nlp.schema import FlagType, Severity

JobStatus = Literal["queued", "running", "done", "failed"]
ReviewStatus = Literal["open", "accepted", "dismissed"]
DismissReason = Literal["wrong_extraction", "not_applicable_level", "present_other_wording", "wrong_parent_item",
                        "other"]
Role = Literal["uploader", "reviewer", "admin"]


def _as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]


class EvidenceContext(BaseModel):
    before: str = ""
    text: str = ""
    after: str = ""


class EvidenceOut(BaseModel):
    doc: str
    section: Optional[str] = None
    span: Optional[dict[str, int]] = None
    text: str = ""
    context: Optional[EvidenceContext] = None


class CandidateOut(EvidenceOut):
    """A passage of the plan close to the parent item a 'missing' finding says the plan lacks."""
    score: Optional[float] = Field(default=None, description="độ giống với mục cấp trên (0–1)")
    threshold: Optional[float] = Field(default=None, description="ngưỡng căn chỉnh: từ mức này trở lên mới coi đoạn "
                                                                 "là cùng nội dung với mục cấp trên")
    nearest_to: Optional[str] = Field(default=None, description="mục cấp trên gần nhất, khi cờ nêu nhiều mục")


class FlagOut(BaseModel):
    id: str = Field(description="Khoá ổn định của cờ: '<mã tài liệu>:<Flag.id>'; quyết định rà soát gắn với nó "
                                "và được giữ khi phân tích lại")
    fingerprint: str = Field(description="Flag.id: dấu vân tay của cờ trong báo cáo so sánh")
    type: str
    severity: str
    status: ReviewStatus = "open"
    message: str
    score: Optional[float] = None
    collapsed: bool = Field(False, description="Độ tin cậy thấp: giao diện thu gọn, hiển thị sau các cờ khác")
    child: Optional[EvidenceOut] = None
    parent: Optional[EvidenceOut] = None
    comment: Optional[str] = None
    reason: Optional[DismissReason] = Field(default=None, description="lý do bỏ qua (khi status = dismissed)")
    reviewer: Optional[str] = None
    reviewed_at: Optional[UtcDatetime] = None
    version: int = Field(default=0, description="số lần đã quyết định; gửi lại làm expected_version để phát hiện "
                                                "người khác đã quyết định trước (409)")
    confidence: Optional[float] = Field(default=None, description="độ tin cậy của phát hiện (từ bước so sánh, hiệu "
                                        "chỉnh trên các cờ đã được rà soát), đã nhân với hệ số học từ các quyết "
                                        "định rà soát của cùng loại cờ; danh sách sắp theo mức độ rồi độ tin cậy")
    base_confidence: Optional[float] = Field(default=None, description="độ tin cậy do bước so sánh đưa ra")
    candidates: Optional[list[CandidateOut]] = Field(default=None, description="với cờ 'thiếu' (nhiệm vụ, nhóm nhiệm "
                                                     "vụ, chỉ tiêu): tối đa 3 đoạn gần nhất trong kế hoạch, giống nhất "
                                                     "trước, kèm độ giống và ngưỡng")
    document_id: str
    analysis_id: str


class VersionChanges(BaseModel):
    """What changed between a document and its previous version (each side's latest analysis)."""

    document_id: str
    version: int
    previous_version_id: Optional[str] = None
    analysis_id: Optional[str] = None
    previous_analysis_id: Optional[str] = None
    new: list[FlagOut] = Field(default_factory=list, description="findings only in this version")
    resolved: list[FlagOut] = Field(default_factory=list, description="findings of the previous version no longer present")
    carried: list[FlagOut] = Field(default_factory=list, description="unchanged findings whose decision was carried over")
    kept: int = Field(default=0, description="findings present in both versions")


class FlagCounts(BaseModel):
    by_type: dict[str, int] = Field(default_factory=dict)
    by_status: dict[str, int] = Field(default_factory=dict)
    total: int = 0


class ReadingProgress(BaseModel):
    """How far the reading of a running document is (OCR of scanned pages, page by page)."""
    stage: str = Field(description="'ocr': nhận dạng chữ trang ảnh quét")
    done: int = Field(description="số trang đã xong")
    total: int = Field(description="tổng số trang của bước này")
    message: str = Field(description="bằng lời, ví dụ 'Đang nhận dạng chữ (OCR): 3/12 trang'")


class DocumentOut(BaseModel):
    id: str
    sha256: str
    filename: str
    size: int
    format: Optional[str] = None
    status: JobStatus
    error: Optional[str] = None
    error_message: Optional[str] = None
    number: Optional[str] = None
    title: Optional[str] = None
    pages: Optional[int] = None
    uploaded_by: Optional[str] = None
    created_at: UtcDatetime
    current_analysis_id: Optional[str] = None
    version: int = Field(default=1, description="1, or n when this upload is the n-th version of a stored document")
    previous_version_id: Optional[str] = Field(default=None, description="the stored document this one is a new version of")
    progress: Optional[ReadingProgress] = Field(default=None, description="while status is 'running': how far "
                                                                            "the reading is (OCR page by page)")
    flag_counts: FlagCounts = Field(default_factory=FlagCounts)


class DocumentUploaded(DocumentOut):
    duplicate: bool = Field(description="true: the same content was already stored; its id is returned")


class DocumentDetail(DocumentOut):
    extraction: Optional[dict[str, Any]] = Field(default=None, description="nlp.schema.Extraction once status is done")


class AnalysisIn(BaseModel):
    document_id: str = Field(min_length=1, max_length=64)
    parent_ids: Optional[list[str]] = Field(
        default=None, max_length=20,
        description="Stored documents to compare against; omitted: resolved from the document's citations "
                    "among the bundled parents and stored documents")


class AnalysisAccepted(BaseModel):
    id: str
    status: JobStatus
    document_id: str


class AnalysisOut(BaseModel):
    id: str
    status: JobStatus
    document_id: str
    coverage: Optional[dict[str, Any]] = None
    flags: list[FlagOut] = Field(default_factory=list)
    parents: Optional[list[dict[str, Any]]] = None
    unresolved: Optional[list[Any]] = None
    requested_parent_ids: Optional[list[str]] = None
    error: Optional[str] = None
    error_message: Optional[str] = None
    created_at: UtcDatetime
    started_at: Optional[UtcDatetime] = None
    finished_at: Optional[UtcDatetime] = None


class AnalysisSummary(BaseModel):
    id: str
    status: JobStatus
    document_id: str
    error: Optional[str] = None
    created_at: UtcDatetime
    finished_at: Optional[UtcDatetime] = None


class ReviewIn(BaseModel):
    status: Optional[ReviewStatus] = None
    reason: Optional[DismissReason] = Field(default=None, description="lý do bỏ qua: wrong_extraction (trích xuất "
                                            "sai), not_applicable_level (không áp dụng cho cấp này), "
                                            "present_other_wording (đã có với cách diễn đạt khác), "
                                            "wrong_parent_item (đối chiếu sai mục cấp trên), other (khác)")
    comment: Optional[str] = Field(default=None, max_length=5000)
    expected_version: Optional[int] = Field(default=None, ge=0, description="version của cờ mà người rà soát đã "
                                            "thấy; nếu người khác đã quyết định sau đó: 409 stale_decision")
    reviewer: Optional[str] = Field(default=None, max_length=100,
                                    description="bỏ qua: người rà soát luôn là người dùng đã xác thực")

    @model_validator(mode="after")
    def _something_to_change(self):
        if self.status is None and self.comment is None and self.reason is None:
            raise ValueError("status, reason or comment is required")
        return self


class BulkReviewIn(BaseModel):
    ids: list[str] = Field(min_length=1, max_length=5000, description="khoá các cờ '<mã tài liệu>:<Flag.id>'")
    status: ReviewStatus
    reason: Optional[DismissReason] = None
    comment: Optional[str] = Field(default=None, max_length=5000)
    expected_versions: Optional[dict[str, int]] = Field(
        default=None, description="id → version đã thấy; cờ nào người khác đã quyết định sau đó được trả về trong "
                                  "conflicts và không bị đổi")


class ReviewEventOut(BaseModel):
    reviewer: str
    at: UtcDatetime
    from_status: ReviewStatus
    to_status: ReviewStatus
    reason: Optional[DismissReason] = None
    comment: Optional[str] = None


class BulkReviewOut(BaseModel):
    updated: list["FlagOut"]
    conflicts: list["FlagOut"] = Field(default_factory=list, description="đã được người khác quyết định trước")
    not_found: list[str] = Field(default_factory=list)


class RuleStatsOut(BaseModel):
    flag_type: str
    accepted: int
    dismissed: int
    open: int
    reasons: dict[str, int]
    precision: Optional[float] = Field(description="chấp nhận / (chấp nhận + bỏ qua vì quy tắc sai); "
                                                   "lý do 'other' không tính")
    confidence_factor: float = Field(description="hệ số nhân vào độ tin cậy của các phát hiện của loại cờ này")


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[\w.@-]+$")
    role: Role
    password: Optional[str] = Field(default=None, min_length=8, max_length=200)


class UserOut(BaseModel):
    id: int
    name: str
    role: Role
    created_at: UtcDatetime


class UserCreated(UserOut):
    token: str = Field(description="API token, shown once: send it as Authorization: Bearer <token>")


class Me(BaseModel):
    name: str
    role: Role


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: bool              # the job dispatcher's last probe (every few seconds): /healthz never waits
    queue: int
    workers: int


class Readiness(BaseModel):
    status: Literal["ok", "not_ready"]
    database: bool
    disk_free_mb: float
    disk_ok: bool
    workers: int                # configured
    workers_alive: Optional[int] = None   # live worker processes (None: threads, or none started yet)
    queue: int
    queue_limit: int
    problems: list[str] = []


FlagTypeParam = FlagType
SeverityParam = Severity
