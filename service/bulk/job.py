"""One document of a bulk run, computed where the work runs (a pool process or a Dask worker).

Pure computation: bytes in, an ``Outcome`` out; no database, no shared files, so that a Dask worker
on another machine needs only the code. Every failure becomes an outcome with a code and a
Vietnamese reason; nothing a document does stops the run.
"""
from __future__ import annotations

import gc
import os
import resource
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Optional

from nlp.errors import PlangapError
from nlp.schema import ComparisonReport, Extraction
from service.worker import JobConfig, _bundled_parents, _failure, _time_limit, message

BINARY_FORMATS = {"pdf", "docx"}


@dataclass(frozen=True)
class AnalyseOptions:
    # "binary": only PDF/DOCX parse in a sandboxed child process (their parsers are C-backed and
    # attackable); text is decoded in-process, still under the time limit. "always" / "never".
    sandbox: str = "binary"
    max_pages: int = 300
    timeout_s: float = 600.0
    reading_dir: Optional[str] = None   # local workers: where to say how far their reading is (service.bulk.reading)


@dataclass
class Outcome:
    name: str
    sha256: str
    status: str                                   # "done" | "failed"
    error_code: Optional[str] = None
    error_message: Optional[str] = None
    format: Optional[str] = None
    pages: Optional[int] = None
    extraction: Optional[Extraction] = None
    report: Optional[ComparisonReport] = None
    parents: list[dict] = field(default_factory=list)     # [{"doc_id", "source", "number"}]
    unresolved: list[dict] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)   # ingest, extract, compare, total
    worker: str = ""                              # host:pid, to tell workers apart in the benchmark
    peak_rss_mb: float = 0.0                      # of the worker process, after this document


def peak_rss_mb() -> float:
    """Peak resident set size of this process. On Linux, VmHWM of /proc/self/status: ru_maxrss keeps, across
    the exec of a spawned worker, the size of the parent it was forked from (a worker spawned by a 536 MB
    driver reported 536 MB whatever it did). Elsewhere ru_maxrss (KiB on Linux, bytes on macOS)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# A few lines of plan that take every stage through its lazily loaded models and lexicons.
WARM_UP_PLAN = ("KẾ HOẠCH\nThực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị\n\n"
                "I. NHIỆM VỤ, GIẢI PHÁP\n\n1. Phát triển hạ tầng số, hoàn thành trong năm 2025.\n\n"
                "II. MỤC TIÊU\n\n- Tỷ lệ dịch vụ công trực tuyến toàn trình đạt 80% vào năm 2030.\n").encode()
_warm_lock = threading.Lock()
_warm = False


def warm_up() -> None:
    """Load what every document needs (spaCy pipeline, underthesea models, parent plans) once per
    process, under a lock: their lazy loading is not thread-safe (Dask threads, or several Dask
    workers in one process, would otherwise race on first use)."""
    global _warm
    with _warm_lock:
        if _warm:
            return
        _analyse(WARM_UP_PLAN, "warm-up.md", AnalyseOptions(sandbox="never"))
        freeze_loaded_heap()
        _warm = True


def freeze_loaded_heap() -> None:
    """Move what is loaded now (modules, models, lexicons: ~240k objects) out of the cyclic garbage
    collector's reach. Otherwise every full collection walks them all again: 0.16-0.2 s each, at
    random points of a document's analysis (it doubled one corpus plan's time in the benchmark)."""
    gc.collect()
    gc.freeze()


def _sandboxed(data: bytes, name: str, policy: str) -> bool:
    if policy in ("always", "never"):
        return policy == "always"
    from nlp.errors import IngestError
    from nlp.ingest.sniff import sniff_format

    try:
        return sniff_format(data, name) in BINARY_FORMATS
    except IngestError:
        return True   # the sandbox reports what the file is, with the reader's own message


def analyse_document(name: str, data: bytes, options: AnalyseOptions = AnalyseOptions()) -> Outcome:
    """Read, extract and compare one document with the parents it cites (bundled 57-NQ/TW, 03/NQ-CP)."""
    warm_up()
    return _analyse(data, name, options)


def _analyse(data: bytes, name: str, options: AnalyseOptions) -> Outcome:
    from nlp.compare import compare, resolve_parents
    from nlp.pipeline import content_hash, extract_structured, structure_bytes
    from service.bulk.reading import reading_file

    started = time.perf_counter()
    outcome = Outcome(name=name, sha256=content_hash(data), status="failed", worker=worker_name())
    filename = name.rsplit("/", 1)[-1]
    reading = reading_file(options.reading_dir, name)
    try:
        with _time_limit(options.timeout_s):
            if not data:
                raise PlangapError("Tệp rỗng (0 byte)", "empty")
            structured = structure_bytes(data, filename, sandboxed=_sandboxed(data, filename, options.sandbox),
                                         progress=reading)
            outcome.format, outcome.pages = structured.format, structured.pages
            if structured.pages and structured.pages > options.max_pages:
                raise PlangapError(message("too_many_pages", pages=structured.pages, limit=options.max_pages),
                                   "too_many_pages")
            ingested = time.perf_counter()
            extraction = extract_structured(structured)
            extracted = time.perf_counter()
            bundled = [parent.model_copy(deep=True) for parent in _bundled_parents()]
            parents, unresolved = resolve_parents(extraction, bundled)
            report = compare(extraction, parents, unresolved=unresolved)
            compared = time.perf_counter()
    except BaseException as exc:  # noqa: BLE001 - a document's failure is its outcome, never the run's
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        config = JobConfig(database_url="", files_dir="", max_pages=options.max_pages, job_timeout_s=options.timeout_s)
        outcome.error_code, outcome.error_message = _failure(exc, config)
        if outcome.error_code == "internal_error":   # say which error: the run log is all an operator has
            outcome.error_message = message("internal_error")
    else:
        outcome.status = "done"
        outcome.extraction, outcome.report = extraction, report
        outcome.parents = [{"doc_id": p.doc_id, "source": "bundled", "document_id": None, "number": p.document.number}
                           for p in parents]
        outcome.unresolved = [reference.model_dump(mode="json") for reference in unresolved]
        outcome.seconds = {"ingest": ingested - started, "extract": extracted - ingested, "compare": compared - extracted}
    finally:
        if reading is not None:
            reading.clear()
    outcome.seconds["total"] = time.perf_counter() - started
    outcome.peak_rss_mb = peak_rss_mb()
    return outcome
