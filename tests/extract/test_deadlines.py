"""The Vietnamese deadline grammar (nlp/extract/deadlines.py) on small phrases, on the gold's
deadlines, on the parents' task table and on deadline phrases of the wild documents."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from nlp.extract.deadlines import find_deadlines, normalize_deadline, parse_vietnamese_date

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
GOLD = SHARED / "gold"
PARENTS = SHARED / "parents"
WILD = SHARED / "wild"
PLAN_DATE = dt.date(2025, 10, 2)


def _key(d):
    return None if d is None else (d.type, d.due)


# ---------------------------------------------------------------- whole cells


@pytest.mark.parametrize("raw, type_, due", [
    # a day
    ("ngày 30/11/2025", "date", "2025-11-30"),
    ("30/11/2025", "date", "2025-11-30"),
    ("30-11-2025", "date", "2025-11-30"),
    ("30.11.2025", "date", "2025-11-30"),
    ("ngày 02 tháng 10 năm 2025", "date", "2025-10-02"),
    ("Trước ngày 15/6/2025", "date", "2025-06-15"),
    ("trước ngày 10/01/2025", "date", "2025-01-10"),
    ("Trình UBTVQH xem xét, thông qua trước ngày 10/01/2025", "date", "2025-01-10"),
    ("Chậm nhất ngày 31/5/2025", "date", "2025-05-31"),
    # a day without a year and no plan date: a date whose due is unknown
    ("trước ngày 30/11", "date", None),
    ("trước 15/6", "date", None),
    ("ngày 30 tháng 11", "date", None),
    ("Trước ngày 31 tháng 8 năm thứ năm của Đề án viện trợ", "date", None),
    # a month
    ("Tháng 9/2025", "date", "2025-09-30"),
    ("tháng 9 năm 2025", "date", "2025-09-30"),
    ("Tháng 12/2025", "date", "2025-12-31"),
    ("tháng 02/2028", "date", "2028-02-29"),
    ("9/2025", "date", "2025-09-30"),
    ("06/2025", "date", "2025-06-30"),
    ("01/2025", "date", "2025-01-31"),
    ("12/2028", "date", "2028-12-31"),
    ("Tháng 10/2025", "date", "2025-10-31"),
    ("trong tháng 9/2026", "date", "2026-09-30"),
    ("Hoàn thành kết nối trong tháng 9/2026", "date", "2026-09-30"),
    ("Tháng 12/2025.", "date", "2025-12-31"),
    # a quarter
    ("Quý III/2025", "date", "2025-09-30"),
    ("quý 3 năm 2025", "date", "2025-09-30"),
    ("Quý IV/2025", "date", "2025-12-31"),
    ("Quý II/2025", "date", "2025-06-30"),
    ("Quý I/2030", "date", "2030-03-31"),
    ("Quí IV-2025", "date", "2025-12-31"),
    ("Quý IV - 2025", "date", "2025-12-31"),
    ("quý 4 năm 2025", "date", "2025-12-31"),
    ("Quý 4/2025", "date", "2025-12-31"),
    ("trong Quí II năm 2026", "date", "2026-06-30"),
    ("Q4/2025", "date", "2025-12-31"),
    ("QIV-2025", "date", "2025-12-31"),
    ("quý I, II/2026", "date", "2026-06-30"),              # a list of quarters: due with the last
    ("quý III và quý IV năm 2025", "date", "2025-12-31"),
    ("Quý I - II/2026", "period", "2026-06-30"),           # a span of quarters
    ("Quý IV/2025 - Quý I/2026", "period", "2026-03-31"),
    ("quý I - 2026", "date", "2026-03-31"),
    ("Quý IV/2026", "date", "2026-12-31"),
    ("quý I năm 2026", "date", "2026-03-31"),
    ("Ban hành trong quý I năm 2026. Thực hiện rà soát, điều chỉnh (nếu có)", "date", "2026-03-31"),
    # part of a year
    ("6 tháng đầu năm 2025", "date", "2025-06-30"),
    ("6 tháng cuối năm 2025", "date", "2025-12-31"),
    ("sáu tháng đầu năm 2026", "date", "2026-06-30"),
    ("cuối năm 2025", "date", "2025-12-31"),
    ("đầu năm 2026", "date", "2026-03-31"),
    ("9 tháng đầu năm 2025", "date", "2025-09-30"),
    ("03 tháng cuối năm 2025", "date", "2025-12-31"),
    ("nửa cuối năm 2025", "date", "2025-12-31"),
    ("Tháng 10 đến tháng 12/2025", "period", "2025-12-31"),   # the start borrows the end's year
    ("tháng 11, 12/2025", "date", "2025-12-31"),
    # a year
    ("Năm 2025", "date", "2025-12-31"),
    ("năm 2026", "date", "2026-12-31"),
    ("2025", "date", "2025-12-31"),
    ("2026", "date", "2026-12-31"),
    ("trong năm 2025", "date", "2025-12-31"),
    ("Trong năm 2025", "date", "2025-12-31"),
    ("đến hết năm 2025", "date", "2025-12-31"),
    ("Đến năm 2030", "date", "2030-12-31"),
    ("Ban hành trong năm 2026. Thực hiện rà soát, điều chỉnh (nếu có)", "date", "2026-12-31"),
    ("NĂM 2025", "date", "2025-12-31"),
    # "trước" a month, quarter or year: before it starts
    ("trước năm 2030", "date", "2029-12-31"),
    ("Trước năm 2030", "date", "2029-12-31"),
    ("trước tháng 6/2025", "date", "2025-05-31"),
    ("trước quý IV/2025", "date", "2025-09-30"),
    # periods
    ("2025-2030", "period", "2030-12-31"),
    ("2026 - 2030", "period", "2030-12-31"),
    ("2025 – 2026", "period", "2026-12-31"),
    ("2025 - 2026", "period", "2026-12-31"),
    ("giai đoạn 2026-2030", "period", "2030-12-31"),
    ("Giai đoạn 2026 - 2030", "period", "2030-12-31"),
    ("Năm 2025-2030", "period", "2030-12-31"),
    ("từ năm 2025 đến năm 2030", "period", "2030-12-31"),
    ("Từ năm 2025 đến hết năm 2030.", "period", "2030-12-31"),
    ("Giai đoạn 2026 - 2027. Thực hiện rà soát, cập nhật các hướng dẫn kỹ thuật (nếu có)", "period", "2027-12-31"),
    ("Hoàn thành trong giai đoạn 2026 - 2027 và vận hành", "period", "2027-12-31"),
    ("từ tháng 10/2025 đến tháng 12/2025", "period", "2025-12-31"),
    ("Từ ngày 15/11 đến ngày 20/11/2025", "period", "2025-11-20"),
    ("11 - 12/2025", "period", "2025-12-31"),
    # open-ended (SCHEMA.md): a start with no end recurs from then on; a start that ends at an
    # event is conditional
    ("Từ 01/7/2025", "recurring", None),
    ("Từ tháng 10/2025 đến khi tổ chức thành công Đại hội Đại biểu toàn quốc lần thứ XIV", "conditional", None),
    ("Từ tháng 11/2025 đến khi kết thúc Tổng kiểm kê", "conditional", None),
    ("từ ngày 01/12/2025 cho đến khi hoàn thành", "conditional", None),
    # recurring
    ("Thường xuyên", "recurring", None),
    ("thường xuyên", "recurring", None),
    ("THƯỜNG XUYÊN", "recurring", None),
    ("Thường xuyên.", "recurring", None),
    ("Nhiệm vụ thường xuyên", "recurring", None),
    ("hằng năm", "recurring", None),
    ("Hằng năm", "recurring", None),
    ("hàng năm", "recurring", None),
    ("Hằng năm.", "recurring", None),
    ("định kỳ", "recurring", None),
    ("Định kỳ", "recurring", None),
    ("Định kỳ 6 tháng", "recurring", None),
    ("định kỳ 06 tháng và hằng năm", "recurring", None),
    ("định kỳ 01 tháng/lần", "recurring", None),
    ("định kỳ (6 tháng và hàng năm)", "recurring", None),
    ("định kỳ hàng năm hoặc đột xuất (khi có yêu cầu)", "recurring", None),
    ("định kỳ, đột xuất", "recurring", None),
    ("định kỳ hoặc đột xuất theo yêu cầu", "recurring", None),
    ("hàng quý", "recurring", None),
    ("hằng quý", "recurring", None),
    ("hằng tháng", "recurring", None),
    ("mỗi năm", "recurring", None),
    ("ngày 18 hàng tháng", "recurring", None),
    ("vào ngày 20 hằng tháng", "recurring", None),
    ("Tháng 12 hằng năm", "recurring", None),
    ("Trước ngày 15 tháng 7 hằng năm", "recurring", None),
    ("Từ tháng 3 đến tháng 11 hằng năm", "recurring", None),
    ("báo cáo 6 tháng, báo cáo năm", "recurring", None),
    ("báo cáo 6 tháng, báo cáo năm và các báo cáo đột xuất (nếu có)", "recurring", None),
    ("Năm 2025 và những năm tiếp theo", "recurring", None),
    ("2025 và những năm tiếp theo", "recurring", None),
    ("Năm 2026 và các năm tiếp theo.", "recurring", None),
    ("Quý IV năm 2025 và các năm tiếp theo.", "recurring", None),
    ("Giai đoạn 2026-2030 và những năm tiếp theo.", "recurring", None),
    ("năm tiếp theo", "recurring", None),
    ("Định kỳ hàng năm trước ngày 30/11", "recurring", None),
    ("Hằng năm, 2025-2030", "recurring", None),
    ("đột xuất", "recurring", None),
    ("Thường xuyên, liên tục", "recurring", None),
    ("Thường xuyên, theo yêu cầu nhiệm vụ.", "recurring", None),
    ("Thường xuyên, định kỳ hằng quý báo cáo về Sở Tài chính", "recurring", None),
    ("thường niên", "recurring", None),
    # conditional
    ("Sau khi thành phố ban hành bộ quy tắc", "conditional", None),
    ("Sau khi thành phố ban hành kế hoạch", "conditional", None),
    ("Sau khi hệ thống dữ liệu được hoàn thành", "conditional", None),
    ("Theo dự án được thành phố phê duyệt", "conditional", None),
    ("Theo tiến độ của UBND thành phố", "conditional", None),
    ("Khi có yêu cầu", "conditional", None),
    ("Theo lộ trình của Trung ương", "conditional", None),
    ("Theo Kế hoạch", "conditional", None),
    ("Sau khi có Quy chế", "conditional", None),
    ("Theo tiến độ xây dựng dự thảo văn bản của cơ quan chủ trì soạn thảo.", "conditional", None),
    ("Sau khi thành phố ban hành kế hoạch (dự kiến quý III/2025)", "conditional", None),
])
def test_normalize_deadline(raw, type_, due):
    d = normalize_deadline(raw)
    assert d is not None, raw
    assert (d.type, d.due) == (type_, due)
    assert d.raw == raw.strip()
    assert raw[d.span.start:d.span.end] == d.raw


@pytest.mark.parametrize("raw, start", [
    ("2025-2030", "2025-01-01"),
    ("giai đoạn 2026-2030", "2026-01-01"),
    ("từ năm 2025 đến năm 2030", "2025-01-01"),
    ("từ tháng 10/2025 đến tháng 12/2025", "2025-10-01"),
    ("Từ 01/7/2025", "2025-07-01"),
    ("11 - 12/2025", "2025-11-01"),
    ("Năm 2025 và những năm tiếp theo", "2025-01-01"),
])
def test_period_start(raw, start):
    assert normalize_deadline(raw).start == start


@pytest.mark.parametrize("raw", ["", "   ", "-", "x", " x ", "—", "...", "Chương trình", "Quyết định của Thủ tướng",
                                 "Bộ Khoa học và Công nghệ", "Đề án", None])
def test_normalize_deadline_none(raw):
    assert normalize_deadline(raw) is None


@pytest.mark.parametrize("raw, due", [
    ("trước ngày 30/11", "2025-11-30"),
    ("trước 15/6", "2025-06-15"),
    ("ngày 30 tháng 11", "2025-11-30"),
    ("tháng 12", "2025-12-31"),
    ("quý IV", "2025-12-31"),
    ("6 tháng đầu năm", "2025-06-30"),
    ("cuối năm", "2025-12-31"),
    ("Tháng 9/2026", "2026-09-30"),     # a written year wins over the plan's
])
def test_missing_year_comes_from_plan_date(raw, due):
    d = normalize_deadline(raw, plan_date=PLAN_DATE)
    assert (d.type, d.due) == ("date", due)


def test_leap_day_without_year_is_accepted():
    assert normalize_deadline("ngày 29/2", plan_date=dt.date(2028, 1, 5)).due == "2028-02-29"


@pytest.mark.parametrize("raw", ["31/02/2025", "32/12/2025", "ngày 0/5/2025"])
def test_impossible_days_are_no_day(raw):
    assert normalize_deadline(raw) is None


def test_latest_due_of_several_dates_in_one_cell():
    d = normalize_deadline("Tháng 6/2025 (dự thảo); tháng 12/2025 (ban hành)")
    assert (d.type, d.due) == ("date", "2025-12-31")


# ---------------------------------------------------------------- running text


@pytest.mark.parametrize("text, expected", [
    ("Hoàn thành kết nối trong tháng 9/2026", [("trong tháng 9/2026", "date", "2026-09-30")]),
    ("Xây dựng Kế hoạch chuyển đổi số năm 2025 đảm bảo nội dung", [("năm 2025", "date", "2025-12-31")]),
    ("Tổ chức giao ban định kỳ với các cơ quan liên quan", [("định kỳ", "recurring", None)]),
    ("báo cáo UBND và Ban Chỉ đạo của UBND theo định kỳ (6 tháng và hàng năm) hoặc \n\nđột xuất theo yêu cầu; hướng dẫn",
     [("định kỳ (6 tháng và hàng năm) hoặc \n\nđột xuất theo yêu cầu", "recurring", None)]),
    ("để tổng hợp vào ngày 18 hàng tháng và báo cáo Sở",
     [("vào ngày 18 hàng tháng", "recurring", None)]),
    ("mục tiêu tăng trưởng kinh tế trong năm 2025 và các năm tiếp theo, với mức",
     [("trong năm 2025 và các năm tiếp theo", "recurring", None)]),
    ("Sau khi thành \n\nphố ban hành bộ quy tắc \n\nPhòng Văn hóa - Xã hội",
     [("Sau khi thành \n\nphố ban hành bộ quy tắc", "conditional", None)]),
    ("Phấn đấu đến năm 2030, tầm nhìn đến năm 2045",
     [("đến năm 2030", "date", "2030-12-31"), ("đến năm 2045", "date", "2045-12-31")]),
    ("các tỉnh báo cáo trước ngày 15/6 và trước ngày 1/12",
     [("trước ngày 15/6", "date", None), ("trước ngày 1/12", "date", None)]),
    ("Chương trình giai đoạn 2026 - 2030 của tỉnh", [("giai đoạn 2026 - 2030", "period", "2030-12-31")]),
    ("Thời gian thực hiện: Từ năm 2025 đến hết năm 2030.", [("Từ năm 2025 đến hết năm 2030", "period", "2030-12-31")]),
    ("thực hiện theo tiến độ được phê duyệt", [("theo tiến độ được phê duyệt", "conditional", None)]),
    ("Phát triển mạng 4G, 5G trên địa bàn", []),
    ("chuẩn bị 6 tháng, sau đó", []),
])
def test_find_deadlines(text, expected):
    found = find_deadlines(text)
    assert [(d.raw, d.type, d.due) for d in found] == expected
    for d in found:
        assert text[d.span.start:d.span.end] == d.raw


@pytest.mark.parametrize("text", [
    "Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị",
    "Căn cứ Nghị quyết số 71/NQ-CP ngày 01 tháng 4 năm 2025 của Chính phủ",
    "Thực hiện Kế hoạch số 358/KH-UBND, ngày 31/12/2025 của Ủy ban nhân dân thành phố",
    "Kế hoạch số 285 - KH/TW ngày 27/6/2025 của Ban Thường vụ Tỉnh ủy",
    "Nghị định số 179/2025/NĐ-CP ngày 01/7/2025 của Chính phủ",
    "Thông tư số 02/2025/TT-BGDĐT của Bộ",
    "Thông tư số 02/2025 của Bộ",
    "theo Quyết định ngày 15/3/2025 của UBND tỉnh",
])
def test_dates_of_cited_documents_are_no_deadlines(text):
    assert [d for d in find_deadlines(text) if d.type in ("date", "period")] == []


@pytest.mark.parametrize("text", [
    "Trung tâm giáo dục nghề nghiệp - giáo dục thường xuyên",
    "các cơ sở giáo dục thường xuyên trên địa bàn",
])
def test_giao_duc_thuong_xuyen_is_no_deadline(text):
    assert find_deadlines(text) == []


def test_bullets_on_two_lines_are_not_a_period():
    text = "- Tháng 9/2025\n- Tháng 12/2025"
    assert [(d.type, d.due) for d in find_deadlines(text)] == [("date", "2025-09-30"), ("date", "2025-12-31")]
    assert [d.type for d in find_deadlines("Năm 2025\n- 2030 hoàn thành")] == ["date"]


def test_month_range_is_not_a_day():
    assert _key(normalize_deadline("11 - 12/2025")) == ("period", "2025-12-31")


def test_recurring_does_not_swallow_next_clause_after_semicolon():
    found = find_deadlines("định kỳ hoặc đột xuất theo yêu cầu; Sau khi thành phố ban hành kế hoạch")
    assert [d.type for d in found] == ["recurring", "conditional"]


def test_chuyen_doi_so_nam_is_not_a_document_number():
    assert _key(find_deadlines("Kế hoạch chuyển đổi số năm 2025")[0]) == ("date", "2025-12-31")


def test_plan_date_fills_years_in_running_text():
    found = find_deadlines("báo cáo trước ngày 15/6", plan_date=PLAN_DATE)
    assert _key(found[0]) == ("date", "2025-06-15")


def test_find_deadlines_empty():
    assert find_deadlines("") == []


# ---------------------------------------------------------------- plan dates


@pytest.mark.parametrize("text, expected", [
    ("ngày 02 tháng 10 năm 2025", dt.date(2025, 10, 2)),
    ("Trần Liễu, ngày 02 tháng 10 năm 2025", dt.date(2025, 10, 2)),
    ("02/10/2025", dt.date(2025, 10, 2)),
    ("02/10 /2025", dt.date(2025, 10, 2)),
    ("Gia Phúc, ngày 15/9/2025", dt.date(2025, 9, 15)),
    ("Hà Nội, ngày 9 tháng 1 năm 2025", dt.date(2025, 1, 9)),
    ("Long Mỹ, ngày tháng năm 2025", None),
    ("Long Mỹ, ngày   tháng   năm 2025", None),
    ("Bình Giang, ngày tháng 01 năm 2026", None),
    ("ngày 31 tháng 02 năm 2025", None),
    ("", None),
])
def test_parse_vietnamese_date(text, expected):
    assert parse_vietnamese_date(text) == expected


# ---------------------------------------------------------------- gold, parents, wild


def _gold_deadlines() -> list[dict]:
    """Every gold deadline, with the issue date of its plan ("plan_date"): a day written without
    its year ("từ ngày 15/11 đến ngày 15/12") takes the plan's year."""
    out = []
    for path in sorted(GOLD.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        issued = (doc.get("document") or {}).get("issued")
        plan_date = dt.date.fromisoformat(issued) if issued else None
        out += [{**t["deadline"], "plan_date": plan_date} for t in doc["tasks"] if t.get("deadline")]
    return out


def _gold_key(g: dict):
    return _key(normalize_deadline(g["raw"], plan_date=g["plan_date"]))


def test_gold_deadline_raws_normalise_to_gold_type_and_due():
    gold = _gold_deadlines()
    assert len(gold) >= 60
    right = [g for g in gold if _gold_key(g) == (g["type"], g.get("due"))]
    assert len(right) / len(gold) >= 0.95, [g for g in gold if g not in right]


@pytest.mark.parametrize("raw", sorted({g["raw"] for g in _gold_deadlines()}) if GOLD.is_dir() else [])
def test_each_gold_deadline_raw(raw):
    for gold in (g for g in _gold_deadlines() if g["raw"] == raw):
        assert _gold_key(gold) == (gold["type"], gold.get("due"))


def _pl2_deadline_cells() -> list[str]:
    cells = []
    for line in (PARENTS / "03-NQ-CP-PL2.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("|"):
            row = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(row) >= 6 and re.match(r"^\d+\.?$", row[0]):
                cells.append(row[-1])
    return cells


def test_every_parent_task_deadline_cell_is_read():
    cells = [c for c in _pl2_deadline_cells() if c]
    assert len(cells) >= 120
    unread = [c for c in cells if normalize_deadline(c) is None]
    assert unread == []
    undated = [c for c in cells if re.search(r"\d{4}", c) and "tiếp theo" not in c
               and normalize_deadline(c).due is None]
    assert undated == []


@pytest.mark.parametrize("cell, key", [
    ("6/2025", ("date", "2025-06-30")),
    ("03/2025", ("date", "2025-03-31")),
    ("2025", ("date", "2025-12-31")),
    ("12/2026", ("date", "2026-12-31")),
    ("Quý II/2025", ("date", "2025-06-30")),
    ("Tháng 5/2025", ("date", "2025-05-31")),
    ("2025-2026", ("period", "2026-12-31")),
    ("2025 - 2026", ("period", "2026-12-31")),
    ("2025 và những năm tiếp theo", ("recurring", None)),
    ("Nhiệm vụ thường xuyên", ("recurring", None)),
])
def test_parent_task_deadline_cells(cell, key):
    assert cell in _pl2_deadline_cells()
    assert _key(normalize_deadline(cell)) == key


# "Thời gian thực hiện: ..." phrases of the wild documents (provincial and ministerial plans).
@pytest.mark.parametrize("raw, key", [
    ("Thường xuyên.", ("recurring", None)),
    ("Theo kế hoạch công tác tư pháp hàng năm.", ("recurring", None)),     # the gold's reading
    ("Giai đoạn 2026-2030 và những năm tiếp theo.", ("recurring", None)),
    ("Thường xuyên, theo yêu cầu nhiệm vụ.", ("recurring", None)),
    ("Từ 01/7/2025.", ("recurring", None)),     # open-ended, as the gold reads it
    ("Tháng 12/2025.", ("date", "2025-12-31")),
    ("Hằng năm.", ("recurring", None)),
    ("Từ năm 2025 đến hết năm 2030.", ("period", "2030-12-31")),
    ("Năm 2025 và các năm tiếp theo.", ("recurring", None)),
    ("Quý IV năm 2025 và các năm tiếp theo.", ("recurring", None)),
    ("Theo tiến độ xây dựng dự thảo văn bản của cơ quan chủ trì soạn thảo.", ("conditional", None)),
    ("Sau khi Nghị định quy định chi tiết thi hành một số điều của Luật Tiêu chuẩn và quy chuẩn kỹ thuật ban hành.",
     ("conditional", None)),
    ("Năm 2026 và các năm tiếp theo.", ("recurring", None)),
    ("Ban hành trong quý I năm 2026. Thực hiện rà soát, điều chỉnh (nếu có)", ("date", "2026-03-31")),
    ("Giai đoạn 2026 - 2027. Thực hiện rà soát, cập nhật", ("period", "2027-12-31")),
    ("Ban hành trong năm 2026. Thực hiện rà soát, điều chỉnh (nếu có)", ("date", "2026-12-31")),
    ("Hoàn thành trong năm 2026 và có rà soát, sửa đổi, bổ sung hằng năm", ("date", "2026-12-31")),
    ("Quý IV/2026", ("date", "2026-12-31")),
    ("Quý II/2027", ("date", "2027-06-30")),
    ("Năm 2025-2030", ("period", "2030-12-31")),
    ("Năm 2025 - 2026", ("period", "2026-12-31")),
    ("Trước năm 2030", ("date", "2029-12-31")),
    ("Tháng 11/2025", ("date", "2025-11-30")),
    ("Tháng 12 hằng năm", ("recurring", None)),
    ("Thường xuyên, liên tục", ("recurring", None)),
    ("Sau khi có Quy chế", ("conditional", None)),
    ("Theo Kế hoạch", ("conditional", None)),
    ("Theo lộ trình được giao tại Kế hoạch số 02-KH/BCĐTW", ("conditional", None)),
    ("Định kỳ báo cáo UBND tỉnh (qua Sở Tư pháp) kết quả thực hiện Kế hoạch hằng năm", ("recurring", None)),
])
def test_wild_deadline_phrases(raw, key):
    assert _key(normalize_deadline(raw)) == key


def _wild_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(WILD.glob("*.md")) if p.name != "README.md"]


def test_wild_documents_spans_are_exact_ordered_and_disjoint():
    texts = _wild_texts()
    assert len(texts) >= 40
    total = 0
    for text in texts:
        found = find_deadlines(text)
        total += len(found)
        for d in found:
            assert text[d.span.start:d.span.end] == d.raw
            assert d.type in ("date", "period", "recurring", "conditional")
            if d.type == "date" and d.due:
                dt.date.fromisoformat(d.due)
        for a, b in zip(found, found[1:]):
            assert a.span.end <= b.span.start
    assert total > 1000


def test_wild_thoi_gian_thuc_hien_phrases_are_read():
    """Every "Thời gian thực hiện: X" in the wild plans gives a deadline (X runs to the sentence end)."""
    phrases = []
    for text in _wild_texts():
        for m in re.finditer(r"Thời gian thực hiện\s*:?\s*\*?\s*:?\s*\*?\s*([^\n*][^.]{2,120})", text):
            phrase = " ".join(m.group(1).split())
            if phrase and not phrase.lower().startswith(("chương trình", "kế hoạch")):
                phrases.append(phrase)
    assert len(phrases) >= 20
    unread = [p for p in phrases if normalize_deadline(p) is None]
    assert len(unread) <= len(phrases) * 0.1, unread


def test_gold_prose_tasks_first_deadline_matches_gold():
    """Where the gold deadline is written in the task's own text, find_deadlines reads it first."""
    right = total = 0
    for path in sorted(GOLD.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for task in doc["tasks"]:
            g = task.get("deadline")
            if not g or g["raw"].lower() not in task["text"].lower():
                continue
            total += 1
            found = find_deadlines(task["text"])
            right += int(bool(found) and _key(found[0]) == (g["type"], g.get("due")))
    assert total >= 15
    assert right / total >= 0.85


def test_from_word_is_part_of_a_year_range():
    assert [d.raw for d in find_deadlines("thực hiện từ năm 2025 đến năm 2030")] == ["từ năm 2025 đến năm 2030"]


def test_open_start_in_prose_is_no_deadline():
    """"hồ sơ phát sinh từ ngày 01/7/2025" says where records start, not when a task is due."""
    assert find_deadlines("hồ sơ, tài liệu công việc phát sinh từ ngày 01/7/2025 được tạo lập") == []
    found = find_deadlines("*Thời gian thực hiện: *Từ\n01/7/2025.")
    assert [(d.type, d.start, d.due) for d in found] == [("recurring", "2025-07-01", None)]


@pytest.mark.parametrize("text, n", [
    ("triển khai theo lộ trình trung và dài hạn", 0),
    ("thực hiện theo tiến độ chung của tỉnh", 1),
    ("Phối hợp thực hiện theo lộ trình của Trung ương", 1),
])
def test_theo_lo_trinh_in_prose_needs_its_owner(text, n):
    assert len([d for d in find_deadlines(text) if d.type == "conditional"]) == n


def test_peer_bench_compare_dates():
    """bench/peer_dates.py: our grammar gets every dated gold deadline; dateparser as shipped none."""
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "bench" / "peer_dates.py"
    spec = importlib.util.spec_from_file_location("peer_dates", path)
    peer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(peer)
    result = peer.compare_dates(GOLD)
    assert result["total"] >= 10
    assert result["right"]["ours"] == result["total"]
    assert result["right"]["dateparser"] < result["total"] / 2
    assert {"raw", "due", "dateparser", "dateparser_last_day", "ours"} <= set(result["rows"][0])
    assert "ours" in peer.format_table(result)


# ---------------------------------------------------------------- regressions (issue 9, unseen plans)


def test_regression_open_start_until_an_event_is_conditional():
    """Quảng Ngãi inventory plan: "Từ tháng 11/2025 đến khi kết thúc Tổng kiểm kê" was a period with
    no end; SCHEMA.md reads it as conditional, in a cell and after "Thời gian thực hiện:" alike."""
    assert _key(normalize_deadline("Từ tháng 11/2025 đến khi kết thúc Tổng kiểm kê")) == ("conditional", None)
    found = find_deadlines("- Thời gian thực hiện: Từ tháng 12/2025 đến khi kết thúc Tổng kiểm kê.")
    assert [(d.raw, d.type) for d in found] == [("Từ tháng 12/2025 đến khi kết thúc Tổng kiểm kê", "conditional")]


def test_regression_theo_ke_hoach_hang_nam_is_recurring():
    """Bắc Ninh plan: "Theo kế hoạch công tác tư pháp hàng năm" follows a yearly plan (recurring);
    a strong cue keeps the whole cell conditional."""
    assert _key(normalize_deadline("Theo Kế hoạch bồi dưỡng công chức, viên chức hàng năm")) == ("recurring", None)
    assert _key(normalize_deadline("Sau khi thành phố ban hành kế hoạch hằng năm")) == ("conditional", None)
    assert _key(normalize_deadline("Theo Kế hoạch")) == ("conditional", None)


def test_regression_open_start_is_recurring_with_its_start():
    d = normalize_deadline("Từ 01/7/2025.")
    assert (d.type, d.start, d.due) == ("recurring", "2025-07-01", None)


@pytest.mark.parametrize("text", [
    # a frequency word that describes a noun of the object
    "Triển khai các chương trình phát động phong trào “học tập số” thường xuyên, liên tục, phổ cập kiến thức",
    "lồng ghép vào chương trình, kế hoạch công tác hằng năm của cơ quan, đơn vị",
    "Duy trì các hoạt động thường xuyên của Tổ công nghệ số cộng đồng",
    # budget lines
    "bố trí kinh phí chi thường xuyên theo quy định",
    "từ nguồn kinh phí thường xuyên được giao",
    # a passive that says how the object behaves, not when the task is done
    "Bản tin dự báo được phát hành định kỳ và đột xuất cho cộng đồng",
    "Giao thức chia sẻ dữ liệu được ban hành và cập nhật định kỳ.",
])
def test_frequency_word_inside_the_object_is_no_deadline(text):
    assert [d.raw for d in find_deadlines(text) if d.type == "recurring"] == []


@pytest.mark.parametrize("text, raw", [
    ("Thường xuyên rà soát, kiện toàn đội ngũ cán bộ", "Thường xuyên"),
    ("Xây dựng, duy trì thường xuyên các chuyên mục về pháp luật", "thường xuyên"),
    ("bố trí kinh phí chi thường xuyên trong dự toán ngân sách nhà nước hàng năm cho các cơ quan", "hàng năm"),
    ("tham mưu sơ kết, tổng kết và định kỳ báo cáo UBND tỉnh theo quy định", "định kỳ"),
])
def test_frequency_word_as_the_time_of_the_task_is_recurring(text, raw):
    assert [(d.raw, d.type) for d in find_deadlines(text)][:1] == [(raw, "recurring")]


@pytest.mark.parametrize("text", [
    "tuyên truyền về cuộc bầu cử đại biểu Hội đồng nhân dân các cấp nhiệm kỳ 2026 - 2031.",
    "học sinh niên khóa 2025 - 2026 của trường",
    "phù hợp với Quy hoạch tỉnh thời kỳ 2021-2030, tầm nhìn đến năm 2050.",
    "triển khai Chiến lược quốc gia về bình đẳng giới giai đoạn 2021 - 2030 trên địa bàn",
    "theo quy định của Luật Nhà ở năm 2023 và các văn bản hướng dẫn",
    "trong tình hình mới; Kế hoạch số 321-KH/TU ngày 11/4/2025 của Tỉnh ủy về triển khai thực hiện công tác "
    "bảo vệ bí mật nhà nước năm 2025; Công văn số 574/UBND-NC",
])
def test_years_that_name_a_term_or_a_cited_document_are_no_deadlines(text):
    assert [d.raw for d in find_deadlines(text) if d.type in ("date", "period")] == []


@pytest.mark.parametrize("text, raw", [
    ("Xây dựng Kế hoạch chuyển đổi số năm 2025 đảm bảo nội dung", "năm 2025"),            # what the task makes
    ("Chương trình giai đoạn 2026 - 2030 của tỉnh", "giai đoạn 2026 - 2030"),            # capital of the clause
    ("Tổ chức thực hiện Kế hoạch này đến năm 2030", "đến năm 2030"),                      # the plan itself
    ("theo Luật Nhà ở năm 2023 và hoàn thành trước tháng 6/2026", "hoàn thành trước tháng 6/2026"),  # the title ended
    ("thực hiện Quy hoạch tỉnh thời kỳ 2021-2030; hoàn thành trong năm 2026", "hoàn thành trong năm 2026"),
])
def test_years_outside_document_names_are_still_deadlines(text, raw):
    assert [d.raw for d in find_deadlines(text) if d.type in ("date", "period")] == [raw]


def test_regression_nhiem_ky_of_an_election_is_no_period():
    """Đắk Lắk election campaign: "Hội đồng nhân dân các cấp nhiệm kỳ 2026 - 2031" gave every task a
    2026-2031 period."""
    assert find_deadlines("bầu cử đại biểu Quốc hội khóa XVI và đại biểu Hội đồng nhân dân các cấp "
                          "nhiệm kỳ 2026 - 2031 theo chỉ đạo của Hội đồng bầu cử") == []


def test_regression_apostrophe_of_an_hour_is_no_quotation():
    """"trước 19h00’ hằng ngày": the ’ marks minutes, so "hằng ngày" is the task's time."""
    assert [d.type for d in find_deadlines("báo cáo UBND tỉnh trước 19h00’ hằng ngày và đột xuất khi cần thiết")] \
        == ["recurring"]


def test_regression_space_inside_a_document_number_keeps_its_date_a_citation():
    assert find_deadlines("(Số 1226/QĐ- BVHTTDL ngày 29/4/2025 và số 2657/QĐ-BVHTTDL ngày 29/7/2025)") == []


def test_regression_time_of_a_task_after_a_document_name_is_kept():
    """"sơ kết ... Kế hoạch vào cuối năm 2027": a lead-in other than "đến" says when the task is done."""
    found = find_deadlines("tổ chức sơ kết kết quả triển khai Kế hoạch vào cuối năm 2027 và tổng kết vào cuối năm 2030")
    assert [d.due for d in found] == ["2027-12-31", "2030-12-31"]
    assert [d.raw for d in find_deadlines("*b) Kế hoạch sử dụng đất giai đoạn 2026-2030: *Thực hiện")] \
        == ["giai đoạn 2026-2030"]


@pytest.mark.parametrize("text, raw", [
    ("Trong vòng 30 ngày kể từ ngày nhận được hồ sơ hợp lệ, cơ quan chủ quản trình",
     "Trong vòng 30 ngày kể từ ngày nhận được hồ sơ hợp lệ"),
    ("báo cáo chậm nhất 05 ngày làm việc sau khi có kết quả thẩm định.", "chậm nhất 05 ngày làm việc sau khi có kết quả thẩm định"),
    ("ban hành trong 15 (mười lăm) ngày kể từ ngày ban hành Kế hoạch", "trong 15 (mười lăm) ngày kể từ ngày ban hành Kế hoạch"),
])
def test_time_counted_from_an_event_is_conditional(text, raw):
    assert [(d.raw, d.type) for d in find_deadlines(text)] == [(raw, "conditional")]
    assert _key(normalize_deadline(raw)) == ("conditional", None)


def test_a_duration_alone_is_no_deadline():
    assert find_deadlines("thời gian đào tạo tối thiểu 03 tháng") == []
