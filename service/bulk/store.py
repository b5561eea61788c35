"""What a bulk run keeps in the service's database, built on service.storage.repository: the state of
documents by content hash (to resume) and each finished document (bytes, extraction, analysis)."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.api.actions import RETRYABLE   # failures of the machine, not of the file: tried again
from service.bulk.job import Outcome
from service.storage import repository as repo
from service.storage.models import Analysis, Document

CHUNK = 500
BULK_USER = "bulk"


def _chunks(items: list[str], size: int = CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def finished_hashes(session: Session, hashes: Iterable[str], *, retry_failed: bool = False) -> dict[str, str]:
    """sha256 -> "done" (extracted and analysed) or "failed" (the file itself cannot be read) for the
    documents a run can skip; documents absent here are to be (re)processed."""
    finished: dict[str, str] = {}
    for chunk in _chunks(sorted(set(hashes))):
        rows = session.execute(
            select(Document.sha256, Document.status, Document.error_code, Analysis.status)
            .outerjoin(Analysis, Analysis.id == Document.current_analysis_id)
            .where(Document.sha256.in_(chunk)))
        for sha256, status, error_code, analysis_status in rows:
            if status == "done" and analysis_status == "done":
                finished[sha256] = "done"
            elif status == "failed" and not retry_failed and error_code not in RETRYABLE:
                finished[sha256] = "failed"
    return finished


def store_outcome(session: Session, outcome: Outcome, data: bytes, *, files_dir: Path,
                  parent_texts: dict[str, str]) -> str:
    """Keep one document's result; returns its document id."""
    document, _ = repo.store_document(session, data, outcome.name.rsplit("/", 1)[-1], files_dir=files_dir,
                                      uploaded_by=BULK_USER, extraction=outcome.extraction,
                                      fmt=outcome.format, pages=outcome.pages)
    if outcome.status != "done":
        repo.set_document_failed(document, outcome.error_code or "internal_error", outcome.error_message or "")
        return document.id
    repo.store_analysis(session, document.id, outcome.report, requested_by=BULK_USER,
                        parent_texts={p["doc_id"]: parent_texts.get(p["doc_id"], "") for p in outcome.parents},
                        parents=outcome.parents, unresolved=outcome.unresolved)
    return document.id


def documents_by_hash(session: Session, hashes: Iterable[str]) -> dict[str, Document]:
    found: dict[str, Document] = {}
    for chunk in _chunks(sorted(set(hashes))):
        for document in session.scalars(select(Document).where(Document.sha256.in_(chunk))):
            found[document.sha256] = document
    return found


def current_analyses(session: Session, analysis_ids: Iterable[str]) -> dict[str, Analysis]:
    found: dict[str, Analysis] = {}
    for chunk in _chunks([a for a in set(analysis_ids) if a]):
        for analysis in session.scalars(select(Analysis).where(Analysis.id.in_(chunk))):
            found[analysis.id] = analysis
    return found
