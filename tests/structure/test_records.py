"""Task records (nlp/structure/records.py): an instruction and its attribute lines become one task.

The plans are built from patterns: several label spellings, layouts (owner block after a group, after
each bullet, before the group, "Nội dung:" + "Cơ quan thực hiện:", lines run into the instruction,
values continued on the next line or given as sub-bullets) and agencies the lexicon does or does not know.
"""
from __future__ import annotations

import pytest

from nlp.ingest.text_reader import read_text
from nlp.pipeline import extract_structured
from nlp.schema import Item, Span
from nlp.structure import build_structure
from nlp.structure.records import attribute_role, parse_attribute, split_inline_attributes

HEAD = "KẾ HOẠCH\nThực hiện nhiệm vụ năm 2026\n\nI. MỤC ĐÍCH, YÊU CẦU\n\n- Triển khai đồng bộ, hiệu quả.\n\n"


def tasks_of(body: str, fmt: str = "markdown"):
    text = HEAD + body
    doc = build_structure(read_text(text.encode("utf-8"), "plan.md", fmt))
    return extract_structured(doc).tasks


@pytest.mark.parametrize("label, role", [
    ("Đơn vị chủ trì", "lead"), ("Cơ quan chủ trì thực hiện", "lead"),
    ("Đơn vị chủ trì tham mưu thực hiện", "lead"), ("Cơ quan thực hiện", "lead"), ("Chủ trì", "lead"),
    ("Đơn vị phối hợp", "support"), ("Cơ quan phối hợp thực hiện", "support"), ("Phối hợp", "support"),
    ("Thời gian thực hiện", "deadline"), ("Thời hạn hoàn thành", "deadline"), ("Tiến độ", "deadline"),
    ("Sản phẩm", "product"), ("Kết quả đầu ra", "product"), ("Nội dung", "task"),
    ("Mục đích", None), ("Sở Nội vụ", None), ("Triển khai thực hiện các nội dung sau đây", None),
    ("Nhiệm vụ của Sở Tài chính", None),
])
def test_attribute_role_of_labels(label, role):
    assert attribute_role(label) == role


def test_attribute_value_and_span_point_into_the_text():
    text = "*Đơn vị phối hợp: *Sở Tư pháp; Công an tỉnh."
    item = Item(kind="paragraph", text=text, span=Span(start=100, end=100 + len(text)))
    attribute = parse_attribute(item)
    assert attribute.role == "support" and attribute.value == "Sở Tư pháp; Công an tỉnh."
    assert text[attribute.span.start - 100:] == attribute.value


LEADS = [("Sở Tư pháp", "Sở Nội vụ"), ("Phòng Văn hóa - Xã hội", "Công an phường"),
         ("Trung tâm Phục vụ hành chính công tỉnh", "Văn phòng UBND tỉnh")]


@pytest.mark.parametrize("lead, partner", LEADS)
@pytest.mark.parametrize("lead_label, time_label", [("Đơn vị chủ trì", "Thời gian thực hiện"),
                                                    ("*Cơ quan chủ trì thực hiện: *", "Thời hạn hoàn thành")])
def test_owner_block_after_a_group_gives_owner_and_date_to_each_bullet(lead, partner, lead_label, time_label):
    lead_line = lead_label if lead_label.endswith("* ") or lead_label.endswith(": *") else lead_label + ": "
    body = ("II. NHIỆM VỤ, GIẢI PHÁP\n\n1. Nâng cao năng lực đội ngũ\n\n"
            "- Rà soát, kiện toàn đội ngũ cán bộ làm công tác xây dựng pháp luật.\n\n"
            "- Tổ chức tập huấn nghiệp vụ cho đội ngũ cán bộ, công chức.\n\n"
            f"{lead_line}{lead}.\n\nĐơn vị phối hợp: {partner}.\n\n{time_label}: Quý IV/2026.\n\n"
            "- Ứng dụng công nghệ số trong công tác xây dựng pháp luật.\n\n"
            "Đơn vị chủ trì: Các cơ quan, đơn vị, địa phương.\n\nThời gian thực hiện: Thường xuyên.\n")
    tasks = tasks_of(body)
    assert [t.text[:12] for t in tasks] == ["Rà soát, kiệ", "Tổ chức tập ", "Ứng dụng côn"]
    for task in tasks[:2]:
        assert task.lead == [lead] and task.support == [partner]
        assert task.deadline.type == "date" and task.deadline.due == "2026-12-31"
    assert tasks[2].lead == ["Các cơ quan, đơn vị, địa phương"] and tasks[2].support == []
    assert tasks[2].deadline.type == "recurring"


def test_activity_with_content_and_agency_lines_under_topical_heading():
    """'a) Hoạt động 1' / '- Nội dung: …' / '- Cơ quan thực hiện: X chủ trì, phối hợp với Y' under a
    heading the task rules do not know: one task, its lead and partners from the agency line."""
    body = ("III. CÁC HOẠT ĐỘNG TRỌNG TÂM\n\n1. Truyền thông nâng cao nhận thức\n\na) Hoạt động 1\n\n"
            "- Nội dung: Tổ chức Lễ phát động Tháng hành động vì bình đẳng giới.\n\n"
            "- Cơ quan thực hiện: Sở Y tế chủ trì, phối hợp với các sở, ban, ngành, đoàn thể tỉnh và các "
            "đơn vị có liên quan.\n\nb) Hoạt động 2\n\n- Nội dung:\n\n+ Tập huấn kỹ năng cho cán bộ cơ sở.\n\n"
            "+ Biên soạn tài liệu hướng dẫn.\n\n- Cơ quan thực hiện: Hội Liên hiệp Phụ nữ tỉnh.\n")
    tasks = tasks_of(body)
    assert [t.text for t in tasks] == ["Tổ chức Lễ phát động Tháng hành động vì bình đẳng giới.",
                                       "Tập huấn kỹ năng cho cán bộ cơ sở.", "Biên soạn tài liệu hướng dẫn."]
    assert tasks[0].lead == ["Sở Y tế"]
    assert tasks[0].support == ["Các sở, ban, ngành, đoàn thể tỉnh", "Các đơn vị có liên quan"]
    assert all(t.lead == ["Hội Liên hiệp Phụ nữ tỉnh"] for t in tasks[1:])


def test_attribute_lines_are_never_tasks_themselves():
    body = ("II. NHIỆM VỤ\n\n- Xây dựng cơ sở dữ liệu cán bộ, công chức của tỉnh.\n\n"
            "Đơn vị chủ trì: Sở Nội vụ.\n\nĐơn vị phối hợp: Sở Khoa học và Công nghệ.\n\n"
            "Thời gian thực hiện: Năm 2026.\n\nSản phẩm: Cơ sở dữ liệu được vận hành.\n")
    tasks = tasks_of(body)
    assert len(tasks) == 1
    assert tasks[0].result == "Cơ sở dữ liệu được vận hành."
    assert not any(t.text.startswith(("Đơn vị", "Thời gian", "Sản phẩm")) for t in tasks)


def test_regression_wrapped_owner_value_continues_on_next_line():
    """'*Đơn vị chủ trì thực hiện: *Các' / 'Sở, ngành, đơn vị, UBND cấp xã.' (a hard wrap): one value."""
    body = ("II. NHIỆM VỤ\n\n- Thường xuyên rà soát, kiện toàn đội ngũ.\n\n*Đơn vị chủ trì thực hiện: *Các\n\n"
            "Sở, ngành, đơn vị, UBND cấp xã.\n\n*Đơn vị phối hợp: *Sở Nội\n\nvụ, Sở Tư pháp.\n")
    tasks = tasks_of(body)
    assert len(tasks) == 1
    assert tasks[0].lead == ["Các Sở, ngành, đơn vị", "UBND cấp xã"]
    assert tasks[0].support == ["Sở Nội vụ", "Sở Tư pháp"]


def test_regression_attribute_run_into_the_instruction_is_split_off():
    item = Item(kind="bullet", text="Tổ chức hội nghị tập huấn. Đơn vị chủ trì: Sở Tư pháp. Thời gian: Quý II/2026.",
                span=Span(start=0, end=79), label="-")
    trimmed, attributes = split_inline_attributes(item)
    assert trimmed.text == "Tổ chức hội nghị tập huấn."
    assert [(a.role, a.value) for a in attributes] == [("lead", "Sở Tư pháp."), ("deadline", "Quý II/2026.")]


def test_block_before_any_instruction_describes_those_that_follow():
    body = ("II. NHIỆM VỤ\n\n1. Chuyển đổi số\n\nCơ quan chủ trì: Sở Khoa học và Công nghệ.\n\n"
            "- Xây dựng nền tảng dữ liệu dùng chung của tỉnh.\n\n- Triển khai ký số cho cán bộ, công chức.\n")
    tasks = tasks_of(body)
    assert len(tasks) == 2 and all(t.lead == ["Sở Khoa học và Công nghệ"] for t in tasks)


def test_plan_wide_time_frame_is_not_a_task_nor_given_to_purposes():
    body = ("II. THỜI GIAN\n\nThời gian thực hiện: từ nay đến năm 2030.\n\n"
            "III. NHIỆM VỤ\n\n- Xây dựng kế hoạch chi tiết của từng đơn vị.\n")
    text = HEAD.replace("- Triển khai đồng bộ, hiệu quả.\n\n", "- Triển khai đồng bộ, hiệu quả.\n\nThời gian thực hiện: Năm 2026.\n\n")
    doc = build_structure(read_text((text + body).encode("utf-8"), "plan.md", "markdown"))
    tasks = extract_structured(doc).tasks
    assert [t.text for t in tasks] == ["Xây dựng kế hoạch chi tiết của từng đơn vị."]
    assert tasks[0].deadline is None


def test_regression_table_continued_without_header_after_an_elided_row_lost_its_owners_and_dates():
    """Nghệ An 980/KH-UBND, Phụ lục: the table is cut by a "…" row and goes on without its header row; its
    first data rows were taken for a header (their agency and year cells look like column names) and the
    rows after had no columns, so no owner and no date."""
    from pathlib import Path

    from nlp.pipeline import extract_file

    wild = Path(__file__).resolve().parents[2].parent / "shared" / "wild"
    tasks = {t.text: t for t in extract_file(wild / "c5d930a5fc8373cd.md", sandboxed=False).tasks}
    row = next(t for text, t in tasks.items() if text.startswith("Rà soát, tổng hợp danh mục các công trình"))
    assert row.lead == ["Ban Chỉ huy Phòng thủ dân sự cấp tỉnh, cấp xã"] and row.deadline.raw == "Tháng 12 hằng năm"
    assert any(text.startswith("Thành lập bộ máy quản lý Quỹ") for text in tasks)   # no longer a header row


def test_regression_body_with_a_duty_of_its_own_under_the_owner_field_is_a_task():
    """31fb08f3: "- Cơ quan thực hiện:" / "+ Sở Văn hóa và Thể thao chủ trì, phối hợp với …" / "+ Sở Xây dựng
    đăng tải thông điệp … trên bảng quang báo …": the second line is Sở Xây dựng's own task, it was read
    as one more partner of the first."""
    body = ("III. CÁC HOẠT ĐỘNG TRỌNG TÂM\n\n1. Truyền thông\n\n"
            "- Nội dung: Tuyên truyền về phòng ngừa bạo lực trên cơ sở giới trên các phương tiện thông tin.\n\n"
            "- Cơ quan thực hiện:\n\n+ Sở Văn hóa và Thể thao chủ trì, phối hợp với các sở, ngành và báo, đài.\n\n"
            "+ Sở Xây dựng đăng tải thông điệp truyền thông trên bảng quang báo thông tin giao thông của tỉnh.\n")
    tasks = tasks_of(body)
    assert [t.lead for t in tasks] == [["Sở Văn hóa và Thể thao"], ["Sở Xây dựng"]]
    assert "Sở Xây dựng" not in tasks[0].support
    assert tasks[1].text.startswith("Sở Xây dựng đăng tải")
