"""The plan's own identity (nlp/extract/document.py): số ký hiệu, date, issuer, title, kind,
level, plan or not — on the five corpus plans (checked against ../shared/gold) and the parents."""
from __future__ import annotations

from pathlib import Path

import pytest

from nlp.extract.document import parse_issue_date

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus" / "plans"
PARENTS = REPO / ".." / "shared" / "parents"


def corpus(prefix: str) -> Path:
    return next(CORPUS.glob(f"{prefix}_*.txt"))


def info(extracted, prefix: str):
    return extracted(corpus(prefix)).document


def test_002_number_date_issuer(extracted):
    doc = info(extracted, "002")
    assert doc.number == "79/KH-UBND"
    assert doc.issued == "2025-10-02"
    assert doc.kind == "Kế hoạch" and doc.is_plan and doc.level == "phường"
    assert doc.title.startswith("Kế hoạch thực hiện Nghị quyết số 57-NQ/TW")
    assert doc.title.endswith("tại phường Trần Liễu")


def test_regression_002_issuer_names_the_ward(extracted):
    """'UBND phường xây dựng Kế hoạch ...' names no ward, but the plan is 'tại phường Trần Liễu'
    and its appendices say 'Kèm theo Kế hoạch số 79/KH-UBND ... của UBND Phường Trần Liễu'."""
    assert info(extracted, "002").issuer == "UBND phường Trần Liễu"


def test_001_blank_number_and_date(extracted):
    doc = info(extracted, "001")
    assert doc.number is None          # "Số: /KH-UBND"
    assert doc.issued is None          # "Long Mỹ, ngày tháng năm 2025"
    assert doc.issuer == "UBND phường Long Mỹ"
    assert doc.is_plan and doc.level == "phường"


def test_003_commune(extracted):
    doc = info(extracted, "003")
    assert (doc.number, doc.issued, doc.issuer, doc.level) == (None, None, "UBND xã Bình Giang", "xã")
    assert doc.title.endswith("năm 2026")


def test_004_party_committee_issuer(extracted):
    doc = info(extracted, "004")
    assert doc.issuer == "Ban Thường vụ Đảng ủy xã Gia Phúc"
    assert doc.is_plan and doc.level == "xã"


def test_regression_004_kind_and_title_from_body(extracted):
    """004's export lost its 'KẾ HOẠCH HÀNH ĐỘNG' title line; the body says 'Ban Thường vụ Đảng ủy
    xã Gia Phúc xây dựng Kế hoạch hành động thực hiện Nghị quyết số 57-NQ/TW ...' (kind and title
    are None today)."""
    doc = info(extracted, "004")
    assert doc.kind == "Kế hoạch hành động"
    assert doc.title and doc.title.startswith("Kế hoạch hành động thực hiện Nghị quyết số 57-NQ/TW")


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_document_fields_match_gold(extracted, gold, prefix):
    path = corpus(prefix)
    expected = gold(path.stem)["document"]
    doc = extracted(path).document
    assert (doc.number, doc.issued) == (expected["number"], expected["issued"])


@pytest.mark.parametrize("prefix", ["000", "001", "003"])
def test_document_title_matches_gold(extracted, gold, prefix):
    path = corpus(prefix)
    assert extracted(path).document.title == gold(path.stem)["document"]["title"]


def test_resolution_is_not_a_plan(extracted):
    doc = extracted(PARENTS / "57-NQ-TW.md").document
    assert doc.kind == "Nghị quyết" and not doc.is_plan and doc.level == "trung ương"


def test_regression_circular_was_taken_for_a_plan(extracted):
    """6d0e277c (a consolidated Thông tư of Bộ Quốc phòng): no title kind was read, "kế hoạch" occurs in its
    front matter, so it counted as a plan and its articles got 30 "5 rõ" findings."""
    doc = extracted(REPO / ".." / "shared" / "wild" / "6d0e277c7b88a914.md").document
    assert doc.kind == "Thông tư" and not doc.is_plan


def test_03_resolution_number_and_date(extracted):
    doc = extracted(PARENTS / "03-NQ-CP.md").document
    assert (doc.number, doc.issued, doc.kind) == ("03/NQ-CP", "2025-01-09", "Nghị quyết")


def test_regression_level_not_read_from_national_motto(extracted):
    """03/NQ-CP is issued by the Government ('trung ương'); with no issuer found, the level is
    taken from the first words of the text, and 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA' reads as 'xã'."""
    assert extracted(PARENTS / "03-NQ-CP.md").document.level == "trung ương"


@pytest.mark.parametrize("text, iso", [
    ("Long Mỹ, ngày 02 tháng 10 năm 2025", "2025-10-02"),
    ("Hà Nội, ngày 9 tháng 1 năm 2025", "2025-01-09"),
    ("ngày 02/10/2025", "2025-10-02"),
    ("Long Mỹ, ngày tháng năm 2025", None),
    ("Bình Giang, ngày tháng 01 năm 2026", None),
    ("ngày 31 tháng 02 năm 2025", None),
])
def test_parse_issue_date(text, iso):
    assert parse_issue_date(text) == iso
