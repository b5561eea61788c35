"""Decide a document's format from its bytes, never from its name.

PDF: '%PDF-' within the first KiB (some producers put junk before it).
DOCX: a ZIP holding word/document.xml. Other ZIPs (xlsx, pptx, odt...) and binary formats are
refused with a message naming what the file is. Text: UTF-8 (or UTF-16 with a BOM, or a Windows
code page) that is mostly printable; Markdown when it has Markdown markers.
"""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile

from nlp.errors import IngestError
from nlp.schema import DocFormat

PDF_MAGIC = b"%PDF-"
PDF_JUNK_LIMIT = 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MIN_PRINTABLE_RATIO = 0.95

# (magic prefix, what it is) for binary files people upload by mistake.
_BINARY_SIGNATURES: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "ảnh PNG"),
    (b"\xff\xd8\xff", "ảnh JPEG"),
    (b"GIF87a", "ảnh GIF"),
    (b"GIF89a", "ảnh GIF"),
    (b"II*\x00", "ảnh TIFF"),
    (b"MM\x00*", "ảnh TIFF"),
    (b"BM", "ảnh BMP"),
    (b"RIFF", "tệp đa phương tiện (RIFF/WebP/AVI/WAV)"),
    (b"MZ", "tệp chương trình Windows (.exe/.dll)"),
    (b"\x7fELF", "tệp chương trình Linux (ELF)"),
    (b"\x1f\x8b", "tệp nén GZIP"),
    (b"7z\xbc\xaf\x27\x1c", "tệp nén 7-Zip"),
    (b"Rar!", "tệp nén RAR"),
    (b"{\\rtf", "tệp RTF"),
    (b"\x00\x00\x00", "tệp nhị phân (video/ảnh)"),
    (b"ID3", "tệp âm thanh MP3"),
    (b"%!PS", "tệp PostScript"),
]

# ZIP members that identify other office formats.
_ZIP_KINDS: list[tuple[str, str]] = [
    ("xl/workbook.xml", "bảng tính Excel (.xlsx)"),
    ("ppt/presentation.xml", "bản trình chiếu PowerPoint (.pptx)"),
    ("content.xml", "văn bản OpenDocument (.odt/.ods)"),
    ("[Content_Types].xml", "tệp Office Open XML không có phần văn bản Word"),
]

# OLE2 stream names (UTF-16LE) that identify legacy Office files.
_OLE_KINDS: list[tuple[bytes, str]] = [
    ("WordDocument".encode("utf-16-le"), "văn bản Word 97-2003 (.doc)"),
    ("Workbook".encode("utf-16-le"), "bảng tính Excel 97-2003 (.xls)"),
    ("PowerPoint Document".encode("utf-16-le"), "bản trình chiếu PowerPoint 97-2003 (.ppt)"),
]
_OLE_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")

_HTML = re.compile(r"^\s*(?:<!doctype\s+html|<html[\s>]|<\?xml[^>]*>\s*<html)", re.I)
# Extensions of container formats: a file named like this whose content is plain text was renamed
# or badly downloaded, and reading it as text would analyse the wrong thing.
_BINARY_EXTENSIONS = {"docx": "tài liệu Word", "doc": "tài liệu Word", "pdf": "tệp PDF",
                      "xlsx": "bảng tính Excel", "xls": "bảng tính Excel", "odt": "tài liệu OpenDocument"}

_MARKDOWN_MARKERS = re.compile(r"^#{1,6}\s+\S|^\s*\|?\s*:?-{3,}:?\s*\||\*\*[^*\n]+\*\*|^__[^_\n]+__", re.M)


def unsupported(what: str, source: str) -> IngestError:
    return IngestError(
        f"Không đọc được «{source}»: đây là {what}, không phải văn bản PDF, DOCX hay văn bản thuần. "
        "Hãy tải lên kế hoạch dạng PDF (có lớp văn bản), DOCX, TXT hoặc Markdown.",
        "unsupported_type",
    )


def pdf_offset(data: bytes) -> int:
    """Offset of '%PDF-' when it sits within the first KiB, else -1."""
    return data.find(PDF_MAGIC, 0, PDF_JUNK_LIMIT + len(PDF_MAGIC))


def sniff_format(data: bytes, source: str = "document") -> DocFormat:
    if not data or not data.strip():
        raise IngestError(f"Tệp «{source}» rỗng: không có nội dung để phân tích.", "empty")
    if pdf_offset(data) >= 0:
        return "pdf"
    if data.startswith(ZIP_MAGIC) or data.startswith(b"PK\x05\x06"):
        return _sniff_zip(data, source)
    if data.startswith(OLE_MAGIC):
        _raise_ole(data, source)
    text = decode_text(data, source)
    if text is None:
        for magic, what in _BINARY_SIGNATURES:
            if data.startswith(magic):
                raise unsupported(what, source)
        raise unsupported("tệp nhị phân không rõ định dạng", source)
    if not text.strip(" \t\r\n\u00a0\u200b\ufeff"):
        raise IngestError(f"Tệp «{source}» chỉ có khoảng trắng: không có nội dung để phân tích.", "empty")
    if _HTML.match(text):
        raise unsupported("trang web HTML (có thể là trang báo lỗi được lưu thay cho tài liệu)", source)
    extension = source.rsplit(".", 1)[-1].lower() if "." in source else ""
    if extension in _BINARY_EXTENSIONS:
        raise IngestError(
            f"Tệp «{source}» có đuôi .{extension} nhưng nội dung là văn bản thuần, không phải "
            f"{_BINARY_EXTENSIONS[extension]}; tệp có thể bị đổi tên hoặc tải về lỗi. "
            "Hãy tải lên tệp gốc, hoặc đổi đuôi thành .txt nếu đây đúng là văn bản thuần.", "unsupported_type")
    return "markdown" if _MARKDOWN_MARKERS.search(text) else "text"


def _sniff_zip(data: bytes, source: str) -> DocFormat:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        kind = "DOCX" if b"word/document.xml" in data[:1 << 20] else "ZIP"
        raise IngestError(f"Tệp «{source}» ({kind}) bị hỏng hoặc không trọn vẹn, không giải nén được.",
                          "corrupt") from exc
    if "word/document.xml" in names:
        return "docx"
    for member, what in _ZIP_KINDS:
        if member in names:
            raise unsupported(what, source)
    raise unsupported("tệp nén ZIP", source)


def _raise_ole(data: bytes, source: str) -> None:
    if _OLE_ENCRYPTED in data:
        raise IngestError(f"Tệp «{source}» là văn bản Office được bảo vệ bằng mật khẩu (mã hóa). "
                          "Hãy gỡ mật khẩu rồi tải lên lại.", "encrypted")
    for marker, what in _OLE_KINDS:
        if marker in data:
            raise unsupported(what + "; hãy lưu lại dưới dạng .docx hoặc PDF", source)
    raise unsupported("tệp Office định dạng cũ (OLE)", source)


def decode_text(data: bytes, source: str = "document") -> str | None:
    """Decode a text file, or None when the bytes are not text.

    BOM first (UTF-8, UTF-16); then strict UTF-8; then Windows-1258 (Vietnamese, decomposed tone
    marks) and Windows-1252. A decoding is accepted only when almost every character is printable.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _printable_or_none(data[3:].decode("utf-8", errors="replace"))
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return _printable_or_none(data.decode("utf-16", errors="replace"))
    if b"\x00" in data[:4096]:
        return None
    try:
        return _printable_or_none(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    for codec in ("cp1258", "cp1252"):
        try:
            return _printable_or_none(data.decode(codec))
        except UnicodeDecodeError:
            continue
    return None


def _is_format(ch: str) -> bool:
    return unicodedata.category(ch) == "Cf"     # zero-width joiners, BOM: invisible but legitimate


def _printable_or_none(text: str) -> str | None:
    sample = text[:200_000]
    if not sample:
        return text
    bad = sum(1 for ch in sample if ch == "\ufffd" or not (ch.isprintable() or ch.isspace() or _is_format(ch)))
    return text if bad <= (1 - MIN_PRINTABLE_RATIO) * len(sample) else None
