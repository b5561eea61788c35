"""Extraction and analysis jobs, run off the request path in a pool of worker processes.

The API process only submits ids; a job reads its inputs from storage and writes its result (or its
failure: status ``failed`` with a code and a Vietnamese reason) back, so nothing depends on the API
process staying up: at startup, jobs left ``queued`` or ``running`` by a stopped server run again.
"""
from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator, Optional

from nlp.errors import PlangapError
from nlp.schema import Extraction
from service.storage import repository as repo
from service.storage.db import session_scope
from service.storage.models import Document, utcnow

log = logging.getLogger("plangap.worker")

MESSAGES = {
    "internal_error": "Lỗi nội bộ khi xử lý: {detail}",
    "timeout": "Quá thời gian xử lý cho phép ({seconds:.0f} giây)",
    "too_many_pages": "Tài liệu quá dài: {pages} trang (tối đa {limit} trang)",
    "worker_crashed": "Tiến trình xử lý bị dừng đột ngột (có thể do thiếu bộ nhớ)",
    "document_failed": "Không phân tích được vì tài liệu không đọc được: {detail}",
    "document_missing": "Không tìm thấy tài liệu {document_id}",
    "file_missing": "Không tìm thấy tệp đã lưu của tài liệu",
}


def message(code: str, **values) -> str:
    return MESSAGES[code].format(**values)


class JobTimeout(Exception):
    pass


@dataclass(frozen=True)
class JobConfig:
    """What a job needs to know, passed to worker processes (picklable)."""

    database_url: str
    files_dir: str
    max_pages: int
    job_timeout_s: float
    parse_timeout_s: float = 60
    parse_memory_mb: int = 1024


# ---------------------------------------------------------------- jobs (run inside a worker)


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """SIGALRM-based limit; only possible in a process's main thread (worker processes), a no-op in
    thread mode. Parsing is also limited by the sandboxed ingest itself."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _expire(_signum, _frame):
        raise JobTimeout()

    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _root_cause(exc: BaseException) -> BaseException:
    """A library may wrap our timeout or a MemoryError (SQLAlchemy does): look through the chain."""
    seen = exc
    while seen is not None:
        if isinstance(seen, (JobTimeout, MemoryError, PlangapError)):
            return seen
        seen = seen.__cause__ or seen.__context__
    return exc


def _failure(exc: BaseException, config: JobConfig) -> tuple[str, str]:
    exc = _root_cause(exc)
    if isinstance(exc, PlangapError):
        return exc.code, exc.message
    if isinstance(exc, JobTimeout):
        return "timeout", message("timeout", seconds=config.job_timeout_s)
    if isinstance(exc, MemoryError):
        return "out_of_memory", "Không đủ bộ nhớ để xử lý tài liệu"
    return "internal_error", message("internal_error", detail=type(exc).__name__)


def run_extraction(config: JobConfig, document_id: str) -> str:
    """Read a stored upload into an Extraction. Returns the final status. Parsing runs in the ingest
    sandbox (a child process with a memory cap and a wall-clock limit)."""
    from nlp.ingest.sandbox import ingest_sandboxed
    from nlp.pipeline import extract_structured
    from nlp.structure import build_structure

    with session_scope(config.database_url) as session:
        document = repo.get_document(session, document_id)
        if document is None or document.status not in ("queued", "running"):
            return document.status if document else "missing"
        document.status = "running"
        filename = document.filename
        path = repo.stored_file_path(Path(config.files_dir), document.sha256)
    try:
        with _time_limit(config.job_timeout_s):
            if not path.exists():
                raise PlangapError(message("file_missing"), "file_missing")
            ingested = ingest_sandboxed(path.read_bytes(), filename, timeout_s=config.parse_timeout_s,
                                        memory_mb=config.parse_memory_mb)
            structured = build_structure(ingested)
            if structured.pages and structured.pages > config.max_pages:
                raise PlangapError(message("too_many_pages", pages=structured.pages, limit=config.max_pages),
                                   "too_many_pages")
            extraction = extract_structured(structured)
    except BaseException as exc:  # noqa: BLE001 - every failure is stored, none is lost
        code, reason = _failure(exc, config)
        if code == "internal_error":
            log.exception("extraction of %s failed", document_id)
        with session_scope(config.database_url) as session:
            repo.set_document_failed(repo.get_document(session, document_id), code, reason)
        if not isinstance(exc, Exception):
            raise
        return "failed"
    with session_scope(config.database_url) as session:
        repo.set_document_extraction(repo.get_document(session, document_id), extraction,
                                     fmt=structured.format, pages=structured.pages)
    return "done"


def _number_keys(number: Optional[str]) -> set[str]:
    """Keys under which the compare stage matches a citation to a document number."""
    from nlp.compare.citations import normalise_number, parse_number

    if not number:
        return set()
    parsed = parse_number(number)
    return {normalise_number(number)} | ({"loose:" + parsed.loose_key} if parsed else set())


def _stored_parent_candidates(session, child: Extraction, child_document_id: str) -> dict[str, Extraction]:
    """Stored documents whose number the child cites: only those need loading (resolve_parents decides)."""
    wanted = set().union(*(_number_keys(reference.number) for reference in child.references))
    found = {}
    for document_id, number in repo.done_documents_numbered(session):
        if document_id != child_document_id and _number_keys(number) & wanted:
            extraction = repo.document_extraction(repo.get_document(session, document_id))
            if extraction is not None:
                found[document_id] = extraction
    return found


@lru_cache(maxsize=1)
def _bundled_parents() -> tuple:
    """Read once per worker process."""
    from nlp.compare import load_bundled_parents

    return tuple(load_bundled_parents())


def _requested_parents(session, parent_ids: list[str]) -> list[tuple[Extraction, dict]]:
    """The stored documents a user chose as parents, with how each is described in the analysis."""
    chosen = []
    for parent_id in parent_ids:
        document = repo.get_document(session, parent_id)
        if document is None:
            raise PlangapError(message("document_missing", document_id=parent_id), "document_missing")
        if document.status != "done":
            raise PlangapError(message("document_failed", detail=document.error_message or document.status),
                               "document_failed")
        extraction = repo.document_extraction(document)
        chosen.append((extraction, {"doc_id": extraction.doc_id, "source": "stored", "document_id": parent_id,
                                    "number": extraction.document.number}))
    return chosen


def _resolve(child: Extraction, stored: dict[str, Extraction]) -> tuple[list, list, list[dict]]:
    """Parents cited by ``child`` among the bundled parents and the stored candidates:
    (parents, unresolved references, parent descriptions)."""
    from nlp.compare import resolve_parents

    bundled = [parent.model_copy(deep=True) for parent in _bundled_parents()]
    parents, unresolved = resolve_parents(child, bundled + list(stored.values()))
    stored_by_identity = {id(extraction): document_id for document_id, extraction in stored.items()}
    described = [{"doc_id": parent.doc_id, "source": "stored" if id(parent) in stored_by_identity else "bundled",
                  "document_id": stored_by_identity.get(id(parent)), "number": parent.document.number}
                 for parent in parents]
    return parents, list(unresolved), described


def _jsonable(value):
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else value


def run_analysis(config: JobConfig, analysis_id: str) -> str:
    """Compare a document with its parents and store the report. Returns the final status.
    Inputs are read, then the comparison runs under the job's time limit, then the report is stored."""
    from nlp.compare import compare

    try:
        with session_scope(config.database_url) as session:
            analysis = repo.get_analysis(session, analysis_id)
            if analysis is None or analysis.status in ("done", "failed"):
                return analysis.status if analysis else "missing"
            analysis.status = "running"
            analysis.started_at = utcnow()
            document = repo.get_document(session, analysis.document_id)
            if document is None or document.status != "done":
                raise PlangapError(message("document_failed", detail=(document.error_message if document else "?")),
                                   "document_failed")
            child = repo.document_extraction(document)
            requested = _requested_parents(session, analysis.requested_parent_ids or [])
            stored = {} if requested else _stored_parent_candidates(session, child, analysis.document_id)
        with _time_limit(config.job_timeout_s):
            if requested:
                parents, unresolved, described = [p for p, _ in requested], [], [d for _, d in requested]
            else:
                parents, unresolved, described = _resolve(child, stored)
            report = compare(child, parents, unresolved=unresolved)
        with session_scope(config.database_url) as session:
            repo.store_report(session, repo.get_analysis(session, analysis_id), report, child_text=child.text,
                              parent_texts={parent.doc_id: parent.text or "" for parent in parents},
                              parents=described, unresolved=[_jsonable(reference) for reference in unresolved])
    except BaseException as exc:  # noqa: BLE001 - every failure is stored, none is lost
        code, reason = _failure(exc, config)
        if code == "internal_error":
            log.exception("analysis %s failed", analysis_id)
        with session_scope(config.database_url) as session:
            analysis = repo.get_analysis(session, analysis_id)
            if analysis is not None:
                repo.set_analysis_failed(analysis, code, reason)
        if not isinstance(exc, Exception):
            raise
        return "failed"
    return "done"


# ---------------------------------------------------------------- the pool (in the API process)


class QueueFull(Exception):
    pass


def _worker_init() -> None:
    # the parent handles Ctrl-C and shuts the pool down; workers should not die mid-write on SIGINT
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class JobRunner:
    """Submits jobs to a process pool (threads when ``workers == 0``), bounds the queue and records
    any failure the job itself could not record (a crashed worker process)."""

    def __init__(self, config: JobConfig, *, workers: int, max_queue: int):
        self.config = config
        self.workers = workers
        self.max_queue = max_queue
        self._lock = threading.RLock()
        self._pending: dict[tuple[str, str], Future] = {}
        self._executor: Optional[Executor] = None
        self._closed = False

    # ---- lifecycle

    def _new_executor(self) -> Executor:
        if self.workers == 0:
            # one thread: the NLP models' lazy loading is not thread-safe
            return ThreadPoolExecutor(max_workers=1, thread_name_prefix="plangap-job")
        # spawn: the API process runs threads (uvicorn, SQLAlchemy pools); forking it is unsafe
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_worker_init)

    def start(self) -> None:
        with self._lock:
            self._executor = self._new_executor()
            self._closed = False
        self.recover()

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
            executor, self._executor = self._executor, None
        if executor is not None:
            # worker processes still busy would outlive the server as orphans: end them
            processes = list(getattr(executor, "_processes", {}).values())
            executor.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                if process.is_alive():
                    process.terminate()

    # ---- queue

    @property
    def queue_length(self) -> int:
        with self._lock:
            return len(self._pending)

    def has_room(self) -> bool:
        return self.queue_length < self.max_queue

    def submit_extraction(self, document_id: str, *, force: bool = False) -> None:
        self._submit("extraction", document_id, run_extraction, force=force)

    def submit_analysis(self, analysis_id: str, *, force: bool = False) -> None:
        self._submit("analysis", analysis_id, run_analysis, force=force)

    def _submit(self, kind: str, job_id: str, function: Callable, *, force: bool) -> None:
        with self._lock:
            if self._closed or self._executor is None:
                return
            key = (kind, job_id)
            if key in self._pending:
                return
            if not force and len(self._pending) >= self.max_queue:
                raise QueueFull()
            try:
                future = self._executor.submit(function, self.config, job_id)
            except BrokenProcessPool:
                self._executor = self._new_executor()
                future = self._executor.submit(function, self.config, job_id)
            self._pending[key] = future
        future.add_done_callback(lambda done, key=key: self._finished(key, done))

    def _finished(self, key: tuple[str, str], future: Future) -> None:
        with self._lock:
            self._pending.pop(key, None)
        kind, job_id = key
        if future.cancelled():
            return  # shutting down: the row stays queued/running and is resumed at the next start
        exc = future.exception()
        if exc is not None:
            self._record_crash(kind, job_id, exc)
        if kind == "extraction":
            self.dispatch_analyses()

    def _record_crash(self, kind: str, job_id: str, exc: BaseException) -> None:
        """The job died without recording its end (its worker process was killed)."""
        log.error("%s job %s crashed: %r", kind, job_id, exc)
        code, reason = ("worker_crashed", message("worker_crashed")) if isinstance(exc, BrokenProcessPool) \
            else ("internal_error", message("internal_error", detail=type(exc).__name__))
        if isinstance(exc, BrokenProcessPool):
            with self._lock:
                if not self._closed:
                    self._executor = self._new_executor()
        with session_scope(self.config.database_url) as session:
            row = (repo.get_document(session, job_id) if kind == "extraction" else repo.get_analysis(session, job_id))
            if row is not None and row.status not in ("done", "failed"):
                if kind == "extraction":
                    repo.set_document_failed(row, code, reason)
                else:
                    repo.set_analysis_failed(row, code, reason)

    # ---- scheduling

    def dispatch_analyses(self) -> None:
        """Submit queued analyses whose documents are extracted; fail those whose documents failed."""
        if self._closed:
            return
        with self._lock, session_scope(self.config.database_url) as session:
            for analysis in repo.analyses_with_status(session, ["queued"]):
                if ("analysis", analysis.id) in self._pending:
                    continue
                needed = [analysis.document_id] + list(analysis.requested_parent_ids or [])
                documents = [session.get(Document, document_id) for document_id in needed]
                failed = [d for d in documents if d is None or d.status == "failed"]
                if failed:
                    detail = failed[0].error_message if failed[0] is not None else "?"
                    repo.set_analysis_failed(analysis, "document_failed", message("document_failed", detail=detail))
                elif all(d.status == "done" for d in documents):
                    self.submit_analysis(analysis.id, force=True)

    def recover(self) -> None:
        """Resume what a stopped server left unfinished."""
        with session_scope(self.config.database_url) as session:
            documents = [d.id for d in repo.documents_with_status(session, ["queued", "running"])]
            for analysis in repo.analyses_with_status(session, ["running"]):
                analysis.status = "queued"
        for document_id in documents:
            self.submit_extraction(document_id, force=True)
        self.dispatch_analyses()

