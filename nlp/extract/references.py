"""Cited documents (số ký hiệu) in plan text: "Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị".

One ``Reference`` per distinct document: its normalised number, kind, date and issuer (from the first
mention that states them; the issuer falls back on the number's codes, see
``nlp/resources/references.yml``) and the span of every mention, including short forms such as
"Nghị quyết 57" after the full number and bare names such as "Đề án 06".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

import yaml

from nlp.extract.agencies import UPPER, AgencyMatcher, default_matcher, fold, normalize_tones, phrase_pattern, to_nfc
from nlp.schema import Reference, Span

LEXICON = Path(__file__).resolve().parents[1] / "resources" / "references.yml"

_CODE = rf"(?:CTr|TTr|QĐi|TTg|[{UPPER}][{UPPER}0-9&]*)"
_NUMBER = re.compile(
    rf"(?<![\w/.,-])(?P<num>\d{{1,5}})(?:\s*/\s*(?P<year>(?:19|20)\d\d))?"
    rf"(?P<codes>(?:[ \t]*\n?\s*[-/][ \t]*\n?\s*{_CODE}(?![{UPPER}a-z0-9&])){{1,3}})(?![\w&])")
_DATE_AFTER = re.compile(
    r"\s*[,;]?\s*(?:được\s+)?(?:(?:ban\s+hành|ký)\s+)?(?:(?i:ngày)\s+)?(?P<d>\d{1,2})\s*(?:/|-|\.|\s+tháng\s+)\s*"
    r"(?P<m>\d{1,2})\s*(?:/|-|\.|\s+năm\s+)\s*(?P<y>(?:19|20)\d\d)(?!\d)")
_ISSUER_LEAD = re.compile(
    r"\s*[,;]?\s*(?:(?:và\s+)?(?i:của)\s+|(?i:do)\s+|(?=(?i:Hội\s+nghị)))?(?:(?i:Hội\s+nghị)(?:\s+lần\s+thứ\s+\w+)?\s+)?")
_SHORT_KINDS = ("Nghị quyết", "Đề án", "Kết luận", "Chỉ thị", "Quyết định", "Kế hoạch", "Chương trình",
                "Thông báo", "Công văn", "Nghị định", "Thông tư")


class CitedReference(Reference):
    """A ``Reference`` plus the other ways the same document was written (e.g. "71-NQ/TW" for
    "71/NQ-CP"), so that the compare stage can flag the wrong ones."""

    variants: list[str] = []


@dataclass
class _Mention:
    number: str          # normalised
    start: int
    end: int
    kind: Optional[str]
    date: Optional[str]
    issuer: Optional[str]
    bare: bool = False   # "Đề án 06", "Nghị quyết 57"


class _Lexicon:
    def __init__(self, path: Path = LEXICON):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.kind_words: dict[str, str] = {}
        for kind, words in data["kinds"].items():
            for w in words:
                self.kind_words[fold(w)] = kind
        self.kind_codes = {fold(k): v for k, v in data["kind_codes"].items()}
        self.mixed_case = {c.upper(): c for c in data["mixed_case_codes"]}
        self.issuer_types = [(re.compile(r["code"]), r["type"]) for r in data["issuer_types"]]
        self.issuer_name_types = [(re.compile(r["name"]), r["type"]) for r in data["issuer_name_types"]]
        self.default_issuers = [(re.compile(r["code"]), r.get("kind"), r.get("local"), r["issuer"])
                                for r in data["default_issuers"]]
        self.well_known = {(w["kind"], w["number"]): w["issuer"] for w in data["well_known"]}
        self.issuer_office = re.compile(r"(?:" + "|".join(phrase_pattern(o) for o in data.get("issuer_offices", []))
                                        + r")\s+")
        words = sorted((w for ws in data["kinds"].values() for w in ws if len(w) > 3), key=len, reverse=True)
        self.kind_word = re.compile(r"(?<!\w)(?:" + "|".join(phrase_pattern(w) for w in words) + r")(?!\w)")
        # between the kind word and the number: a few words of a title ("Luật Giao dịch điện tử số"), no digits
        self.kind_gap = re.compile(r"(?:\s+(?!số\b)[^\s\d;.]+){0,8}?\s*(?:(?i:số)\s*:?\s*)?$")
        short = "|".join(phrase_pattern(k) for k in _SHORT_KINDS)
        self.bare = re.compile(rf"(?<![\w])(?P<kind>{short})\s+(?:(?i:số)\s+)?(?P<num>\d{{1,4}})(?![\w/.,-]|\s*[-/]\s*\w)")


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    return _Lexicon()


# ------------------------------------------------------------------ numbers


def _split_codes(codes: str) -> list[tuple[str, str]]:
    """'-NQ/TW' -> [('-', 'NQ'), ('/', 'TW')]"""
    return [(sep, code) for sep, code in re.findall(rf"\s*([-/])\s*({_CODE})", codes)]


def _case(code: str) -> str:
    lex = _lexicon()
    return lex.mixed_case.get(code.upper(), code.upper())


def issuer_code_type(code: str) -> str:
    for rx, kind in _lexicon().issuer_types:
        if rx.match(code):
            return kind
    return "unknown"


def normalize_reference_number(number: str) -> str:
    """Canonical spelling of a document number.

    Spaces and line breaks dropped, dashes made plain, codes upper-cased (CTr, TTg keep their case),
    and the separators put where the issuer's convention has them: Party documents "57-NQ/TW",
    State documents "71/NQ-CP" (so "71-NQ/CP" -> "71/NQ-CP", "285 - KH/TW" -> "285-KH/TW").
    """
    text = normalize_tones(number).strip()
    m = _NUMBER.search(text) or _NUMBER.search(text.upper())
    if not m:
        return re.sub(r"\s+", "", text)
    num, year = m.group("num"), m.group("year")
    parts = _split_codes(m.group("codes"))
    codes = [_case(c) for _, c in parts]
    if year:
        return f"{num}/{year}/" + "-".join(codes)
    if len(codes) == 2:
        kind_code, issuer = codes
        lex = _lexicon()
        issuer_kind = issuer_code_type(issuer)
        if fold(kind_code) in lex.kind_codes:
            if issuer_kind in ("party_central", "party_local"):
                return f"{num}-{kind_code}/{issuer}"
            if issuer_kind != "unknown":
                return f"{num}/{kind_code}-{issuer}"
    out = num
    for (sep, _), code in zip(parts, codes):
        out += sep + code
    return out


def _number_parts(number: str) -> tuple[str, list[str]]:
    m = _NUMBER.search(number)
    if not m:
        return number, []
    return m.group("num"), [c for _, c in _split_codes(m.group("codes"))]


def expected_issuer_type(number: str) -> str:
    """The kind of body a number's issuer code stands for: "NQ/TW" -> party_central, "NQ-CP" ->
    government, "193/2025/QH15" -> national_assembly, "KH-UBND" -> local_government,
    "02/2025/TT-BGDĐT" -> ministry, "12-KH/TU" -> party_local; "unknown" otherwise.
    Accepts a whole number or just its codes."""
    text = normalize_tones(number).strip()
    if not re.match(r"\d", text):
        text = "0/" + text.lstrip("/-")
    norm = normalize_reference_number(text)
    _, codes = _number_parts(norm)
    if not codes:
        return "unknown"
    lex = _lexicon()
    if re.match(r"\d+-", norm):                     # Party: N-KIND/ISSUER
        return issuer_code_type(codes[-1])
    if len(codes) >= 2 and fold(codes[0]) in lex.kind_codes:   # State: N/KIND-ISSUER
        return issuer_code_type(codes[1])
    return issuer_code_type(codes[0])              # letters: N/ISSUER-UNIT, or N/YEAR/QH15


def issuer_type(issuer: str) -> str:
    """The kind of body an issuer name is ("Bộ Chính trị" -> party_central, "UBND tỉnh" ->
    local_government, ...), for comparing with ``expected_issuer_type``."""
    name = fold(issuer)
    for rx, kind in _lexicon().issuer_name_types:
        if rx.search(name):
            return kind
    return "unknown"


def parse_document_number(text_head: str) -> Optional[str]:
    """The plan's own number: "Số: 79/KH-UBND" -> "79/KH-UBND"; blank ("Số: /KH-UBND") -> None.
    Falls back on an appendix caption "(Kèm theo Kế hoạch số 79/KH-UBND ...)"."""
    text = normalize_tones(text_head)
    m = re.search(r"(?<!\w)Số\s*:[ \t]*(?P<rest>[^\n|]*)|(?<!\w)Số[ \t]+(?P<rest2>[\d/][^\n|]*)", text)
    if m:
        rest = (m.group("rest") or m.group("rest2") or "").replace("*", "").strip()
        hit = _NUMBER.match(rest)
        return normalize_reference_number(hit.group(0)) if hit else None
    m = re.search(r"(?i:kèm\s+theo)\s+(?:Kế\s+hoạch|Quyết\s+định|Nghị\s+quyết|Chương\s+trình)\s+số\s+", text)
    if m:
        hit = _NUMBER.match(text, m.end())
        if hit:
            return normalize_reference_number(hit.group(0))
    return None


# ------------------------------------------------------------------ mentions


def _iso(d: str, m: str, y: str) -> Optional[str]:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def _kind_before(norm: str, start: int) -> Optional[str]:
    """Kind named by the nearest kind word before a number ("Kế hoạch hành động số 12-KH/TU")."""
    lex = _lexicon()
    window = norm[max(0, start - 70):start]
    last = None
    for m in lex.kind_word.finditer(window):
        last = m
    if not last or not lex.kind_gap.fullmatch(window[last.end():]):
        return None
    words = fold(last.group(0)).split()
    for n in range(len(words), 0, -1):
        kind = lex.kind_words.get(" ".join(words[:n]))
        if kind:
            return kind
    return None


def _kind_from_codes(codes: list[str]) -> Optional[str]:
    lex = _lexicon()
    for code in codes:
        kind = lex.kind_codes.get(fold(code))
        if kind:
            return kind
    if codes and issuer_code_type(codes[0]) in ("local_government", "local_department", "ministry"):
        return "Công văn"       # N/ISSUER-UNIT is how official letters are numbered
    return None


def _issuer_after(norm: str, pos: int, matcher: AgencyMatcher) -> tuple[Optional[str], object]:
    lead = _ISSUER_LEAD.match(norm, pos)
    if not lead or lead.end() == pos and not norm[pos:pos + 1].isspace():
        pass
    start = lead.end() if lead else pos
    if not lead or not lead.group(0).strip():
        return None, None    # the issuer must be introduced ("của", "do", "Hội nghị ...")
    office = _lexicon().issuer_office.match(norm, start)
    body_start = office.end() if office else start
    found = matcher.find(norm[body_start:body_start + 90])
    if found and found[0].start == 0:
        if office:      # "Bộ trưởng Bộ Tài chính": the office holder signs for the body
            return f"{' '.join(office.group(0).split())} {found[0].name}", found[0]
        return found[0].name, found[0]
    return None, None


def _is_known_code(codes: list[str]) -> bool:
    lex = _lexicon()
    return any(fold(c) in lex.kind_codes or issuer_code_type(c) != "unknown" for c in codes)


def _scan(text: str, matcher: AgencyMatcher) -> tuple[list[_Mention], dict]:
    norm = normalize_tones(text)
    mentions: list[_Mention] = []
    issuer_mentions: dict[int, object] = {}
    taken: list[tuple[int, int]] = []
    for m in _NUMBER.finditer(norm):
        codes = [c for _, c in _split_codes(m.group("codes"))]
        kind = _kind_before(norm, m.start())
        if not kind and not _is_known_code(codes):
            continue
        number = normalize_reference_number(m.group(0))
        kind = kind or _kind_from_codes(codes)
        after = m.end()
        when = None
        d = _DATE_AFTER.match(norm, after)
        if d:
            when = _iso(d.group("d"), d.group("m"), d.group("y"))
            after = d.end()
        issuer, agency = _issuer_after(norm, after, matcher)
        if agency is not None:
            issuer_mentions[len(mentions)] = agency
        mentions.append(_Mention(number, m.start(), m.end(), kind, when, issuer))
        taken.append((m.start(), m.end()))
    for m in _lexicon().bare.finditer(norm):
        num = m.group("num")
        if re.fullmatch(r"(?:19|20)\d\d", num) or any(s <= m.start("num") < e for s, e in taken):
            continue
        kind = _lexicon().kind_words.get(fold(m.group("kind")))
        after = m.end()
        when, issuer = None, None
        d = _DATE_AFTER.match(norm, after)
        if d:
            when = _iso(d.group("d"), d.group("m"), d.group("y"))
            after = d.end()
        issuer, agency = _issuer_after(norm, after, matcher)
        mentions.append(_Mention(num, m.start(), m.end(), kind, when, issuer, bare=True))
    mentions.sort(key=lambda x: x.start)
    return mentions, issuer_mentions


def _places(text: str, matcher: AgencyMatcher) -> dict[str, set[str]]:
    """Place names the document writes after each level word ("thành phố" -> {"Cần Thơ"})."""
    places: dict[str, set[str]] = {}
    for a in matcher.find(text):
        if a.place and a.level:
            places.setdefault(a.level, set()).add(a.place)
    return places


def _complete_issuer(issuer: str, places: dict[str, set[str]]) -> str:
    """"UBND thành phố" -> "UBND thành phố Cần Thơ" when the document names one city only."""
    level_of = {"tỉnh": "tỉnh", "thành phố": "thành phố", "phường": "phường", "xã": "xã",
                "tỉnh ủy": "tỉnh", "thành ủy": "thành phố", "huyện": "huyện"}
    for tail, level in level_of.items():
        if issuer.lower().endswith(" " + tail) or issuer.lower() == tail:
            names = places.get(level, set())
            if len(names) == 1:
                return f"{issuer} {next(iter(names))}"
    return issuer


def _default_issuer(number: str, kind: Optional[str], places: dict[str, set[str]]) -> Optional[str]:
    lex = _lexicon()
    num, codes = _number_parts(number)
    if not codes:
        return lex.well_known.get((kind or "", number))
    if re.match(r"\d+-", number) or (len(codes) >= 2 and fold(codes[0]) in lex.kind_codes):
        issuer_code, kind_code = codes[-1], codes[0]
    else:
        issuer_code, kind_code = codes[0], None
    for rx, only_kind, local, issuer in lex.default_issuers:
        if only_kind and (kind_code or "") != only_kind:
            continue
        if local and local not in places:
            continue
        if rx.match(issuer_code):
            return issuer
    return None


def find_references(text: str, exclude_numbers: Iterable[str] = (), *,
                    matcher: AgencyMatcher | None = None) -> list[CitedReference]:
    """Every document ``text`` cites, once each, in order of first mention."""
    matcher = matcher or default_matcher()
    excluded = {fold(normalize_reference_number(n)) for n in exclude_numbers if n}
    nfc, back = to_nfc(text)
    mentions, _ = _scan(nfc, matcher)
    if back:
        for m in mentions:
            m.start, m.end = back[m.start], back[m.end]
    places = _places(nfc, matcher)

    full: dict[str, dict] = {}
    order: list[str] = []
    for m in mentions:
        if m.bare:
            continue
        key = fold(m.number)
        if key in excluded:
            continue
        if key not in full:
            full[key] = {"number": m.number, "kind": m.kind, "date": None, "issuer": None, "mentions": [],
                         "variants": []}
            order.append(key)
        ref = full[key]
        ref["mentions"].append(Span(start=m.start, end=m.end))
        if ref["kind"] is None:
            ref["kind"] = m.kind
        if m.date and not ref["date"]:
            ref["date"] = m.date
            if m.issuer:
                ref["issuer"] = m.issuer
        if m.issuer and not ref["issuer"]:
            ref["issuer"] = m.issuer

    _fold_undated_variants(full, order)

    # short forms: "Nghị quyết 57" after "Nghị quyết số 57-NQ/TW" is the same document
    for m in mentions:
        if not m.bare:
            continue
        same = [k for k in order if _number_parts(full[k]["number"])[0].lstrip("0") == m.number.lstrip("0")
                and (full[k]["kind"] in (None, m.kind))]
        if same:
            full[same[0]]["mentions"].append(Span(start=m.start, end=m.end))
            continue
        key = fold(f"{m.kind} {m.number}")
        alias = next((k for k in order if full[k].get("bare_key") == key), None)
        if alias:
            full[alias]["mentions"].append(Span(start=m.start, end=m.end))
            continue
        if not (m.date or m.issuer or (m.kind, m.number) in _lexicon().well_known or m.kind == "Đề án"):
            continue
        full[key] = {"number": m.number, "kind": m.kind, "date": m.date, "issuer": m.issuer,
                     "mentions": [Span(start=m.start, end=m.end)], "variants": [], "bare_key": key}
        order.append(key)

    out = []
    for key in order:
        ref = full[key]
        issuer = ref["issuer"] or _default_issuer(ref["number"], ref["kind"], places)
        if issuer:
            issuer = _complete_issuer(issuer, places)
        out.append(CitedReference(number=ref["number"], kind=ref["kind"], date=ref["date"], issuer=issuer,
                                  mentions=sorted(ref["mentions"], key=lambda s: s.start),
                                  variants=ref["variants"]))
    return out


def _fold_undated_variants(full: dict[str, dict], order: list[str]) -> None:
    """A number never given a date or issuer that shares its serial number and KIND code with a
    fully cited one ("Nghị quyết số 71-NQ/TW" beside "Nghị quyết số 71/NQ-CP ngày 01/4/2025 của
    Chính phủ") is a miswritten mention of that document: keep it as a variant of it."""
    for key in list(order):
        ref = full[key]
        if ref["date"] or ref["issuer"]:
            continue
        num, codes = _number_parts(ref["number"])
        kind_code = next((c for c in codes if fold(c) in _lexicon().kind_codes), None)
        if not kind_code:
            continue
        for other in order:
            o = full[other]
            if other == key or not (o["date"] or o["issuer"]):
                continue
            o_num, o_codes = _number_parts(o["number"])
            if o_num.lstrip("0") == num.lstrip("0") and kind_code in o_codes:
                o["mentions"].extend(ref["mentions"])
                o["variants"].append(ref["number"])
                order.remove(key)
                del full[key]
                break
