"""Bad inputs go through the sandbox: each gives its error code and a Vietnamese message naming the
problem, and the calling process carries on (it reads a good file right after)."""
import io
import os
import zipfile

import pytest

from nlp.errors import IngestError
from nlp.ingest import MAX_BYTES
from nlp.ingest.sandbox import FAULT_ENV, ingest_file_sandboxed, ingest_sandboxed

import docgen

GOOD_TEXT = ("Kế hoạch triển khai thực hiện Nghị quyết số 57-NQ/TW về đột phá phát triển khoa học, "
             "công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia.\n").encode()


def expect_error(data: bytes, source: str, code: str, *words: str, **limits) -> IngestError:
    with pytest.raises(IngestError) as err:
        ingest_sandboxed(data, source, **limits)
    assert err.value.code == code, err.value.message
    for word in words:
        assert word in err.value.message, err.value.message
    return err.value


def test_good_document_round_trips_through_the_sandbox(plan_001_pdf):
    doc = ingest_sandboxed(plan_001_pdf, "001.pdf")
    assert doc.format == "pdf" and doc.pages >= 4 and len(doc.blocks) > 50
    assert doc.text[doc.blocks[5].span.start:doc.blocks[5].span.end] == doc.blocks[5].text


def test_empty_file():
    expect_error(b"", "rong.pdf", "empty", "rỗng", "rong.pdf")


def test_png_named_pdf():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2000)
    expect_error(png, "ke_hoach.pdf", "unsupported_type", "ảnh PNG", "ke_hoach.pdf")


def test_text_named_docx():
    expect_error(GOOD_TEXT, "ke_hoach.docx", "unsupported_type", ".docx", "văn bản thuần")


def test_truncated_pdf(plan_001_pdf):
    expect_error(plan_001_pdf[: len(plan_001_pdf) // 2], "cat.pdf", "corrupt", "PDF", "hỏng")


def test_garbled_pdf_header_only():
    expect_error(b"%PDF-1.7\n" + os.urandom(5000), "rac.pdf", "corrupt", "PDF", "hỏng")


def test_corrupt_docx_xml(plan_001_docx):
    source = zipfile.ZipFile(io.BytesIO(plan_001_docx))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]       # XML cut in the middle
            out.writestr(item, data)
    expect_error(buf.getvalue(), "hong.docx", "corrupt", "DOCX", "hỏng")


def test_truncated_docx(plan_001_docx):
    expect_error(plan_001_docx[: len(plan_001_docx) * 2 // 3], "cut.docx", "corrupt", "hỏng")


def test_encrypted_pdf():
    pdf = docgen.simple_pdf(["Kế hoạch chuyển đổi số của phường năm 2025."], encrypt="secret")
    expect_error(pdf, "mat_khau.pdf", "encrypted", "mật khẩu")


def test_image_only_pdf_without_text_in_its_pictures():
    """Scans are OCR'd now (tests/ingest/test_ocr.py); pictures of ink bars hold no text to read."""
    expect_error(docgen.image_only_pdf(), "scan.pdf", "empty",
                 "chỉ có ảnh quét", "nhận dạng ký tự (OCR) không đọc được chữ nào", "scan.pdf")


def test_image_only_pdf_when_ocr_is_off():
    from nlp.ingest.pdf_reader import read_pdf
    with pytest.raises(IngestError) as err:
        read_pdf(docgen.image_only_pdf(), "scan.pdf", ocr=False)
    assert err.value.code == "image_only"
    assert "PDF chỉ có ảnh quét, không có lớp văn bản; cần OCR" in err.value.message


def test_image_only_pdf_without_tesseract(monkeypatch):
    from nlp.ingest import ocr
    from nlp.ingest.pdf_reader import read_pdf
    monkeypatch.setattr(ocr, "tesseract_path", lambda: None)
    with pytest.raises(IngestError) as err:
        read_pdf(docgen.image_only_pdf(), "scan.pdf")
    assert err.value.code == "ocr_unavailable"
    assert "Tesseract" in err.value.message and "scan.pdf" in err.value.message


@pytest.mark.slow
def test_docx_zip_bomb():
    bomb = docgen.docx_zip_bomb(100)
    assert len(bomb) < 5 * 1024 * 1024
    expect_error(bomb, "bom.docx", "bomb", "bom nén")


@pytest.mark.slow
def test_pdf_flate_bomb():
    bomb = docgen.pdf_flate_bomb(200)
    assert len(bomb) < 2 * 1024 * 1024
    expect_error(bomb, "bom.pdf", "bomb", "bom nén", memory_mb=1024)


def test_huge_file_refused_before_parsing(tmp_path):
    expect_error(b"a" * (MAX_BYTES + 1), "lon.txt", "too_large", "quá lớn")
    big = tmp_path / "lon.pdf"
    with open(big, "wb") as f:         # sparse: nothing is read, the size alone decides
        f.truncate(MAX_BYTES + 1)
    with pytest.raises(IngestError) as err:
        ingest_file_sandboxed(big)
    assert err.value.code == "too_large" and "lon.pdf" in err.value.message


def test_hanging_reader_times_out(monkeypatch):
    monkeypatch.setenv(FAULT_ENV, "hang")
    with pytest.raises(IngestError) as err:
        ingest_sandboxed(GOOD_TEXT, "treo.txt", timeout_s=2)
    assert err.value.code == "timeout" and "quá thời gian" in err.value.message
    monkeypatch.delenv(FAULT_ENV)
    assert ingest_sandboxed(GOOD_TEXT, "ok.txt").blocks


def test_reader_exceeding_memory_is_stopped(monkeypatch):
    monkeypatch.setenv(FAULT_ENV, "allocate")
    with pytest.raises(IngestError) as err:
        ingest_sandboxed(GOOD_TEXT, "bo_nho.txt", memory_mb=400)
    assert err.value.code == "out_of_memory" and "bộ nhớ" in err.value.message and "400 MB" in err.value.message
    monkeypatch.delenv(FAULT_ENV)
    assert ingest_sandboxed(GOOD_TEXT, "ok.txt").blocks


def test_reader_crashing_hard_is_reported(monkeypatch):
    monkeypatch.setenv(FAULT_ENV, "crash")
    with pytest.raises(IngestError) as err:
        ingest_sandboxed(GOOD_TEXT, "sap.txt")
    assert err.value.code == "crash" and "sap.txt" in err.value.message
    monkeypatch.delenv(FAULT_ENV)
    assert ingest_sandboxed(GOOD_TEXT, "ok.txt").blocks


def test_english_prose_is_not_vietnamese():
    english = ("The People's Committee will implement the national digital transformation programme, "
               "train officials in digital skills and connect the population database. ") * 8
    expect_error(english.encode(), "english.txt", "not_vietnamese", "không phải tiếng Việt")
    pdf = docgen.simple_pdf([english[i:i + 90] for i in range(0, 900, 90)])
    expect_error(pdf, "english.pdf", "not_vietnamese", "không phải tiếng Việt")


def test_parent_still_reads_documents_after_every_bad_input():
    # runs last in this module: all the failures above were contained in their child processes
    assert ingest_sandboxed(GOOD_TEXT, "ok.txt").blocks


def test_missing_file(tmp_path):
    with pytest.raises(IngestError) as err:
        ingest_file_sandboxed(tmp_path / "khong_co.pdf")
    assert err.value.code == "not_found"
