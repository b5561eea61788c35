"""Ingest: bytes of a PDF, DOCX, Markdown or text file -> one IngestedDocument.

The format is decided from the content (magic bytes), never from the extension.
"""
from __future__ import annotations

from pathlib import Path

from nlp.errors import IngestError
from nlp.schema import IngestedDocument

MAX_BYTES = 50 * 1024 * 1024


def ingest_bytes(data: bytes, source: str = "document", *, progress=None, ocr_timeout_s=None,
                 ocr_max_pages=None) -> IngestedDocument:
    """Read a document in-process. Untrusted input should go through ``ingest_sandboxed``.
    ``progress`` and the OCR limits apply to PDFs with scanned pages (nlp.ingest.ocr_pdf)."""
    from nlp.ingest.sniff import sniff_format

    if len(data) > MAX_BYTES:
        raise IngestError(f"Tệp quá lớn ({len(data) // 1024 // 1024} MB > {MAX_BYTES // 1024 // 1024} MB)", "too_large")
    fmt = sniff_format(data, source)
    if fmt == "pdf":
        from nlp.ingest.pdf_reader import read_pdf
        return read_pdf(data, source, progress=progress, ocr_timeout_s=ocr_timeout_s, ocr_max_pages=ocr_max_pages)
    if fmt == "docx":
        from nlp.ingest.docx_reader import read_docx
        return read_docx(data, source)
    from nlp.ingest.normalize import check_vietnamese
    from nlp.ingest.text_reader import decode_text, read_text
    from nlp.ingest.web_page import without_site_page

    text = decode_text(data)
    document_only = without_site_page(text)
    if document_only is not text:      # a page saved from a legal-text website: its document only
        data = document_only.encode("utf-8")
    doc = read_text(data, source, fmt)
    check_vietnamese(doc.text)          # English prose is refused with not_vietnamese
    return doc


def ingest_path(path: str | Path) -> IngestedDocument:
    path = Path(path)
    if not path.exists():
        raise IngestError(f"Không tìm thấy tệp: {path}", "not_found")
    if path.stat().st_size > MAX_BYTES:
        raise IngestError(f"Tệp quá lớn: {path.name}", "too_large")
    return ingest_bytes(path.read_bytes(), path.name)
