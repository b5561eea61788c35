"""Scope and like-with-like rules on small built plans against the bundled parents: what a plan must be
asked for (its level, its kind, what it implements) and what it must not."""
from __future__ import annotations

import pytest

from compare_plans import PlanWriter, city_parent
from nlp.compare import compare, load_bundled_parents, resolve_parents

NQ57 = "Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia."
WHOLE = "Kế hoạch thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia"


@pytest.fixture(scope="module")
def bundled():
    return load_bundled_parents()


def of_type(report, flag_type):
    return [f for f in report.flags if f.type == flag_type]


def missing_rows(report):
    return {f.parent.section for f in of_type(report, "missing_task")}


def plan(header: str, title: str = WHOLE, basis: str = NQ57) -> PlanWriter:
    w = PlanWriter(title=title, issued="2025-05-01")
    w.line(header)
    w.line(f"KẾ HOẠCH {title.removeprefix('Kế hoạch ')}")
    w.cite(basis, "57-NQ/TW", date="2024-12-22", issuer="Bộ Chính trị")
    w.line("I. MỤC ĐÍCH, YÊU CẦU")
    w.line("II. NHIỆM VỤ, GIẢI PHÁP")
    w.task("II.1", "Tổ chức tuyên truyền sâu rộng về chuyển đổi số trên hệ thống truyền thanh cơ sở và mạng xã hội",
           deadline=("Thường xuyên", "recurring"))
    return w


def analyse(w: PlanWriter, bundled):
    child = w.build()
    found, unresolved = resolve_parents(child, bundled)
    return compare(child, found, unresolved=unresolved), found


def test_ward_plan_is_asked_only_for_what_is_addressed_to_wards(bundled):
    report, found = analyse(plan("ỦY BAN NHÂN DÂN PHƯỜNG AN BÌNH"), bundled)
    assert [p.doc_id for p in found] == ["57-NQ-TW", "03-NQ-CP"]
    rows = missing_rows(report)
    assert "PL2.I.3" in rows                      # the digital-learning movement: every ward runs one
    # province duties (5G in industrial parks, innovation-centre networks) and ministries' own rows are not
    assert not rows & {"PL2.III.66", "PL2.III.46", "PL2.III.73", "PL2.I.1", "PL2.II.20"}
    targets = of_type(report, "missing_target")
    assert len(targets) == 1 and "không đặt chỉ tiêu định lượng nào" in targets[0].message
    assert "GDP" not in targets[0].message        # a ward is not asked for a share of GDP


def test_province_plan_is_asked_for_the_province_rows(bundled):
    report, _ = analyse(plan("ỦY BAN NHÂN DÂN TỈNH BÌNH AN"), bundled)
    rows = missing_rows(report)
    assert {"PL2.III.66", "PL2.I.3"} <= rows
    assert "PL2.I.1" not in rows                  # addressed to a ministry only
    assert "GDP" in of_type(report, "missing_target")[0].message


def test_writing_this_very_plan_is_satisfied_by_the_plan(bundled):
    for header in ("ỦY BAN NHÂN DÂN PHƯỜNG AN BÌNH", "ỦY BAN NHÂN DÂN TỈNH BÌNH AN"):
        rows = missing_rows(analyse(plan(header), bundled)[0])
        assert not rows & {"PL2.I.7", "PL2.I.71-2", "PL2.I.6"}, header


def test_thematic_plan_is_not_measured_against_whole_groups(bundled):
    w = plan("ỦY BAN NHÂN DÂN TỈNH BÌNH AN", title="Kế hoạch phát triển hạ tầng 5G trong các khu công nghiệp trên địa bàn tỉnh")
    w.target("III", "Phủ sóng 5G cho người dân", "=", 60.0, unit="% dân số", year=2030)
    report, found = analyse(w, bundled)
    assert found                                  # it does implement 57-NQ/TW ...
    for flag_type in ("missing_task_group", "missing_task", "missing_target"):
        assert of_type(report, flag_type) == [], flag_type
    weaker = of_type(report, "weaker_target")     # ... and is held to the parent on what it takes up
    assert len(weaker) == 1 and "60%" in weaker[0].message


def test_plan_implementing_another_resolution_is_not_compared_with_57(bundled):
    w = PlanWriter(title="Kế hoạch thực hiện Nghị quyết số 66-NQ/TW về đổi mới công tác xây dựng và thi hành pháp luật")
    w.line("ỦY BAN NHÂN DÂN TỈNH BÌNH AN")
    w.cite("Thực hiện Nghị quyết số 66-NQ/TW ngày 30/4/2025 của Bộ Chính trị về đổi mới công tác xây dựng và thi hành pháp luật;",
           "66-NQ/TW", date="2025-04-30", issuer="Bộ Chính trị")
    w.cite("Căn cứ Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị;", "57-NQ/TW", date="2024-12-22", issuer="Bộ Chính trị")
    w.line("I. MỤC ĐÍCH, YÊU CẦU")
    w.task("II.1", "Rà soát, hoàn thiện văn bản quy phạm pháp luật của tỉnh", deadline=("2026", "date", "2026-12-31"))
    report, found = analyse(w, bundled)
    assert found == []
    assert [u.number for u in resolve_parents(w.build(), bundled)[1]] == ["66-NQ/TW"]
    assert not {f.type for f in report.flags} & {"missing_task_group", "missing_task", "missing_target", "weaker_target"}


def test_prime_minister_numbers_are_not_citation_errors(bundled):
    w = PlanWriter(title="Kế hoạch phòng ngừa bạo lực")
    w.cite("Căn cứ Quyết định số 1855/QĐ-TTg ngày 11/11/2009 của Thủ tướng Chính phủ;", "1855/QĐ-TTg",
           date="2009-11-11", issuer="Thủ tướng Chính phủ")
    w.cite("Căn cứ Chỉ thị số 32/CT-TTg ngày 21/10/2025 của Thủ tướng Chính phủ;", "32/CT-TTg", date="2025-10-21",
           issuer="Thủ tướng Chính phủ")
    assert of_type(compare(w.build(), []), "citation_error") == []
    wrong = PlanWriter(title="Kế hoạch phòng ngừa bạo lực")
    wrong.cite("Căn cứ Quyết định số 1855/QĐ-UBND ngày 11/11/2009 của Thủ tướng Chính phủ;", "1855/QĐ-UBND",
               date="2009-11-11", issuer="Thủ tướng Chính phủ")
    assert len(of_type(compare(wrong.build(), []), "citation_error")) == 1


def test_71_nq_tw_beside_a_plan_implementing_71_nq_cp_is_a_likely_confusion(bundled):
    w = PlanWriter(title="Kế hoạch thực hiện Nghị quyết số 71/NQ-CP của Chính phủ")
    w.cite("Thực hiện Nghị quyết số 71/NQ-CP ngày 01/4/2025 của Chính phủ.", "71/NQ-CP", date="2025-04-01", issuer="Chính phủ")
    w.cite("Quán triệt Nghị quyết số 57-NQ/TW, Nghị quyết số 71-NQ/TW.", "71-NQ/TW")
    flags = of_type(compare(w.build(), bundled), "citation_error")
    assert len(flags) == 1 and "có thể nhầm" in flags[0].message and "giáo dục" in flags[0].message
    assert flags[0].confidence < 0.9
    # the same number in a plan that implements the education resolution is right
    edu = PlanWriter(title="Kế hoạch thực hiện Nghị quyết số 71-NQ/TW về đột phá phát triển giáo dục và đào tạo")
    edu.cite("Thực hiện Nghị quyết số 71-NQ/TW ngày 22/8/2025 của Bộ Chính trị.", "71-NQ/TW", date="2025-08-22", issuer="Bộ Chính trị")
    assert of_type(compare(edu.build(), bundled), "citation_error") == []


def test_owner_conflict_and_lead_is_partner():
    parent = city_parent()
    w = PlanWriter()
    w.task("II.1", "Nâng cấp hạ tầng công nghệ thông tin tại Trung tâm phục vụ hành chính công phường", lead=("Phòng Kinh tế",),
           deadline=("Tháng 6/2025", "date", "2025-06-30"))
    w.task("PL1.1", "Nâng cấp hạ tầng công nghệ thông tin tại Trung tâm phục vụ hành chính công phường", lead=("Văn phòng HĐND và UBND",),
           deadline=("Tháng 6/2025", "date", "2025-06-30"))
    partner = w.task("II.2", "Tổ chức tuyên truyền về chuyển đổi số trên hệ thống truyền thanh cơ sở", lead=("Phòng Văn hóa - Xã hội",),
                     deadline=("Thường xuyên", "recurring"))
    partner.support = ["Phòng Văn hóa - Xã hội", "Công an phường"]
    report = compare(w.build(), [parent])
    conflicts = of_type(report, "owner_conflict")
    assert len(conflicts) == 1 and "Phòng Kinh tế" in conflicts[0].message and "Văn phòng HĐND và UBND" in conflicts[0].message
    assert len(of_type(report, "lead_is_partner")) == 1
    same = PlanWriter()
    for section in ("II.1", "PL1.1"):
        same.task(section, "Nâng cấp hạ tầng công nghệ thông tin tại Trung tâm phục vụ hành chính công phường", lead=("Phòng Kinh tế",),
                  deadline=("Tháng 6/2025", "date", "2025-06-30"))
    assert of_type(compare(same.build(), [parent]), "owner_conflict") == []


def test_weaker_target_only_like_with_like(bundled):
    w = PlanWriter()
    # another base (GRDP vs total budget) and another year are not weaker targets
    w.target("I.1", "Chi ngân sách hằng năm cho phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số", ">=", 1.0,
             unit="% GDP", year=2030)
    w.target("I.2", "Tỷ lệ dân số trưởng thành có chữ ký số hoặc chữ ký điện tử cá nhân", ">=", 50.0, year=2026)
    assert of_type(compare(w.build(), bundled), "weaker_target") == []


def test_attribute_lines_are_folded_into_their_task():
    parent = city_parent()
    w = PlanWriter()
    w.task("II.1", "Tổ chức tuyên truyền sâu rộng về chuyển đổi số trên hệ thống truyền thanh cơ sở và mạng xã hội", lead=())
    w.task("II.1", "Đơn vị chủ trì: Phòng Văn hóa - Xã hội.", lead=())
    w.task("II.1", "Thời gian thực hiện: Thường xuyên.", lead=())
    report = compare(w.build(), [parent])
    assert of_type(report, "incomplete_tasks") == [] and of_type(report, "duplicate_item") == []


def _five_clear(w: PlanWriter):
    return of_type(compare(w.build(), [city_parent()]), "incomplete_tasks")


def test_regression_owners_given_in_the_appendix_the_plan_points_to():
    """002: body tasks have their owners and dates in Phụ lục 3 ("phân công nhiệm vụ … tại các Phụ lục")."""
    w = PlanWriter()
    w.line("III. NHIỆM VỤ VÀ GIẢI PHÁP")
    w.task("III.1", "Khai thác hiệu quả cơ sở dữ liệu quốc gia về dân cư phục vụ giải quyết thủ tục hành chính", lead=())
    w.line("IV. UBND phường phân công nhiệm vụ cụ thể cho các cơ quan, đơn vị tại các Phụ lục kèm theo Kế hoạch này.")
    w.task("PL3.I.1", "Triển khai nền tảng số dùng chung của phường", lead=("Văn phòng HĐND và UBND",),
           deadline=("Tháng 12/2025", "date", "2025-12-31"))
    assert _five_clear(w) == []
    no_pointer = PlanWriter()
    no_pointer.line("III. NHIỆM VỤ VÀ GIẢI PHÁP")
    no_pointer.task("III.1", "Khai thác hiệu quả cơ sở dữ liệu quốc gia về dân cư phục vụ giải quyết thủ tục hành chính", lead=())
    found = _five_clear(no_pointer)
    assert len(found) == 1 and "chưa có chủ trì, thời hạn" in found[0].message


def test_one_year_plan_is_dated_by_its_horizon_and_roles_are_not_duties():
    w = PlanWriter(title="Kế hoạch chuyển đổi số năm 2026")
    w.line("II. NHIỆM VỤ")
    w.task("II.1", "Tổ chức tuyên truyền về chuyển đổi số trên hệ thống truyền thanh cơ sở", lead=())
    w.line("III. TỔ CHỨC THỰC HIỆN")
    w.task("III.1", "Là cơ quan thường trực, tham mưu Ủy ban nhân dân phường theo dõi, đôn đốc việc thực hiện", lead=())
    found = _five_clear(w)
    assert len(found) == 1 and found[0].child.section == "II.1"
    assert "chưa có chủ trì)" in found[0].message and "thời hạn" not in found[0].message.split("chưa có")[1]
