"""Numeric targets (nlp/extract/targets.py): indicator tables (one target per year column with a
value), value columns, and target statements in prose."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus" / "plans"
SHARED = REPO / ".." / "shared"
PARENTS = SHARED / "parents"
PREFIXES = ["000", "001", "002", "003", "004"]


def corpus(prefix: str) -> Path:
    return next(CORPUS.glob(f"{prefix}_*.txt"))




def one(targets, indicator_part: str, year: int | None):
    found = [t for t in targets if indicator_part in t.indicator and t.year == year]
    assert len(found) == 1, (indicator_part, year, [(t.indicator[:50], t.year, t.raw) for t in found])
    return found[0]


# ------------------------------------------------------------------ 03/NQ-CP Phụ lục I


@pytest.fixture(scope="module")
def pl1_targets(extracted):
    return extracted(PARENTS / "03-NQ-CP-PL1.md").targets


def test_pl1_numeric_targets(pl1_targets):
    assert len(pl1_targets) >= 40
    assert {t.year for t in pl1_targets} == {2030, 2045}
    assert all(t.unit for t in pl1_targets if "Tỉ lệ" in t.indicator or "Tỷ lệ" in t.indicator)


def test_pl1_tfp_share(pl1_targets):
    tfp = one(pl1_targets, "năng suất nhân tố tổng hợp", 2030)
    assert (tfp.comparator, tfp.value, tfp.unit) == (">=", 55, "%")
    assert tfp.lead == ["Bộ Kế hoạch và Đầu tư"]
    assert tfp.section == "PL1.I.8"


def test_pl1_digital_economy_2030_and_2045(pl1_targets):
    to_2030 = one(pl1_targets, "Quy mô kinh tế số", 2030)
    to_2045 = one(pl1_targets, "Quy mô kinh tế số", 2045)
    assert (to_2030.comparator, to_2030.value, to_2030.unit) == (">=", 30, "% GDP")
    assert (to_2045.comparator, to_2045.value, to_2045.unit) == (">=", 50, "% GDP")


def test_pl1_range_and_rank(pl1_targets):
    ranked = one(pl1_targets, "Tổ chức khoa học và công nghệ được xếp hạng", 2030)
    assert (ranked.comparator, ranked.value, ranked.value_max) == ("range", 40, 50)
    competitiveness = [t for t in pl1_targets if t.indicator.startswith("Xếp hạng năng lực cạnh tranh số")]
    assert sorted((t.comparator, t.value) for t in competitiveness) == [("<=", 3), ("<=", 50)]


def test_pl1_qualitative_rows_give_no_target(pl1_targets):
    # "Đạt mức tiên tiến ở nhiều lĩnh vực quan trọng ..." has no number
    assert not [t for t in pl1_targets if t.indicator.startswith("Tiềm lực, trình độ khoa học")]


# ------------------------------------------------------------------ 57-NQ/TW objectives in prose


def test_57_objectives_in_prose(extracted):
    targets = extracted(PARENTS / "57-NQ-TW.md").targets
    economy = [t for t in targets if "kinh tế số" in t.indicator and t.unit == "% GDP"]
    assert sorted((t.year, t.comparator, t.value) for t in economy) == [(2030, ">=", 30), (2045, ">=", 50)]
    budget = [t for t in targets if t.unit.startswith("% tổng chi ngân sách")]
    assert budget and budget[0].value == 3 and budget[0].comparator == ">="


# ------------------------------------------------------------------ corpus 002 year table


@pytest.fixture(scope="module")
def targets_002(extracted):
    return extracted(corpus("002")).targets


def test_002_year_columns_give_one_target_per_year(targets_002):
    row1 = [t for t in targets_002 if t.section == "PL2.I.1"]
    assert [(t.year, t.comparator, t.value) for t in row1] == [
        (2025, ">=", 60), (2030, "=", 100), (2035, "=", 100), (2040, "=", 100), (2045, "=", 100)]
    assert all(t.unit == "%" and t.lead == ["Phòng Văn hóa - Xã hội"] for t in row1)


def test_002_dash_is_no_value(targets_002):
    row3 = [t for t in targets_002 if t.section == "PL2.I.3"]
    assert [(t.year, t.value) for t in row3] == [(2035, 50), (2040, 80), (2045, 100)]


def test_002_range_and_count_units(targets_002):
    row8 = {t.year: t for t in targets_002 if t.section == "PL2.II.8"}
    assert sorted(row8) == [2040, 2045]
    assert (row8[2040].comparator, row8[2040].value, row8[2040].value_max) == ("range", 80, 90)
    assert (row8[2045].comparator, row8[2045].value) == (">=", 90)
    initiatives = [t for t in targets_002 if t.section == "PL2.III.16"]
    assert [t.value for t in initiatives] == [2, 5, 6, 7, 8]
    assert {t.unit for t in initiatives} == {"sáng kiến/năm"}


def test_002_value_column_target(targets_002):
    budget = next(t for t in targets_002 if t.section == "PL1.I.3")
    assert (budget.comparator, budget.value, budget.unit, budget.year) == ("=", 3, "% tổng chi ngân sách nhà nước", 2030)


# ------------------------------------------------------------------ corpus against gold


@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_gold_target_is_found(extracted, gold, scorer, prefix):
    path = corpus(prefix)
    gold_targets = gold(path.stem)["targets"]
    predicted = [t.model_dump(mode="json") for t in extracted(path).targets]

    def score(g, p):
        if scorer.number(g.get("value")) != scorer.number(p.get("value")) or g.get("year") != p.get("year"):
            return 0
        s = scorer.overlap(g.get("indicator", ""), p.get("indicator", ""))
        return s if s >= scorer.INDICATOR_MATCH else 0

    pairs = scorer.greedy_match(gold_targets, predicted, score)
    found = {i for i, _ in pairs}
    missing = [(g["section"], g["indicator"][:50], g["year"], g["raw"]) for i, g in enumerate(gold_targets) if i not in found]
    assert not missing
    wrong = [(gold_targets[i]["section"], gold_targets[i]["raw"], predicted[j]["comparator"], predicted[j]["unit"])
             for i, j in pairs
             if (gold_targets[i]["comparator"], scorer.fold(gold_targets[i]["unit"])) != (predicted[j]["comparator"], scorer.fold(predicted[j]["unit"]))]
    assert not wrong
    assert len(predicted) - len(pairs) <= 1, "spurious targets"


# ------------------------------------------------------------------ evidence spans


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


@pytest.mark.parametrize("prefix", ["002", "004"])
def test_target_spans_hold_the_value(extracted, prefix):
    """A target's span is in the text and holds the words of its raw value ('≥ 60%', 'ít nhất
    3% tổng chi ngân sách phường'). Fails today for targets read from a task cell of a flattened
    table (002 PL3.II.2, PL3.III.1, PL3.III.7): the offset inside the cell is added to the row's
    start, so the span lands a few characters off (' dụn' for '100%')."""
    extraction = extracted(corpus(prefix))
    text = extraction.text
    off = []
    for target in extraction.targets:
        assert target.span is not None, target.id
        assert 0 <= target.span.start < target.span.end <= len(text)
        source = words(text[target.span.start:target.span.end])
        if not words(target.raw) <= source:
            off.append((target.id, target.section, target.raw, text[target.span.start:target.span.end][:40]))
    assert not off


# ------------------------------------------------------------------ plans nobody tuned to (issue 9)

_TABLE_PLAN = """ỦY BAN NHÂN DÂN TỈNH X

Số: 12/KH-UBND

Hà Nội, ngày 05 tháng 01 năm 2026

KẾ HOẠCH
Chuyển đổi số năm 2026

I. MỤC TIÊU

| STT | Chỉ tiêu | Cơ quan chủ trì |
|---|---|---|
| 1 | Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng đạt 100% | Văn phòng UBND tỉnh |
| 2 | Xây dựng 58 trạm quan trắc môi trường tự động | Sở Nông nghiệp và Môi trường |
| 3 | Hiện trạng tỷ lệ dân số có tài khoản số chiếm 45% | Sở Khoa học và Công nghệ |

II. NHIỆM VỤ

1. Năm 2024 tỷ lệ thanh toán không dùng tiền mặt đạt 40%, phấn đấu năm 2026 đạt 80%.

2. Tỷ lệ người dân sử dụng dịch vụ công trực tuyến đạt 50% vào năm 2026 và 70% vào năm 2027.

3. Tỷ lệ doanh nghiệp sử dụng hóa đơn điện tử đến năm 2026 đạt 85%, năm 2027 đạt 95%.
"""


@pytest.fixture(scope="module")
def table_plan_targets(tmp_path_factory, extracted):
    path = tmp_path_factory.mktemp("plans") / "table_plan.md"
    path.write_text(_TABLE_PLAN, encoding="utf-8")
    return extracted(path).targets


def test_value_inside_the_indicator_cell_of_a_table_without_value_column(table_plan_targets):
    t = one(table_plan_targets, "hồ sơ công việc", None)
    assert (t.comparator, t.value, t.unit, t.lead) == ("=", 100, "%", ["Văn phòng UBND tỉnh"])
    t = next(t for t in table_plan_targets if t.value == 58)
    assert (t.unit, t.lead) == ("trạm quan trắc", ["Sở Nông nghiệp và Môi trường"])


def test_baselines_are_no_targets(table_plan_targets):
    values = [t.value for t in table_plan_targets]
    assert 45 not in values          # "Hiện trạng ... chiếm 45%"
    assert 40 not in values          # "Năm 2024 ... đạt 40%" in a plan of 2026
    assert (80, 2026) in [(t.value, t.year) for t in table_plan_targets]


def test_each_figure_takes_its_own_year(table_plan_targets):
    years = {t.value: t.year for t in table_plan_targets if "dịch vụ công" in t.indicator}
    assert years == {50: 2026, 70: 2027}
    years = {t.value: t.year for t in table_plan_targets if "hóa đơn" in t.indicator}
    assert years == {85: 2026, 95: 2027}


def test_regression_award_quotas_are_no_targets(extracted):
    """2957e4f4 (an election emulation plan): "IV. SỐ LƯỢNG ĐỀ NGHỊ KHEN THƯỞNG" lists how many awards
    each body may propose ("Ban Chỉ đạo bầu cử của tỉnh: Không quá 05 cá nhân"): 7 false targets."""
    targets = extracted(SHARED / "wild" / "2957e4f4f0e41373.md").targets
    assert not [t for t in targets if (t.section or "").startswith("IV")]
    assert [t.value for t in targets if "cử tri" in t.indicator] == [98]     # its one target stays


def test_regression_target_of_a_period_holds_by_its_last_year(extracted):
    """09daab28: "Trong giai đoạn 2026 - 2030 phấn đấu có ít nhất 10% đội ngũ …" is due in 2030 (no year was read)."""
    targets = extracted(SHARED / "wild" / "09daab284f92e2dd.md").targets
    assert [t.year for t in targets if t.value == 10] == [2030]
