"""Errors speak Vietnamese and state our limits, never a library's internals: a DOCX with an XML
entity bomb ("XMLSyntaxError: Maximum entity amplification ...") and the PDF page limit, which must
say PLANGAP_MAX_PAGES's value (it said 1000 while the service's limit was 300)."""
from __future__ import annotations

import io
import re
import zipfile

import pytest

from nlp.errors import IngestError
from nlp.ingest import ingest_bytes
from nlp.ingest import pdf_reader

ENGLISH_INTERNALS = re.compile(r"[A-Z][a-z]+(Error|Exception)|Traceback|amplification|lxml|pdfminer", re.I)


def with_entity_bomb(docx: bytes) -> bytes:
    entities = '<!ENTITY a "' + "x" * 50 + '">' + "".join(
        f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(6))
    source, out = zipfile.ZipFile(io.BytesIO(docx)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                head, rest = data.decode().split("?>", 1)
                body = rest.lstrip().replace("<w:body>", "<w:body><w:p><w:r><w:t>&g;</w:t></w:r></w:p>", 1)
                data = f"{head}?><!DOCTYPE w:document [{entities}]>{body}".encode()
            target.writestr(item, data)
    return out.getvalue()


def test_regression_xml_entity_bomb_in_docx_is_a_vietnamese_bomb_error(plan_001_docx):
    with pytest.raises(IngestError) as refused:
        ingest_bytes(with_entity_bomb(plan_001_docx), "bom.docx")
    assert refused.value.code == "bomb"
    assert "bom XML" in refused.value.message and not ENGLISH_INTERNALS.search(refused.value.message)


def test_regression_corrupt_docx_message_has_no_library_internals(plan_001_docx):
    broken = plan_001_docx.replace(b"word/document.xml", b"word/documenX.xml")
    with pytest.raises(IngestError) as refused:
        ingest_bytes(broken, "hong.docx")
    assert not ENGLISH_INTERNALS.search(refused.value.message), refused.value.message


def test_regression_pdf_page_limit_message_states_plangap_max_pages(monkeypatch, plan_001_pdf):
    monkeypatch.setenv("PLANGAP_MAX_PAGES", "2")
    with pytest.raises(IngestError) as refused:
        pdf_reader.read_pdf(plan_001_pdf, "dai.pdf")
    assert refused.value.code == "too_large" and "vượt giới hạn 2 trang" in refused.value.message
    monkeypatch.delenv("PLANGAP_MAX_PAGES")
    assert pdf_reader.read_pdf(plan_001_pdf, "dai.pdf").pages > 2   # the default (300) lets it through
