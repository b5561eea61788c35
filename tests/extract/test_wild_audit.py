"""Regressions found by reading the extraction of wild plans nobody tuned to (audit of 2026-12-02,
README "Audit on unseen wild plans"). Each excerpt is quoted from the wild document named beside it."""
from __future__ import annotations

from pathlib import Path

import pytest

from nlp.extract.agencies import default_matcher
from nlp.extract.roles import owner_phrase_roles
from nlp.ingest.text_reader import read_text
from nlp.pipeline import extract_structured
from nlp.structure import build_structure

WILD = Path(__file__).resolve().parents[2] / ".." / "shared" / "wild"
HEAD = "KẾ HOẠCH\nTriển khai thi hành Luật\n\nI. MỤC ĐÍCH, YÊU CẦU\n\n- Triển khai đồng bộ, hiệu quả.\n\n"


@pytest.fixture(scope="module")
def matcher():
    return default_matcher()


def extraction_of(body: str):
    text = HEAD + body
    return extract_structured(build_structure(read_text(text.encode("utf-8"), "plan.md", "markdown")))


def by_start(tasks, start: str):
    found = [t for t in tasks if t.text.startswith(start)]
    assert len(found) == 1, [t.text[:60] for t in tasks]
    return found[0]


# 86367f2ddb2225cd (Thủ tướng, Luật Bảo vệ dữ liệu cá nhân): item 3 was read as a child of heading 2, so
# task 2 was lost and task 3 took task 2's partners.
SIBLING_AFTER_HEADING = """II. NỘI DUNG

1. Tổ chức tuyên truyền, phổ biến, giáo dục pháp luật về bảo vệ dữ liệu cá nhân

- Cơ quan thực hiện: Bộ Công an, Bộ Tư pháp.

- Thời gian thực hiện: năm 2025 và các năm tiếp theo.

2. Tổ chức tập huấn chuyên sâu, bồi dưỡng kiến thức pháp luật, nghiệp vụ bảo vệ dữ liệu cá nhân

- Cơ quan chủ trì: Bộ Công an.

- Cơ quan phối hợp: các bộ, cơ quan ngang bộ và Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương.

- Thời gian thực hiện: năm 2025 và các năm tiếp theo.

3. Biên soạn tài liệu phục vụ công tác phổ biến Luật và các văn bản quy phạm pháp luật quy định chi tiết, hướng dẫn thi hành; tài liệu hướng dẫn, tuyên truyền, nâng cao nhận thức về bảo vệ dữ liệu cá nhân

- Cơ quan thực hiện: Bộ Công an.

- Thời gian thực hiện: năm 2025 và các năm tiếp theo.

4. Rà soát văn bản quy phạm pháp luật

- Cơ quan thực hiện: Bộ Công an.

- Thời gian thực hiện: năm 2025.
"""


def test_regression_numbered_item_after_its_sibling_heading_is_a_sibling():
    tasks = extraction_of(SIBLING_AFTER_HEADING).tasks
    training = by_start(tasks, "Tổ chức tập huấn chuyên sâu")
    assert training.section == "II.2" and training.lead == ["Bộ Công an"] and training.support
    documents = by_start(tasks, "Biên soạn tài liệu")
    assert documents.section == "II.3"
    assert documents.lead == ["Bộ Công an"] and documents.support == []
    assert documents.deadline is not None and documents.deadline.type == "recurring"


def test_regression_tasks_come_in_reading_order():
    tasks = extraction_of(SIBLING_AFTER_HEADING).tasks
    assert [t.section for t in tasks] == ["II.1", "II.2", "II.3", "II.4"]
    assert [t.id for t in tasks] == ["t1", "t2", "t3", "t4"]


# 69db23c781b2e9aa (Hà Tĩnh, giáo dục mầm non): 'c)' after the heading 'b)' (over its bullets) sat in
# III.3.b.c; 85ff77cbda28ffbb (Thanh Hóa): '2. Sở Tài chính: …' after the owner heading '1.' sat in IV.1.2.
LETTERED_AFTER_HEADING = """III. NHIỆM VỤ, GIẢI PHÁP

3. Nâng cao chất lượng nuôi dưỡng, chăm sóc, giáo dục trẻ em

b) Bảo đảm các điều kiện nhận trẻ từ 06 tháng đến 36 tháng tuổi tại cơ sở giáo dục mầm non

- Bố trí đủ định mức giáo viên và đầu tư cơ sở vật chất, thiết bị, đồ dùng, đồ chơi đối với nhóm trẻ.

- Khuyến khích các doanh nghiệp thực hiện trách nhiệm xã hội xây dựng cơ sở giáo dục mầm non.

c) Phổ biến tài liệu hướng dẫn về dinh dưỡng, chăm sóc sức khỏe, giáo dục trẻ em dành cho cha mẹ trẻ em; tổ chức tuyên truyền, phổ biến kiến thức, kỹ năng làm cha mẹ.

IV. TỔ CHỨC THỰC HIỆN

1. Sở Nông nghiệp và Môi trường chỉ đạo Chi cục Biển đảo và Thủy sản thực hiện các nội dung sau:

- Tuyên truyền, hướng dẫn người nuôi trồng thủy sản quan trắc, giám sát chất lượng nước tại khu vực nuôi của mình.

- Tổ chức đánh giá kết quả thực hiện; báo cáo UBND tỉnh trước ngày 15/12/2026.

2. Sở Tài chính: Căn cứ khả năng cân đối ngân sách, trình cấp có thẩm quyền phê duyệt kinh phí thực hiện kế hoạch trong dự toán năm 2026.

3. UBND các xã, phường: Phối hợp với Sở Nông nghiệp và Môi trường triển khai Kế hoạch đã được phê duyệt; theo dõi, thông báo kết quả quan trắc.
"""


def test_regression_item_after_a_lettered_or_numbered_heading_keeps_its_own_level():
    tasks = extraction_of(LETTERED_AFTER_HEADING).tasks
    assert by_start(tasks, "Phổ biến tài liệu hướng dẫn").section == "III.3.c"
    assert by_start(tasks, "Bố trí đủ định mức").section == "III.3.b"
    finance = [t for t in tasks if "Căn cứ khả năng cân đối" in t.text]
    assert len(finance) == 1 and finance[0].section == "IV.2" and finance[0].lead == ["Sở Tài chính"]
    communes = [t for t in tasks if "triển khai Kế hoạch đã được phê duyệt" in t.text]
    assert len(communes) == 1 and communes[0].section == "IV.3"


def test_regression_heading_listing_member_bodies_gives_each_member(extracted):
    """4e39af96b6891368 (Quảng Ngãi, kiểm kê tài sản công): '1.3. Các cơ quan quan tham mưu quản lý ngành,
    lĩnh vực (gồm các Sở: Xây dựng, …, Văn hóa, Thể thao và Du lịch)' owns the bullets under it."""
    tasks = extracted(WILD / "4e39af96b6891368.md").tasks
    worker = by_start(tasks, "Cử công chức chuyên môn phối hợp tham gia tổ công tác")
    assert worker.section == "IV.1.3"
    assert worker.lead == ["Sở Xây dựng", "Sở Nông nghiệp và Môi trường", "Sở Công Thương", "Sở Tài chính",
                           "Sở Khoa học và Công nghệ", "Sở Văn hóa, Thể thao và Du lịch"]


# Owner fields of wild plans whose names came out cut or run together (excerpts quoted).
def test_regression_kinds_of_central_bodies_stay_one_agency(matcher):
    """86367f2ddb2225cd: 'các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ' gave 'Các bộ, cơ quan ngang',
    'Bộ, cơ quan thuộc' and 'Chính phủ'; '… và các cơ quan báo chí, phát thanh, truyền hình khác' lost its tail."""
    lead, support = owner_phrase_roles(
        "Bộ Công an chủ trì, phối hợp với các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ và Ủy ban nhân dân "
        "các tỉnh, thành phố trực thuộc trung ương, cơ quan, tổ chức khác có liên quan.", matcher)
    assert lead == ["Bộ Công an"]
    assert support == ["Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
                       "Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương", "Cơ quan, tổ chức khác có liên quan"]
    assert matcher.split_cell("Thông tấn xã Việt Nam và các cơ quan báo chí, phát thanh, truyền hình khác.") == \
        ["Thông tấn xã Việt Nam", "Các cơ quan báo chí, phát thanh, truyền hình khác"]


def test_regression_provincial_press_body_keeps_its_place_name(matcher):
    """6a406c1f9dfed9c3 (Lai Châu): 'Báo và Phát thanh Truyền hình Lai Châu' came out 'Phát thanh Truyền hình Lai Châu'."""
    assert matcher.split_cell("Sở Văn hóa, Thể thao và Du lịch; Báo và Phát thanh Truyền hình Lai Châu và các sở, "
                              "ngành có liên quan.") == \
        ["Sở Văn hóa, Thể thao và Du lịch", "Báo và Phát thanh, Truyền hình Lai Châu", "Các sở, ngành có liên quan"]


def test_regression_scope_phrase_and_parent_note_are_no_agencies(matcher):
    """2f6f80b9918e52de (Hồ Chí Minh City): 'trong phạm vi chức năng, nhiệm vụ của mình' was an agency, so was
    the '(Sở Nội vụ)' a centre belongs to, and the centre's name kept the '('."""
    assert matcher.split_cell("Sở Nội vụ, các sở, ban, ngành Thành phố trong phạm vi chức năng, nhiệm vụ của mình và "
                              "các cơ quan, tổ chức khác có liên quan.") == \
        ["Sở Nội vụ", "Các sở, ban, ngành Thành phố", "Các cơ quan, tổ chức khác có liên quan"]
    assert matcher.split_cell("Chi nhánh Ngân hàng Chính sách xã hội Thành phố, Trung tâm Dịch vụ việc làm Thành phố "
                              "(Sở Nội vụ), Ủy ban nhân dân xã, phường, đặc khu") == \
        ["Chi nhánh Ngân hàng Chính sách xã hội Thành phố", "Trung tâm Dịch vụ việc làm Thành phố",
         "UBND xã, phường, đặc khu"]


# 86367f2ddb2225cd: each decree to draft is a bullet with '+' lines under it; 'Nội dung' became a task of
# its own and 'Thời hạn ban hành' (not a known label) a third, the decree kept no deadline.
DECREES = """II. NỘI DUNG

5. Xây dựng Nghị định của Chính phủ

- Nghị định quy định chi tiết một số điều Luật Bảo vệ dữ liệu cá nhân

+ Nội dung: quy định chi tiết một số điều Luật Bảo vệ dữ liệu cá nhân quy định chi tiết: khoản 2, khoản 3 Điều 2; khoản 5 Điều 4.

+ Cơ quan chủ trì: Bộ Công an.

+ Cơ quan phối hợp: Văn phòng Chính phủ, Bộ Tư pháp và các cơ quan có liên quan.

+ Thời hạn ban hành: trước ngày 01 tháng 01 năm 2026.

- Nghị định xử phạt vi phạm hành chính trong lĩnh vực an ninh mạng và bảo vệ dữ liệu cá nhân.

+ Nội dung: bao gồm quy định chi tiết khoản 7 Điều 8 của Luật Bảo vệ dữ liệu cá nhân.

+ Cơ quan chủ trì: Bộ Công an.

+ Thời hạn ban hành: Theo tiến độ được giao của Luật An ninh mạng 2025.
"""


def test_regression_named_deliverable_with_content_and_issue_deadline_is_one_task():
    tasks = extraction_of(DECREES).tasks
    assert len(tasks) == 2, [t.text[:50] for t in tasks]
    first, second = tasks
    assert first.text.startswith("Nghị định quy định chi tiết một số điều Luật Bảo vệ dữ liệu cá nhân: quy định")
    assert first.lead == ["Bộ Công an"] and "Văn phòng Chính phủ" in first.support
    assert first.deadline.type == "date" and str(first.deadline.due) == "2026-01-01"
    assert second.text.startswith("Nghị định xử phạt vi phạm hành chính")
    assert second.deadline.type == "conditional"


def test_regression_form_and_quantity_lines_are_attributes_not_tasks():
    """85ff77cbda28ffbb (Thanh Hóa): '- Hình thức: In tài liệu …' and '- Số lượng: 5.000 cuốn.' were tasks."""
    tasks = extraction_of("""II. NỘI DUNG KẾ HOẠCH

2. Thông tin tuyên truyền nâng cao nhận thức về quản lý chất lượng nước

- Nội dung: Tuyên truyền các quy định, tiêu chuẩn, quy chuẩn quốc gia về chất lượng nước nuôi trồng thủy sản.

- Hình thức: In tài liệu cấp phát cho cho cán bộ cấp xã, hợp tác xã, cơ sở nuôi trên địa bàn tỉnh.

- Số lượng: 5.000 cuốn.
""").tasks
    assert [t.text for t in tasks] == [
        "Tuyên truyền các quy định, tiêu chuẩn, quy chuẩn quốc gia về chất lượng nước nuôi trồng thủy sản."]


# Every wild plan of the audit had no issue date and no issuer: the Markdown header is a table whose
# second row is "Số: … | Lai Châu, ngày …", and the issuing body is named only in its first cell.
HEADER_TABLE = """|
**UỶ BAN NHÂN DÂN**
TỈNH LAI CHÂU
--------
|
**CỘNG HÒA XÃ HỘI
CHỦ NGHĨA VIỆT NAM**
Độc lập - Tự do - Hạnh phúc
---------------
|
|
Số: 7360/KH-UBND
|
*Lai Châu, ngày 19
tháng 11 năm 2025*
|

**KẾ HOẠCH**

TRIỂN KHAI THI HÀNH LUẬT SỬA ĐỔI, BỔ SUNG MỘT SỐ ĐIỀU CỦA LUẬT TIÊU CHUẨN VÀ QUY CHUẨN KỸ THUẬT

**I. MỤC ĐÍCH, YÊU CẦU**

- Bảo đảm sự chỉ đạo thống nhất.

**II. NỘI DUNG KẾ HOẠCH**

1. Sở Khoa học và Công nghệ chủ trì tổ chức tuyên truyền, phổ biến nội dung Luật.
"""


def _document_of(text: str):
    return extract_structured(build_structure(read_text(text.encode("utf-8"), "plan.md", "markdown"))).document


def test_regression_issue_date_and_issuer_read_from_a_header_table():
    """6a406c1f9dfed9c3 (Lai Châu) header, as written."""
    document = _document_of(HEADER_TABLE)
    assert document.number == "7360/KH-UBND"
    assert str(document.issued) == "2025-11-19"
    assert document.issuer == "UBND tỉnh Lai Châu" and document.level == "tỉnh"


def test_regression_ministry_in_the_header_issues_the_decision():
    """448306af3d3a91f7: '| **BỘ VĂN HÓA, THỂ THAO ** VÀ DU LỊCH -------' issued Quyết định 4385/QĐ-BVHTTDL."""
    header = HEADER_TABLE.replace("**UỶ BAN NHÂN DÂN**\nTỈNH LAI CHÂU", "**BỘ VĂN HÓA, THỂ THAO **\nVÀ DU LỊCH")
    document = _document_of(header.replace("Lai Châu, ngày 19", "Hà Nội, ngày 18"))
    assert document.issuer == "Bộ Văn hóa, Thể thao và Du lịch"
    assert str(document.issued) == "2025-11-18"


def test_regression_heading_naming_a_body_the_lexicon_lacks_owns_its_items():
    """448306af3d3a91f7 (Bộ VHTTDL): the four duties under '1. Viện Văn hóa, Nghệ thuật, Thể thao và Du lịch
    Việt Nam' had no lead. A topic heading with a head-noun-like first word ('Ban hành …') owns nothing."""
    tasks = extraction_of("""**IV. TỔ CHỨC THỰC HIỆN**

**1. Viện Văn hóa, Nghệ thuật, Thể thao và Du lịch Việt Nam**

*a) *Tổ chức tuyên truyền phổ biến nội dung quy hoạch và Kế hoạch thực hiện Quy hoạch mạng lưới cơ sở Văn hóa và Thể thao đến các tổ chức, cá nhân.

*b) *Tổ chức đánh giá thực hiện Kế hoạch thực hiện Quy hoạch, báo cáo Thủ tướng Chính phủ định kỳ hằng năm.

**2. Ban hành văn bản hướng dẫn**

*a) *Rà soát, sửa đổi các văn bản hướng dẫn thực hiện quy hoạch.
""").tasks
    institute = [t for t in tasks if t.section.startswith("IV.1")]
    assert len(institute) == 2
    assert all(t.lead == ["Viện Văn hóa, Nghệ thuật, Thể thao và Du lịch Việt Nam"] for t in institute)
    assert by_start(tasks, "Rà soát, sửa đổi").lead == []


def test_regression_theme_time_frame_goals_and_criteria_inside_the_content_are_no_tasks():
    """556b2fb4a0149576 (Đắk Lắk): 'NỘI DUNG THI ĐUA' opens with '1. Chủ đề thi đua' and '2. Thời gian thực
    hiện:', both read as tasks; 448306af3d3a91f7: goals under 'NỘI DUNG CHỦ YẾU / 1. Mục tiêu phát triển';
    99c7d8fff9e4572e (Nghệ An): the criteria of 'TIÊU CHÍ THI ĐUA VÀ HÌNH THỨC KHEN THƯỞNG'."""
    tasks = extraction_of("""**II. NỘI DUNG THI ĐUA**

**1. Chủ đề thi đua**

“Lập thành tích chào mừng Đại hội lần thứ XIV của Đảng; tăng tốc, bứt phá, hoàn thành thắng lợi các mục tiêu”.

**2. Thời gian thực hiện: **Từ tháng 10/2025 đến khi tổ chức thành công Đại hội Đại biểu toàn quốc lần thứ XIV của Đảng.

**3. Nội dung thi đua**

a) Tiếp tục nâng cao hiệu lực, hiệu quả quản lý nhà nước, cải cách hành chính, chuyển đổi số.

**4. Mục tiêu phát triển và tầm nhìn đến năm 2045**

- Mạng lưới cơ sở văn hóa quốc gia đồng bộ, hiện đại, bản sắc, đáp ứng các tiêu chuẩn theo quy định.

**III. TIÊU CHÍ THI ĐUA VÀ HÌNH THỨC KHEN THƯỞNG**

**1. Tiêu chí thi đua**

- Đẩy mạnh cải cách hành chính, nâng cao hiệu quả quản trị, thi đua xây dựng chính quyền điện tử.

**IV. TỔ CHỨC THỰC HIỆN**

**1. Thời gian thực hiện**

Đợt thi đua được triển khai thực hiện từ ngày ban hành Kế hoạch đến khi tổ chức thành công Đại hội.

**2. Sở Nội vụ**

- Chủ trì, phối hợp với các cơ quan, đơn vị tổ chức triển khai thực hiện Kế hoạch này.
""").tasks
    assert [t.text.split(",")[0] for t in tasks] == ["Tiếp tục nâng cao hiệu lực", "Chủ trì"]
    assert tasks[1].lead == ["Sở Nội vụ"]


def test_regression_a_list_of_things_before_a_colon_is_no_owner():
    """85ff77cbda28ffbb (Thanh Hóa): '+ Các thông số: Độ mặn, pH …' gave the lead 'Các thông số' (five times)."""
    tasks = extraction_of("""II. NỘI DUNG KẾ HOẠCH

1. Quan trắc, cảnh báo môi trường nuôi trồng thủy sản

- Thông số, tần suất, thời gian và số lượng mẫu quan trắc:

+ Các thông số: Độ mặn, pH, oxy hòa tan (DO), Vibrio tổng số (Vibrio sp) quan trắc với tần suất 2 lần/tháng; thời gian quan trắc từ tháng 3 đến tháng 10 năm 2026; số lượng mẫu quan trắc 240 mẫu/năm.

+ Các cơ quan, đơn vị liên quan: Phối hợp cung cấp số liệu quan trắc theo quy định của pháp luật.
""").tasks
    assert all("Các thông số" not in t.lead for t in tasks)
    assert by_start(tasks, "Các cơ quan, đơn vị liên quan").lead == ["Các cơ quan, đơn vị liên quan"]


def test_regression_heads_of_bodies_opening_the_sentence_give_the_bodies_as_lead(matcher):
    """2f6f80b9918e52de (Hồ Chí Minh City) IV.3 had no lead; 'Chỉ đạo X …' keeps X an object."""
    from nlp.extract.roles import assign_roles
    roles = assign_roles("Thủ trưởng các sở, ban, ngành và Ủy ban nhân dân phường, xã, đặc khu chịu trách nhiệm triển "
                         "khai, thực hiện Kế hoạch này và báo cáo kết quả thực hiện về Ủy ban nhân dân Thành phố.", matcher)
    assert roles.lead == ["Các sở, ban, ngành", "UBND phường, xã, đặc khu"]
    assert assign_roles("Chỉ đạo các đơn vị liên quan giám sát việc thực hiện Chương trình theo quy định.",
                        matcher).lead == []
    # 86367f2ddb2225cd: the minister's body owns the duty, as SCHEMA.md writes agencies, not persons
    assert assign_roles("Bộ trưởng Bộ Công an có trách nhiệm giúp Thủ tướng Chính phủ theo dõi, kiểm tra, đôn đốc "
                        "các bộ, cơ quan ngang bộ.", matcher).lead == ["Bộ Công an"]


def test_regression_items_counting_places_are_no_tasks():
    """85ff77cbda28ffbb (Thanh Hóa): the sampling places listed under 'Lấy mẫu 04 vị trí gồm:' were tasks."""
    tasks = extraction_of("""II. NỘI DUNG KẾ HOẠCH

1. Quan trắc nguồn nước cấp nuôi tôm nước lợ

- Cửa sông lạch Trường: Lấy mẫu 04 vị trí gồm:

+ 01 vị trí tại khu vực nước cấp cho vùng nuôi tôm Xuân Lộc - xã Hoa Lộc;

+ 01 vị trí tại khu vực nước cấp cho vùng nuôi tôm Hòa Lộc - xã Hoa Lộc;

- Tuyên truyền, hướng dẫn người nuôi trồng thủy sản quan trắc, giám sát chất lượng nước tại khu vực nuôi.
""").tasks
    assert not [t for t in tasks if t.text.startswith("01 vị trí")]
    assert by_start(tasks, "Tuyên truyền, hướng dẫn người nuôi")


def test_regression_bodies_proposed_before_a_colon_end_at_the_colon(matcher):
    """556b2fb4a0149576 (Đắk Lắk): 'Đề nghị … tỉnh: Phối hợp chặt chẽ với cấp ủy, …' gave the partner
    'Chặt chẽ với cấp ủy, chính quyền các cấp'."""
    from nlp.extract.roles import assign_roles
    roles = assign_roles("Đề nghị các cấp ủy Đảng, Mặt trận Tổ quốc Việt Nam tỉnh và các tổ chức chính trị - xã hội "
                         "tỉnh: Phối hợp chặt chẽ với cấp ủy, chính quyền các cấp, phát huy khối đại đoàn kết toàn dân "
                         "trong tuyên truyền.", matcher)
    assert roles.lead == ["Các cấp ủy Đảng", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "Các tổ chức chính trị - xã hội tỉnh"]
    assert roles.support == []


def test_regression_footnotes_at_the_end_are_no_tasks(extracted):
    """646f0a00: the notes under its appendix ("[1] Cơ quan chủ trì thực hiện toàn bộ nhiệm vụ …", "[2] Nguồn
    lực dự kiến bao gồm: …") were read as tasks of its last group, one with 'Các bộ, ngành, địa phương' as lead."""
    tasks = extracted(WILD / "646f0a00d4174382.md").tasks
    assert not [t.text for t in tasks if t.text.lstrip().startswith("[")]
    assert len([t for t in tasks if t.section.startswith("PL2.")]) == 24     # its 24 rows, and nothing else


def test_regression_indicators_inside_the_content_part_and_the_courts(extracted):
    """f069c23c (Đồng Nai, a drug-prevention programme): "II. NỘI DUNG / 6. Chỉ tiêu chủ yếu đến năm 2030"
    lists indicators, 9 of them read as tasks without owner; "2.10. Đề nghị Viện kiểm sát nhân dân tỉnh,
    Tòa án nhân dân tỉnh" owns its items (the two bodies were unknown)."""
    extraction = extracted(WILD / "f069c23c942c1ec6.md")
    assert not [t for t in extraction.tasks if t.section.startswith("II.6")]
    assert len([t for t in extraction.targets if t.section.startswith("II.6")]) >= 10
    courts = [t for t in extraction.tasks if t.section == "III.2.10"]
    assert courts and all(t.lead == ["Viện kiểm sát nhân dân tỉnh", "Tòa án nhân dân tỉnh"] for t in courts)


def test_regression_pointer_to_an_appendix_issued_with_the_plan_is_no_task(extracted):
    """437c3beb: "(Khung kế hoạch các hoạt động thực hiện Đề án được thể hiện tại Phụ lục ban hành kèm theo
    Kế hoạch này)" closes its task list: it points to the appendix, it is no task."""
    tasks = extracted(WILD / "437c3beb60ae2874.md").tasks
    assert not [t for t in tasks if "Khung kế hoạch" in t.text]
    assert len([t for t in tasks if t.section.startswith("III.")]) == 16


def test_regression_sentence_after_a_titled_heading_with_names_is_its_content(extracted):
    """2957e4f4: "3. Giấy khen của Thủ trưởng các cơ quan, đơn vị; Chủ tịch UBND xã, phường: Các Sở, ban,
    ngành, … quy định số lượng khen thưởng theo thẩm quyền." was one heading (a title with commas is no
    title-like text), its sentence lost; "Các cơ quan thông tin, truyền thông của tỉnh: Xây dựng …" still
    names its owner."""
    extraction = extracted(WILD / "2957e4f4f0e41373.md")
    quota = [t for t in extraction.tasks if "quy định số lượng khen thưởng theo thẩm quyền" in t.text]
    assert len(quota) == 1 and quota[0].section == "IV.3"
    assert "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh" in quota[0].lead
    press = [t for t in extraction.tasks if t.text.startswith("Các cơ quan thông tin, truyền thông của tỉnh")]
    assert [t.lead for t in press] == [["Các cơ quan thông tin, truyền thông của tỉnh"]]


def test_regression_lists_by_place_and_monitoring_parameters_are_no_tasks(extracted):
    """85ff77cb (Thanh Hóa, aquaculture water monitoring): "Xã Tân Tiến: Lấy mẫu 01 vị trí …" (one line per
    commune), "Cửa sông lạch Càn: …" and "Các thông số: pH, DO …" were 25 owner-less tasks; its duties
    under the organisation part stay."""
    tasks = extracted(WILD / "85ff77cbda28ffbb.md").tasks
    assert not [t for t in tasks if t.text.startswith(("Xã ", "Phường ", "Cửa sông", "Các thông số"))]
    assert len([t for t in tasks if t.section.startswith("IV")]) >= 6


def test_regression_content_labels_over_a_list_are_no_tasks(extracted):
    """5d99697f (Cần Thơ, poverty-programme monitoring): "Nội dung giám sát của chủ chương trình", "Nội dung
    theo dõi", "Nội dung kiểm tra" label the lists under them; the items of those lists stay."""
    tasks = extracted(WILD / "5d99697f14bcf68a.md").tasks
    assert not [t for t in tasks if t.text.startswith("Nội dung")]
    assert len([t for t in tasks if t.text.startswith("Theo dõi, kiểm tra")]) >= 5
