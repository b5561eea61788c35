"""End-to-end entry points: file -> Extraction. Used by the CLI, the API and bulk runs."""
from __future__ import annotations

import hashlib
from pathlib import Path

from nlp.schema import Extraction, IngestedDocument, StructuredDocument


def doc_id_for(source: str) -> str:
    """The document id is the file stem (the gold files use the same convention)."""
    return Path(source).stem


def structure_bytes(data: bytes, source: str, *, sandboxed: bool = True) -> StructuredDocument:
    from nlp.structure import build_structure

    return build_structure(ingest(data, source, sandboxed=sandboxed))


def ingest(data: bytes, source: str, *, sandboxed: bool = True) -> IngestedDocument:
    if sandboxed:
        from nlp.ingest.sandbox import ingest_sandboxed

        return ingest_sandboxed(data, source)
    from nlp.ingest import ingest_bytes

    return ingest_bytes(data, source)


def extract_structured(doc: StructuredDocument) -> Extraction:
    from nlp.extract import extract_document

    return extract_document(doc)


def extract_bytes(data: bytes, source: str, *, sandboxed: bool = True) -> Extraction:
    """Bytes of a PDF/DOCX/MD/TXT file -> Extraction (raises nlp.errors.IngestError on bad input)."""
    return extract_structured(structure_bytes(data, source, sandboxed=sandboxed))


def extract_file(path: str | Path, *, sandboxed: bool = True) -> Extraction:
    path = Path(path)
    return extract_bytes(path.read_bytes(), path.name, sandboxed=sandboxed)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
