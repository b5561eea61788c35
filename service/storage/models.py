"""Tables. Every change goes through an Alembic migration in service/migrations/versions/."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JsonType = JSON().with_variant(JSONB(), "postgresql")

JOB_STATUSES = ("queued", "running", "done", "failed")
REVIEW_STATUSES = ("open", "accepted", "dismissed")
DISMISS_REASONS = ("wrong_extraction", "not_applicable_level", "present_other_wording", "wrong_parent_item", "other")
ROLES = ("uploader", "reviewer", "admin")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[Optional[str]] = mapped_column(String(300))
    token_hash: Mapped[Optional[str]] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Document(Base):
    """An uploaded file, deduplicated by content hash; its extraction runs in a worker."""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(300))
    size: Mapped[int] = mapped_column(Integer)
    format: Mapped[Optional[str]] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="queued")
    error_code: Mapped[Optional[str]] = mapped_column(String(50))
    error_message: Mapped[Optional[str]] = mapped_column(Text)
    number: Mapped[Optional[str]] = mapped_column(String(100), index=True)   # the document's own số ký hiệu
    title: Mapped[Optional[str]] = mapped_column(Text)
    pages: Mapped[Optional[int]] = mapped_column(Integer)
    extraction: Mapped[Optional[dict[str, Any]]] = mapped_column(JsonType)
    current_analysis_id: Mapped[Optional[str]] = mapped_column(String(32))
    uploaded_by: Mapped[Optional[str]] = mapped_column(String(100))
    # an upload found (after extraction) to be a new version of a stored document: same number, issuer
    # and date, or near-identical text (service/storage/versions.py)
    previous_version_id: Mapped[Optional[str]] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # while the extraction runs: how far its long step is ({"stage": "ocr", "done", "total"}); None otherwise
    progress: Mapped[Optional[dict[str, Any]]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Analysis(Base):
    """One comparison of a document against its parents; the report is kept whole."""

    __tablename__ = "analyses"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    requested_parent_ids: Mapped[Optional[list]] = mapped_column(JsonType)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    error_code: Mapped[Optional[str]] = mapped_column(String(50))
    error_message: Mapped[Optional[str]] = mapped_column(Text)
    parents: Mapped[Optional[list]] = mapped_column(JsonType)       # [{"doc_id", "source", "document_id"|None}]
    unresolved: Mapped[Optional[list]] = mapped_column(JsonType)
    coverage: Mapped[Optional[dict[str, Any]]] = mapped_column(JsonType)
    report: Mapped[Optional[dict[str, Any]]] = mapped_column(JsonType)
    requested_by: Mapped[Optional[str]] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))


class FlagRow(Base):
    """A flag of one analysis, denormalised for filtering; ``data`` is the full nlp.schema.Flag plus
    display context around its evidence."""

    __tablename__ = "flags"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    analysis_id: Mapped[str] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"))
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"))
    fingerprint: Mapped[str] = mapped_column(String(200))
    ordinal: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text)
    score: Mapped[Optional[float]] = mapped_column(Float)
    data: Mapped[dict[str, Any]] = mapped_column(JsonType)

    __table_args__ = (
        Index("ix_flags_analysis_fingerprint", "analysis_id", "fingerprint", unique=True),
        Index("ix_flags_document_type", "document_id", "type"),
        Index("ix_flags_fingerprint", "fingerprint"),
    )


class Review(Base):
    """A reviewer's decision on a flag, keyed by (document, flag fingerprint) so that it outlives
    re-analysis. The document is part of the key because a fingerprint hashes the flag's evidence
    texts: two wards missing the same parent task share one."""

    __tablename__ = "reviews"

    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(200), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    comment: Mapped[Optional[str]] = mapped_column(Text)
    reviewer: Mapped[Optional[str]] = mapped_column(String(100))
    carried_from: Mapped[Optional[str]] = mapped_column(String(32))   # the earlier version the decision came from
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    reason: Mapped[Optional[str]] = mapped_column(String(40))     # why it was dismissed (DISMISS_REASONS)
    version: Mapped[int] = mapped_column(Integer, default=0)      # +1 per decision: optimistic concurrency


class ReviewEvent(Base):
    """One decision on a flag, appended and never changed: who, when, from which status to which,
    with the reason and comment given. The flag's type is kept so decisions can be aggregated by rule."""

    __tablename__ = "review_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"))
    fingerprint: Mapped[str] = mapped_column(String(200))
    flag_type: Mapped[Optional[str]] = mapped_column(String(40))
    reviewer: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[Optional[str]] = mapped_column(String(40))
    comment: Mapped[Optional[str]] = mapped_column(Text)

    __table_args__ = (Index("ix_review_events_flag", "document_id", "fingerprint"),
                      Index("ix_review_events_type", "flag_type"))
