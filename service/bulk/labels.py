"""How a director recognises a document at a glance: its issuer with the locality ("UBND tỉnh Đồng Tháp")
and its number ("597/KH-UBND"), its province and level for grouping, and whether it implements the
parent plans at all (documents that do not are listed apart, with why, instead of as grey or red rows)."""
from __future__ import annotations

import re
from typing import Any, Optional

# Header of an issuing body: "ỦY BAN NHÂN DÂN TỈNH BẮC NINH", "ĐẢNG ỦY PHƯỜNG HÒA HƯNG"
UNIT = re.compile(r"\b(TỈNH|THÀNH PHỐ|THỊ XÃ|HUYỆN|QUẬN|XÃ|PHƯỜNG|THỊ TRẤN|ĐẶC KHU)\s+(?!HỘI\b)"   # not "CỘNG HÒA XÃ HỘI CHỦ NGHĨA"
                  r"((?:[A-ZĐÀ-Ỹ0-9][A-ZĐÀ-Ỹ0-9.'’-]*)(?:[ \t]+[A-ZĐÀ-Ỹ0-9][A-ZĐÀ-Ỹ0-9.'’-]*){0,4})")
# The place of the place-and-date line: "Bắc Ninh, ngày 20 tháng 11 năm 2025"
PLACE = re.compile(r"(?:^|[|*\n])[ \t]*\**[ \t]*([A-ZĐÀ-Ỹ][\wÀ-ỹ.'’\s-]{1,40}?),\s*ngày\s+\d", re.M)
LEVEL_WORDS = ("thành phố", "thị xã", "thị trấn", "đặc khu", "tỉnh", "huyện", "quận", "xã", "phường")
HEAD_CHARS = 1500
LEVEL_ORDER = {"trung ương": 0, "tỉnh": 1, "thành phố": 1, "huyện": 2, "quận": 2, "thị xã": 2, "xã": 3, "phường": 3,
               "thị trấn": 3, "đặc khu": 3}
LEVEL_TITLES = {0: "Trung ương", 1: "Tỉnh, thành phố", 2: "Huyện, quận, thị xã", 3: "Xã, phường, đặc khu",
                4: "Cấp chưa rõ"}


def _title(words: str) -> str:
    return " ".join(w if any(ch.isdigit() for ch in w) else w.capitalize() for w in words.split())


def header_unit(text: Optional[str]) -> Optional[tuple[str, str]]:
    """(level word, locality name) from the issuing body's header, e.g. ("tỉnh", "Bắc Ninh")."""
    head = (text or "")[:HEAD_CHARS].replace("**", " ")
    match = UNIT.search(head)
    if not match:
        return None
    name = re.split(r"\s{2,}|-{2,}|\|", match.group(2))[0].strip(" .-")
    return (match.group(1).lower(), _title(name)) if name else None


def place_of_issue(text: Optional[str]) -> Optional[str]:
    match = PLACE.search((text or "")[:HEAD_CHARS].replace("**", " "))
    if not match:
        return None
    place = " ".join(match.group(1).split()).strip("* ")
    return re.sub(r"^(?:tỉnh|thành phố|tp\.?)\s+", "", place, flags=re.I) or None


def issuer_with_locality(issuer: Optional[str], text: Optional[str]) -> Optional[str]:
    """'UBND tỉnh' + the header's 'TỈNH ĐỒNG THÁP' -> 'UBND tỉnh Đồng Tháp'; an issuer that already names
    its locality is kept as it is."""
    issuer = " ".join((issuer or "").split())
    unit = header_unit(text)
    if not issuer:
        return f"{unit[0]} {unit[1]}".capitalize() if unit else None
    trailing = next((w for w in LEVEL_WORDS if issuer.lower().endswith(" " + w) or issuer.lower() == w), None)
    if trailing and unit and unit[0] == trailing:
        return f"{issuer} {unit[1]}"
    if trailing and not unit and (place := place_of_issue(text)):
        return f"{issuer} {place}"
    return issuer


def document_label(info: dict, text: Optional[str], fallback: str) -> str:
    """'UBND tỉnh Đồng Tháp — 597/KH-UBND'; the parts that are known, else the fallback (file name)."""
    parts = [p for p in (issuer_with_locality(info.get("issuer"), text), info.get("number")) if p]
    return " — ".join(parts) if parts else fallback


def level_rank(level: Optional[str], issuer: Optional[str]) -> int:
    if level and level.lower() in LEVEL_ORDER:
        return LEVEL_ORDER[level.lower()]
    lowered = (issuer or "").lower()
    if lowered.startswith(("bộ ", "chính phủ", "thủ tướng", "bộ chính trị", "ban chấp hành trung ương")):
        return 0
    return next((LEVEL_ORDER[w] for w in LEVEL_WORDS if f" {w}" in f" {lowered}"), 4)


def province_of(info: dict, text: Optional[str], labels: dict[str, Any]) -> Optional[str]:
    """The manifest's province, else the locality of a provincial document, else the place of issue."""
    if labels.get("province"):
        return str(labels["province"])
    unit = header_unit(text)
    if unit and unit[0] in ("tỉnh", "thành phố"):
        return unit[1]
    return place_of_issue(text)


def not_implementing_reason(row: dict) -> Optional[str]:
    """Why a document is not a plan implementing the parents (None when it is one)."""
    if row.get("status") != "done":
        return "Không đọc được tệp: " + str(row.get("error_message") or row.get("error_code") or "lỗi")
    if row.get("is_plan") is False:
        return "Không phải kế hoạch" + (f" ({row['kind']})" if row.get("kind") else "") + ": không đối chiếu"
    total = row.get("groups_total")
    if total is None or total != total or total == 0:
        return "Không dẫn chiếu văn bản cấp trên nào có thể đối chiếu"
    if not row.get("groups_covered"):
        return "Không có nội dung nào tương ứng các nhóm nhiệm vụ của văn bản cấp trên: có thể không thực hiện văn bản này"
    return None
