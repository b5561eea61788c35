"""Extraction and analysis jobs, run off the request path in a pool of worker processes.

The API process only submits ids; a job reads its inputs from storage and writes its result (or its
failure: status ``failed`` with a code and a Vietnamese reason) back, so nothing depends on the API
process staying up: at startup, jobs left ``queued`` or ``running`` by a stopped server run again.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator, Optional

from nlp.errors import PlangapError
from nlp.schema import Extraction
from service.processes import HARD_EXIT_AFTER_S, WorkerStopping, forget, init_worker, reap_orphans
from service.storage import repository as repo, versions
from service.storage.db import session_scope
from service.storage.models import Document, utcnow

log = logging.getLogger("plangap.worker")

MESSAGES = {
    "internal_error": "Lỗi nội bộ khi xử lý; lỗi đã được ghi vào nhật ký máy chủ để kiểm tra",
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


TIME_LIMIT_REPEAT_S = 0.05


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

    expired = []

    def _expire(_signum, _frame):
        expired.append(True)
        raise JobTimeout()

    previous = signal.signal(signal.SIGALRM, _expire)
    # the alarm repeats: an exception raised by a signal handler can be lost (raised inside a garbage
    # collector callback or a __del__, it is only printed), so it is raised again until it lands
    signal.setitimer(signal.ITIMER_REAL, seconds, TIME_LIMIT_REPEAT_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if expired:   # the limit passed, but every raise was swallowed: the job still ran over its time
        raise JobTimeout()


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
    return "internal_error", message("internal_error")


PROGRESS_INTERVAL_S = 0.5   # at most two progress writes a second (an OCR page takes seconds)


class DocumentProgress:
    """The sandbox's progress events ({"stage": "ocr", "done", "total", ...}) written to the document
    row, so that the API's status shows how far a long reading is (page 3 of 12)."""

    def __init__(self, config: JobConfig, document_id: str):
        self.config, self.document_id = config, document_id
        self._last: tuple = ()
        self._written_at = 0.0

    def __call__(self, event: dict) -> None:
        state = {"stage": str(event.get("stage", "")), "done": int(event.get("done") or 0),
                 "total": int(event.get("total") or 0)}
        key = tuple(state.values())
        now = time.monotonic()
        finished = state["total"] and state["done"] >= state["total"]
        same_stage = bool(self._last) and key[0] == self._last[0]
        if key == self._last or (same_stage and not finished and now - self._written_at < PROGRESS_INTERVAL_S):
            return
        self._last, self._written_at = key, now
        try:
            with session_scope(self.config.database_url) as session:
                repo.set_document_progress(session, self.document_id, state)
        except Exception:   # noqa: BLE001 - progress is a courtesy: the reading goes on without it
            log.warning("progress of %s not stored", self.document_id, exc_info=True)


def run_extraction(config: JobConfig, document_id: str) -> str:
    """Read a stored upload into an Extraction. Returns the final status. Parsing runs in the ingest
    sandbox (a child process with a memory cap and a wall-clock limit)."""
    from nlp.ingest.sandbox import ingest_sandboxed
    from nlp.limits import check_text_length
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
                                        memory_mb=config.parse_memory_mb,
                                        progress=DocumentProgress(config, document_id))
            check_text_length(ingested.text)
            structured = build_structure(ingested)
            if structured.pages and structured.pages > config.max_pages:
                raise PlangapError(message("too_many_pages", pages=structured.pages, limit=config.max_pages),
                                   "too_many_pages")
            extraction = extract_structured(structured)
    except WorkerStopping:   # the server is stopping: the next start runs this job again
        with session_scope(config.database_url) as session:
            stopped = repo.get_document(session, document_id)
            stopped.status, stopped.progress = "queued", None
        raise
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
        document = repo.get_document(session, document_id)
        repo.set_document_extraction(document, extraction, fmt=structured.format, pages=structured.pages)
        session.flush()
        versions.link_version(session, document)   # a corrected re-upload continues its earlier version
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
    except WorkerStopping:   # the server is stopping: the next start runs this job again
        with session_scope(config.database_url) as session:
            analysis = repo.get_analysis(session, analysis_id)
            if analysis is not None:
                analysis.status = "queued"
        raise
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


JobKey = tuple[str, str]          # (kind, job id)
DISPATCH_INTERVAL_S = 2.0         # the dispatcher also looks for due analyses and probes the database this often


class JobRunner:
    """Submits jobs to a process pool (threads when ``workers == 0``), bounds the queue and records
    any failure the job itself could not record (a crashed worker process).

    Request threads never touch the pool or open a second database session: they reserve a place
    (atomically, so the bound holds under bursts) and hand the job over; one dispatcher thread submits
    it, looks for analyses whose documents are ready, starts (and restarts) the worker processes, so
    that their parent-death signal is tied to a thread that lives as long as the runner."""

    def __init__(self, config: JobConfig, *, workers: int, max_queue: int, run_dir: Optional[Path] = None):
        self.config = config
        self.workers = workers
        self.max_queue = max_queue
        self.run_dir = Path(run_dir) if run_dir else None
        self.database_ok: Optional[bool] = None      # last probe by the dispatcher; /healthz reads it, never waits
        self._lock = threading.RLock()
        self._reserved: set[JobKey] = set()                  # promised to a request, not yet handed over
        self._pending: dict[JobKey, Optional[Future]] = {}   # handed over; None until the dispatcher submits it
        self._inbox: list[tuple[JobKey, Callable]] = []
        self._executor: Optional[Executor] = None
        self._executor_broken = False
        self._analyses_due = False
        self._wake = threading.Event()
        self._dispatcher: Optional[threading.Thread] = None
        self._closed = True

    # ---- lifecycle

    def _new_executor(self) -> Executor:
        if self.workers == 0:
            # one thread: the NLP models' lazy loading is not thread-safe
            return ThreadPoolExecutor(max_workers=1, thread_name_prefix="plangap-job")
        # spawn: the API process runs threads (uvicorn, SQLAlchemy pools); forking it is unsafe
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=init_worker,
                                   initargs=(str(self.run_dir) if self.run_dir else None, os.getpid()))

    def start(self) -> None:
        if self.run_dir is not None:
            reap_orphans(self.run_dir)   # workers of a killed server must not run jobs beside ours
        with self._lock:
            self._closed = False
        self.recover()
        self._dispatcher = threading.Thread(target=self._dispatch_loop, name="plangap-dispatcher", daemon=True)
        self._dispatcher.start()

    def shutdown(self) -> None:
        """Stop taking work, end the worker processes (SIGTERM: a job in flight ends its sandbox and puts
        its row back to queued for the next start), and wait for them briefly."""
        with self._lock:
            self._closed = True
            executor, self._executor = self._executor, None
        self._wake.set()
        if self._dispatcher is not None:
            self._dispatcher.join(timeout=10)
        if executor is not None:
            processes = list((getattr(executor, "_processes", None) or {}).values())
            executor.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                if process.is_alive():
                    process.terminate()
            for process in processes:
                process.join(timeout=HARD_EXIT_AFTER_S + 2)
                if process.is_alive():
                    process.kill()
                    process.join(timeout=2)
                if self.run_dir is not None and process.pid:
                    forget(self.run_dir, process.pid)

    def workers_alive(self) -> Optional[int]:
        """Live worker processes (None in thread mode or before the first job started them)."""
        executor = self._executor
        processes = getattr(executor, "_processes", None) if executor is not None else None
        if processes is None:
            return None
        return sum(1 for process in list(processes.values()) if process.is_alive())

    # ---- queue

    @property
    def queue_length(self) -> int:
        with self._lock:
            return len(self._pending) + len(self._reserved)

    def has_room(self) -> bool:
        return self.queue_length < self.max_queue

    def reserve(self, kind: str, job_id: str) -> None:
        """Take a place in the queue for a job about to be created, or raise QueueFull. Check and
        take are one step, so that concurrent requests cannot all see the last free place."""
        key = (kind, job_id)
        with self._lock:
            if key in self._pending or key in self._reserved:
                return
            if len(self._pending) + len(self._reserved) >= self.max_queue:
                raise QueueFull()
            self._reserved.add(key)

    def release(self, kind: str, job_id: str) -> None:
        """Give back a reservation whose job was not created."""
        with self._lock:
            self._reserved.discard((kind, job_id))

    def submit_extraction(self, document_id: str, *, force: bool = False) -> None:
        self._submit("extraction", document_id, run_extraction, force=force)

    def submit_analysis(self, analysis_id: str, *, force: bool = False) -> None:
        self._submit("analysis", analysis_id, run_analysis, force=force)

    def _submit(self, kind: str, job_id: str, function: Callable, *, force: bool) -> None:
        """Hand a job to the dispatcher. A reserved job always fits; otherwise ``force`` ignores the bound
        (jobs resumed at start, analyses whose place was reserved when they were requested)."""
        key = (kind, job_id)
        with self._lock:
            if self._closed:
                return
            if key in self._pending:
                return
            if key not in self._reserved and not force and len(self._pending) + len(self._reserved) >= self.max_queue:
                raise QueueFull()
            self._reserved.discard(key)
            self._pending[key] = None
            self._inbox.append((key, function))
        self._wake.set()

    def dispatch_analyses(self) -> None:
        """Ask the dispatcher to submit queued analyses whose documents are ready (returns at once)."""
        self._analyses_due = True
        self._wake.set()

    # ---- the dispatcher thread

    def _dispatch_loop(self) -> None:
        while not self._closed:
            self._wake.wait(DISPATCH_INTERVAL_S)
            self._wake.clear()
            if self._closed:
                break
            try:
                self._submit_inbox()
                if self._analyses_due:
                    self._analyses_due = False
                    self._dispatch_analyses_now()
                else:
                    self._probe_database()
            except Exception:  # noqa: BLE001 - the dispatcher must outlive any one failure
                log.exception("job dispatcher")
                self.database_ok = False

    def _submit_inbox(self) -> None:
        """Submit the jobs handed over. Only this thread creates pools and submits (which starts worker
        processes); the lock is not held while it does, so request threads never wait on a spawn."""
        while True:
            with self._lock:
                if self._closed or not self._inbox:
                    return
                key, function = self._inbox.pop(0)
                if self._executor is None or self._executor_broken:
                    self._executor, self._executor_broken = self._new_executor(), False
                executor = self._executor
            try:
                future = executor.submit(function, self.config, key[1])
            except BrokenProcessPool:
                with self._lock:
                    self._executor = executor = self._new_executor()
                future = executor.submit(function, self.config, key[1])
            except RuntimeError:   # the pool was shut down under us: the job is resumed at the next start
                return
            with self._lock:
                self._pending[key] = future
            # after the assignment: a job already finished runs the callback at once and frees its place
            future.add_done_callback(lambda done, key=key: self._finished(key, done))

    def _probe_database(self) -> None:
        from sqlalchemy import text

        try:
            with session_scope(self.config.database_url) as session:
                session.execute(text("select 1"))
            self.database_ok = True
        except Exception:  # noqa: BLE001 - reported by /healthz and /readyz
            self.database_ok = False

    def _dispatch_analyses_now(self) -> None:
        """Submit queued analyses whose documents are extracted; fail those whose documents failed.
        The database is read without holding the lock; submitting takes it briefly."""
        ready, failed = [], []
        with session_scope(self.config.database_url) as session:
            for analysis in repo.analyses_with_status(session, ["queued"]):
                with self._lock:
                    if ("analysis", analysis.id) in self._pending:
                        continue
                needed = [analysis.document_id] + list(analysis.requested_parent_ids or [])
                documents = [session.get(Document, document_id) for document_id in needed]
                broken = [d for d in documents if d is None or d.status == "failed"]
                if broken:
                    detail = broken[0].error_message if broken[0] is not None else "?"
                    repo.set_analysis_failed(analysis, "document_failed", message("document_failed", detail=detail))
                    failed.append(analysis.id)
                elif all(d.status == "done" for d in documents):
                    ready.append(analysis.id)
        self.database_ok = True
        for analysis_id in failed:
            self.release("analysis", analysis_id)
        for analysis_id in ready:
            self.submit_analysis(analysis_id, force=True)
        self._submit_inbox()

    # ---- results

    def _finished(self, key: JobKey, future: Future) -> None:
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
        if self._closed:
            return  # the pool was stopped under it: the row is resumed at the next start
        log.error("%s job %s crashed: %r", kind, job_id, exc)
        code, reason = ("worker_crashed", message("worker_crashed")) if isinstance(exc, BrokenProcessPool) \
            else ("internal_error", message("internal_error"))
        if isinstance(exc, BrokenProcessPool):
            with self._lock:
                self._executor_broken = True   # the dispatcher starts a fresh pool for the next job
        with session_scope(self.config.database_url) as session:
            row = (repo.get_document(session, job_id) if kind == "extraction" else repo.get_analysis(session, job_id))
            if row is not None and row.status not in ("done", "failed"):
                if kind == "extraction":
                    repo.set_document_failed(row, code, reason)
                else:
                    repo.set_analysis_failed(row, code, reason)

    def recover(self) -> None:
        """Resume what a stopped (or killed) server left unfinished."""
        with session_scope(self.config.database_url) as session:
            documents = [d.id for d in repo.documents_with_status(session, ["queued", "running"])]
            for document in repo.documents_with_status(session, ["running"]):
                document.status = "queued"
            for analysis in repo.analyses_with_status(session, ["running"]):
                analysis.status = "queued"
        self.database_ok = True
        for document_id in documents:
            self.submit_extraction(document_id, force=True)
        self.dispatch_analyses()
