"""Find agencies (cơ quan, đơn vị) in Vietnamese plan text and give them canonical names.

The gazetteer and the patterns live in ``nlp/resources/agencies.yml``. Matching works on a copy of
the text whose tone marks are put in today's place ("hoá" -> "hóa", "Uỷ" -> "Ủy") and whose dashes
are plain; that copy has the same length, so every span points into the caller's text.

One pass: a single compiled trigger regex finds the places where an agency may start (the first
word of any alias, "các", ...); at each place only the few patterns that start with that word are
tried, and the longest match wins.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml

from nlp.extract.duty_verbs import contains_duty, opens_duty

DEFAULT_LEXICON = Path(__file__).resolve().parents[1] / "resources" / "agencies.yml"

# ------------------------------------------------------------------ text helpers (shared)

_TONES = "\u0300\u0301\u0303\u0309\u0323"
_DASHES = dict.fromkeys(map(ord, "–—‐‑−"), "-")
_DASHES[0xA0] = " "


def _letters(upper: bool) -> str:
    base = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    out = set(base)
    for vowel in "aăâeêioôơuưy":
        for tone in _TONES:
            out.add(unicodedata.normalize("NFC", vowel + tone))
    if upper:
        return "".join(sorted(c.upper() for c in out)) + "FJWZ"
    return "".join(sorted(out)) + "fjwz"


UPPER = _letters(True)
LOWER = _letters(False)


def _tone_of(ch: str) -> tuple[str, str]:
    """('o', '\u0301') for 'ó'; (ch, '') when ch has no tone mark."""
    decomposed = unicodedata.normalize("NFD", ch)
    tones = "".join(c for c in decomposed if c in _TONES)
    if not tones:
        return ch, ""
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    return bare, tones


_OLD_TONE = re.compile(r"(?<![qQ])([oOuU])([aAeEyY]\u0300|[aAeEyY]\u0301|[aAeEyY]\u0303|[aAeEyY]\u0309|"
                       r"[aAeEyY]\u0323|[àáãảạèéẽẻẹỳýỹỷỵÀÁÃẢẠÈÉẼẺẸỲÝỸỶỴ])(?![\w])")


def normalize_tones(text: str) -> str:
    """Same-length copy of ``text`` in today's tone placement with plain dashes and spaces.

    "hoá" -> "hóa", "Uỷ" -> "Ủy", "thuỷ" -> "thủy" (only in open syllables, where the two spellings
    differ); en/em dashes -> "-"; no-break space -> " ".
    """
    text = text.translate(_DASHES)

    def move(m: re.Match) -> str:
        first, second = m.group(1), m.group(2)
        bare, tone = _tone_of(second)
        if not tone:
            return m.group(0)
        return unicodedata.normalize("NFC", first + tone) + bare

    return _OLD_TONE.sub(move, text)


def to_nfc(text: str) -> tuple[str, list[int]]:
    """NFC copy of ``text`` and, for each of its offsets (and its end), the offset in ``text``.

    Patterns are written in composed form; a document with decomposed letters ("o" + U+0300) is
    matched on this copy and its spans mapped back."""
    if unicodedata.is_normalized("NFC", text):
        return text, []
    out: list[str] = []
    back: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        chunk = unicodedata.normalize("NFC", text[i:j])
        out.append(chunk)
        back.extend([i] * len(chunk))
        i = j
    back.append(n)
    return "".join(out), back


def fold(text: str) -> str:
    """Lowercase, no diacritics (đ -> d), letters and digits separated by single spaces."""
    text = unicodedata.normalize("NFD", (text or "").lower()).replace("đ", "d")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return re.sub(r"[^0-9a-z]+", " ", text).strip()


def clean_name(text: str) -> str:
    """Collapse whitespace, tidy dashes and commas, capitalise the first letter."""
    text = normalize_tones(text)
    text = re.sub(r"\*+", " ", text)
    text = re.sub(r"\s*-\s*", " - ", text)
    text = re.sub(r"\s*([,;])\s*", r"\1 ", text)
    text = re.sub(r"\s+", " ", text).strip(" ,;:.-")
    return text[:1].upper() + text[1:]


# ------------------------------------------------------------------ pattern building

_WORD_BOUNDARY_BEFORE = r"(?<![\w/&-])"
_WORD_BOUNDARY_AFTER = r"(?![\w&])"


def phrase_pattern(phrase: str) -> str:
    """Regex for a lexicon phrase: any whitespace (line breaks too) between words, any dash,
    "&" or "và" for either, case-insensitive words (scoped flag)."""
    phrase = normalize_tones(phrase)
    tokens = re.findall(r"\w+|[^\w\s]", phrase)
    parts: list[str] = []
    prev_word = False
    for tok in tokens:
        is_word = bool(re.match(r"\w", tok))
        if tok.lower() == "và" or tok == "&":
            parts.append(r"\s*(?:và|&)\s*")
            prev_word = False
            continue
        if is_word:
            if prev_word:
                parts.append(r"(?:\s|\*\*)+")     # Markdown emphasis may break a name
            parts.append(re.escape(tok))
        elif tok == "-":
            parts.append(r"\s*-\s*")
        elif tok == ",":
            parts.append(r"\s*,\s*")
        elif tok == ".":
            parts.append(r"\.?\s*")
        else:
            parts.append(r"\s*" + re.escape(tok) + r"\s*")
        prev_word = is_word
    return "(?i:" + "".join(parts) + ")"


def _alternation(phrases) -> str:
    uniq = sorted({normalize_tones(p) for p in phrases if p}, key=lambda p: (-len(p), p))
    return "(?:" + "|".join(phrase_pattern(p) for p in uniq) + ")"


# ------------------------------------------------------------------ data


@dataclass(frozen=True)
class AgencyMention:
    name: str                    # canonical name ("Phòng Văn hóa - Xã hội")
    raw: str                     # the text as written
    start: int
    end: int
    level: Optional[str] = None  # trung ương / tỉnh / thành phố / huyện / phường / xã
    kind: str = "fixed"          # fixed | field | leveled | group
    qualifier: str = field(default="", compare=False)   # group's trailing "trên địa bàn xã"/"thuộc phường"
    place: str = field(default="", compare=False)       # the place name written after the level ("Cần Thơ")


@dataclass
class _Entry:
    kind: str
    regex: re.Pattern
    canonical: str = ""
    level: Optional[str] = None
    head_level: Optional[str] = None
    allow_fallback: bool = True


class AgencyMatcher:
    """Gazetteer + patterns for agencies. Build once (patterns compile in the constructor)."""

    def __init__(self, lexicon_path: str | Path | None = None):
        data = yaml.safe_load(Path(lexicon_path or DEFAULT_LEXICON).read_text(encoding="utf-8"))
        self.roles: dict = data.get("roles") or {}     # cue words for nlp/extract/roles.py
        # text between known names splits before "các …", before "và" + a capitalised word, and before
        # a comma + a capitalised head noun ("Viện kiểm sát nhân dân tỉnh, Tòa án nhân dân tỉnh")
        heads = sorted((h for h in self.roles.get("name_heads", []) if h[:1].isupper() and h not in ("Các",)),
                       key=len, reverse=True)
        self._leftover_split = re.compile(r"[;\n]|(?:\s*,\s*)?\s+và\s+(?=các\s|[A-ZĐ])|,\s*(?=các\s)"
                                          + (r"|,\s*(?=(?:" + "|".join(map(re.escape, heads)) + r")\s+[A-ZĐ\w])" if heads else ""))
        self._levels: dict[str, str] = {normalize_tones(k): v for k, v in data["levels"].items()}
        self._level_canon = {fold(k): k for k in self._levels}
        def stop_alt(words) -> str:
            return "|".join(sorted((re.escape(normalize_tones(w)) for w in words), key=len, reverse=True))

        def name_word(stop: str) -> str:
            return rf"(?:(?!(?:{stop})(?![\w]))(?:[{UPPER}][{LOWER}]+|[{UPPER}]{{2,}}(?![{LOWER}])))"

        first_word = name_word(stop_alt(data["name_stopwords"]))
        inner_word = name_word(stop_alt(data["name_stopwords_inner"]))
        self._name = rf"(?:(?<=[ \t])\d{{1,2}}(?![\w/])|{first_word}(?:(?:\s+|\s*-\s*){inner_word}){{0,3}})"
        level_words = sorted(self._levels, key=len, reverse=True)
        level_alt = "(?:" + "|".join(
            phrase_pattern(w) + (r"(?!\s+hội)" if w == "xã" else "") + (r"\.?" if w == "TP" else "")
            for w in level_words) + r")(?![\w])"
        self._level_alt = level_alt
        # a locality after a head: "phường", "thành phố Cần Thơ", "cấp xã", "các xã, phường"
        self._locality = (
            rf"(?P<loc>(?:(?i:cấp)\s+)?(?P<lvl>{level_alt})"
            rf"(?:(?P<more>(?:\s*(?:,|và|&)\s*{level_alt})+)|\s+(?P<name>{self._name}))?"
            rf"|(?P<plural>(?i:các)\s+{level_alt}(?:\s*(?:,|/|và|&)\s*{level_alt})*))"
        )
        self._entries: dict[str, list[_Entry]] = {}
        self._build_fixed(data["fixed"])
        self._build_leveled(data["leveled"])
        self._build_field_heads(data["field_heads"], data["fields"])
        self._build_groups(data["groups"])
        triggers = sorted(self._entries, key=len, reverse=True)
        self._trigger = re.compile(
            _WORD_BOUNDARY_BEFORE + "(?:" + "|".join(phrase_pattern(t) for t in triggers) + r")(?![\w])")

    # ---------------------------------------------------------- building

    def _add(self, aliases, entry_factory) -> None:
        """Register one entry per distinct first word of its aliases."""
        by_first: dict[str, list[str]] = {}
        for alias in aliases:
            first = re.findall(r"\w+", normalize_tones(alias))[0].lower()
            by_first.setdefault(first, []).append(alias)
        for first, group in by_first.items():
            self._entries.setdefault(first, []).append(entry_factory(group))

    def _build_fixed(self, fixed: list[dict]) -> None:
        for item in fixed:
            not_followed = item.get("not_followed_by") or []
            tail = ("(?!\\s+" + _alternation(not_followed) + ")") if not_followed else ""

            def make(aliases, item=item, tail=tail):
                rx = re.compile(_alternation(aliases) + _WORD_BOUNDARY_AFTER + tail)
                return _Entry("fixed", rx, canonical=item["name"], level=item.get("level"))

            self._add(item["aliases"], make)

    def _build_leveled(self, leveled: list[dict]) -> None:
        for item in leveled:
            suffixes = item.get("suffixes") or []
            suffix_part = (rf"\s+(?P<suffix>{_alternation(suffixes)})(?![\w])|") if suffixes else ""
            optional = "?" if item.get("locality", "optional") == "optional" else ""
            # "Thành ủy Cần Thơ": heads with their own level take a place name directly
            bare_name = rf"|\s+(?P<bare_name>{self._name})" if item.get("inherent_level") else ""
            tail = rf"(?:{suffix_part}\s+{self._locality}{bare_name})(?![\w])"

            def make(aliases, item=item, tail=tail, optional=optional):
                rx = re.compile(_alternation(aliases) + _WORD_BOUNDARY_AFTER + "(?:" + tail + ")" + optional)
                return _Entry("leveled", rx, canonical=item["name"], level=item.get("inherent_level"))

            self._add(item["aliases"], make)

    def _build_field_heads(self, heads: dict, fields: dict) -> None:
        self._field_canon: dict[str, str] = {}
        aliases: list[str] = []
        for canonical, alts in fields.items():
            for a in [canonical, *(alts or [])]:
                self._field_canon[fold(a)] = canonical
                aliases.append(a)
        field_alt = _alternation(aliases)
        fallback = rf"[{UPPER}][{LOWER}]+[ \t]+[{LOWER}]+"
        for canonical_head, spec in heads.items():
            rx_tail = (rf"\s+(?:(?P<field>{field_alt})(?![\w&])|(?P<fallback>{fallback})(?![\w]))"
                       rf"(?:\s+(?P<loc>(?P<lvl>{self._level_alt})(?:\s+(?P<name>{self._name}))?))?")

            def make(aliases, canonical_head=canonical_head, spec=spec, rx_tail=rx_tail):
                rx = re.compile(_alternation(aliases) + rx_tail)
                return _Entry("field", rx, canonical=canonical_head, head_level=spec.get("level"),
                              allow_fallback=spec.get("fallback", True))

            self._add(spec["aliases"], make)

    def _build_groups(self, groups: dict) -> None:
        units = _alternation(groups["units"])
        lvl = self._level_alt
        qualifier = (rf"(?:(?i:thuộc)(?:\s+(?i:UBND|Ủy ban nhân dân))?\s+{lvl}(?:\s+{self._name})?"
                     rf"|(?i:trên\s+địa\s+bàn)(?:\s+{lvl}(?:\s+{self._name})?)?"
                     rf"|{_alternation(q for q in groups['qualifiers'] if q not in ('thuộc', 'trên địa bàn', 'của'))}"
                     rf"|{lvl}(?:\s+{self._name})?)")
        sep = r"(?:\s*[,;]\s*(?:và\s+)?|\s+(?:và|&)\s+)(?!(?i:các)\s)"
        rx = re.compile(rf"(?P<cac>(?i:các)\s+)?(?P<units>{units}(?![\w])(?:{sep}{units}(?![\w]))*)"
                        rf"(?P<qual>(?:\s+{qualifier}(?![\w]))*)")
        self._group_vague = {fold(v) for v in groups["vague_alone"]}
        self._compound_prefixes = {fold(v) for v in groups["compound_prefixes"]}
        self._bare_first = {fold(v) for v in groups["bare_first"]}
        self._unit_re = re.compile(units + r"(?![\w])")
        entry = _Entry("group", rx)
        firsts = {re.findall(r"\w+", normalize_tones(u))[0].lower() for u in groups["units"]} | {"các"}
        for first in firsts:
            self._entries.setdefault(first, []).append(entry)

    # ---------------------------------------------------------- matching

    def find(self, text: str) -> list[AgencyMention]:
        """Every agency mention in ``text``, left to right, non-overlapping, longest match first."""
        nfc, back = to_nfc(text)
        if not back:
            return self._find(text)
        return [replace(m, start=back[m.start], end=back[m.end], raw=text[back[m.start]:back[m.end]])
                for m in self._find(nfc)]

    def _find(self, text: str) -> list[AgencyMention]:
        norm = normalize_tones(text)
        mentions: list[AgencyMention] = []
        pos = 0
        while True:
            m = self._trigger.search(norm, pos)
            if not m:
                break
            start = m.start()
            first = re.findall(r"\w+", m.group(0))[0].lower()
            best: Optional[AgencyMention] = None
            for entry in self._entries.get(first, ()):
                hit = entry.regex.match(norm, start)
                if not hit or (best and hit.end() <= best.end):
                    continue
                mention = self._build(entry, hit, norm, text)
                if mention:
                    best = mention
            if best:
                mentions.append(best)
                pos = best.end
            else:
                pos = m.end()
        return self._distribute_qualifiers(mentions, norm)

    def _previous_word(self, norm: str, start: int) -> str:
        m = re.search(r"(\w+)\W*$", norm[max(0, start - 20):start])
        return fold(m.group(1)) if m else ""

    def _build(self, entry: _Entry, hit: re.Match, norm: str, text: str) -> Optional[AgencyMention]:
        start, end = hit.start(), hit.end()
        raw = text[start:end]
        if entry.kind == "fixed":
            return AgencyMention(entry.canonical, raw, start, end, entry.level, "fixed")
        groups = hit.groupdict()
        if entry.kind == "leveled":
            name, level, place = entry.canonical, entry.level, ""
            if groups.get("suffix"):
                suffix = re.sub(r"\s+", " ", groups["suffix"]).strip()
                name += " " + re.sub(r"\s*,\s*", ", ", suffix)
                if fold(suffix) == "trung uong":
                    level = "trung ương"
            elif groups.get("plural"):
                # "các tỉnh/ thành phố" is "các tỉnh, thành phố" written with a slash: one name for one body
                name += " " + re.sub(r"\s*/\s*", ", ", re.sub(r"\s+", " ", groups["plural"]).strip())
            elif groups.get("lvl"):
                word = self._level_canon.get(fold(groups["lvl"]), groups["lvl"])
                level = self._levels.get(word, level)
                if groups.get("loc", "").lower().startswith("cấp"):
                    word = "cấp " + word
                name += " " + word
                if groups.get("more"):
                    name += re.sub(r"\s*,\s*", ", ", re.sub(r"\s+", " ", groups["more"])).lower()
                    level = None
                elif groups.get("name"):
                    place = _place_name(groups["name"])
                    name += " " + place
            elif groups.get("bare_name"):
                place = _place_name(groups["bare_name"])
                name += " " + place
            return AgencyMention(name, raw, start, end, level, "leveled", place=place)
        if entry.kind == "field":
            if groups.get("field"):
                canonical_field = self._field_canon.get(fold(groups["field"]), clean_name(groups["field"]))
            else:
                # proper-noun fallback only after a capitalised head, never inside "toàn bộ", "cơ sở"
                if not norm[start].isupper() or not entry.allow_fallback:
                    return None
                canonical_field = clean_name(groups["fallback"])
            if self._previous_word(norm, start) in self._compound_prefixes:
                return None
            level = entry.head_level
            if groups.get("lvl"):
                level = self._levels.get(self._level_canon.get(fold(groups["lvl"]), ""), level)
            return AgencyMention(f"{entry.canonical} {canonical_field}", raw, start, end, level, "field")
        # group
        units = [fold(u) for u in self._unit_re.findall(groups["units"])]
        qual = (groups.get("qual") or "").strip()
        letters = re.sub(r"[^\w]|\d", "", raw)
        if letters.isupper() or len(set(units)) < len(units):
            return None     # a heading in capitals, or "xã và xã"
        if not groups.get("cac"):
            # without "các" a unit list is an agency only in the usual shapes: "Bộ, ngành, địa phương",
            # "đơn vị liên quan"; never a word inside another ("cơ sở", "quốc phòng")
            if self._previous_word(norm, start) in self._compound_prefixes:
                return None
            if units[0] not in self._bare_first or ";" in groups["units"]:
                return None
            tail_units = re.split(r"\s*[,;]\s*|\s+(?:và|&)\s+", groups["units"])[1:]
            if any(u[:1].isupper() for u in tail_units):
                return None
            if len(units) < 2 and (not _is_relational(qual) or units[0] in self._group_vague):
                return None
        if len(units) == 1 and not qual and units[0] in self._group_vague:
            return None
        # a trailing bare "phường"/"xã" unit is the group's locality, not a unit of its own
        level = None
        lvl_hit = re.search(self._level_alt + r"(?:\s+" + self._name + r")?\s*$", qual) if qual else None
        if lvl_hit:
            word = self._level_canon.get(fold(re.match(r"\s*(\w+(?:\s+(?:phố|xã|trấn|khu))?)", lvl_hit.group(0)).group(1)), "")
            level = self._levels.get(word)
        return AgencyMention(clean_name(raw), raw, start, end, level, "group", qualifier=clean_name(qual).lower() if qual else "")

    def _distribute_qualifiers(self, mentions: list[AgencyMention], norm: str) -> list[AgencyMention]:
        """In "A, B và C trên địa bàn xã", the locality written once after the last agency of a list
        belongs to each one: give it to the earlier agencies that have none."""
        out = list(mentions)
        joiner = re.compile(r"^\s*(?:[,;]\s*(?:và\s+)?|và\s+|&\s*)$")
        for i in range(len(out) - 2, -1, -1):
            nxt = out[i + 1]
            if not joiner.match(norm[out[i].end:nxt.start]):
                continue
            cur = out[i]
            locative = nxt.qualifier if nxt.kind == "group" else ""
            if cur.kind == "group" and not cur.qualifier and locative and _is_locative(locative):
                out[i] = replace(cur, name=f"{cur.name} {locative}", qualifier=locative, level=nxt.level)
            elif cur.kind == "leveled" and cur.level is None and nxt.level in ("phường", "xã") \
                    and cur.name in ("Ủy ban Mặt trận Tổ quốc Việt Nam", "Hội Liên hiệp Phụ nữ", "Hội Nông dân",
                                     "Hội Cựu chiến binh", "Đoàn Thanh niên Cộng sản Hồ Chí Minh"):
                out[i] = replace(cur, name=f"{cur.name} {nxt.level}", level=nxt.level)
        return out

    # ---------------------------------------------------------- conveniences

    def canonical(self, raw: str) -> str:
        """Canonical name of one agency as written; the cleaned text when nothing is recognised."""
        found = self.find(raw)
        if found:
            covered = sum(len(m.raw.strip()) for m in found)
            if covered >= 0.6 * len(raw.strip()):
                return found[0].name
        return clean_name(raw)

    def split_cell(self, cell_text: str) -> list[str]:
        """Agencies listed in one table cell ("A, B; đơn vị liên quan" -> ["A", "B", "Các đơn vị liên quan"]).

        Text between recognised agencies that is not a mere separator is kept as an agency of its own:
        in a cell of "Cơ quan chủ trì" every phrase names one."""
        names: list[str] = []
        pos = 0
        pieces: list[tuple[int, str]] = []
        mentions = self.find(cell_text)
        for k, m in enumerate(mentions):
            if m.start < pos:
                continue        # swallowed by the previous name's continuation
            if cell_text[:m.start].rstrip().endswith("(") and cell_text[m.end:].lstrip().startswith(")"):
                continue        # "Trung tâm Dịch vụ việc làm (Sở Nội vụ)": the body it belongs to, a note
            start = _head_start(cell_text, pos, m.start)
            pieces.extend((pos, t) for t in self._leftovers(cell_text[pos:start]))
            end = _continuation_end(cell_text, m.end, mentions[k + 1].start if k + 1 < len(mentions) else len(cell_text))
            if end > m.end or start < m.start:
                # "Các doanh nghiệp viễn thông trên địa bàn", "Hiệp hội Doanh nghiệp tỉnh": the name as written
                pieces.append((start, clean_name(cell_text[start:end])))
            else:
                pieces.append((m.start, m.name))
            pos = end
        pieces.extend((pos, t) for t in self._leftovers(cell_text[pos:]))
        for _, name in pieces:
            if name and name not in names:
                names.append(name)
        return names

    _LEFTOVER_JUNK = re.compile(r"^(?:và|các|với|cùng|chủ trì|phối hợp|theo quy định|khi cần thiết|nếu có|theo chức năng.*"
                                r"|(?:trong|thuộc|theo) (?:phạm vi|lĩnh vực).*|\(.*\)|[\W\d_]*)$", re.IGNORECASE)

    def _leftovers(self, segment: str) -> list[str]:
        out = []
        for part in self._leftover_split.split(segment):
            part = re.sub(r"\([^)]*\)", " ", part)
            part = part.strip(" ,;:.-+*()\t\r\n")
            part = re.sub(r"^(?:và|cùng)\s+", "", part, flags=re.IGNORECASE).strip()
            part = re.sub(r"\s+(?:và|cùng|với)$", "", part, flags=re.IGNORECASE).strip()
            if len(re.findall(r"\w+", part)) < 2 or self._LEFTOVER_JUNK.match(part) or opens_duty(part):
                continue        # a duty written after the names ("tham mưu hoạt động ...") is not a name
            if len(part.split()) > 12:
                continue
            out.append(clean_name(part))
        return out


# Words that end a name and start the rest of a sentence or list: the continuation of a known name
# ("Các cơ quan" + " thông tin, truyền thông của tỉnh") never starts with one of them.
_NOT_CONTINUATION = re.compile(
    r"(?:và|cùng|với|chủ trì|phối hợp|thực hiện|theo|tham mưu|căn cứ|là|có trách nhiệm|chịu trách nhiệm"
    r"|tổ chức|triển khai|xây dựng|báo cáo|hướng dẫn)(?!\w)", re.IGNORECASE)
_CONTINUATION_STOP = re.compile(r"[;\n(:]|,\s*(?=các\s|[A-ZĐ])|\s+và\s+(?=các\s|[A-ZĐ])")


def _head_start(text: str, start: int, mention_start: int) -> int:
    """Where a name really starts when words the lexicon does not know stand right before a known
    name with no separator ("Hiệp hội" + " Doanh nghiệp tỉnh"): at those words' start."""
    gap = text[start:mention_start]
    if not gap.strip() or not re.search(r"\w\s+$", gap):
        return mention_start
    words = gap.split()
    if words[-1].lower() in ("và", "cùng", "với", "của", "thuộc"):
        return mention_start
    cut = max(gap.rfind(c) for c in ",;(\n")
    joiner = list(re.finditer(r"\s(?:và|cùng|với|chủ trì|phối hợp)\s", gap))
    if joiner:
        cut = max(cut, joiner[-1].end() - 1)
    head = gap[cut + 1:].strip()
    if not head or not head[0].isupper() or len(head.split()) > 6 or _NOT_CONTINUATION.match(head):
        return mention_start
    return start + gap.index(head, cut + 1)


def _continuation_end(text: str, start: int, limit: int) -> int:
    """Where a recognised name really ends in a list cell: lowercase words written right after it
    ("Ngân hàng Nhà nước" + " chi nhánh khu vực 5") belong to it, up to a separator."""
    m = re.match(r"[ \t]+(?=[a-zà-ỹđ])", text[start:limit])
    if not m or _NOT_CONTINUATION.match(text, start + m.end()):
        return start
    stop = _CONTINUATION_STOP.search(text, start, limit)
    end = stop.start() if stop else limit
    tail = text[start:end]
    if len(tail.split()) > 8 or opens_duty(tail.strip()) or contains_duty(tail):
        return start        # a clause ("… tiến hành rà soát …"), not the rest of a name
    return start + len(tail.rstrip(" ,;.-"))


def _place_name(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip()
    return name.title() if name.isupper() else name


def _is_relational(qualifier: str) -> bool:
    return fold(qualifier) in {"lien quan", "co lien quan", "truc thuoc", "chuyen mon"} or _is_locative(qualifier)


def _is_locative(qualifier: str) -> bool:
    q = fold(qualifier)
    return q.startswith(("tren dia ban", "thuoc")) or q in {"phuong", "xa", "tinh", "thanh pho", "huyen"}


@lru_cache(maxsize=4)
def default_matcher(lexicon_path: str | None = None) -> AgencyMatcher:
    """Shared matcher (compiling the patterns takes a moment)."""
    return AgencyMatcher(lexicon_path)
