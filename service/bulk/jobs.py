"""Bulk runs as admin jobs of the API server: one at a time, in a background thread of the server
process (which starts its own worker pool), over a folder the server may read or an uploaded zip.

Each run lives in ``<data dir>/bulk/<id>/``: ``job.json`` (what was asked), ``input/`` (an unpacked
zip) and ``out/`` (status.json, the tables, overview.html). Progress is status.json, so it survives
a restart of the server; a run that was going when the server stopped reads ``interrupted`` and is
resumed (by content hash) by starting it again.

Configuration (environment): PLANGAP_BULK_ROOTS (folders a run may read, separated by ':'; the data
dir's ``corpora/`` always), PLANGAP_BULK_MAX_ZIP_MB (largest zip upload, default 200),
PLANGAP_BULK_MAX_UNZIPPED_MB (default 1024)."""
from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from service.bulk.archive import ZipLimits, extract_zip
from service.bulk.inputs import BulkInputError
from service.bulk.job import AnalyseOptions
from service.bulk.runner import BulkOptions, Progress, read_status, run_bulk, write_status
from service.config import Settings

log = logging.getLogger("plangap.bulk")

OUTPUT_NAMES = {"documents.csv", "documents.parquet", "flags.csv", "flags.parquet", "overview.html", "results.xlsx"}
JOB_ID_LENGTH = 16


class BulkBusy(Exception):
    """A bulk run is already going."""


@dataclass(frozen=True)
class BulkConfig:
    roots: tuple[Path, ...]
    max_zip_bytes: int
    zip_limits: ZipLimits

    @classmethod
    def from_env(cls, settings: Settings) -> "BulkConfig":
        roots = [settings.data_dir / "corpora"]
        roots += [Path(p) for p in os.environ.get("PLANGAP_BULK_ROOTS", "").split(os.pathsep) if p.strip()]
        max_zip = float(os.environ.get("PLANGAP_BULK_MAX_ZIP_MB", "200"))
        unzipped = float(os.environ.get("PLANGAP_BULK_MAX_UNZIPPED_MB", "1024"))
        return cls(roots=tuple(r.resolve() for r in roots), max_zip_bytes=int(max_zip * 1024 * 1024),
                   zip_limits=ZipLimits(max_file_bytes=settings.max_upload_bytes,
                                        max_total_bytes=int(unzipped * 1024 * 1024)))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class BulkJobs:
    def __init__(self, settings: Settings, config: Optional[BulkConfig] = None):
        self.settings = settings
        self.config = config or BulkConfig.from_env(settings)
        self.root = settings.data_dir / "bulk"
        self._lock = threading.Lock()
        self._threads: dict[str, threading.Thread] = {}

    # ---- where things are

    def job_dir(self, job_id: str) -> Optional[Path]:
        if len(job_id) != JOB_ID_LENGTH or not all(c in "0123456789abcdef" for c in job_id):
            return None
        path = self.root / job_id
        return path if path.is_dir() else None

    def output_path(self, job_id: str, name: str) -> Optional[Path]:
        job_dir = self.job_dir(job_id)
        if job_dir is None or name not in OUTPUT_NAMES:
            return None
        path = job_dir / "out" / name
        return path if path.is_file() else None

    def allowed_folder(self, folder: str) -> Path:
        """The folder to analyse, if it lies inside one of the allowed roots."""
        path = Path(folder).expanduser().resolve()
        if not any(path == root or path.is_relative_to(root) for root in self.config.roots):
            roots = ", ".join(r.name for r in self.config.roots)   # names only: no server paths in answers
            raise BulkInputError(f"Thư mục {folder} nằm ngoài các thư mục được phép ({roots}; đặt PLANGAP_BULK_ROOTS)",
                                 "forbidden_path")
        if not path.exists():
            raise BulkInputError(f"Không tìm thấy thư mục hoặc tệp: {folder}", "not_found")
        return path

    def display_folder(self, path: Path) -> str:
        """How a folder is shown to API clients: relative to the allowed root it lies in, never the
        server's absolute path."""
        for root in self.config.roots:
            if path == root or path.is_relative_to(root):
                return str(Path(root.name) / path.relative_to(root))
        return path.name

    # ---- starting

    def _busy(self) -> bool:
        return any(thread.is_alive() for thread in self._threads.values())

    def _new_job(self, kind: str, source: str, requested_by: str) -> tuple[str, Path]:
        job_id = uuid.uuid4().hex[:JOB_ID_LENGTH]
        job_dir = self.root / job_id
        (job_dir / "out").mkdir(parents=True)
        (job_dir / "job.json").write_text(json.dumps({"id": job_id, "kind": kind, "source": source,
                                                      "requested_by": requested_by, "created_at": _now()},
                                                     ensure_ascii=False), encoding="utf-8")
        write_status(job_dir / "out" / "status.json", Progress(status="queued", source=source, started_at=_now()))
        return job_id, job_dir

    def start_folder(self, folder: str, requested_by: str) -> str:
        path = self.allowed_folder(folder)
        with self._lock:
            if self._busy():
                raise BulkBusy()
            job_id, job_dir = self._new_job("folder", self.display_folder(path), requested_by)
            self._launch(job_id, path, job_dir)
        return job_id

    def start_zip(self, upload: Path, filename: str, requested_by: str) -> str:
        """``upload``: the zip, already on disk (it is moved into the job's folder)."""
        with self._lock:
            if self._busy():
                raise BulkBusy()
            job_id, job_dir = self._new_job("zip", filename, requested_by)
            try:
                extract_zip(upload, job_dir / "input", self.config.zip_limits)
            except BaseException:
                shutil.rmtree(job_dir, ignore_errors=True)
                raise
            self._launch(job_id, job_dir / "input", job_dir)
        return job_id

    def _launch(self, job_id: str, source: Path, job_dir: Path) -> None:
        thread = threading.Thread(target=self._run, args=(source, job_dir), name=f"plangap-bulk-{job_id}", daemon=True)
        self._threads[job_id] = thread
        thread.start()

    def _run(self, source: Path, job_dir: Path) -> None:
        settings = self.settings
        options = BulkOptions(workers=max(1, settings.workers), progress=False,
                              analyse=AnalyseOptions(max_pages=settings.max_pages, timeout_s=settings.job_timeout_s))
        try:
            run_bulk(source, job_dir / "out", settings=settings, options=options)
        except Exception:  # noqa: BLE001 - status.json already says failed, with the reason
            log.exception("bulk run %s failed", job_dir.name)

    # ---- reading

    def status(self, job_id: str) -> Optional[dict]:
        job_dir = self.job_dir(job_id)
        if job_dir is None:
            return None
        job = json.loads((job_dir / "job.json").read_text(encoding="utf-8"))
        status = read_status(job_dir / "out") or {"status": "queued"}
        thread = self._threads.get(job_id)
        if status.get("status") in ("queued", "running") and (thread is None or not thread.is_alive()):
            status["status"] = "interrupted"   # the server stopped while it ran
        # the job's own description of its source (a zip's name, a folder relative to its root), not the
        # run's working path on this server
        return {**job, **status, "id": job_id, "source": job.get("source", "")}

    def list(self) -> list[dict]:
        if not self.root.is_dir():
            return []
        found = [self.status(p.name) for p in self.root.iterdir() if p.is_dir()]
        return sorted((s for s in found if s), key=lambda s: s.get("created_at", ""), reverse=True)

    def wait(self, job_id: str, timeout: Optional[float] = None) -> None:
        thread = self._threads.get(job_id)
        if thread is not None:
            thread.join(timeout)
