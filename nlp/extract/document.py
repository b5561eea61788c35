"""The plan's own identity: số ký hiệu, date, issuing body, title, kind, level; plan or not."""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from nlp.extract.agencies import default_matcher
from nlp.schema import DocumentInfo, SectionType, StructuredDocument

_NUMBER = re.compile(r"Số\s*:\s*([0-9]*\s*[-/]\s*[A-ZĐ0-9][A-ZĐ0-9&\-/]*)", re.IGNORECASE)
_ATTACHED_TO = re.compile(r"Kèm theo\s+(?:Kế hoạch|Quyết định|Nghị quyết|Chương trình)\s+số\s+(\d+[-/][^\s,;)]+)\s*(?:,\s*)?ngày\s+([0-9][0-9 /.\-]+[0-9])", re.IGNORECASE)
# "Lai Châu, ngày 19 tháng 11 năm 2025" opening a line, or the cell after "Số: …" of a header table row
_PLACE_DATE = re.compile(r"(?:^|\|[ \t]*)[^\d\n,|]{2,40},\s*ngày\b[^\n|]{0,40}năm\s+\d{4}", re.IGNORECASE | re.MULTILINE)
# the issuing People's Committee in the header's first cell: "ỦY BAN NHÂN DÂN TỈNH LAI CHÂU ----"
_HEADER_COMMITTEE = re.compile(r"^\W*[UỦ]Y BAN NHÂN DÂN\W+(PHƯỜNG|XÃ|THỊ TRẤN|ĐẶC KHU|QUẬN|HUYỆN|THỊ XÃ|THÀNH PHỐ|TỈNH)"
                               r"\s+([A-ZĐÀ-Ỹ][A-ZĐÀ-Ỹ ]{1,40}?)\s*(?:-{3,}|\||\n|CỘNG HÒA)")
_KINDS = ("KẾ HOẠCH HÀNH ĐỘNG", "CHƯƠNG TRÌNH HÀNH ĐỘNG", "KẾ HOẠCH", "QUYẾT ĐỊNH", "NGHỊ QUYẾT", "CHƯƠNG TRÌNH",
          "CHỈ THỊ", "THÔNG BÁO", "BÁO CÁO", "TỜ TRÌNH", "CÔNG VĂN", "ĐỀ ÁN", "HƯỚNG DẪN")
# Legal normative documents: a title line in capitals only (a line opening "Luật …" in the front matter
# is a citation). A circular's "Điều" read as sections gave 30 "5 rõ" findings to a Thông tư.
_LEGAL_KINDS = ("THÔNG TƯ", "NGHỊ ĐỊNH", "PHÁP LỆNH", "LUẬT")
_PLAN_KINDS = {"Kế hoạch", "Kế hoạch hành động", "Chương trình hành động", "Chương trình", "Đề án"}
_LOCALITY = re.compile(r"\b(phường|xã|thị trấn|đặc khu|quận|huyện|thị xã|thành phố|tỉnh)\s+((?:[A-ZĐÀ-Ỹ][\wÀ-ỹđ]*\s?){1,4})")
_ISSUER_SENTENCE = re.compile(
    r"((?:Ủy ban nhân dân|UBND|Ban Thường vụ|Ban Chấp hành|Đảng ủy|Thành ủy|Tỉnh ủy|Ban Chỉ đạo|Sở|Bộ)"
    r"[^;:.]{0,60}?)\s+(?:xây dựng|ban hành|triển khai)\s+(?:Kế hoạch|Chương trình)")
_LEVEL_WORDS = [("phường", "phường"), ("xã", "xã"), ("thị trấn", "xã"), ("đặc khu", "xã"),
                ("thành phố", "thành phố"), ("tỉnh", "tỉnh"), ("bộ", "trung ương"), ("chính phủ", "trung ương")]


def _front_text(doc: StructuredDocument) -> str:
    first_body = next((s for s in doc.sections if s.type != SectionType.FRONT_MATTER), None)
    end = first_body.span.start if first_body else min(len(doc.text), 4000)
    return doc.text[: max(end, 200)]


def _iso(day: int, month: int, year: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_issue_date(text: str) -> str | None:
    """'Long Mỹ, ngày 02 tháng 10 năm 2025' -> '2025-10-02'; a blank day or month -> None."""
    m = re.search(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", text)
    if m:
        return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.search(r"ngày\s+(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})", text)
    if m:
        return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return None


def _title(front: str) -> tuple[str | None, str | None]:
    lines = [l.strip() for l in front.split("\n") if l.strip()]
    for i, line in enumerate(lines):
        upper = line.upper()
        legal = [k for k in _LEGAL_KINDS if line.isupper() and re.match(rf"{k}(?!\w)", line)]
        for kind in legal or _KINDS:
            if upper.startswith(kind) and (len(line) < len(kind) + 60 or line.isupper()):
                rest = line[len(kind):].strip()
                parts = [rest] if rest else []
                for nxt in lines[i + 1:i + 4]:
                    if nxt.lower().startswith(("căn cứ", "thực hiện kế hoạch", "thực hiện chỉ thị")) or _NUMBER.match(nxt):
                        break
                    parts.append(nxt)
                    if len(" ".join(parts)) > 120:
                        break
                kind_title = kind.capitalize()
                body = " ".join(parts).strip()
                body = body[0].lower() + body[1:] if body[:1].isupper() and not body[:2].isupper() else body
                return kind_title, f"{kind_title} {body}".strip()
    return None, None


def _header_issuer(front: str) -> str | None:
    """The body named in the header's first cell issues the document: 'ỦY BAN NHÂN DÂN TỈNH LAI CHÂU'
    -> 'UBND tỉnh Lai Châu'; 'BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH' -> its canonical name."""
    front = unicodedata.normalize("NFC", front.replace("**", " "))
    m = _HEADER_COMMITTEE.match(front)
    if m:
        place = " ".join(w.capitalize() for w in m.group(2).split())
        return f"UBND {m.group(1).lower()} {place}"
    cell = re.split(r"-{3,}|\||\n|CỘNG HÒA", front.strip(), maxsplit=1)[0].strip(" *")
    if not cell or not _is_upper_text(cell):
        return None
    found = default_matcher().find(cell)
    if found and found[0].start == 0 and found[0].end >= 0.8 * len(cell):
        return found[0].name
    return None


def _is_upper_text(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def _issuer(doc: StructuredDocument, front: str) -> str | None:
    header = _header_issuer(front)
    if header:
        return header
    m = _ISSUER_SENTENCE.search(front.replace("\n", " "))
    if m:
        issuer = " ".join(m.group(1).split())
        issuer = re.sub(r"^Ủy ban nhân dân\b", "UBND", issuer)
        return issuer
    m = re.search(r"của\s+(UBND|Ủy ban nhân dân)\s+(phường|xã)\s+([A-ZĐÀ-Ỹ][\wÀ-ỹđ]*(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹđ]*){0,3})", doc.text, re.IGNORECASE)
    if m:
        return f"UBND {m.group(2).lower()} {m.group(3)}"
    return None


def _complete_locality(issuer: str | None, title: str, text: str) -> str | None:
    """'UBND phường' + '... tại phường Trần Liễu' -> 'UBND phường Trần Liễu'."""
    if not issuer or not re.search(r"\b(phường|xã)$", issuer):
        return issuer
    level = issuer.rsplit(" ", 1)[1]
    for source in (title, text[:6000]):
        m = re.search(rf"\b{level}\s+((?:[A-ZĐ][\wÀ-ỹđ]*)(?:\s+[A-ZĐ][\wÀ-ỹđ]*){{0,3}})", source)
        if m:
            return f"{issuer} {m.group(1)}"
    return issuer


def _level(issuer: str | None, text: str) -> str | None:
    if issuer:
        for word, level in _LEVEL_WORDS:
            if re.search(rf"\b{word}\b", issuer.lower()):
                return level
    # no issuer sentence: the issuing body heads the document ('CHÍNH PHỦ', 'UBND TỈNH ...')
    header = re.sub(r"cộng hòa xã hội chủ nghĩa việt nam", " ", text[:600].lower())
    hits = [(m.start(), level) for word, level in _LEVEL_WORDS for m in [re.search(rf"\b{word}\b", header)] if m]
    return min(hits)[1] if hits else None


def extract_document_info(doc: StructuredDocument) -> DocumentInfo:
    front = _front_text(doc)
    number = None
    m = _NUMBER.search(front)
    if m:
        raw = re.sub(r"\s+", "", m.group(1))
        number = raw if re.match(r"^\d", raw) else None          # "Số: /KH-UBND" is blank
    issued = None
    m = _PLACE_DATE.search(front)
    if m:
        issued = parse_issue_date(m.group(0))
    attached = _ATTACHED_TO.search(doc.text)
    if attached and (number is None or issued is None):   # appendices repeat "Kèm theo Kế hoạch số 79/KH-UBND ngày 02/10/2025"
        number = number or attached.group(1).strip().rstrip(".")
        issued = issued or parse_issue_date("ngày " + attached.group(2).replace(" ", ""))
    kind, title = _title(front)
    if title is None:      # exports that lost the 'KẾ HOẠCH' line start with its subtitle
        first = next((l.strip() for l in front.split("\n") if l.strip()), "")
        if re.match(r"^(thực hiện|triển khai)\b", first, re.IGNORECASE):
            kind = "Kế hoạch hành động" if re.search(r"kế hoạch hành động", front, re.IGNORECASE) else "Kế hoạch"
            title = f"{kind} {first[0].lower()}{first[1:]}"
    issuer = _complete_locality(_issuer(doc, front), title or "", doc.text)
    has_plan_body = any(s.type in (SectionType.TASKS, SectionType.APPENDIX_TASKS, SectionType.ORGANISATION)
                        for s in doc.walk())
    # a decision that promulgates a plan carries the plan itself under its own title line
    attached_plan = re.search(r"^\W*(KẾ HOẠCH|CHƯƠNG TRÌNH HÀNH ĐỘNG)\W*$", doc.text, re.MULTILINE) is not None \
        or re.search(r"(ban hành|phê duyệt)\s+(kế hoạch|chương trình hành động)", " ".join(doc.text[:8000].split()),
                     re.IGNORECASE) is not None
    is_plan = has_plan_body and (kind in _PLAN_KINDS or attached_plan
                                 or (kind is None and "kế hoạch" in front.lower()))
    return DocumentInfo(number=number, issued=issued, issuer=issuer, title=title, kind=kind, is_plan=is_plan,
                        level=_level(issuer, doc.text))
