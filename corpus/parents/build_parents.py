"""Draft the bundled parent renderings (57-NQ-TW.yml, 03-NQ-CP.yml) from the real texts in ../shared/parents.

The YAML files are the project's own structured rendering of the parents' *facts*: each target as
indicator / comparator / value / unit / year / lead with its source row, each task as a short summary
(the task name's first clause, at most a dozen words) plus keywords, with lead, support, deadline and
whether it is assigned to localities. The texts themselves are never copied into the repo.

Run from the repo root:  .venv/bin/python corpus/parents/build_parents.py [--shared ../shared]
then review the diff by hand (the hand-made parts: 57's targets, group titles, local relevance of
targets and the 71/NQ-CP amendments, live in this script as data).
"""
from __future__ import annotations

import argparse
import calendar
import re
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII"]

# Own short wording of 57-NQ/TW's seven task groups (III.1 .. III.7), shared by 03/NQ-CP's PL2.
GROUP_TITLES = {
    "I": "Nâng cao nhận thức, đổi mới tư duy, quyết tâm chính trị về KHCN, ĐMST và chuyển đổi số",
    "II": "Hoàn thiện thể chế, tháo gỡ rào cản, thể chế thành lợi thế cạnh tranh",
    "III": "Tăng cường đầu tư, hoàn thiện hạ tầng cho KHCN, ĐMST và chuyển đổi số",
    "IV": "Phát triển, trọng dụng nhân lực chất lượng cao, nhân tài",
    "V": "Chuyển đổi số trong hệ thống chính trị, quản trị quốc gia, quốc phòng, an ninh",
    "VI": "Thúc đẩy KHCN, ĐMST và chuyển đổi số trong doanh nghiệp",
    "VII": "Hợp tác quốc tế về KHCN, ĐMST và chuyển đổi số",
}

# 57-NQ/TW section II: its numeric targets, written out by hand as facts (source: section, bullet).
TARGETS_57 = [
    # (indicator, comparator, value, value_max, unit, year, bullet, local)
    ("Xếp hạng năng lực cạnh tranh số và chỉ số phát triển Chính phủ điện tử trong Đông Nam Á", "<=", 3, None, "thứ hạng", 2030, 1, False),
    ("Xếp hạng năng lực cạnh tranh số và chỉ số phát triển Chính phủ điện tử trên thế giới", "<=", 50, None, "thứ hạng", 2030, 1, False),
    ("Số doanh nghiệp công nghệ số ngang tầm các nước tiên tiến", ">=", 5, None, "doanh nghiệp", 2030, 1, False),
    ("Đóng góp của năng suất nhân tố tổng hợp (TFP) vào tăng trưởng kinh tế", ">", 55, None, "%", 2030, 2, False),
    ("Tỉ trọng xuất khẩu sản phẩm công nghệ cao trong tổng giá trị xuất khẩu", ">=", 50, None, "%", 2030, 2, False),
    ("Quy mô kinh tế số", ">=", 30, None, "% GDP", 2030, 2, True),
    ("Tỉ lệ người dân và doanh nghiệp sử dụng dịch vụ công trực tuyến", ">", 80, None, "%", 2030, 2, True),
    ("Tỉ lệ giao dịch không dùng tiền mặt", ">=", 80, None, "%", 2030, 2, True),
    ("Tỉ lệ doanh nghiệp có hoạt động đổi mới sáng tạo", ">", 40, None, "%", 2030, 2, False),
    ("Chỉ số phát triển con người (HDI)", ">", 0.7, None, "index", 2030, 2, False),
    ("Kinh phí chi cho nghiên cứu phát triển (R&D)", "=", 2, None, "% GDP", 2030, 3, False),
    ("Tỷ trọng kinh phí từ xã hội trong chi cho R&D", ">", 60, None, "%", 2030, 3, False),
    ("Chi ngân sách hằng năm cho phát triển KHCN, ĐMST và chuyển đổi số", ">=", 3, None, "% tổng chi ngân sách", 2030, 3, True),
    ("Nhân lực nghiên cứu khoa học, phát triển công nghệ, đổi mới sáng tạo", "=", 12, None, "người/vạn dân", 2030, 3, False),
    ("Tổ chức khoa học và công nghệ được xếp hạng khu vực và thế giới", "range", 40, 50, "tổ chức", 2030, 3, False),
    ("Tăng trưởng số lượng công bố khoa học quốc tế", "=", 10, None, "%/năm", 2030, 3, False),
    ("Tăng trưởng số đơn đăng ký và văn bằng bảo hộ sáng chế", "range", 16, 18, "%/năm", 2030, 3, False),
    ("Tỉ lệ sáng chế được khai thác thương mại", "range", 8, 10, "%", 2030, 3, False),
    ("Phủ sóng 5G", "=", 100, None, "% dân số", 2030, 4, True),
    ("Tổ chức, doanh nghiệp công nghệ hàng đầu thế giới thu hút thêm", ">=", 3, None, "tổ chức, doanh nghiệp", 2030, 4, False),
    ("Quy mô kinh tế số", ">=", 50, None, "% GDP", 2045, 1, False),
    ("Xếp hạng đổi mới sáng tạo, chuyển đổi số trên thế giới", "<=", 30, None, "thứ hạng", 2045, 1, False),
    ("Số doanh nghiệp công nghệ số ngang tầm các nước tiên tiến", ">=", 10, None, "doanh nghiệp", 2045, 1, False),
    ("Tổ chức, doanh nghiệp công nghệ hàng đầu thế giới thu hút thêm", ">=", 5, None, "tổ chức, doanh nghiệp", 2045, 1, False),
]

# Applicability ("applies_to"): the levels of government a parent item is addressed to. Levels are
# "bộ" (ministries and central agencies), "tỉnh" (provinces and centrally-run cities), "xã" (wards, communes).
# 03/NQ-CP PL1 rows a province plan can carry and measure on its territory (hand-marked).
LOCAL_TARGET_ROWS = {"10", "11.1", "11.2", "11.3", "11.4", "11.5", "11.6", "11.7", "11.8", "11.10", "11.11",
                     "11.12", "12", "17", "23.1", "23.4", "26", "27", "30", "31", "32"}

# ... of which the rows a ward/commune can also measure on its own territory: its one-stop shop's online
# procedures, cashless payments and digital signatures of its residents, its budget share (bank accounts
# and health records are the banking and health sectors' own targets).
COMMUNE_TARGET_ROWS = {"11.1", "11.3", "11.4", "11.6", "11.10", "12", "17", "31"}
# 57-NQ/TW targets a province plan carries (local=True below), and those a commune plan also carries.
COMMUNE_TARGETS_57 = {"Tỉ lệ người dân và doanh nghiệp sử dụng dịch vụ công trực tuyến", "Tỉ lệ giao dịch không dùng tiền mặt",
                      "Chi ngân sách hằng năm cho phát triển KHCN, ĐMST và chuyển đổi số"}
# 03/NQ-CP PL2 rows given to localities that a ward/commune also carries itself (the rest are the province's:
# databases, platforms, 5G, industrial parks, programmes for enterprises, training programmes).
COMMUNE_TASK_ROWS = {"3", "71-1"}
# Phrases by which a plan names the duty of a commune row in its own words (the aligner misses short
# restatements): a plan using one of them carries the row.
TASK_CUES = {
    "3": ["học tập số", "bình dân học vụ số", "phong trào học tập"],
    "71-1": ["số hóa hồ sơ", "số hóa quy trình", "số hóa kết quả", "số hóa, tạo lập cơ sở dữ liệu về hồ sơ"],
}
# Rows that are the act of writing or updating the locality's own plan: satisfied by the plan's existence.
SELF_REFERENCE_ROWS = {"6", "7", "71-2"}

# Words whose presence anywhere in a plan's tasks shows it addresses a task group of 57-NQ/TW (regex,
# lowercase): a group is reported missing only when none of them occurs.
GROUP_CUES = {
    "I": ["nhận thức", "tuyên truyền", "truyền thông", "học tập số", "bình dân học vụ số", "quyết tâm chính trị"],
    "II": ["thể chế", "cơ chế", "chính sách", "thủ tục hành chính", "tthc", "rào cản", "quy định"],
    "III": ["hạ tầng", "đầu tư", "nền tảng", "cơ sở dữ liệu", "csdl", "mạng", "5g", "trung tâm dữ liệu"],
    "IV": ["nhân lực", "nhân tài", "đào tạo", "bồi dưỡng", "cán bộ", "chuyên gia", "kỹ năng số"],
    "V": ["chính quyền số", "chính phủ số", "dịch vụ công", "hệ thống chính trị", "quản trị", "môi trường số", "điều hành"],
    "VI": ["doanh nghiệp", "khởi nghiệp", "kinh tế số", "thương mại điện tử", "hộ kinh doanh"],
    "VII": ["hợp tác quốc tế", "hội nhập quốc tế", "nước ngoài", "đối ngoại", "ngoại giao", "chuyên gia quốc tế"],
}

# 2025 ministry merger, applied by 71/NQ-CP to the programme's leads.
RENAMED_AGENCIES = {"Bộ Thông tin và Truyền thông": "Bộ Khoa học và Công nghệ"}

# 71/NQ-CP amendments (../shared/parents/README.md): earlier deadlines of locality tasks.
AMENDED_DEADLINES = {
    "65": ("30/09/2025", "2025-09-30"),   # IoT in production, energy, agriculture, transport, health
    "66": ("30/09/2025", "2025-09-30"),   # 5G and IoT in industrial parks and clusters
    "73": ("31/05/2025", "2025-05-31"),   # IT infrastructure upgrade, connection to the population database
}
# ... and tasks 71/NQ-CP added for localities (own wording).
ADDED_TASKS_71 = [
    {"id": "PL2.II.71-1", "group": "II", "row": "71-1",
     "summary": "Số hóa quy trình nội bộ, hồ sơ, kết quả giải quyết TTHC",
     "keywords": ["số_hóa", "quy_trình", "nghiệp_vụ", "nội_bộ", "hồ_sơ", "tài_liệu", "kết_quả",
                  "thủ_tục", "hành_chính", "đất_đai", "tư_pháp", "y_tế"],
     "lead": ["Các bộ, ngành, địa phương"], "deadline": {"raw": "30/09/2025", "type": "date", "due": "2025-09-30"}},
    {"id": "PL2.I.71-2", "group": "I", "row": "71-2",
     "summary": "Cập nhật kế hoạch hành động địa phương theo Chương trình sửa đổi",
     "keywords": ["cập_nhật", "kế_hoạch", "hành_động", "chương_trình", "sửa_đổi", "bổ_sung", "địa_phương"],
     "lead": ["Các bộ, ngành, địa phương"], "deadline": {"raw": "3/2025", "type": "date", "due": "2025-03-31"}},
]

LOCALITY_MARKERS = ("địa phương", "ubnd tỉnh", "ủy ban nhân dân", "các tỉnh", "tỉnh, thành phố")
# Rows whose lead names localities but only some of them (a pilot for selected localities, owners of
# national databases): not a duty of every province/ward plan.
NOT_EVERY_LOCALITY_ROWS = {"63", "70"}

STOPWORDS = {
    "và", "các", "của", "để", "trong", "cho", "với", "theo", "về", "có", "được", "là", "một", "số", "những",
    "trên", "tại", "đến", "từ", "hoặc", "như", "này", "đã", "sẽ", "nhằm", "bảo_đảm", "đảm_bảo", "việc", "hướng",
    "nhất", "mới", "thực_hiện", "xây_dựng", "triển_khai", "ban_hành", "tổ_chức", "phát_triển", "khoa_học",
    "công_nghệ", "đổi_mới", "sáng_tạo", "chuyển_đổi", "hiệu_quả", "nâng_cao", "đẩy_mạnh", "tăng_cường",
    "năm", "quốc_gia", "cơ_quan", "nhà_nước", "trình", "đề_xuất", "hoàn_thiện", "dám", "cấp", "ủy", "do",
    "hằng", "phải", "đối_với", "hóa", "hoá", "công", "lớn", "cần", "mọi", "nhiều", "rõ", "cả", "cùng",
}


# ---------------------------------------------------------------- helpers


def md_table_rows(path: Path) -> list[list[str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|") or set(line) <= set("|- "):
            continue
        rows.append([re.sub(r"\*\*", "", c).strip() for c in line.strip().strip("|").split("|")])
    return rows[1:]   # header


def split_agencies(cell: str) -> list[str]:
    cell = re.sub(r"\s+", " ", cell).strip(" ;,.")
    if not cell:
        return []
    for old, new in RENAMED_AGENCIES.items():
        cell = cell.replace(old, new)
    # "Các bộ, ngành, địa phương" is one collective owner: split on ';' only, then on ', Bộ'.
    parts = []
    for chunk in re.split(r";", cell):
        parts += [p.strip(" ,") for p in re.split(r",\s*(?=(?:Bộ|Văn phòng|Ban|Viện|Ngân hàng|Thanh tra|VTV|VOV|TTXVN|Ủy ban|các địa phương)\b)", chunk)]
    return [p for p in parts if p]


def parse_deadline(raw: str) -> dict | None:
    raw = re.sub(r"\s+", " ", raw).strip()
    if not raw:
        return None
    low = raw.lower()
    if "thường xuyên" in low or "hằng năm" in low or "hàng năm" in low:
        return {"raw": raw, "type": "recurring", "due": None}
    if m := re.fullmatch(r"(?:tháng )?(\d{1,2})/(\d{4})", low):
        month, year = int(m[1]), int(m[2])
        return {"raw": raw, "type": "date", "due": f"{year}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"}
    if m := re.fullmatch(r"quý (i{1,3}|iv)/(\d{4})", low):
        quarter = ["i", "ii", "iii", "iv"].index(m[1]) + 1
        year, month = int(m[2]), quarter * 3
        return {"raw": raw, "type": "date", "due": f"{year}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"}
    if m := re.fullmatch(r"(\d{4}) ?- ?(\d{4})", low):
        return {"raw": raw, "type": "period", "start": f"{m[1]}-01-01", "due": f"{m[2]}-12-31"}
    if m := re.fullmatch(r"(\d{4}) và những năm tiếp theo", low):
        return {"raw": raw, "type": "recurring", "start": f"{m[1]}-01-01", "due": None}
    if m := re.fullmatch(r"(\d{4})", low):
        return {"raw": raw, "type": "date", "due": f"{m[1]}-12-31"}
    return {"raw": raw, "type": "conditional", "due": None}


def short_summary(text: str, max_words: int = 12) -> str:
    """The task name's first clause, cut to a dozen words: a label, not the text."""
    text = re.sub(r"\s+", " ", text).strip()
    first = re.split(r"[:;(]|\s-\s|\. ", text)[0].strip(" ,.")
    words = first.split()
    return " ".join(words[:max_words]) + (" …" if len(words) > max_words else "")


def keywords(texts: list[str], top: int = 12) -> list[list[str]]:
    """Distinctive segmented words of each text (TF-IDF over the set), most distinctive first."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from underthesea import word_tokenize

    docs = [word_tokenize(t, format="text").lower() for t in texts]
    vec = TfidfVectorizer(token_pattern=r"[^\s,.;:()\"“”'/\-–]+", sublinear_tf=True)
    matrix = vec.fit_transform(docs)
    vocab = vec.get_feature_names_out()
    out = []
    for i in range(matrix.shape[0]):
        row = matrix.getrow(i)
        pairs = sorted(zip(row.data, row.indices), reverse=True)
        words = [vocab[j] for _, j in pairs if vocab[j] not in STOPWORDS and not vocab[j].isdigit() and len(vocab[j]) > 1]
        out.append(words[:top])
    return out


def is_local(lead: list[str]) -> bool:
    joined = " ".join(lead).lower()
    return any(marker in joined for marker in LOCALITY_MARKERS)


MINISTRY_MARKERS = ("bộ", "ngành", "văn phòng", "ban ", "ngân hàng", "thanh tra", "viện", "vtv", "vov", "ttxvn", "ủy ban")


def task_levels(lead: list[str], row: str) -> list[str]:
    """Levels a 03/NQ-CP row is addressed to, from its "Cơ quan chủ trì" column."""
    levels = []
    joined = " ".join(lead).lower()
    if any(marker in joined.replace("địa phương", "") for marker in MINISTRY_MARKERS):
        levels.append("bộ")
    if is_local(lead) and row not in NOT_EVERY_LOCALITY_ROWS:
        levels.append("tỉnh")
        if row in COMMUNE_TASK_ROWS:
            levels.append("xã")
    return levels


def applies_to(levels: list[str], self_reference: bool = False, row: str = "") -> dict:
    out = {"levels": levels}
    if self_reference:
        out["satisfied_by_plan"] = True
    if row in TASK_CUES:
        out["cues"] = TASK_CUES[row]
    return out


def parse_value(raw: str):
    """'≥ 55' -> ('>=', 55, None); '40 - 50' -> ('range', 40, 50); qualitative -> None."""
    s = raw.replace(",", ".").replace("%", "").strip()
    s = re.sub(r"\s+", " ", s)
    if m := re.match(r"^(\d+(?:\.\d+)?) ?- ?(\d+(?:\.\d+)?)$", s):
        return "range", float(m[1]), float(m[2])
    if m := re.match(r"^(≥|>=|≤|<=|>|<)? ?(\d+(?:\.\d+)?)\b", s):
        comp = {"≥": ">=", ">=": ">=", "≤": "<=", "<=": "<=", ">": ">", "<": "<", None: "="}[m[1]]
        return comp, float(m[2]), None
    return None


def num(x: float):
    return int(x) if float(x).is_integer() else x


# ---------------------------------------------------------------- 57-NQ/TW


def tasks_57(shared: Path) -> tuple[list[str], list[dict]]:
    """57-NQ/TW part III: the text of each task group, and each of its bullets (group, row, text)."""
    text = (shared / "parents" / "57-NQ-TW.md").read_text(encoding="utf-8")
    tasks_part = text.split("III- NHIỆM VỤ, GIẢI PHÁP")[1].split("IV- TỔ CHỨC THỰC HIỆN")[0]
    chunks = re.split(r"\*\*(\d)\\\. [^\n]*\*\*", tasks_part)
    tasks, group_texts = [], []
    for number, body in zip(chunks[1::2], chunks[2::2]):
        roman = ROMAN[int(number) - 1]
        bullets = [b.strip() for b in re.split(r"\n\s*\\-\s*", "\n" + body) if b.strip()]
        group_texts.append(body)
        for i, bullet in enumerate(bullets, 1):
            tasks.append({"group": roman, "row": str(i), "text": bullet})
    return group_texts, tasks


def build_57(shared: Path) -> dict:
    group_texts, tasks = tasks_57(shared)
    groups = []
    group_kw = keywords(group_texts, top=20)
    task_kw = keywords([t["text"] for t in tasks])
    for roman, kw in zip(ROMAN, group_kw):
        groups.append({"id": roman, "title": GROUP_TITLES[roman], "keywords": kw, "cues": GROUP_CUES[roman], "source": {"doc": "57-NQ/TW", "section": f"III.{ROMAN.index(roman) + 1}"}})
    out_tasks = []
    for t, kw in zip(tasks, task_kw):
        out_tasks.append({
            "id": f"III.{t['group']}.{t['row']}", "group": t["group"], "summary": short_summary(t["text"]), "keywords": kw,
            "lead": [], "support": [], "deadline": None, "applies_to": applies_to([]),
            "source": {"doc": "57-NQ/TW", "section": f"III.{ROMAN.index(t['group']) + 1}", "row": t["row"]},
        })
    targets = []
    counters: dict[int, int] = {}
    for indicator, comp, value, value_max, unit, year, bullet, local in TARGETS_57:
        part = "1" if year == 2030 else "2"
        counters[year] = counters.get(year, 0) + 1
        targets.append({
            "id": f"II.{part}.{counters[year]}", "group": "2030" if year == 2030 else "2045", "indicator": indicator,
            "comparator": comp, "value": value, "value_max": value_max, "unit": unit, "year": year, "lead": [],
            "applies_to": applies_to((["tỉnh"] + (["xã"] if indicator in COMMUNE_TARGETS_57 else [])) if local else ["bộ"]),
            "source": {"doc": "57-NQ/TW", "section": f"II.{part}", "row": str(bullet)},
        })
    return {
        "doc_id": "57-NQ-TW",
        "document": {"number": "57-NQ/TW", "issued": "2024-12-22", "issuer": "Bộ Chính trị", "kind": "Nghị quyết",
                     "level": "trung ương",
                     "title": "Nghị quyết về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia"},
        "resolves": ["57-NQ/TW"],
        "groups": groups, "targets": targets, "tasks": out_tasks,
    }


# ---------------------------------------------------------------- 03/NQ-CP as amended by 71/NQ-CP


def tasks_03(shared: Path) -> list[dict]:
    """03/NQ-CP Phụ lục II: each task row (row, group, text, lead, support, result, deadline)."""
    raw_tasks, group = [], None
    for row in md_table_rows(shared / "parents" / "03-NQ-CP-PL2.md"):
        tt, name, lead, support, result, deadline = (row + [""] * 6)[:6]
        tt = tt.strip().rstrip(".")
        if tt in ROMAN:
            group = tt
            continue
        if not tt.isdigit():
            continue
        raw_tasks.append({"row": tt, "group": group, "text": name, "lead": lead, "support": support, "result": result,
                          "deadline": deadline})
    return raw_tasks


def targets_03(shared: Path) -> list[tuple[str, list[str]]]:
    """03/NQ-CP Phụ lục I: (part I|II, row cells) of each row."""
    rows, part = [], None
    for row in md_table_rows(shared / "parents" / "03-NQ-CP-PL1.md"):
        if row and row[0] in ("I", "II"):
            part = row[0]
            continue
        rows.append((part, row))
    return rows


def build_03(shared: Path) -> dict:
    targets = []
    for part, row in targets_03(shared):
        tt, indicator, unit, result, lead = (row + [""] * 5)[:5]
        parsed = parse_value(result)
        if not parsed:
            continue   # qualitative or heading row: no number to compare
        comp, value, value_max = parsed
        targets.append({
            "id": f"PL1.{part}.{tt}", "group": "2030" if part == "I" else "2045", "indicator": short_summary(indicator, max_words=14),
            "comparator": comp, "value": num(value), "value_max": num(value_max) if value_max is not None else None,
            "unit": unit.strip() or "", "year": 2030 if part == "I" else 2045, "lead": split_agencies(lead),
            "applies_to": applies_to((["tỉnh"] + (["xã"] if tt in COMMUNE_TARGET_ROWS else []))
                                     if part == "I" and tt in LOCAL_TARGET_ROWS else ["bộ"]),
            "source": {"doc": "03/NQ-CP", "appendix": "PL1", "row": tt},
        })

    raw_tasks = tasks_03(shared)
    task_kw = keywords([t["text"] for t in raw_tasks])
    tasks = []
    for t, kw in zip(raw_tasks, task_kw):
        lead = split_agencies(t["lead"])
        deadline = parse_deadline(t["deadline"])
        entry = {
            "id": f"PL2.{t['group']}.{t['row']}", "group": t["group"], "summary": short_summary(t["text"]), "keywords": kw,
            "lead": lead, "support": split_agencies(t["support"]), "deadline": deadline,
            "applies_to": applies_to(task_levels(lead, t["row"]), t["row"] in SELF_REFERENCE_ROWS, t["row"]), "source": {"doc": "03/NQ-CP", "appendix": "PL2", "row": t["row"]},
        }
        if t["row"] in AMENDED_DEADLINES:
            raw, due = AMENDED_DEADLINES[t["row"]]
            entry["deadline"] = {"raw": raw, "type": "date", "due": due}
            entry["amended_by"] = "71/NQ-CP"
        tasks.append(entry)
    for added in ADDED_TASKS_71:
        levels = ["bộ", "tỉnh"] + (["xã"] if added["row"] in COMMUNE_TASK_ROWS else [])
        tasks.append({**added, "support": [], "applies_to": applies_to(levels, added["row"] in SELF_REFERENCE_ROWS, added["row"]), "amended_by": "71/NQ-CP",
                      "source": {"doc": "71/NQ-CP", "appendix": "PL2", "row": added["row"]}})
    groups = [{"id": g, "title": GROUP_TITLES[g], "cues": GROUP_CUES[g], "source": {"doc": "03/NQ-CP", "appendix": "PL2", "row": g}} for g in ROMAN]
    return {
        "doc_id": "03-NQ-CP",
        "document": {"number": "03/NQ-CP", "issued": "2025-01-09", "issuer": "Chính phủ", "kind": "Nghị quyết",
                     "level": "trung ương",
                     "title": "Chương trình hành động của Chính phủ thực hiện Nghị quyết 57-NQ/TW (sửa đổi, bổ sung theo Nghị quyết 71/NQ-CP)"},
        "resolves": ["03/NQ-CP", "71/NQ-CP"],
        # the Government's programme carrying out 57-NQ/TW: a parent of every plan implementing 57-NQ/TW
        "implements": ["57-NQ/TW"],
        "amended_by": [{"number": "71/NQ-CP", "issued": "2025-04-01", "issuer": "Chính phủ"}],
        "reporting": {"frequency": "6 tháng", "raw": "trước 15/6 và trước 1/12", "source": {"doc": "71/NQ-CP"}},
        "groups": groups, "targets": targets, "tasks": tasks,
    }


# ---------------------------------------------------------------- full wording, kept out of the repo

# The parents' own wording of each item, for the reviewer's full-text view of a bundled parent. Built
# beside the renderings but git-ignored: the source texts are not the project's to copy (see
# ../shared/parents/README.md); without this folder the viewer shows the rendering's own summaries.
TEXTS_DIR = HERE / "texts"


def item_texts(shared: Path) -> dict[str, dict[str, dict]]:
    """doc_id -> item id (as in the renderings) -> {text[, result]}: each item's wording in the source."""
    texts_57 = {f"III.{t['group']}.{t['row']}": {"text": re.sub(r"\s+", " ", t["text"]).strip()}
                for t in tasks_57(shared)[1]}
    texts_03 = {}
    for part, row in targets_03(shared):
        tt, indicator, _unit, result = (row + [""] * 4)[:4]
        texts_03[f"PL1.{part}.{tt}"] = {"text": re.sub(r"\s+", " ", indicator).strip(), "result": result.strip()}
    for t in tasks_03(shared):
        texts_03[f"PL2.{t['group']}.{t['row']}"] = {"text": re.sub(r"\s+", " ", t["text"]).strip(),
                                                    "result": re.sub(r"\s+", " ", t["result"]).strip()}
    return {"57-NQ-TW": texts_57, "03-NQ-CP": texts_03}


def write_item_texts(shared: Path, directory: Path = TEXTS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for doc_id, texts in item_texts(shared).items():
        path = directory / f"{doc_id}.yml"
        path.write_text(yaml.safe_dump(texts, allow_unicode=True, sort_keys=False, width=140), encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=str(REPO / ".." / "shared"))
    parser.add_argument("--texts-only", action="store_true",
                        help="only (re)write the git-ignored item wording under corpus/parents/texts/")
    args = parser.parse_args()
    shared = Path(args.shared)
    for path in write_item_texts(shared):
        print(path.relative_to(REPO), "(git-ignored)")
    if args.texts_only:
        return
    for name, data in (("57-NQ-TW.yml", build_57(shared)), ("03-NQ-CP.yml", build_03(shared))):
        header = f"# Generated by corpus/parents/build_parents.py from ../shared/parents, then reviewed by hand.\n"
        (HERE / name).write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=140), encoding="utf-8")
        print(name, len(data["tasks"]), "tasks", len(data["targets"]), "targets")


if __name__ == "__main__":
    main()
