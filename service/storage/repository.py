"""Storage API used by the service and by bulk runs: documents (deduplicated by content hash),
analyses with their flags, and review decisions keyed by (document, flag fingerprint).

A flag's public key is ``flag_key(document_id, fingerprint)`` = "<document id>:<Flag.id>"."""
from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Iterable, Optional

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from nlp.pipeline import content_hash
from nlp.schema import ComparisonReport, Extraction
from service.storage import versions
from service.storage.disk import write_atomically
from service.storage.evidence import evidence_context
from service.storage.models import Analysis, Document, FlagRow, Review, utcnow

# ---------------------------------------------------------------- values every database accepts

MAX_FILENAME = 300


def clean_text(text: str) -> str:
    """PostgreSQL refuses NUL in text and JSONB; a space keeps every character offset (spans) valid."""
    return text.replace("\x00", " ")


def clean_json(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(k) if isinstance(k, str) else k: clean_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    return value


def safe_filename(filename: str) -> str:
    """The base name, without control characters, short enough for the column (extension kept)."""
    name = "".join(ch for ch in Path(filename or "").name if ch.isprintable()).strip() or "document"
    if len(name) > MAX_FILENAME:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[:MAX_FILENAME - len(suffix) - 1] + dot + suffix) if dot and len(suffix) < 12 else name[:MAX_FILENAME]
    return name


# ---------------------------------------------------------------- documents


def document_id_for_hash(sha256: str) -> str:
    """Content-derived id: the same file always gets the same id, in any database."""
    return sha256[:16]


def stored_file_path(files_dir: Path, sha256: str) -> Path:
    return Path(files_dir) / sha256[:2] / sha256


def find_document_by_hash(session: Session, sha256: str) -> Optional[Document]:
    return session.scalar(select(Document).where(Document.sha256 == sha256))


def get_document(session: Session, document_id: str) -> Optional[Document]:
    return session.get(Document, document_id)


def store_document(session: Session, data: bytes, filename: str, *, files_dir: Path,
                   uploaded_by: Optional[str] = None, extraction: Optional[Extraction] = None,
                   fmt: Optional[str] = None, pages: Optional[int] = None) -> tuple[Document, bool]:
    """Keep the file's bytes and a row for it; returns (document, created). An identical file already
    stored is returned as is (created False). With ``extraction`` the document is stored as done."""
    sha256 = content_hash(data)
    existing = find_document_by_hash(session, sha256)
    if existing is not None:
        if extraction is not None and existing.status != "done":
            set_document_extraction(existing, extraction, fmt=fmt, pages=pages)
        return existing, False
    path = stored_file_path(files_dir, sha256)
    if not path.exists():
        write_atomically(path, data)
    document = Document(id=document_id_for_hash(sha256), sha256=sha256, filename=safe_filename(filename),
                        size=len(data), format=fmt, status="queued", uploaded_by=uploaded_by)
    session.add(document)
    if extraction is not None:
        set_document_extraction(document, extraction, fmt=fmt, pages=pages)
    session.flush()
    if extraction is not None:
        versions.link_version(session, document)
    return document, True


def read_document_bytes(files_dir: Path, document: Document) -> bytes:
    return stored_file_path(files_dir, document.sha256).read_bytes()


def set_document_extraction(document: Document, extraction: Extraction, *, fmt: Optional[str] = None,
                            pages: Optional[int] = None) -> None:
    document.extraction = clean_json(extraction.model_dump(mode="json"))
    document.number = clean_text(extraction.document.number)[:100] if extraction.document.number else None
    document.title = clean_text(extraction.document.title) if extraction.document.title else None
    document.format = fmt or document.format
    document.pages = pages if pages is not None else document.pages
    document.status = "done"
    document.error_code = document.error_message = None
    document.progress = None


def set_document_failed(document: Document, code: str, message: str) -> None:
    document.status = "failed"
    document.error_code = code
    document.error_message = message
    document.progress = None


def set_document_progress(session: Session, document_id: str, progress: Optional[dict]) -> None:
    """How far a running extraction is; one UPDATE, no row loaded (called page by page during OCR)."""
    session.execute(update(Document).where(Document.id == document_id, Document.status == "running")
                    .values(progress=progress))


def document_extraction(document: Document) -> Optional[Extraction]:
    return Extraction.model_validate(document.extraction) if document.extraction else None


def list_documents(session: Session, *, limit: int = 500, offset: int = 0) -> list[Document]:
    return list(session.scalars(select(Document).order_by(Document.created_at.desc(), Document.id)
                                .limit(limit).offset(offset)))


def done_documents_numbered(session: Session) -> list[tuple[str, str]]:
    """(id, number) of every extracted document that carries a number: candidates for parents."""
    rows = session.execute(select(Document.id, Document.number)
                           .where(Document.status == "done", Document.number.is_not(None)))
    return [(row.id, row.number) for row in rows]


def documents_with_status(session: Session, statuses: Iterable[str]) -> list[Document]:
    return list(session.scalars(select(Document).where(Document.status.in_(list(statuses)))
                                .order_by(Document.created_at)))


# ---------------------------------------------------------------- analyses


def new_analysis_id() -> str:
    return uuid.uuid4().hex[:16]


def create_analysis(session: Session, document_id: str, parent_ids: Optional[list[str]] = None,
                    requested_by: Optional[str] = None, analysis_id: Optional[str] = None) -> Analysis:
    analysis = Analysis(id=analysis_id or new_analysis_id(), document_id=document_id,
                        requested_parent_ids=list(parent_ids) if parent_ids else None,
                        status="queued", requested_by=requested_by)
    session.add(analysis)
    session.flush()
    return analysis


def get_analysis(session: Session, analysis_id: str) -> Optional[Analysis]:
    return session.get(Analysis, analysis_id)


def list_analyses(session: Session, *, document_id: Optional[str] = None, status: Optional[str] = None,
                  limit: int = 500) -> list[Analysis]:
    query = select(Analysis).order_by(Analysis.created_at.desc(), Analysis.id).limit(limit)
    if document_id:
        query = query.where(Analysis.document_id == document_id)
    if status:
        query = query.where(Analysis.status == status)
    return list(session.scalars(query))


def analyses_with_status(session: Session, statuses: Iterable[str]) -> list[Analysis]:
    return list(session.scalars(select(Analysis).where(Analysis.status.in_(list(statuses)))
                                .order_by(Analysis.created_at)))


def set_analysis_failed(analysis: Analysis, code: str, message: str) -> None:
    analysis.status = "failed"
    analysis.error_code = code
    analysis.error_message = message
    analysis.finished_at = utcnow()


def store_report(session: Session, analysis: Analysis, report: ComparisonReport, *,
                 child_text: Optional[str] = None, parent_texts: Optional[dict[str, str]] = None,
                 parents: Optional[list[dict]] = None, unresolved: Optional[list] = None) -> Analysis:
    """Keep a finished report: the whole report, one row per flag (with display context around its
    evidence) and the document's pointer to its latest analysis. Reviews are untouched."""
    parent_texts = parent_texts or {}
    session.execute(delete(FlagRow).where(FlagRow.analysis_id == analysis.id))
    seen: set[str] = set()
    for ordinal, flag in enumerate(report.flags):
        if flag.id in seen:   # a fingerprint is the flag's identity: keep the first of duplicates
            continue
        seen.add(flag.id)
        data = clean_json(flag.model_dump(mode="json"))
        if data.get("child"):
            data["child"]["context"] = evidence_context(data["child"], child_text)
        if data.get("parent"):
            parent_doc = data["parent"].get("doc")   # the plan itself for a second value (internal_conflict)
            data["parent"]["context"] = evidence_context(
                data["parent"], parent_texts.get(parent_doc) or (child_text if parent_doc == report.child else None))
        session.add(FlagRow(analysis_id=analysis.id, document_id=analysis.document_id, fingerprint=flag.id,
                            ordinal=ordinal, type=flag.type, severity=flag.severity, message=data["message"],
                            score=flag.score, data=data))
    analysis.report = clean_json(report.model_dump(mode="json"))
    analysis.coverage = analysis.report["coverage"]
    analysis.parents = clean_json(parents if parents is not None else [{"doc_id": p} for p in report.parents])
    analysis.unresolved = clean_json(unresolved or [])
    analysis.status = "done"
    analysis.error_code = analysis.error_message = None
    analysis.finished_at = utcnow()
    document = session.get(Document, analysis.document_id)
    if document is not None:
        document.current_analysis_id = analysis.id
        session.flush()
        versions.carry_reviews(session, document, seen)   # decisions on unchanged findings of the last version
    session.flush()
    return analysis


def store_analysis(session: Session, document_id: str, report: ComparisonReport, *,
                   requested_by: Optional[str] = None, parent_texts: Optional[dict[str, str]] = None,
                   parents: Optional[list[dict]] = None, unresolved: Optional[list] = None) -> Analysis:
    """Record a report computed elsewhere (bulk runs) as a finished analysis of a stored document."""
    document = session.get(Document, document_id)
    if document is None:
        raise KeyError(document_id)
    analysis = create_analysis(session, document_id, requested_by=requested_by)
    analysis.started_at = utcnow()
    child_text = (document.extraction or {}).get("text")
    return store_report(session, analysis, report, child_text=child_text, parent_texts=parent_texts,
                        parents=parents, unresolved=unresolved)


def analysis_report(analysis: Analysis) -> Optional[ComparisonReport]:
    return ComparisonReport.model_validate(analysis.report) if analysis.report else None


# ---------------------------------------------------------------- flags and reviews

FLAG_KEY_SEPARATOR = ":"


def flag_key(document_id: str, fingerprint: str) -> str:
    return f"{document_id}{FLAG_KEY_SEPARATOR}{fingerprint}"


def split_flag_key(key: str) -> tuple[Optional[str], str]:
    """(document id, fingerprint); a bare fingerprint gives (None, fingerprint)."""
    document_id, separator, fingerprint = key.partition(FLAG_KEY_SEPARATOR)
    return (document_id, fingerprint) if separator else (None, key)


def _review_join():
    return (Review.document_id == FlagRow.document_id) & (Review.fingerprint == FlagRow.fingerprint)



def list_flags(session: Session, *, analysis_id: Optional[str] = None, document_id: Optional[str] = None,
               type: Optional[str] = None, severity: Optional[str] = None, status: Optional[str] = None,
               limit: int = 5000, offset: int = 0) -> list[tuple[FlagRow, Optional[Review]]]:
    """Flags with their review. Without ``analysis_id``: the flags of each document's latest analysis."""
    query = (select(FlagRow, Review).outerjoin(Review, _review_join())
             .order_by(FlagRow.document_id, FlagRow.ordinal).limit(limit).offset(offset))
    if analysis_id:
        query = query.where(FlagRow.analysis_id == analysis_id)
    else:
        query = query.join(Document, Document.current_analysis_id == FlagRow.analysis_id)
    if document_id:
        query = query.where(FlagRow.document_id == document_id)
    if type:
        query = query.where(FlagRow.type == type)
    if severity:
        query = query.where(FlagRow.severity == severity)
    if status == "open":
        query = query.where((Review.status.is_(None)) | (Review.status == "open"))
    elif status:
        query = query.where(Review.status == status)
    return [(row.FlagRow, row.Review) for row in session.execute(query)]


def current_flags(session: Session, fingerprint: str, document_id: Optional[str] = None) -> list[FlagRow]:
    """The latest row of a fingerprint in each document (one document when ``document_id`` is given)."""
    query = (select(FlagRow).join(Analysis, Analysis.id == FlagRow.analysis_id)
             .where(FlagRow.fingerprint == fingerprint)
             .order_by(FlagRow.document_id, Analysis.finished_at.desc().nulls_last(), FlagRow.pk.desc()))
    if document_id is not None:
        query = query.where(FlagRow.document_id == document_id)
    latest: dict[str, FlagRow] = {}
    for row in session.scalars(query):
        latest.setdefault(row.document_id, row)
    return list(latest.values())


def get_review(session: Session, document_id: str, fingerprint: str) -> Optional[Review]:
    return session.get(Review, (document_id, fingerprint))


def set_review(session: Session, document_id: str, fingerprint: str, *, status: Optional[str] = None,
               comment: Optional[str] = None, reviewer: Optional[str] = None) -> Review:
    """Record a decision; a field left None keeps its previous value."""
    review = session.get(Review, (document_id, fingerprint))
    if review is None:
        review = Review(document_id=document_id, fingerprint=fingerprint, status="open")
        session.add(review)
    if status is not None:
        review.status = status
    if comment is not None:
        review.comment = clean_text(comment)
    if reviewer is not None:
        review.reviewer = clean_text(reviewer)[:100]
    review.updated_at = utcnow()
    session.flush()
    return review


def flag_counts(session: Session, document_ids: Optional[list[str]] = None) -> dict[str, dict[str, Any]]:
    """Per document: counts of its current flags by type, plus totals by review status."""
    query = (select(FlagRow.document_id, FlagRow.type, Review.status, func.count())
             .join(Document, Document.current_analysis_id == FlagRow.analysis_id)
             .outerjoin(Review, _review_join())
             .group_by(FlagRow.document_id, FlagRow.type, Review.status))
    if document_ids is not None:
        query = query.where(FlagRow.document_id.in_(document_ids))
    by_type: dict[str, Counter] = defaultdict(Counter)
    by_status: dict[str, Counter] = defaultdict(Counter)
    for document_id, flag_type, review_status, count in session.execute(query):
        by_type[document_id][flag_type] += count
        by_status[document_id][review_status or "open"] += count
    return {doc: {"by_type": dict(by_type[doc]), "by_status": dict(by_status[doc]),
                  "total": sum(by_type[doc].values())} for doc in by_type}
