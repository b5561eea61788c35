"""User-facing (Vietnamese) messages for the errors a command can meet while reading a file."""
from __future__ import annotations

from nlp.errors import PlangapError


def describe_error(exc: Exception) -> tuple[str, str]:
    """(code, Vietnamese message) for an ingest error, an OS error or an unexpected failure."""
    if isinstance(exc, PlangapError):
        return exc.code, exc.message
    if isinstance(exc, FileNotFoundError):
        return "not_found", f"Không tìm thấy tệp: {exc.filename}"
    if isinstance(exc, IsADirectoryError):
        return "io_error", f"Đây là thư mục, không phải tệp: {exc.filename}"
    if isinstance(exc, PermissionError):
        return "io_error", f"Không có quyền đọc tệp: {exc.filename}"
    if isinstance(exc, OSError):
        return "io_error", f"Không đọc được tệp: {exc.strerror or 'lỗi vào/ra'}"
    # a defect of ours, not of the file: no library internals in the message (the type name is enough to report it)
    return "internal_error", f"Lỗi nội bộ khi xử lý tệp ({type(exc).__name__}); các tệp khác vẫn được xử lý"
