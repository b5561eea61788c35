"""End-to-end entry points: file -> Extraction. Used by the CLI, the API and bulk runs."""
from __future__ import annotations

import hashlib
from pathlib import Path

from nlp.schema import Extraction, IngestedDocument, StructuredDocument


def doc_id_for(source: str) -> str:
    """The document id is the file stem (the gold files use the same convention)."""
    return Path(source).stem


def structure_bytes(data: bytes, source: str, *, sandboxed: bool = True, progress=None) -> StructuredDocument:
    """``progress``: called with the reader's progress events (OCR page by page)."""
    from nlp.limits import check_text_length
    from nlp.structure import build_structure

    ingested = ingest(data, source, sandboxed=sandboxed, progress=progress)
    check_text_length(ingested.text)   # before structure and extraction spend time on it
    return build_structure(ingested)


def ingest(data: bytes, source: str, *, sandboxed: bool = True, progress=None) -> IngestedDocument:
    if sandboxed:
        from nlp.ingest.sandbox import ingest_sandboxed

        return ingest_sandboxed(data, source, progress=progress)
    from nlp.ingest import ingest_bytes

    return ingest_bytes(data, source, progress=progress)


def extract_structured(doc: StructuredDocument) -> Extraction:
    from nlp.extract import extract_document

    return extract_document(doc)


def extract_bytes(data: bytes, source: str, *, sandboxed: bool = True) -> Extraction:
    """Bytes of a PDF/DOCX/MD/TXT file -> Extraction (raises nlp.errors.IngestError on bad input)."""
    return extract_structured(structure_bytes(data, source, sandboxed=sandboxed))


def extract_file(path: str | Path, *, sandboxed: bool = True) -> Extraction:
    path = Path(path)
    return extract_bytes(read_input_file(path), path.name, sandboxed=sandboxed)


def read_input_file(path: str | Path) -> bytes:
    """The bytes of a file to analyse, refused before anything is read when its metadata says it is not
    a regular file (a FIFO would block the reader forever, a device never ends) or is over the size limit
    (a sparse 6 GB file would be read whole first)."""
    import os
    import stat

    from nlp.errors import IngestError
    from nlp.ingest import MAX_BYTES

    path = Path(path)
    # O_NONBLOCK: opening a FIFO with no writer must not wait; the descriptor's own metadata is then
    # checked, so a file swapped for a FIFO after a stat() is refused too
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise IngestError(f"«{path.name}» không phải một tệp thông thường (thư mục, FIFO hay thiết bị); "
                              "không đọc.", "not_regular_file")
        if info.st_size > MAX_BYTES:
            raise IngestError(f"Tệp «{path.name}» quá lớn ({info.st_size / 1048576:.1f} MB > "
                              f"{MAX_BYTES // 1048576} MB); không đọc.", "too_large")
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:   # it grew while being read
        raise IngestError(f"Tệp «{path.name}» quá lớn (hơn {MAX_BYTES // 1048576} MB); không đọc.", "too_large")
    return data


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
