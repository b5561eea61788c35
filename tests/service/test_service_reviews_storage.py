"""Decisions in storage, on SQLite and PostgreSQL: the version check holds when two reviewers decide
one flag from two sessions, and the history only grows."""
from __future__ import annotations

import pytest

from nlp.schema import ComparisonReport, DocumentInfo, Evidence, Extraction, Flag, Span
from service.storage import repository as repo
from service.storage import reviews
from service.storage.db import session_scope, upgrade
from service.storage.models import FlagRow
from service_testlib import corpus_plan

TEXT = corpus_plan(1).read_text(encoding="utf-8")


@pytest.fixture
def stored_flag(database_url, tmp_path):
    upgrade(database_url)
    extraction = Extraction(doc_id="plan", text=TEXT, document=DocumentInfo(number="5/KH-UBND"))
    flag = Flag(id="fp-1", type="no_deadline", severity="low", message="Nhiệm vụ chưa có thời hạn",
                child=Evidence(doc="plan", span=Span(start=10, end=60), text=TEXT[10:60]))
    with session_scope(database_url) as session:
        document, _ = repo.store_document(session, TEXT.encode(), "plan.txt", files_dir=tmp_path, extraction=extraction)
        repo.store_analysis(session, document.id, ComparisonReport(child="plan", parents=[], coverage={}, flags=[flag]))
        return database_url, document.id


def _row(session, document_id):
    return session.query(FlagRow).filter_by(document_id=document_id, fingerprint="fp-1").one()


def test_racing_decisions_on_one_version_let_only_one_through(stored_flag):
    url, document_id = stored_flag
    with session_scope(url) as first, session_scope(url) as second:
        row_a, row_b = _row(first, document_id), _row(second, document_id)
        reviews.record_decision(first, row_a, reviewer="lan", status="accepted", expected_version=0)
        first.commit()
        with pytest.raises(reviews.StaleDecision) as raised:
            reviews.record_decision(second, row_b, reviewer="minh", status="dismissed", reason="other",
                                    expected_version=0)
        second.rollback()
        assert raised.value.review.reviewer == "lan"
        review = reviews.record_decision(second, row_b, reviewer="minh", status="dismissed", reason="other",
                                         expected_version=1)
        second.commit()
        assert (review.status, review.version, review.reviewer) == ("dismissed", 2, "minh")
    with session_scope(url) as session:
        events = reviews.history(session, document_id, "fp-1")
        assert [(e.reviewer, e.from_status, e.to_status) for e in events] == [
            ("lan", "open", "accepted"), ("minh", "accepted", "dismissed")]


def test_a_stale_write_after_an_update_is_refused_by_the_database(stored_flag):
    """Two open sessions; the second writes with the version it saw before the first committed."""
    url, document_id = stored_flag
    with session_scope(url) as session:
        reviews.record_decision(session, _row(session, document_id), reviewer="lan", status="accepted")
    with session_scope(url) as first, session_scope(url) as second:
        row_a, row_b = _row(first, document_id), _row(second, document_id)
        reviews.record_decision(first, row_a, reviewer="lan", status="dismissed", reason="other", expected_version=1)
        first.commit()
        with pytest.raises(reviews.StaleDecision):
            reviews.record_decision(second, row_b, reviewer="minh", status="open", expected_version=1)
