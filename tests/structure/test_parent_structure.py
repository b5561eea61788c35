"""Structure of the real parent documents (../shared/parents): the part tree, section types,
table rows and column roles that the comparison stage relies on."""
from __future__ import annotations

from pathlib import Path

import pytest

from nlp.schema import SectionType, StructuredDocument

PARENTS = Path(__file__).resolve().parents[2] / ".." / "shared" / "parents"

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII"]


def by_path(doc: StructuredDocument) -> dict:
    return {s.path: s for s in doc.walk() if s.path}


def rows(section) -> list:
    return [it for s in section.walk() for it in s.items if it.kind == "table_row"]


def outline_labels(section) -> list[str]:
    """Labels of the numbered things directly under ``section`` (child sections and numbered
    items), in reading order: siblings in the source must come out as siblings."""
    found = [(c.span.start, c.number) for c in section.children if c.number]
    found += [(it.span.start, it.label) for it in section.items if it.kind == "numbered" and it.label]
    return [label for _, label in sorted(found)]


# ------------------------------------------------------------------ 03/NQ-CP Phụ lục II: 140 tasks


@pytest.fixture(scope="module")
def pl2(structured) -> StructuredDocument:
    return structured(PARENTS / "03-NQ-CP-PL2.md")


def test_pl2_is_one_task_appendix_with_seven_groups(pl2):
    appendix = [s for s in pl2.sections if s.type != SectionType.FRONT_MATTER]
    assert [s.path for s in appendix] == ["PL2"]
    assert appendix[0].type == SectionType.APPENDIX_TASKS
    assert appendix[0].title.startswith("DANH MỤC CÁC NHIỆM VỤ TRIỂN KHAI CHƯƠNG TRÌNH HÀNH ĐỘNG")
    groups = appendix[0].children
    assert [g.path for g in groups] == [f"PL2.{r}" for r in ROMAN]
    assert all(g.type == SectionType.APPENDIX_TASKS for g in groups)
    assert groups[0].title.startswith("Nâng cao nhận thức, đột phá về đổi mới tư duy")
    assert groups[6].title.startswith("Tăng cường hợp tác quốc tế")


def test_pl2_group_row_counts(pl2):
    sections = by_path(pl2)
    assert [len(rows(sections[f"PL2.{r}"])) for r in ROMAN] == [13, 29, 34, 12, 28, 15, 9]
    assert len(rows(sections["PL2"])) == 140


def test_pl2_rows_numbered_in_sequence(pl2):
    assert [r.label for r in rows(by_path(pl2)["PL2"])] == [str(i) for i in range(1, 141)]


def test_pl2_column_roles_of_task_lead_support_deadline(pl2):
    for row in rows(by_path(pl2)["PL2"]):
        assert row.header == ["TT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Kết quả", "Thời gian hoàn thành"]
        roles = row.roles
        assert (roles[0], roles[1], roles[2], roles[3], roles[5]) == ("number", "task", "lead", "support", "deadline")


def test_regression_pl2_result_column_is_product(pl2):
    """In a task table 'Kết quả' holds the product (Quyết định, Đề án ...), not a target value;
    roles come out [..., 'value', 'deadline'] so Task.result stays empty."""
    row = rows(by_path(pl2)["PL2"])[0]
    assert row.roles == ["number", "task", "lead", "support", "product", "deadline"]


def test_pl2_first_row_cells(pl2):
    first = rows(by_path(pl2)["PL2.I"])[0]
    assert first.cells[1].startswith("Xây dựng, trình Thủ tướng Chính phủ ban hành và tổ chức triển khai chương trình tuyên truyền")
    assert first.cells[2] == "Bộ Khoa học và Công nghệ"
    assert first.cells[3] == "Ban Tuyên giáo Trung ương; các bộ, ngành, địa phương; VTV, VOV, TTXVN"
    assert first.cells[4] == "Quyết định của Thủ tướng Chính phủ"
    assert first.cells[5] == "6/2025"
    for cell, span in zip(first.cells, first.cell_spans):
        assert span is not None and pl2.text[span.start:span.end] == cell


def test_pl2_every_row_has_lead_and_most_a_deadline(pl2):
    all_rows = rows(by_path(pl2)["PL2"])
    assert all(r.cells[2] for r in all_rows)
    assert sum(bool(r.cells[5]) for r in all_rows) >= 135


# ------------------------------------------------------------------ 03/NQ-CP Phụ lục I: targets


@pytest.fixture(scope="module")
def pl1(structured) -> StructuredDocument:
    return structured(PARENTS / "03-NQ-CP-PL1.md")


def test_pl1_targets_appendix_groups(pl1):
    sections = by_path(pl1)
    assert sections["PL1"].type == SectionType.APPENDIX_TARGETS
    assert [(c.path, c.title) for c in sections["PL1"].children] == [("PL1.I", "Đến năm 2030"), ("PL1.II", "Đến năm 2045")]
    assert all(c.type == SectionType.APPENDIX_TARGETS for c in sections["PL1"].children)


def test_pl1_rows_and_roles(pl1):
    sections = by_path(pl1)
    to_2030, to_2045 = rows(sections["PL1.I"]), rows(sections["PL1.II"])
    # 1..35 with sub-rows 11.1-11.12 and 23.1-23.4; then 36..41
    assert len(to_2030) == 51 and len(to_2045) == 6
    assert [r.label for r in to_2045] == ["36", "37", "38", "39", "40", "41"]
    assert "11.12" in [r.label for r in to_2030] and "23.4" in [r.label for r in to_2030]
    assert all(r.roles == ["number", "indicator", "unit", "value", "lead"] for r in to_2030 + to_2045)
    row36 = to_2045[0]
    assert row36.cells == ["36", "Quy mô kinh tế số", "% GDP", "≥ 50", "Bộ Thông tin và Truyền thông"]


# ------------------------------------------------------------------ 57-NQ/TW


@pytest.fixture(scope="module")
def nq57(structured) -> StructuredDocument:
    return structured(PARENTS / "57-NQ-TW.md")


def test_57_top_level_parts_and_types(nq57):
    top = [(s.path, s.type) for s in nq57.sections]
    assert top == [("", SectionType.FRONT_MATTER), ("I", SectionType.PURPOSE), ("II", SectionType.OBJECTIVES),
                   ("III", SectionType.TASKS), ("IV", SectionType.ORGANISATION)]


def test_57_objectives(nq57):
    sections = by_path(nq57)
    assert [(c.path, c.title) for c in sections["II"].children] == [("II.1", "Đến năm 2030"), ("II.2", "Tầm nhìn đến năm 2045")]
    to_2030 = sections["II.1"]
    assert to_2030.type == SectionType.OBJECTIVES
    assert [it.kind for it in to_2030.items] == ["bullet"] * 5
    assert "tối thiểu 70% kinh tế số" not in to_2030.items[0].text    # that is a task (III.5), not an objective
    assert any("Tiềm lực, trình độ khoa học, công nghệ và đổi mới sáng tạo đạt mức tiên tiến" in it.text for it in to_2030.items)


def test_57_seven_task_groups(nq57):
    groups = by_path(nq57)["III"].children
    assert [g.path for g in groups] == [f"III.{i}" for i in range(1, 8)]
    assert all(g.type == SectionType.TASKS for g in groups)
    assert groups[0].title.startswith("Nâng cao nhận thức, đột phá về đổi mới tư duy")
    assert groups[6].title == "Tăng cường hợp tác quốc tế trong phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số"
    assert all(g.items for g in groups)
    assert [len([i for i in g.items if i.kind == "bullet"]) for g in groups] == [2, 4, 6, 3, 3, 4, 0]


def test_57_organisation_items(nq57):
    organisation = by_path(nq57)["IV"]
    assert outline_labels(organisation) == ["1", "2", "3", "4", "5", "6"]
    assert organisation.items[0].text.startswith("1. Thành lập Ban Chỉ đạo Trung ương") or \
        organisation.items[0].text.startswith("Thành lập Ban Chỉ đạo Trung ương")


def test_57_front_matter_has_no_tasks_section(nq57):
    front = nq57.sections[0]
    assert front.type == SectionType.FRONT_MATTER
    assert front.span.start == 0 and front.span.end <= by_path(nq57)["I"].span.start


# ------------------------------------------------------------------ 03/NQ-CP (resolution + programme)


@pytest.fixture(scope="module")
def nq03(structured) -> StructuredDocument:
    return structured(PARENTS / "03-NQ-CP.md")


def test_03_programme_parts(nq03):
    body = [(s.path, s.type) for s in nq03.sections if s.path]
    assert body == [("I", SectionType.OBJECTIVES), ("II", SectionType.TASKS), ("III", SectionType.ORGANISATION)]
    groups = by_path(nq03)["II"].children
    assert [g.path for g in groups] == [f"II.{i}" for i in range(1, 8)]


def test_03_letter_items_of_group_1(nq03):
    assert outline_labels(by_path(nq03)["II.1"]) == list("abcd") + ["đ"] + list("eghiklmnop")


def test_regression_03_letter_items_after_a_colon_item_stay_siblings(nq03):
    """'g) Bổ sung ... ban hành:' is followed by bullets, then h) ... o): h) to o) are g)'s
    siblings, not its children (the tree showed II.2.g holding h..o: an item numbered right after
    an open section is now its sibling)."""
    assert outline_labels(by_path(nq03)["II.2"]) == list("abcd") + ["đ"] + list("eghiklmno")


def test_regression_03_signature_and_programme_title_not_in_recipients(nq03):
    """After 'Nơi nhận' of the resolution come 'TM. CHÍNH PHỦ / KT. THỦ TƯỚNG' (signature) and
    '# CHƯƠNG TRÌNH HÀNH ĐỘNG CỦA CHÍNH PHỦ' (the programme): neither is a recipient."""
    recipients = [s for s in nq03.sections if s.type == SectionType.RECIPIENTS]
    assert recipients
    texts = [it.text for s in recipients for it in s.items]
    assert not any(t.startswith(("TM.", "KT.")) for t in texts), texts[-5:]
    assert "CHƯƠNG TRÌNH HÀNH ĐỘNG CỦA CHÍNH PHỦ" not in texts


@pytest.mark.parametrize("name", ["57-NQ-TW.md", "03-NQ-CP.md", "03-NQ-CP-PL1.md", "03-NQ-CP-PL2.md"])
def test_section_spans_contain_children_and_items(structured, name):
    doc = structured(PARENTS / name)
    for section in doc.walk():
        assert 0 <= section.span.start <= section.span.end <= len(doc.text)
        for child in section.children:
            assert section.span.start <= child.span.start and child.span.end <= section.span.end, (section.path, child.path)
        for item in section.items:
            assert section.span.start <= item.span.start <= item.span.end <= section.span.end, (section.path, item.text[:40])
            if item.kind != "table_row":
                assert item.text.replace(" ", "")[:20] in doc.text[item.span.start:item.span.end].replace(" ", "").replace("\n", "")


@pytest.mark.parametrize("name, group", [("03-NQ-CP-PL1.md", "PL1.I"), ("03-NQ-CP-PL2.md", "PL2.III")])
def test_regression_table_group_section_spans_cover_their_rows(structured, name, group):
    """A group row of a table ('I | Đến năm 2030') opens a section whose span is empty today
    (every group starts at the table's start, so each ends where the next begins)."""
    doc = structured(PARENTS / name)
    section = by_path(doc)[group]
    section_rows = rows(section)
    assert section_rows
    assert section.span.start <= section_rows[0].span.start
    assert section.span.end >= section_rows[-1].span.end
