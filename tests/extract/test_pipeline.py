"""The extraction pipeline (nlp/extract/pipeline.py, nlp/extract/__init__.py, nlp/pipeline.py):
spaCy components over the canonical text, character-true spans, end-to-end entry points."""
from __future__ import annotations

from pathlib import Path

import pytest

from nlp.extract.pipeline import build_pipeline
from nlp.pipeline import doc_id_for, extract_bytes
from nlp.schema import Extraction

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus" / "plans"
PLAN_002 = next(CORPUS.glob("002_*.txt"))


def run_components(structured_doc):
    nlp = build_pipeline()
    doc = nlp.make_doc(structured_doc.text)
    doc._.structure = structured_doc
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc


def test_components_in_order():
    assert build_pipeline().pipe_names == ["plangap_document", "plangap_references", "plangap_profile", "plangap_tasks",
                                          "plangap_targets"]


def test_components_need_the_structure():
    nlp = build_pipeline()
    doc = nlp.make_doc("Kế hoạch")
    with pytest.raises(ValueError):
        nlp.pipeline[0][1](doc)


@pytest.mark.parametrize("text", ["Sở KH&CN; TP.HCM chi 1.000,5 tỷ đồng", "Kế hoạch số 79/KH-UBND ngày 02/10/2025."])
def test_tokenizer_keeps_single_line_text(text):
    assert build_pipeline().make_doc(text).text == text


@pytest.mark.parametrize("text", [
    "KẾ HOẠCH\n\nI. MỤC ĐÍCH, YÊU CẦU",
    "TT | Nhiệm vụ\n1 | Xây dựng kế hoạch",
    "Tỷ lệ  đạt ≥ 60%",
    " a",
])
def test_regression_tokenizer_keeps_canonical_text(text):
    """The canonical text joins blocks with '\\n\\n' and table rows with '\\n'; the underthesea
    tokenizer drops them (and runs of spaces), so doc.text != text and every doc.spans entry
    is shifted."""
    assert build_pipeline().make_doc(text).text == text


def test_regression_spacy_spans_match_task_spans(structured):
    """doc.spans['tasks'] must cover the same characters as Task.span (the UI renders them)."""
    doc = run_components(structured(PLAN_002))
    tasks = [t for t in doc._.tasks if t.span]
    assert len(doc.spans["tasks"]) == len(tasks)
    text = structured(PLAN_002).text
    for task, span in zip(tasks, doc.spans["tasks"]):
        assert span.start_char <= task.span.start and span.end_char >= task.span.end
        assert text[task.span.start:task.span.end] in span.text


def test_extract_bytes_end_to_end():
    data = ("KẾ HOẠCH\n\nTriển khai Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị\n\n"
            "I. NHIỆM VỤ, GIẢI PHÁP\n\n- Phòng Văn hóa - Xã hội chủ trì xây dựng kế hoạch chuyển đổi số, hoàn thành trong tháng 9/2025.\n\n"
            "II. TỔ CHỨC THỰC HIỆN\n\n1. Công an phường: bảo đảm an ninh mạng trên địa bàn phường.\n").encode()
    extraction = extract_bytes(data, "ke-hoach-mau.txt", sandboxed=False)
    assert isinstance(extraction, Extraction)
    assert extraction.doc_id == "ke-hoach-mau" and extraction.source == "ke-hoach-mau.txt"
    assert extraction.text is not None and extraction.text.startswith("KẾ HOẠCH")
    assert [r.number for r in extraction.references] == ["57-NQ/TW"]
    first = next(t for t in extraction.tasks if t.text.startswith("Phòng Văn hóa - Xã hội chủ trì"))
    assert first.lead == ["Phòng Văn hóa - Xã hội"]
    assert first.deadline is not None and first.deadline.due == "2025-09-30"
    assert first.section == "I"


def test_extract_document_without_text(structured):
    from nlp.extract import extract_document

    extraction = extract_document(structured(PLAN_002), include_text=False)
    assert extraction.text is None and extraction.tasks


@pytest.mark.parametrize("source, doc_id", [("002_239490791d981bc8.txt", "002_239490791d981bc8"),
                                            ("dir/ke hoach.v2.docx", "ke hoach.v2"), ("plan.pdf", "plan")])
def test_doc_id_is_the_file_stem(source, doc_id):
    assert doc_id_for(source) == doc_id


def test_sandboxed_and_in_process_extractions_agree():
    data = PLAN_002.read_bytes()
    inside = extract_bytes(data, PLAN_002.name, sandboxed=False)
    sandboxed = extract_bytes(data, PLAN_002.name, sandboxed=True)
    assert sandboxed.model_dump() == inside.model_dump()
