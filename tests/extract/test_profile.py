"""The plan profile on the corpus plans, wild plans and small texts: level, kind, implemented documents."""
from __future__ import annotations

import pytest

from nlp.extract.profile import implemented_numbers, issuer_level, plan_kind, plan_profile
from nlp.schema import DocumentInfo, Reference, Span


def test_corpus_plans_are_comprehensive_commune_plans_implementing_57(corpus_extractions):
    for doc_id, ext in corpus_extractions.items():
        profile = ext.profile
        assert profile is not None, doc_id
        assert profile.level == "xã" and profile.kind == "comprehensive", doc_id
        assert any(n in ("57-NQ/TW", "71/NQ-CP") for n in profile.implements), doc_id


def test_cited_basis_is_not_implemented(corpus_extractions):
    ext = next(e for k, e in corpus_extractions.items() if k.startswith("002"))
    # 002 cites 193/2025/QH15 and 06/CP as its legal basis ("Căn cứ"): it does not carry them out
    assert "193/2025/QH15" not in ext.profile.implements and "57-NQ/TW" in ext.profile.implements


def _ref(text: str, number: str) -> Reference:
    start = text.index(number)
    return Reference(number=number, mentions=[Span(start=start, end=start + len(number))])


@pytest.mark.parametrize("header,level", [
    ("ỦY BAN NHÂN DÂN\nPHƯỜNG TRẦN LIỄU", "xã"), ("UBND XÃ BÌNH GIANG", "xã"), ("ỦY BAN NHÂN DÂN TỈNH NGHỆ AN", "tỉnh"),
    ("ĐẢNG ỦY XÃ GIA PHÚC", "xã"), ("ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH", "tỉnh"),
])
def test_issuer_level_from_the_header(header, level):
    text = f"{header}\n\nKẾ HOẠCH\n\nThực hiện Kế hoạch số 10/KH-UBND của UBND tỉnh"
    assert issuer_level(text, DocumentInfo()) == level


def test_implements_thuc_hien_not_can_cu():
    text = ("KẾ HOẠCH\n\nCăn cứ Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị;\n\n"
            "Thực hiện Nghị quyết số 66-NQ/TW ngày 30/4/2025 của Bộ Chính trị; Kế hoạch số 24/KH-UBND của UBND tỉnh.\n\n"
            "I. MỤC ĐÍCH, YÊU CẦU\n\nThực hiện Nghị quyết số 68-NQ/TW.")
    refs = [_ref(text, n) for n in ("57-NQ/TW", "66-NQ/TW", "24/KH-UBND", "68-NQ/TW")]
    assert implemented_numbers("Kế hoạch về pháp luật", text, refs) == ["66-NQ/TW", "24/KH-UBND"]


@pytest.mark.parametrize("title,kind", [
    ("Kế hoạch thực hiện Nghị quyết số 57-NQ/TW của Bộ Chính trị", "comprehensive"),
    ("Kế hoạch hành động thực hiện Nghị quyết số 57-NQ/TW", "comprehensive"),
    ("Kế hoạch phát triển hạ tầng 5G trong các khu công nghiệp", "thematic"),
])
def test_kind_from_the_title(title, kind):
    assert plan_kind(DocumentInfo(kind="Kế hoạch", title=title), title, ["57-NQ/TW"]) == kind
    assert plan_kind(DocumentInfo(kind="Quyết định", title=title), title, ["57-NQ/TW"]) == "other"


def test_profile_of_a_stored_extraction_without_one_is_read_from_the_document():
    from nlp.compare.applicability import profile_of
    from nlp.schema import Extraction

    text = "ỦY BAN NHÂN DÂN PHƯỜNG AN BÌNH\n\nKẾ HOẠCH\n\nThực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024.\n\nI. MỤC ĐÍCH"
    ext = Extraction.model_validate({"doc_id": "old", "document": {"title": "Kế hoạch thực hiện Nghị quyết số 57-NQ/TW"},
                                     "references": [_ref(text, "57-NQ/TW").model_dump()], "text": text})
    assert ext.profile is None
    profile = profile_of(ext)
    assert (profile.level, profile.kind, profile.implements) == ("xã", "comprehensive", ["57-NQ/TW"])
    assert plan_profile(ext.document, ext.references, text) == profile
