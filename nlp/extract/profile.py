"""The plan profile: level of the issuer, kind of plan, the documents it implements, its subject.

Compare expects of a plan only what its parents address to its level and subject, so it needs to
know, from the document itself:
- the level of government that issues it (the header "ỦY BAN NHÂN DÂN PHƯỜNG …", "ĐẢNG ỦY XÃ …",
  else the level extraction gave the issuer), with the level words of ``agencies.yml:levels``;
- what it implements: the numbers cited in its title or in a "Thực hiện …"/"Triển khai …" sentence of
  its preamble (a "Căn cứ …" citation is a legal basis, not the document carried out);
- its kind: a comprehensive plan carries out a document as a whole ("Kế hoạch thực hiện Nghị quyết
  số 57-NQ/TW …"), a thematic plan takes one subject ("Kế hoạch phát triển hạ tầng 5G …"), anything
  else (decisions, inventories) is "other".
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml

from nlp.schema import DocumentInfo, PlanProfile, Reference

RESOURCES = Path(__file__).resolve().parents[1] / "resources"

# agencies.yml level words -> the four levels of a plan's issuer
_LEVEL_OF = {"phường": "xã", "xã": "xã", "tỉnh": "tỉnh", "thành phố": "tỉnh", "huyện": "huyện", "trung ương": "bộ"}
_HEADER_ISSUER = re.compile(r"(?:ỦY|UỶ) BAN NHÂN DÂN|UBND|ĐẢNG ỦY|ĐẢNG UỶ|HỘI ĐỒNG NHÂN DÂN|TỈNH ỦY|THÀNH ỦY|BAN THƯỜNG VỤ", re.I)
_IMPLEMENTS = re.compile(r"(?:^|[\n.;:]\s*)(?:[#*]+\s*)?(?:Thực hiện|Triển khai(?: thực hiện)?|Để triển khai|Để thực hiện)\b", re.I)
# a "Thực hiện …" sentence ends at the next basis or at a full stop/colon ending a line (text exports
# wrap sentences over blank lines, so a blank line does not end it)
_SENTENCE_END = re.compile(r"\n\s*(?:[#*]+\s*)?(?:Căn cứ|Thực hiện|Triển khai)\b|\.(?=\s|$)|:\s*\n", re.I)
# a title that carries out a document as a whole: "(Kế hoạch|Chương trình) [hành động] [triển khai] thực hiện <kind> số N"
_WHOLE_DOCUMENT = re.compile(
    r"^(?:kế hoạch|chương trình)(?: hành động)?(?: của [^,]{0,60}?)?\s*(?:triển khai(?: thực hiện)?|thực hiện)\s+"
    r"(?:nghị quyết|kết luận|chỉ thị|chương trình|kế hoạch|quyết định|đề án|chiến lược)\b", re.I)
_PLAN_KINDS = ("kế hoạch", "chương trình")


@lru_cache(maxsize=1)
def _level_words() -> dict[str, str]:
    data = yaml.safe_load((RESOURCES / "agencies.yml").read_text(encoding="utf-8"))
    return {word.lower(): level for word, level in data["levels"].items()}


def issuer_level(text: str, document: DocumentInfo) -> Optional[str]:
    """The issuer's level from the header lines (before the document's kind word, "KẾ HOẠCH"), else from
    the extracted level."""
    title = re.search(r"\b(?:KẾ HOẠCH|CHƯƠNG TRÌNH|QUYẾT ĐỊNH|NGHỊ QUYẾT)\b", text[:1500])
    header = text[:title.start()] if title else text[:600]
    words = sorted(_level_words(), key=len, reverse=True)
    for m in _HEADER_ISSUER.finditer(header):
        following = header[m.end():m.end() + 40].lower()
        for word in words:
            if re.match(rf"\s*{re.escape(word)}\b", following):
                return _LEVEL_OF.get(_level_words()[word])
    return _LEVEL_OF.get((document.level or "").lower())


def _preamble(text: str) -> str:
    """The framing before the plan's first part ("I. MỤC ĐÍCH …"), where it says what it implements."""
    m = re.search(r"^\s*(?:#+\s*)?\**\s*I\s*[.\-–]\s*\S", text, re.M)
    return text[:m.start()] if m else text[:3000]


def implemented_numbers(title: str, text: str, references: list[Reference]) -> list[str]:
    """Numbers of the references cited in the title or in a "Thực hiện …" sentence of the preamble."""
    preamble = _preamble(text)
    windows = []
    for m in _IMPLEMENTS.finditer(preamble):
        end = _SENTENCE_END.search(preamble, m.end())
        windows.append((m.end(), min(end.start() if end else len(preamble), m.end() + 600)))
    out = []
    for ref in references:
        in_title = _written_in(title, ref.number)
        in_sentence = any(lo <= mention.start < hi for mention in ref.mentions for lo, hi in windows)
        if not ref.mentions:
            in_sentence = any(_written_in(preamble[lo:hi], ref.number) for lo, hi in windows)
        if (in_title or in_sentence) and ref.number not in out:
            out.append(ref.number)
    return out


def _written_in(text: str, number: str) -> bool:
    tokens = re.findall(r"[0-9A-Za-zÀ-ỹĐđ&]+", number or "")
    if not tokens or not text:
        return False
    return re.search(r"(?<![\w/-])" + r"\s*[-/]\s*".join(re.escape(t) for t in tokens) + r"(?!\w)", text) is not None


def plan_kind(document: DocumentInfo, title: str, implements: list[str]) -> str:
    kind = (document.kind or "").lower()
    if not document.is_plan or (kind and not kind.startswith(_PLAN_KINDS)):
        return "other"
    if implements and _WHOLE_DOCUMENT.match(_with_kind(title, document.kind)):
        return "comprehensive"
    return "thematic"


def _with_kind(title: str, kind: Optional[str]) -> str:
    """Titles are stored with or without their kind word ("Kế hoạch thực hiện …" / "thực hiện …")."""
    title = re.sub(r"\s+", " ", title or "").strip()
    return title if title.lower().startswith(_PLAN_KINDS) else f"{kind or 'Kế hoạch'} {title}"


def plan_subject(title: str) -> str:
    """The title without its "thực hiện <document> …" frame: what the plan is about."""
    subject = re.sub(r"\s+", " ", title or "").strip()
    m = re.search(r"\bvề\s+(.+)$", subject)
    return m.group(1) if m and _WHOLE_DOCUMENT.match(_with_kind(subject, None)) else subject


def plan_profile(document: DocumentInfo, references: list[Reference], text: str) -> PlanProfile:
    title = document.title or ""
    implements = implemented_numbers(title, text or "", references)
    return PlanProfile(level=issuer_level(text or "", document), kind=plan_kind(document, title, implements),
                       implements=implements, subject=plan_subject(title))
