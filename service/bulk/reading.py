"""What the bulk run's workers are reading right now (OCR of a scan, page by page).

A local pool worker writes its current document's progress to ``<dir>/<pid>.json`` (atomically
replaced, removed when the document is done); the driver reads the folder into ``status.json`` and
its progress bar. Dask workers on other machines have no such folder: they report nothing here."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional

STAGE_WORDS = {"ocr": "OCR"}


class ReadingFile:
    """The progress file of this worker process; a callable for the reader's progress events."""

    def __init__(self, folder: str, name: str):
        self.path = Path(folder) / f"{os.getpid()}.json"
        self.name = name

    def __call__(self, event: dict) -> None:
        state = {"name": self.name, "stage": str(event.get("stage", "")), "done": int(event.get("done") or 0),
                 "total": int(event.get("total") or 0)}
        tmp = self.path.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
            tmp.replace(self.path)
        except OSError:   # progress is a courtesy: the document is read without it
            pass

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def reading_file(folder: Optional[str], name: str) -> Optional[ReadingFile]:
    return ReadingFile(folder, name) if folder else None


def read_reading(folder: Path) -> list[dict]:
    """Every document a worker is reading now, with how far it is."""
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):   # replaced or removed while read
            continue
        if state.get("total"):
            found.append(state)
    return found


def describe(reading: list[dict]) -> str:
    """For the progress bar: 'OCR ke-hoach.pdf 3/12'."""
    return ", ".join(f"{STAGE_WORDS.get(r['stage'], r['stage'])} {r['name']} {r['done']}/{r['total']}"
                     for r in reading)
