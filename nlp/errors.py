"""Errors a user can act on. Every stage raises these with a code and a plain message."""
from __future__ import annotations


class PlangapError(Exception):
    code = "error"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def to_dict(self) -> dict:
        return {"error": self.code, "message": self.message}


class IngestError(PlangapError):
    """A file that cannot be read as a plan document.

    Codes: empty, unsupported_type, corrupt, encrypted, image_only, too_large, bomb,
    timeout, out_of_memory, crash, not_found, not_vietnamese; OCR of scanned pages: ocr_too_many_pages,
    ocr_timeout, ocr_unavailable, ocr_failed.
    """

    code = "ingest_error"
