import io
import zipfile

import pytest

from nlp.errors import IngestError
from nlp.ingest.sniff import decode_text, sniff_format

VIETNAMESE = "Kế hoạch triển khai thực hiện Nghị quyết số 57-NQ/TW về chuyển đổi số.\n"


def _zip(members: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def _raises(data: bytes, source: str, code: str, *words: str) -> IngestError:
    with pytest.raises(IngestError) as err:
        sniff_format(data, source)
    assert err.value.code == code
    for word in words:
        assert word in err.value.message
    return err.value


def test_pdf_by_magic_even_with_leading_junk(plan_001_pdf):
    assert sniff_format(plan_001_pdf, "a.bin") == "pdf"
    assert sniff_format(b"\x00junk from an email gateway\r\n" * 10 + plan_001_pdf, "a.bin") == "pdf"


def test_pdf_magic_beyond_first_kib_is_not_pdf(plan_001_pdf):
    _raises(b"\x01" * 2000 + plan_001_pdf, "a.pdf", "unsupported_type")


def test_docx_by_content(plan_001_docx):
    assert sniff_format(plan_001_docx, "ke_hoach.pdf") == "docx"


@pytest.mark.parametrize("member, what", [("xl/workbook.xml", "Excel"), ("ppt/presentation.xml", "PowerPoint"),
                                          ("readme.txt", "ZIP")])
def test_other_zips_are_unsupported(member, what):
    _raises(_zip({member: "x"}), "f.docx", "unsupported_type", what)


def test_truncated_zip_is_corrupt(plan_001_docx):
    _raises(plan_001_docx[: len(plan_001_docx) // 2], "a.docx", "corrupt", "DOCX", "hỏng")


def test_legacy_word_doc_named():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "WordDocument".encode("utf-16-le") + b"\x00" * 100
    _raises(ole, "kehoach.doc", "unsupported_type", "Word 97-2003", ".docx")


def test_encrypted_ooxml_is_encrypted():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "EncryptedPackage".encode("utf-16-le")
    _raises(ole, "kehoach.docx", "encrypted", "mật khẩu")


@pytest.mark.parametrize("data, what", [
    (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)), "PNG"),
    (b"\xff\xd8\xff\xe0" + bytes(range(256)), "JPEG"),
    (b"MZ\x90\x00\x03" + bytes(range(256)) * 2, "Windows"),
    (b"\x7fELF\x02\x01" + bytes(range(256)), "ELF"),
])
def test_binary_files_named(data, what):
    _raises(data, "ke_hoach.pdf", "unsupported_type", what, "ke_hoach.pdf")


def test_text_and_markdown():
    assert sniff_format(VIETNAMESE.encode(), "a") == "text"
    assert sniff_format(("# KẾ HOẠCH\n\n" + VIETNAMESE).encode(), "a") == "markdown"
    assert sniff_format(("| TT | Nhiệm vụ |\n|---|---|\n| 1 | x |\n").encode(), "a") == "markdown"
    assert sniff_format(("**KẾ HOẠCH**\n" + VIETNAMESE).encode(), "a") == "markdown"


def test_text_encodings():
    assert sniff_format(VIETNAMESE.encode("utf-16"), "a.txt") == "text"
    assert sniff_format(b"\xef\xbb\xbf" + VIETNAMESE.encode(), "a.txt") == "text"
    cp1258 = "K\u00ea\u0301 hoa\u0323ch chuy\u00ea\u0309n \u0111\u00f4\u0309i s\u00f4\u0301\n".encode("cp1258")
    assert sniff_format(cp1258, "a.txt") == "text"
    assert "hoa\u0323ch" in decode_text(cp1258)


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", "\ufeff \u00a0\n".encode()])
def test_empty(data):
    _raises(data, "rong.txt", "empty", "rong.txt")


def test_text_named_docx_is_refused():
    _raises(VIETNAMESE.encode(), "ke_hoach.docx", "unsupported_type", ".docx", "văn bản thuần")


def test_html_error_page_is_refused():
    _raises(b"<!DOCTYPE html><html><body>404 Not Found</body></html>", "ke_hoach", "unsupported_type", "HTML")
