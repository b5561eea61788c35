"""AgencyMatcher: canonical names for every written form, cells, other provinces' plans, speed."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from nlp.extract.agencies import AgencyMatcher, default_matcher, normalize_tones

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


@pytest.fixture(scope="module")
def matcher() -> AgencyMatcher:
    return default_matcher()


def names(matcher: AgencyMatcher, text: str) -> list[str]:
    return [m.name for m in matcher.find(text)]


@pytest.mark.parametrize("written, canonical", [
    ("Viện kiểm sát nhân dân tỉnh", "Viện kiểm sát nhân dân tỉnh"),   # regression (f069c23c): courts and
    ("TAND tỉnh", "Tòa án nhân dân tỉnh"),                           # procuracies of a locality were unknown
    ("Liên minh Hợp tác xã tỉnh", "Liên minh Hợp tác xã tỉnh"),     # f1e0981425: "Đề nghị Liên minh Hợp tác xã
    ("Hiệp hội doanh nghiệp tỉnh", "Hiệp hội Doanh nghiệp tỉnh"),     # tỉnh, …" owned nothing ("Hợp tác xã tỉnh")
    ("Phòng Văn hóa - Xã hội", "Phòng Văn hóa - Xã hội"),
    ("Phòng Văn hoá – Xã hội", "Phòng Văn hóa - Xã hội"),
    ("Phòng VHXH", "Phòng Văn hóa - Xã hội"),
    ("Phòng VH-XH", "Phòng Văn hóa - Xã hội"),
    ("phòng Văn hóa Xã hội", "Phòng Văn hóa - Xã hội"),
    ("Phòng Văn hoá \n\n- Xã hội", "Phòng Văn hóa - Xã hội"),
    ("Phòng Kinh tế", "Phòng Kinh tế"),
    ("Phòng Kinh tế xã", "Phòng Kinh tế"),
    ("Phòng Kinh tế, Hạ tầng và Đô thị", "Phòng Kinh tế, Hạ tầng và Đô thị"),
    ("Phòng Nội vụ", "Phòng Nội vụ"),
    ("Văn phòng HĐND & UBND", "Văn phòng HĐND và UBND"),
    ("Văn phòng HĐND-UBND", "Văn phòng HĐND và UBND"),
    ("VP HĐND&UBND", "Văn phòng HĐND và UBND"),
    ("Văn phòng Hội đồng nhân dân và Ủy ban nhân dân", "Văn phòng HĐND và UBND"),
    ("Trung tâm Phục vụ hành chính công", "Trung tâm Phục vụ hành chính công"),
    ("Trung tâm phục vụ Hành chính công", "Trung tâm Phục vụ hành chính công"),
    ("TTPVHCC", "Trung tâm Phục vụ hành chính công"),
    ("TT Hành chính công", "Trung tâm Phục vụ hành chính công"),
    ("Trung tâm Văn hóa Thể \n\nthao và Truyền thông", "Trung tâm Văn hóa Thể thao và Truyền thông"),
    ("Trung tâm cung ứng dịch vụ công", "Trung tâm cung ứng dịch vụ công"),
    ("TT cung ứng DVC", "Trung tâm cung ứng dịch vụ công"),
    ("Trung tâm Dịch vụ sự nghiệp công xã", "Trung tâm Dịch vụ sự nghiệp công xã"),
    ("Công an phường", "Công an phường"),
    ("Công \n\nan phường", "Công an phường"),
    ("Công an xã", "Công an xã"),
    ("Công an tỉnh", "Công an tỉnh"),
    ("Bộ Công an", "Bộ Công an"),
    ("Ban CHQS xã", "Ban Chỉ huy quân sự xã"),
    ("Ban Chỉ huy quân sự phường", "Ban Chỉ huy quân sự phường"),
    ("Ủy ban MTTQ Việt Nam phường", "Ủy ban Mặt trận Tổ quốc Việt Nam phường"),
    ("UBMTTQVN phường", "Ủy ban Mặt trận Tổ quốc Việt Nam phường"),
    ("Uỷ ban Mặt trận Tổ quốc Việt Nam xã", "Ủy ban Mặt trận Tổ quốc Việt Nam xã"),
    ("UBND phường", "UBND phường"),
    ("Ủy ban nhân dân xã", "UBND xã"),
    ("Ủy ban nhân dân thành phố Cần Thơ", "UBND thành phố Cần Thơ"),
    ("UBND thành phố \n\nHải Phòng", "UBND thành phố Hải Phòng"),
    ("ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH", "UBND thành phố Hồ Chí Minh"),
    ("UBND tỉnh Đắk Lắk", "UBND tỉnh Đắk Lắk"),
    ("HĐND phường", "HĐND phường"),
    ("Sở Khoa học và Công nghệ", "Sở Khoa học và Công nghệ"),
    ("Sở KH&CN", "Sở Khoa học và Công nghệ"),
    ("Sở KHCN", "Sở Khoa học và Công nghệ"),
    ("Sở GD&ĐT", "Sở Giáo dục và Đào tạo"),
    ("Sở TT&TT", "Sở Thông tin và Truyền thông"),
    ("Sở Nông nghiệp và môi trường", "Sở Nông nghiệp và Môi trường"),
    ("Bộ Giáo dục và Đào tạo", "Bộ Giáo dục và Đào tạo"),
    ("Bộ GDĐT", "Bộ Giáo dục và Đào tạo"),
    ("Bộ Thông tin và Truyền thông", "Bộ Thông tin và Truyền thông"),
    ("Bộ Khoa học và công nghệ", "Bộ Khoa học và Công nghệ"),
    ("Bộ Lao động - Thương binh và Xã hội", "Bộ Lao động - Thương binh và Xã hội"),
    ("Bộ Văn hóa, Thể thao và Du lịch", "Bộ Văn hóa, Thể thao và Du lịch"),
    ("Đảng ủy phường", "Đảng ủy phường"),
    ("Đảng ủy các cơ quan Đảng", "Đảng ủy các cơ quan Đảng"),
    ("Đảng ủy Ủy ban nhân dân xã", "Đảng ủy Ủy ban nhân dân xã"),
    ("Ban Thường vụ Thành ủy Hải Phòng", "Ban Thường vụ Thành ủy Hải Phòng"),
    ("Thành ủy Cần Thơ", "Thành ủy Cần Thơ"),
    ("Ban chỉ đạo chuyển đổi số", "Ban Chỉ đạo chuyển đổi số"),
    ("BCĐ", "Ban Chỉ đạo"),
    ("Ban Chỉ đạo Trung \n\nương", "Ban Chỉ đạo Trung ương"),
    ("Ban Tuyên giáo Trung ương", "Ban Tuyên giáo Trung ương"),
    ("Văn phòng Chính phủ", "Văn phòng Chính phủ"),
    ("VTV", "Đài Truyền hình Việt Nam"),
    ("VOV", "Đài Tiếng nói Việt Nam"),
    ("TTXVN", "Thông tấn xã Việt Nam"),
    ("Bộ Chính trị", "Bộ Chính trị"),
    ("Chính phủ", "Chính phủ"),
    ("Quốc Hội", "Quốc hội"),
    ("Trạm Y tế phường", "Trạm Y tế phường"),
    ("Tổ công nghệ số cộng đồng", "Tổ công nghệ số cộng đồng"),
    ("Các chi bộ trực thuộc", "Các chi bộ trực thuộc"),
])
def test_canonical_name_of_each_written_form(matcher, written, canonical):
    assert matcher.canonical(written) == canonical
    assert names(matcher, written) == [canonical]


@pytest.mark.parametrize("written, canonical", [
    ("Các cơ quan, đơn vị thuộc phường", "Các cơ quan, đơn vị thuộc phường"),
    ("Các phòng, ban, chuyên môn", "Các phòng, ban, chuyên môn"),
    ("Các phòng, ban chuyên môn", "Các phòng, ban chuyên môn"),
    ("các bộ, ngành, địa phương", "Các bộ, ngành, địa phương"),
    ("Bộ, ngành, địa phương", "Bộ, ngành, địa phương"),
    ("Các cơ quan chuyên môn, đơn vị liên quan", "Các cơ quan chuyên môn, đơn vị liên quan"),
    ("Các doanh nghiệp trên địa bàn", "Các doanh nghiệp trên địa bàn"),
    ("Các tổ dân phố trên địa bàn phường", "Các tổ dân phố trên địa bàn phường"),
    ("Các phòng, cơ quan chuyên \n\nmôn thuộc UBND phường", "Các phòng, cơ quan chuyên môn thuộc UBND phường"),
    ("các tổ chức đoàn thể chính trị - xã hội", "Các tổ chức đoàn thể chính trị - xã hội"),
    ("Các trường học trên địa bàn phường", "Các trường học trên địa bàn phường"),
    ("đơn vị liên quan", "Đơn vị liên quan"),
    ("Các sở, ban, ngành, đoàn thể Thành phố", "Các sở, ban, ngành, đoàn thể Thành phố"),
])
def test_generic_groups_keep_their_words(matcher, written, canonical):
    assert names(matcher, written) == [canonical]


@pytest.mark.parametrize("text", [
    "phát triển cơ sở dữ liệu dùng chung",
    "toàn bộ Kế hoạch được triển khai",
    "bảo đảm quốc phòng, an ninh",
    "phòng, chống tham nhũng, lãng phí",
    "xây dựng Chính phủ số và chính quyền số",
    "Phát triển kinh tế - xã hội của địa phương",
    "Nghị quyết số 02/2025/TT-BGDĐT và Công văn 1269/UBND-KGVX, Quyết định 21/QĐ-TTg",
    "Tổ trưởng tổ dân phố cập nhật thông tin",
    "các tổ chức, cá nhân, hộ kinh doanh",
])
def test_no_agency_in_ordinary_words(matcher, text):
    assert names(matcher, text) == []


def test_locality_written_once_after_a_list_belongs_to_each_agency(matcher):
    assert names(matcher, "Các cơ quan, đơn vị, các thôn trên địa bàn xã") == [
        "Các cơ quan, đơn vị trên địa bàn xã", "Các thôn trên địa bàn xã"]
    assert names(matcher, "Đề nghị Ủy ban Mặt trận Tổ quốc và các tổ chức đoàn thể phường phát huy") == [
        "Ủy ban Mặt trận Tổ quốc Việt Nam phường", "Các tổ chức đoàn thể phường"]


def test_mention_spans_and_levels_point_into_the_text(matcher):
    text = "Phòng Văn hóa - Xã hội chủ trì, phối hợp với Công an phường và Sở Khoa học và Công nghệ."
    found = matcher.find(text)
    assert [text[m.start:m.end] for m in found] == [m.raw for m in found]
    assert [(m.name, m.level) for m in found] == [
        ("Phòng Văn hóa - Xã hội", None), ("Công an phường", "phường"), ("Sở Khoa học và Công nghệ", "tỉnh")]
    national = matcher.find("Bộ Công an")[0]
    assert national.level == "trung ương"


def test_decomposed_letters_regression_nfd_text(matcher):
    """Corpus 000 writes some letters decomposed ("o" + U+0300); spans must still fit the text."""
    text = unicodedata.normalize("NFD", "Chủ trì, phối hợp với Phòng VH-XH và Công an phường")
    found = matcher.find(text)
    assert [m.name for m in found] == ["Phòng Văn hóa - Xã hội", "Công an phường"]
    assert [text[m.start:m.end] for m in found] == [m.raw for m in found]
    assert unicodedata.normalize("NFC", found[0].raw) == "Phòng VH-XH"


@pytest.mark.parametrize("cell, expected", [
    ("Phòng Văn hoá - Xã hội, Trung tâm Văn hóa Thể thao và Truyền thông",
     ["Phòng Văn hóa - Xã hội", "Trung tâm Văn hóa Thể thao và Truyền thông"]),
    ("Sở Giáo dục và Đào tạo; đơn vị liên quan", ["Sở Giáo dục và Đào tạo", "Đơn vị liên quan"]),
    ("Các cơ quan chuyên môn, \n\nđơn vị thuộc phường; Công \n\nan phường",
     ["Các cơ quan chuyên môn, đơn vị thuộc phường", "Công an phường"]),
    ("Sở Khoa học và Công \n\nnghệ; các đơn vị liên quan", ["Sở Khoa học và Công nghệ", "Các đơn vị liên quan"]),
    ("Ban Tuyên giáo Trung ương; các bộ, ngành, địa phương; VTV, VOV, TTXVN",
     ["Ban Tuyên giáo Trung ương", "Các bộ, ngành, địa phương", "Đài Truyền hình Việt Nam",
      "Đài Tiếng nói Việt Nam", "Thông tấn xã Việt Nam"]),
    ("Văn phòng HĐND-UBND", ["Văn phòng HĐND và UBND"]),
    ("Tập đoàn, doanh nghiệp công nghệ số", ["Tập đoàn, doanh nghiệp công nghệ số"]),
    ("Hội Khuyến học phường; Hội Người cao tuổi", ["Hội Khuyến học phường", "Hội Người cao tuổi"]),
    # regression (646f0a00): "các tỉnh/ thành phố" was cut at the slash into "UBND các tỉnh" and "/ thành phố"
    ("- Bộ Xây dựng;\n- UBND các tỉnh/ thành phố.", ["Bộ Xây dựng", "UBND các tỉnh, thành phố"]),
    ("Các bộ, ngành liên quan và UBND các tỉnh/thành phố", ["Các bộ, ngành liên quan", "UBND các tỉnh, thành phố"]),
])
def test_split_cell(matcher, cell, expected):
    assert matcher.split_cell(cell) == expected


def _pl2_cells() -> list[str]:
    rows = [r for r in (SHARED / "parents" / "03-NQ-CP-PL2.md").read_text(encoding="utf-8").splitlines()
            if r.startswith("|")]
    cells = []
    for row in rows:
        parts = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(parts) >= 6 and re.match(r"\d+\.?$", parts[0]):
            cells += [c for c in parts[2:4] if c]
    return cells


def test_every_agency_cell_of_the_government_programme_is_recognised(matcher):
    """03/NQ-CP Phụ lục II: every 'Cơ quan chủ trì / phối hợp' cell splits into known agencies."""
    cells = _pl2_cells()
    assert len(cells) > 150
    pieces = total = 0
    for cell in cells:
        found = matcher.find(cell)
        covered = sum(len(re.sub(r"\W", "", m.raw)) for m in found)
        total += len(re.sub(r"\W|\b(?:và|các)\b", "", cell))
        pieces += covered
    assert pieces / total >= 0.9


# Plans of other provinces: agencies read with canonical names.
WILD_EXPECTED = {
    "09daab284f92e2dd.md": ["Sở Tư pháp", "Sở Tài chính", "Sở Nội vụ", "Sở Khoa học và Công nghệ", "UBND tỉnh",
                            "Văn phòng UBND tỉnh", "Trung tâm Thông tin tỉnh"],       # Bắc Ninh
    "31fb08f34535fce3.md": ["Sở Nội vụ", "Ủy ban Mặt trận Tổ quốc Việt Nam thành phố",
                            "Hội Liên hiệp Phụ nữ thành phố", "Bộ Nội vụ", "Văn phòng Chính phủ"],   # TP HCM
    "6a406c1f9dfed9c3.md": ["Sở Khoa học và Công nghệ", "UBND tỉnh"],                 # Lai Châu
    "bffd9da6f0d38031.md": ["UBND tỉnh Đồng Tháp", "Sở Khoa học và Công nghệ"],     # Đồng Tháp
    "2957e4f4f0e41373.md": ["Sở Nội vụ", "UBND tỉnh", "Công an tỉnh", "Ban Thường vụ Tỉnh ủy",
                            "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"],                # Đắk Lắk
}


@pytest.mark.parametrize("name", sorted(WILD_EXPECTED))
def test_agencies_of_other_provinces_plans(matcher, name):
    text = (SHARED / "wild" / name).read_text(encoding="utf-8")
    found = set(names(matcher, text))
    missing = [n for n in WILD_EXPECTED[name] if n not in found]
    assert not missing, missing


def test_find_on_a_400_kb_document_is_one_pass(matcher):
    """The largest wild file (~400 KB) is read in one pass; no per-entry regex loop over the text."""
    text = (SHARED / "wild" / "5340b61df6a6af19.md").read_text(encoding="utf-8")
    assert len(text) > 300_000
    found = matcher.find(text)
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))
    # a trigger regex drives matching: every mention starts where the trigger matches
    norm = normalize_tones(text)
    assert all(matcher._trigger.match(norm, m.start) for m in found[:200])


def test_custom_lexicon_path(tmp_path):
    lex = (Path(__file__).resolve().parents[2] / "nlp" / "resources" / "agencies.yml").read_text(encoding="utf-8")
    lex = lex.replace("  - {name: Bộ Chính trị,", "  - {name: Hội đồng Thử nghiệm, aliases: [HĐTN], level: null}\n"
                                                  "  - {name: Bộ Chính trị,")
    path = tmp_path / "agencies.yml"
    path.write_text(lex, encoding="utf-8")
    assert AgencyMatcher(path).canonical("HĐTN") == "Hội đồng Thử nghiệm"


# ---------------------------------------------------------------- open vocabulary (names the lexicon lacks)


@pytest.mark.parametrize("cell, expected", [
    # lowercase words written right after a known head belong to the name
    ("Các cơ quan thông tin, truyền thông của tỉnh", ["Các cơ quan thông tin, truyền thông của tỉnh"]),
    ("Các doanh nghiệp viễn thông trên địa bàn, Sở Khoa học và Công nghệ",
     ["Các doanh nghiệp viễn thông trên địa bàn", "Sở Khoa học và Công nghệ"]),
    ("Ngân hàng Nhà nước chi nhánh khu vực 5; Chi cục Thuế khu vực XV",
     ["Ngân hàng Nhà nước chi nhánh khu vực 5", "Chi cục Thuế khu vực XV"]),
    ("Các hiệp hội ngành hàng của tỉnh và Trường Đại học Tây Nguyên",
     ["Các hiệp hội ngành hàng của tỉnh", "Trường Đại học Tây Nguyên"]),
    # an unknown name never hides the known names listed after it
    ("Ban Quản lý các khu công nghiệp tỉnh, Sở Tài chính, Công an tỉnh",
     ["Ban Quản lý các khu công nghiệp tỉnh", "Sở Tài chính", "Công an tỉnh"]),
    # a duty written after the names, joiners and formulas are not names
    ("các sở, ban, ngành và các đơn vị có liên quan tham mưu hoạt động thuộc lĩnh vực phụ trách",
     ["Các sở, ban, ngành", "Các đơn vị có liên quan"]),
    ("Các cơ quan, đơn vị theo quy định", ["Các cơ quan, đơn vị"]),
    ("Các cơ quan, đơn vị theo chức năng, nhiệm vụ được giao", ["Các cơ quan, đơn vị"]),
    ("Sở Y tế, báo, đài và các đơn vị có liên quan", ["Sở Y tế", "Báo, đài", "Các đơn vị có liên quan"]),
])
def test_regression_split_cell_keeps_names_the_lexicon_lacks(matcher, cell, expected):
    assert matcher.split_cell(cell) == expected


def test_regression_name_continuation_stops_at_a_clause(matcher):
    """'Sở Khoa học và Công nghệ tiến hành rà soát …' in an owner field: the name ends at the verb."""
    names = matcher.split_cell("Ủy ban nhân dân các xã, phường rà soát văn bản do cơ quan mình tham mưu ban hành")
    assert names == ["UBND các xã, phường"]


def test_regression_unknown_names_listed_with_commas_are_separate(matcher):
    """'…, Viện kiểm sát nhân dân tỉnh, Tòa án nhân dân tỉnh, Thuế tỉnh' (none in the lexicon) are three."""
    assert matcher.split_cell("Viện kiểm sát nhân dân tỉnh, Tòa án nhân dân tỉnh, Thuế tỉnh") == \
        ["Viện kiểm sát nhân dân tỉnh", "Tòa án nhân dân tỉnh", "Thuế tỉnh"]
