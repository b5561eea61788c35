"""run_bulk: analyse every document of a corpus, resumably, and summarise the run.

The driver (this process) hashes each input, skips what the database already holds, hands the rest
to a backend (local pool or Dask) with a bounded number in flight, stores each result as it comes
back (one writer, so SQLite is fine), keeps ``status.json`` up to date for whoever watches (the API,
a tail -f) and finally writes documents/flags tables and overview.html from the database."""
from __future__ import annotations

import json
import shutil
import sys
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Optional

from nlp.errors import PlangapError
from nlp.pipeline import content_hash, read_input_file
from service.bulk.executors import Job, make_backend
from service.bulk.inputs import Corpus, discover
from service.bulk.job import AnalyseOptions, Outcome
from service.bulk.overview import write_overview
from service.bulk.reading import describe, read_reading
from service.bulk.store import finished_hashes, store_outcome
from service.bulk.summary import Entry, build_tables, write_tables
from service.config import Settings, get_settings
from service.storage.db import session_scope, upgrade

STATUS_FILE = "status.json"
READING_DIR = ".reading"       # local workers say there how far their current reading is (OCR pages)
STATUS_INTERVAL_S = 0.5


@dataclass
class BulkOptions:
    workers: int = 2                   # local worker processes (0: in this process)
    scheduler: Any = None              # Dask scheduler address ("tcp://host:8786"), Client or cluster
    retry_failed: bool = False         # also redo documents that failed because of the file itself
    progress: bool = True              # a tqdm bar on stderr
    window: Optional[int] = None       # documents in flight (default 2 x workers + 2)
    analyse: AnalyseOptions = field(default_factory=AnalyseOptions)


@dataclass
class Progress:
    """What status.json says; the API's GET /bulk/{id} returns it."""

    status: str = "running"            # running | done | failed
    source: str = ""
    total: int = 0                     # input files
    to_process: int = 0                # distinct new contents this run computes
    processed: int = 0
    done: int = 0
    failed: int = 0
    skipped: int = 0                   # already in the database (by content hash)
    duplicates: int = 0                # same content as another input of this run
    ignored: int = 0                   # files that are not documents (by suffix)
    started_at: str = ""
    updated_at: str = ""
    finished_at: Optional[str] = None
    elapsed_s: float = 0.0
    rate_per_hour: Optional[float] = None
    eta_s: Optional[float] = None
    error: Optional[str] = None        # why the run itself stopped
    outputs: dict[str, str] = field(default_factory=dict)
    reading: list[dict] = field(default_factory=list)   # being read now: [{"name", "stage": "ocr", "done", "total"}]


@dataclass
class BulkResult:
    out_dir: Path
    progress: Progress
    outputs: dict[str, Path]
    outcomes: list[dict] = field(default_factory=list)   # per computed document: name, status, seconds, worker, rss


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class StatusWriter:
    """Keeps status.json current (atomically replaced, at most every STATUS_INTERVAL_S)."""

    def __init__(self, out_dir: Path, progress: Progress, on_progress: Optional[Callable[[Progress], None]],
                 reading_dir: Optional[Path] = None):
        self.path = out_dir / STATUS_FILE
        self.progress = progress
        self.on_progress = on_progress
        self.reading_dir = reading_dir
        self.started = time.monotonic()
        self._last = 0.0
        self._lock = threading.Lock()   # the driver and the ticker (service.bulk.runner._Ticker) both update

    def update(self, *, force: bool = False) -> None:
        with self._lock:
            self._update(force)

    def _update(self, force: bool) -> None:
        now = time.monotonic()
        if not force and now - self._last < STATUS_INTERVAL_S:
            return
        self._last = now
        p = self.progress
        p.reading = read_reading(self.reading_dir) if self.reading_dir is not None and p.status == "running" else []
        p.updated_at = _now()
        p.elapsed_s = round(now - self.started, 2)
        if p.processed and p.elapsed_s > 0:
            rate = p.processed / p.elapsed_s
            p.rate_per_hour = round(rate * 3600, 1)
            p.eta_s = round((p.to_process - p.processed) / rate, 1)
        write_status(self.path, p)
        if self.on_progress is not None:
            self.on_progress(p)


def write_status(path: Path, progress: Progress) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(asdict(progress), ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)


def read_status(out_dir: Path) -> Optional[dict]:
    try:
        return json.loads((Path(out_dir) / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _hash_file(path: Path) -> str:
    return content_hash(read_input_file(path))


def _parent_texts() -> dict[str, str]:
    from service.worker import _bundled_parents

    return {parent.doc_id: parent.text or "" for parent in _bundled_parents()}


def _plan(corpus: Corpus, database_url: str, retry_failed: bool, progress: Progress) -> tuple[list[Entry], list[Job]]:
    """Hash every input; decide what is skipped, what duplicates another input and what to compute."""
    entries: list[Entry] = []
    for file in corpus.files:
        try:
            entries.append(Entry(file, sha256=_hash_file(file.path)))
        except PlangapError as exc:   # not a regular file, or over the size limit: refused unread
            entries.append(Entry(file, this_run="unreadable", error_code=exc.code, error_message=exc.message))
        except OSError as exc:
            entries.append(Entry(file, this_run="unreadable", error_code="not_found" if isinstance(exc, FileNotFoundError)
                                 else "unreadable", error_message=f"Không đọc được tệp {file.name}: {exc.strerror or exc}"))
    with session_scope(database_url) as session:
        finished = finished_hashes(session, [e.sha256 for e in entries if e.sha256], retry_failed=retry_failed)
    jobs: list[Job] = []
    first_of: dict[str, Entry] = {}
    for entry in entries:
        if entry.sha256 is None:
            continue
        if entry.sha256 in finished:
            entry.this_run = "skipped"
        elif entry.sha256 in first_of:
            entry.this_run = "duplicate"
        else:
            first_of[entry.sha256] = entry
            jobs.append(Job(key=entry.sha256, name=entry.file.name, load=partial(read_input_file, entry.file.path)))
    progress.total = len(entries)
    progress.ignored = len(corpus.ignored)
    progress.to_process = len(jobs)
    progress.skipped = sum(e.this_run == "skipped" for e in entries)
    progress.duplicates = sum(e.this_run == "duplicate" for e in entries)
    progress.failed = sum(e.this_run == "unreadable" for e in entries)
    return entries, jobs


def _outcome_of(job: Job, result: "Outcome | BaseException") -> Outcome:
    if isinstance(result, Outcome):
        return result
    from service.worker import message

    if isinstance(result, PlangapError):
        return Outcome(name=job.name, sha256=job.key, status="failed", error_code=result.code,
                       error_message=result.message, seconds={"total": 0.0})
    if isinstance(result, OSError):
        return Outcome(name=job.name, sha256=job.key, status="failed", error_code="unreadable",
                       error_message=f"Không đọc được tệp {job.name}: {result.strerror or result}", seconds={"total": 0.0})
    from concurrent.futures.process import BrokenProcessPool

    crashed = isinstance(result, BrokenProcessPool) or type(result).__name__ == "KilledWorker"
    code = "worker_crashed" if crashed else "internal_error"
    text = message(code)
    return Outcome(name=job.name, sha256=job.key, status="failed", error_code=code, error_message=text,
                   seconds={"total": 0.0})


def run_bulk(source: str | Path | Corpus, out_dir: str | Path, *, settings: Optional[Settings] = None,
             options: Optional[BulkOptions] = None,
             on_progress: Optional[Callable[[Progress], None]] = None) -> BulkResult:
    """Analyse a corpus (folder, manifest or Corpus) into the database and ``out_dir``."""
    settings = settings or get_settings()
    options = options or BulkOptions()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    corpus = source if isinstance(source, Corpus) else discover(source)
    progress = Progress(source=str(source if not isinstance(source, Corpus) else corpus.root), started_at=_now())
    reading_dir = None
    if options.scheduler is None:   # pool processes on this machine share the folder
        reading_dir = out_dir / READING_DIR
        reading_dir.mkdir(exist_ok=True)
        options = replace(options, analyse=replace(options.analyse, reading_dir=str(reading_dir)))
    status = StatusWriter(out_dir, progress, on_progress, reading_dir)
    database_url = settings.resolved_database_url
    try:
        settings.ensure_dirs()
        upgrade(database_url)
        entries, jobs = _plan(corpus, database_url, options.retry_failed, progress)
        status.update(force=True)
        by_key = {e.sha256: e for e in entries if e.this_run == "processed"}
        outcomes = _compute(jobs, by_key, settings, options, status) if jobs else []
        with session_scope(database_url) as session:
            tables = build_tables(session, entries)
        outputs = write_tables(tables, out_dir)
        progress.done = int((tables.documents["status"] == "done").sum()) if not tables.documents.empty else 0
        progress.failed = int((tables.documents["status"] == "failed").sum()) if not tables.documents.empty else 0
        outputs["overview"] = write_overview(tables, _counts(progress), out_dir, source=progress.source)
        progress.outputs = {name: path.name for name, path in outputs.items()}
        progress.status = "done"
    except BaseException as exc:
        progress.status = "failed"
        from service.worker import message

        progress.error = exc.message if isinstance(exc, PlangapError) else message("internal_error")
        raise
    finally:
        progress.finished_at = _now()
        status.update(force=True)
        if reading_dir is not None:
            shutil.rmtree(reading_dir, ignore_errors=True)
    return BulkResult(out_dir=out_dir, progress=progress, outputs=outputs, outcomes=outcomes)


def _counts(progress: Progress) -> dict[str, int]:
    return {"total": progress.total, "done": progress.done, "failed": progress.failed, "processed": progress.processed,
            "skipped": progress.skipped + progress.duplicates, "ignored": progress.ignored}


def _compute(jobs: list[Job], by_key: dict[str, Entry], settings: Settings, options: BulkOptions,
             status: StatusWriter) -> list[dict]:
    from tqdm import tqdm

    progress = status.progress
    parent_texts = _parent_texts()
    backend = make_backend(options.workers, options.scheduler, window=options.window)
    bar = tqdm(total=len(jobs), unit="văn bản", desc="Phân tích", file=sys.stderr, dynamic_ncols=True,
               disable=not options.progress, smoothing=0.1)
    outcomes: list[dict] = []
    ticker = _Ticker(status, bar)
    try:
        for job, result in backend.run(jobs, options.analyse):
            outcome = _outcome_of(job, result)
            entry = by_key[job.key]
            entry.seconds = outcome.seconds
            if job.data is None:   # vanished since it was hashed: nothing to keep in the database
                entry.this_run, entry.error_code, entry.error_message = "unreadable", outcome.error_code, outcome.error_message
            else:
                with session_scope(settings.resolved_database_url) as session:
                    store_outcome(session, outcome, job.data, files_dir=settings.files_dir, parent_texts=parent_texts)
                job.data = None
            progress.processed += 1
            progress.done += outcome.status == "done"
            progress.failed += outcome.status != "done"
            outcomes.append({"name": outcome.name, "status": outcome.status, "error_code": outcome.error_code,
                             "format": outcome.format, "pages": outcome.pages, "seconds": outcome.seconds,
                             "worker": outcome.worker, "peak_rss_mb": outcome.peak_rss_mb})
            bar.update(1)
            status.update()
    finally:
        ticker.stop()
        bar.close()
        backend.close()
    return outcomes


class _Ticker(threading.Thread):
    """Between finished documents (a scan's OCR takes minutes): status.json and the bar stay current,
    with what the workers are reading now."""

    def __init__(self, status: StatusWriter, bar):
        super().__init__(name="plangap-bulk-status", daemon=True)
        self.status, self.bar = status, bar
        self._stopped = threading.Event()
        self.start()

    def run(self) -> None:
        while not self._stopped.wait(STATUS_INTERVAL_S):
            self.status.update()
            reading = describe(self.status.progress.reading)
            failed = self.status.progress.failed
            self.bar.set_postfix_str(" · ".join(filter(None, [f"lỗi {failed}", reading])))

    def stop(self) -> None:
        self._stopped.set()
        self.join()
