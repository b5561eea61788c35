"""Document versions: a corrected re-upload is a new version of the stored document, not a stranger.

A document extracted after another is its new version when both carry the same identity (number,
issuer and date of issue, normalised) or, without one, when their texts are near-identical (the share
of distinct normalised lines they have in common). Reviews are keyed by (document, fingerprint) and
a fingerprint hashes the flag's normalised evidence (nlp/compare/ids.py), so a finding whose evidence
is unchanged in the new version has the same fingerprint: its decision is copied over, marked with the
version it came from."""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.storage.models import Document, FlagRow, Review, utcnow

NEAR_IDENTICAL = 0.9         # share of distinct lines in common above which two texts are one document
SIZE_RATIO = 0.75            # texts whose lengths differ more than this are never compared line by line
MAX_TEXT_CANDIDATES = 200    # the most recent documents compared by text (identity needs no limit)


def _norm(value: Optional[str]) -> str:
    text = unicodedata.normalize("NFC", value or "").lower()
    return re.sub(r"[^\w/]+", "", text)


def identity(extraction: Optional[dict[str, Any]]) -> Optional[tuple[str, str, str]]:
    """(number, issuer, date) when the document states a number and at least one of the others."""
    info = (extraction or {}).get("document") or {}
    number, issuer, issued = _norm(info.get("number")), _norm(info.get("issuer")), _norm(info.get("issued"))
    if not number or not (issuer or issued):
        return None
    return number, issuer, issued


def _lines(text: str) -> set[str]:
    return {line for line in (_norm(raw) for raw in text.splitlines()) if line}


def text_similarity(a: str, b: str) -> float:
    lines_a, lines_b = _lines(a), _lines(b)
    if not lines_a or not lines_b:
        return 0.0
    return len(lines_a & lines_b) / len(lines_a | lines_b)


def find_previous_version(session: Session, document: Document) -> Optional[Document]:
    """The latest extracted document this one is a new version of, if any."""
    others = select(Document).where(Document.id != document.id, Document.status == "done",
                                    Document.created_at <= document.created_at) \
        .order_by(Document.created_at.desc(), Document.id)
    own = identity(document.extraction)
    if own is not None and document.number:
        for other in session.scalars(others.where(Document.number == document.number)):
            if identity(other.extraction) == own:
                return other
    text = (document.extraction or {}).get("text") or ""
    if not text:
        return None
    # file sizes first (no extraction loaded): a near-identical text comes in a file of a similar size
    similar_size = others.where(Document.size.between(int(document.size * SIZE_RATIO), int(document.size / SIZE_RATIO)))
    for other in session.scalars(similar_size.limit(MAX_TEXT_CANDIDATES)):
        other_text = (other.extraction or {}).get("text") or ""
        shorter, longer = sorted((len(text), len(other_text)))
        if longer and shorter / longer >= SIZE_RATIO and text_similarity(text, other_text) >= NEAR_IDENTICAL:
            return other
    return None


def link_version(session: Session, document: Document) -> Optional[Document]:
    """Record which stored document ``document`` is a new version of (once, after its extraction)."""
    if document.previous_version_id is not None:
        return session.get(Document, document.previous_version_id)
    previous = find_previous_version(session, document)
    if previous is not None:
        document.previous_version_id = previous.id
        document.version = (previous.version or 1) + 1
    return previous


def carry_reviews(session: Session, document: Document, fingerprints: set[str]) -> int:
    """Copy the previous version's decisions onto this version's findings with the same evidence
    (fingerprint), where this version has no decision of its own. Returns how many were copied."""
    if not document.previous_version_id or not fingerprints:
        return 0
    earlier = {review.fingerprint: review for review in session.scalars(
        select(Review).where(Review.document_id == document.previous_version_id,
                             Review.fingerprint.in_(sorted(fingerprints))))}
    own = set(session.scalars(select(Review.fingerprint).where(Review.document_id == document.id,
                                                               Review.fingerprint.in_(sorted(earlier)))))
    copied = 0
    for fingerprint, review in earlier.items():
        if fingerprint in own or (review.status == "open" and not review.comment):
            continue
        session.add(Review(document_id=document.id, fingerprint=fingerprint, status=review.status,
                           comment=review.comment, reviewer=review.reviewer,
                           carried_from=document.previous_version_id, updated_at=utcnow()))
        copied += 1
    session.flush()
    return copied


def current_flag_rows(session: Session, document: Optional[Document]) -> list[FlagRow]:
    if document is None or not document.current_analysis_id:
        return []
    return list(session.scalars(select(FlagRow).where(FlagRow.analysis_id == document.current_analysis_id)
                                .order_by(FlagRow.ordinal)))


def changes(session: Session, document: Document) -> dict[str, Any]:
    """What changed since the previous version, by finding (latest analysis of each): ``new`` (only in
    this version), ``resolved`` (only in the previous one), ``carried`` (in both, with the previous
    version's decision copied over), ``kept`` (how many findings both versions share). Each list holds
    (flag row, review) pairs."""
    previous = session.get(Document, document.previous_version_id) if document.previous_version_id else None
    now_rows, before_rows = current_flag_rows(session, document), current_flag_rows(session, previous)
    now_keys, before_keys = {r.fingerprint for r in now_rows}, {r.fingerprint for r in before_rows}

    def reviews_of(doc: Optional[Document], keys: set[str]) -> dict[str, Review]:
        if doc is None or not keys:
            return {}
        return {review.fingerprint: review for review in session.scalars(
            select(Review).where(Review.document_id == doc.id, Review.fingerprint.in_(sorted(keys))))}

    now_reviews, before_reviews = reviews_of(document, now_keys), reviews_of(previous, before_keys - now_keys)
    return {
        "previous": previous,
        "new": [(r, now_reviews.get(r.fingerprint)) for r in now_rows if r.fingerprint not in before_keys]
        if previous is not None else [],
        "resolved": [(r, before_reviews.get(r.fingerprint)) for r in before_rows if r.fingerprint not in now_keys],
        "carried": [(r, now_reviews[r.fingerprint]) for r in now_rows
                    if previous is not None and r.fingerprint in now_reviews
                    and now_reviews[r.fingerprint].carried_from == previous.id],
        "kept": len(now_keys & before_keys),
    }
