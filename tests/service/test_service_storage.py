"""Storage on SQLite and PostgreSQL: migrations, dedup by content hash, analyses and their flags,
review decisions keyed by (document, fingerprint), users."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from nlp.schema import ComparisonReport, DocumentInfo, Evidence, Extraction, Flag, Span
from service.storage import repository as repo
from service.storage import users
from service.storage.db import downgrade, get_engine, session_scope, upgrade
from service.storage.models import Base
from service_testlib import corpus_plan

PLAN_TEXT = corpus_plan(0).read_text(encoding="utf-8")


def extraction(doc_id: str = "plan", number: str | None = "12/KH-UBND") -> Extraction:
    return Extraction(doc_id=doc_id, source=f"{doc_id}.txt", text=PLAN_TEXT,
                      document=DocumentInfo(number=number, title="Kế hoạch thực hiện Nghị quyết 57-NQ/TW"))


def flag(fingerprint: str, start: int = 100, end: int = 160, flag_type: str = "missing_task") -> Flag:
    return Flag(id=fingerprint, type=flag_type, severity="high", message="Thiếu nhiệm vụ của văn bản cấp trên",
                child=Evidence(doc="plan", span=Span(start=start, end=end), text=PLAN_TEXT[start:end]),
                parent=Evidence(doc="03-NQ-CP", text="Xây dựng hạ tầng số"), score=0.42)


def report(*flags: Flag) -> ComparisonReport:
    return ComparisonReport(child="plan", parents=["03-NQ-CP"], flags=list(flags),
                            coverage={"task_groups": {"covered": 5, "total": 7, "ratio": 0.714, "groups": {}}})


@pytest.fixture
def db(database_url):
    upgrade(database_url)
    return database_url


def test_migrations_create_every_table_and_match_the_models(db):
    tables = set(inspect(get_engine(db)).get_table_names())
    assert {"users", "documents", "analyses", "flags", "reviews", "alembic_version"} <= tables
    with get_engine(db).connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_migrations_downgrade_and_upgrade_again(db):
    downgrade(db, "base")
    assert "documents" not in inspect(get_engine(db)).get_table_names()
    upgrade(db)
    upgrade(db)   # idempotent: already at head
    assert "documents" in inspect(get_engine(db)).get_table_names()


def test_store_document_deduplicates_by_content_hash(db, tmp_path):
    data = corpus_plan(0).read_bytes()
    with session_scope(db) as session:
        first, created = repo.store_document(session, data, "ke-hoach.txt", files_dir=tmp_path)
        assert created and first.status == "queued"
    with session_scope(db) as session:
        again, created_again = repo.store_document(session, data, "ban-sao.txt", files_dir=tmp_path)
        assert not created_again and again.id == first.id and again.filename == "ke-hoach.txt"
        assert repo.find_document_by_hash(session, first.sha256).id == first.id
        assert repo.read_document_bytes(tmp_path, again) == data
        other, created_other = repo.store_document(session, corpus_plan(1).read_bytes(), "khac.txt", files_dir=tmp_path)
        assert created_other and other.id != first.id


def test_extraction_json_round_trips_vietnamese_text(db, tmp_path):
    with session_scope(db) as session:
        document, _ = repo.store_document(session, b"x" * 10, "a.txt", files_dir=tmp_path, extraction=extraction())
        document_id = document.id
    with session_scope(db) as session:
        stored = repo.get_document(session, document_id)
        assert stored.status == "done" and stored.number == "12/KH-UBND"
        assert repo.document_extraction(stored).text == PLAN_TEXT


def _stored_document(db, tmp_path, data: bytes = b"plan bytes") -> str:
    with session_scope(db) as session:
        document, _ = repo.store_document(session, data, "plan.txt", files_dir=tmp_path, extraction=extraction())
        return document.id


def test_store_analysis_keeps_flags_with_evidence_context(db, tmp_path):
    document_id = _stored_document(db, tmp_path)
    with session_scope(db) as session:
        analysis = repo.store_analysis(session, document_id, report(flag("missing_task-aaa"), flag("no_owner-bbb", flag_type="no_owner")),
                                       parent_texts={"03-NQ-CP": "…"})
        analysis_id = analysis.id
    with session_scope(db) as session:
        rows = repo.list_flags(session, analysis_id=analysis_id)
        assert [row.fingerprint for row, _ in rows] == ["missing_task-aaa", "no_owner-bbb"]
        context = rows[0][0].data["child"]["context"]
        assert context["text"] == PLAN_TEXT[100:160] and PLAN_TEXT[60:100] in context["before"]
        assert repo.get_analysis(session, analysis_id).coverage["task_groups"]["ratio"] == 0.714
        assert repo.get_document(session, document_id).current_analysis_id == analysis_id
        assert repo.flag_counts(session)[document_id]["by_type"] == {"missing_task": 1, "no_owner": 1}


def test_reviews_survive_reanalysis(db, tmp_path):
    document_id = _stored_document(db, tmp_path)
    with session_scope(db) as session:
        repo.store_analysis(session, document_id, report(flag("missing_task-aaa"), flag("missing_task-ccc")))
        repo.set_review(session, document_id, "missing_task-aaa", status="dismissed", comment="Đã có ở mục II.3",
                        reviewer="lan")
    with session_scope(db) as session:   # re-analysis: one flag kept, one gone, one new
        second = repo.store_analysis(session, document_id, report(flag("missing_task-aaa"), flag("missing_task-ddd")))
        second_id = second.id
    with session_scope(db) as session:
        current = {row.fingerprint: review for row, review in repo.list_flags(session, document_id=document_id)}
        assert set(current) == {"missing_task-aaa", "missing_task-ddd"}
        assert current["missing_task-aaa"].status == "dismissed"
        assert current["missing_task-aaa"].comment == "Đã có ở mục II.3" and current["missing_task-aaa"].reviewer == "lan"
        assert current["missing_task-ddd"] is None
        assert [r.fingerprint for r, _ in repo.list_flags(session, document_id=document_id, status="dismissed")] == ["missing_task-aaa"]
        assert [r.fingerprint for r, _ in repo.list_flags(session, document_id=document_id, status="open")] == ["missing_task-ddd"]
        assert all(row.analysis_id == second_id for row, _ in repo.list_flags(session, document_id=document_id))


def test_same_fingerprint_in_two_documents_is_reviewed_separately(db, tmp_path):
    first = _stored_document(db, tmp_path, b"ward one")
    second = _stored_document(db, tmp_path, b"ward two")
    with session_scope(db) as session:
        for document_id in (first, second):
            repo.store_analysis(session, document_id, report(flag("missing_task-shared")))
        repo.set_review(session, first, "missing_task-shared", status="accepted")
    with session_scope(db) as session:
        statuses = {row.document_id: (review.status if review else "open")
                    for row, review in repo.list_flags(session)}
        assert statuses == {first: "accepted", second: "open"}
        assert {row.document_id for row in repo.current_flags(session, "missing_task-shared")} == {first, second}


def test_review_keeps_fields_not_given(db, tmp_path):
    document_id = _stored_document(db, tmp_path)
    with session_scope(db) as session:
        repo.store_analysis(session, document_id, report(flag("missing_task-aaa")))
        repo.set_review(session, document_id, "missing_task-aaa", status="accepted", comment="đúng", reviewer="an")
        review = repo.set_review(session, document_id, "missing_task-aaa", comment="đúng, đã báo cáo")
        assert (review.status, review.comment, review.reviewer) == ("accepted", "đúng, đã báo cáo", "an")


def test_failed_jobs_keep_their_reason(db, tmp_path):
    with session_scope(db) as session:
        document, _ = repo.store_document(session, b"%PDF-1.4 broken", "hong.pdf", files_dir=tmp_path)
        repo.set_document_failed(document, "corrupt", "Tệp PDF bị hỏng")
        document_id = document.id
    with session_scope(db) as session:
        stored = repo.get_document(session, document_id)
        assert (stored.status, stored.error_code, stored.error_message) == ("failed", "corrupt", "Tệp PDF bị hỏng")
        assert stored.sha256 and repo.read_document_bytes(tmp_path, stored) == b"%PDF-1.4 broken"


def test_users_tokens_and_passwords_are_hashed(db):
    with session_scope(db) as session:
        user, token = users.create_user(session, "lan", "reviewer", "mat-khau-dai")
        user_id = user.id
        assert token not in (user.token_hash or "") and "mat-khau-dai" not in (user.password_hash or "")
    with session_scope(db) as session:
        assert users.user_by_token(session, token).id == user_id
        assert users.user_by_token(session, token + "x") is None
        assert users.user_by_token(session, f"{user_id}.nope") is None
        assert users.user_by_token(session, "99999999999999999999999.x") is None
        assert users.user_by_password(session, "lan", "mat-khau-dai").role == "reviewer"
        assert users.user_by_password(session, "lan", "sai") is None
        with pytest.raises(ValueError):
            users.create_user(session, "x", "superuser")


def test_regression_nul_characters_and_long_file_names_store_on_every_database(db, tmp_path):
    """PostgreSQL refuses NUL in text/JSONB and enforces VARCHAR lengths; SQLite does neither."""
    text = "Kế hoạch\x00 số 5" + PLAN_TEXT
    dirty = Extraction(doc_id="plan", text=text, document=DocumentInfo(number="5/KH\x00-UBND", title="Kế\x00 hoạch"))
    with session_scope(db) as session:
        document, _ = repo.store_document(session, b"nul", "a\x00b" + "x" * 400 + ".docx", files_dir=tmp_path,
                                          extraction=dirty)
        nul_flag = flag("missing_task-nul")
        nul_flag.message = "Thiếu\x00 nhiệm vụ"
        analysis = repo.store_analysis(session, document.id, report(nul_flag))
        repo.set_review(session, document.id, "missing_task-nul", comment="ghi\x00chú", reviewer="an\x00")
        document_id, analysis_id = document.id, analysis.id
    with session_scope(db) as session:
        stored = repo.get_document(session, document_id)
        assert len(stored.filename) <= repo.MAX_FILENAME and stored.filename.endswith(".docx")
        assert "\x00" not in stored.filename
        assert stored.extraction["text"] == text.replace("\x00", " ")   # same length: spans stay valid
        assert stored.number == "5/KH -UBND"
        (row, review), = repo.list_flags(session, analysis_id=analysis_id)
        assert row.message == "Thiếu  nhiệm vụ" and review.comment == "ghi chú" and review.reviewer == "an "
