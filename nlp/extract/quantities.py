"""Vietnamese quantity grammar: "≥ 80", "Phấn đấu có ít nhất 3,0%", "80% - 90%", "đạt mức 2 trở lên".

* ``parse_quantity(cell)`` reads a result cell or a short phrase and returns its first quantity.
* ``find_quantities(text)`` finds the target-like quantities of running text, with offsets.
* ``normalize_unit(unit, indicator)`` maps a unit as written to its canonical name ("% tổng chi
  ngân sách", "index", "rank", "người/vạn dân", ...).

A number alone is ``=``; "≥", "ít nhất", "tối thiểu", "không dưới", "... trở lên" are ``>=``; "trên"
is ``>``; "80-90%" is ``range`` (``value`` .. ``value_max``). Numbers use a decimal comma ("3,5")
and a thousands dot ("1.000"); "3.5" (one or two digits after the dot) and "0.77" are decimals.
Lexicon and patterns: ``nlp/resources/quantities.yml``.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml

LEXICON_PATH = Path(__file__).resolve().parents[1] / "resources" / "quantities.yml"

_FLAGS = re.IGNORECASE
_EMPTY_CELLS = {"", "-", "--", "x", "—", "–", "/", "...", "…", "n/a"}
# A number: digits with "." / "," groups; not part of a word, a date or a document number
# ("57-NQ/TW", "71/NQ-CP", "02/2025/TT-BGDĐT", "5G").
# "4/100.000 trẻ" is a rate: a "/" before a power of ten (100, 1.000, 10.000 ...) does not end it.
_NUMBER = re.compile(r"(?<![\w/.,])\d+(?:[.,]\d+)*(?!\w|[.,]\d|[/\-–][^\W\d_]|/(?!\s*1(?:00+|0{0,2}(?:\.000)+)(?![\d.,]))\d)")
_WINDOW = 48          # characters looked at left of a number for its comparator


@dataclass
class Quantity:
    comparator: str                # ">=", ">", "=", "<=", "<", "range"
    value: float
    value_max: Optional[float]
    unit: str                      # canonical unit ("" when none is written)
    raw: str                       # the text read (parse_quantity: the whole stripped cell)
    start: int                     # offsets of raw in the input
    end: int
    score: float = 0.0             # how target-like, 0..1 (see target_scores in the lexicon)

    @property
    def target_like(self) -> bool:
        return self.score >= 0.5


# ---------------------------------------------------------------- helpers


def _fold(text: str) -> str:
    """Lowercase, no diacritics (đ -> d), single spaces: for comparing words as written."""
    text = unicodedata.normalize("NFD", (text or "").lower()).replace("đ", "d")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " ".join(text.split())


def _body(text: str) -> str:
    """A lexicon phrase as a regex: words apart by any whitespace, signs ("%", "/") by any or none."""
    tokens = str(text).split()
    rx = ""
    for i, tok in enumerate(tokens):
        if i:
            glued = not tokens[i - 1][-1].isalnum() or not tok[0].isalnum()
            rx += r"\s*" if glued else r"\s+"
        rx += re.escape(tok)
    return rx


def _phrase(text: str) -> str:
    """``_body`` whose word characters at either end may not touch other word characters."""
    text = str(text).strip()
    rx = _body(text)
    if text[:1].isalnum():
        rx = r"(?<!\w)" + rx
    if text[-1:].isalnum():
        rx += r"(?!\w)"
    return rx


def _alternation(phrases) -> str:
    """Longest first. One boundary check around the whole group where every phrase starts / ends
    with a word character (much faster than one per phrase)."""
    ordered = sorted({str(p).strip() for p in phrases}, key=len, reverse=True)
    if all(p[:1].isalnum() and p[-1:].isalnum() for p in ordered):
        return r"(?<!\w)(?:" + "|".join(_body(p) for p in ordered) + r")(?!\w)"
    return "(?:" + "|".join(_phrase(p) for p in ordered) + ")"


def parse_number(token: str) -> Optional[float]:
    """"3,5" -> 3.5, "1.000" -> 1000, "3.5" -> 3.5, "0.77" -> 0.77, "1.000,5" -> 1000.5."""
    token = token.strip()
    if not token:
        return None
    if "," in token and "." in token:                       # 1.000,5 (or 1,000.5)
        dec = "," if token.rfind(",") > token.rfind(".") else "."
        grp = "." if dec == "," else ","
        token = token.replace(grp, "").replace(dec, ".")
    elif "." in token:
        groups = token.split(".")
        thousands = groups[0] != "0" and groups[0] != "" and all(len(g) == 3 for g in groups[1:])
        token = token.replace(".", "") if thousands else token
        if not thousands and len(groups) > 2:
            return None
    elif "," in token:
        groups = token.split(",")
        if len(groups) > 2 and all(len(g) == 3 for g in groups[1:]):   # 1,000,000
            token = token.replace(",", "")
        elif len(groups) == 2:
            token = token.replace(",", ".")
        else:
            return None
    try:
        return float(token)
    except ValueError:
        return None


# ---------------------------------------------------------------- lexicon


@dataclass(frozen=True)
class _Unit:
    canonical: str
    kind: str
    in_text: bool
    before: bool


class _Lexicon:
    def __init__(self, lex: dict) -> None:
        self.lex = lex
        self.units: dict[str, _Unit] = {}
        self.synonyms: dict[str, str] = {}          # folded synonym -> canonical
        text_syn, before_syn = [], []
        for u in lex["units"]:
            unit = _Unit(u["canonical"], u["kind"], bool(u.get("in_text", True)), bool(u.get("before", False)))
            self.units[unit.canonical] = unit
            for syn in u["synonyms"]:
                self.synonyms.setdefault(_fold(syn), unit.canonical)
                if unit.before:
                    before_syn.append(syn)
                elif unit.in_text:
                    text_syn.append(syn)
        self.synonym_prefixes = sorted(self.synonyms, key=len, reverse=True)
        self.unit_after = re.compile(rf"\s*({_alternation(text_syn)})", _FLAGS)
        self.unit_before = re.compile(rf"({_alternation(before_syn)})\s*$", _FLAGS)

        cmp_words = {p: c for c, phrases in lex["comparators"].items() for p in phrases}
        self.comparator_of = {_fold(p): c for p, c in cmp_words.items()}
        # "tối thiểu đạt 80%", and a time between ("ít nhất vào năm 2025 đạt 40%")
        fillers = f"(?:{_alternation(lex['fillers'])}|{lex['time_filler']})"
        self.left = re.compile(
            rf"(?:^|(?<=[\s(:;,]))({_alternation(cmp_words)})(?:\s*{fillers})*\s*$|"
            rf"(?<!\w)({_alternation(lex['range_openers'])})(?:\s*{fillers})*\s*$", _FLAGS)
        self.suffix_of = {_fold(p): c for c, phrases in lex["suffix_comparators"].items() for p in phrases}
        self.suffix = re.compile(
            rf"\s*({_alternation(p for ps in lex['suffix_comparators'].values() for p in ps)})", _FLAGS)
        joiners = "|".join(rf"\s*{re.escape(j)}\s*" if not j[0].isalpha() else rf"\s+{_phrase(j)}\s+"
                           for j in lex["range_joiners"])
        self.range_joiner = re.compile(rf"(?:{joiners})", _FLAGS)
        self.number_words = {_fold(w): float(v) for w, v in lex["number_words"].items()}
        self.number_phrases = {_fold(p["phrase"]): (float(p["value"]), p["unit"]) for p in lex["number_phrases"]}
        self.word_number = re.compile(
            rf"({_alternation(list(lex['number_words']) + [p['phrase'] for p in lex['number_phrases']])})", _FLAGS)
        self.ignore = [re.compile(p) for p in lex["ignore_patterns"]]
        self.scores = {k: float(v) for k, v in lex["target_scores"].items()}
        self.bonus = float(lex["comparator_bonus"])
        self.indicator_units = lex["indicator_units"]
        self.count_starts = [_fold(x) for x in lex["count_indicator_starts"]]
        self.per_year = [_fold(x) for x in lex["per_year_words"]]
        count_syn = [syn for u in lex["units"] if u["kind"] == "count" for syn in u["synonyms"]]
        self.count_unit_in = re.compile(_alternation(count_syn), _FLAGS)
        self.indicator_percent_of = lex["indicator_percent_of"]
        # "58 trạm quan trắc", "05 bộ dữ liệu", "23 ca sinh/1.000 phụ nữ", "4/100.000 trẻ sinh ra còn sống"
        nouns = lex["noun_units"]
        stop = _alternation(nouns["stop_words"])
        word = rf"(?!{stop})[^\W\d_]+"
        self.noun_max_words = int(nouns["max_words"])
        self.classifier_unit = re.compile(
            rf"[^\S\n]+({_alternation(nouns['classifiers'])}(?:[^\S\n]+{word}){{0,{int(nouns['classifier_words'])}}})",
            _FLAGS)
        words = rf"{word}(?:[^\S\n]+{word}){{0,{self.noun_max_words - 1}}}"
        self.rate_unit = re.compile(
            rf"(?:[^\S\n]*(?P<pre>{words}))?[^\S\n]*/[^\S\n]*(?P<per>1(?:00+|0{{0,2}}(?:\.000)+))[^\S\n]+(?P<of>{words})",
            _FLAGS)
        self.noun_kind = str(nouns["kind"])
        self.classifier_start = re.compile(rf"^{_alternation(nouns['classifiers'])}(?!\w)", _FLAGS)
        self.min_scores = {k: float(v) for k, v in lex["min_scores"].items()}
        base = lex["baseline"]
        self.baseline_before = re.compile(_alternation(base["before"]), _FLAGS)
        self.baseline_after = re.compile(rf"\s*[)(]?\s*{_alternation(base['after'])}", _FLAGS)
        self.ratio_cue = re.compile(rf"{_alternation(lex['ratio_cues'])}(?:\s+\S+){{0,2}}\s*$", _FLAGS)
        self.spelled_out = re.compile(r"[^\S\n]*\((?:[^\W\d_]+[^\S\n]*){1,6}\)")
        self.change_from = re.compile(rf"{_alternation(lex['change']['from'])}\s*$", _FLAGS)
        self.change_to = re.compile(rf"\s*{_alternation(lex['change']['to'])}", _FLAGS)

    def canonical(self, unit_text: str) -> Optional[str]:
        """The canonical unit of a written unit: exactly a synonym, else the longest synonym it
        starts with ("% tổng chi ngân sách xã hằng năm" -> "% tổng chi ngân sách")."""
        folded = _fold(unit_text)
        if folded in self.synonyms:
            return self.synonyms[folded]
        for syn in self.synonym_prefixes:
            if folded.startswith(syn) and (not syn[-1].isalnum() or not folded[len(syn)].isalnum()):
                return self.synonyms[syn]
        return None

    def kind(self, unit: str) -> str:
        u = self.units.get(unit)
        if u:
            return u.kind
        if not unit:
            return "none"
        if "/" not in unit and self.classifier_start.match(unit):
            return self.noun_kind               # "trạm quan trắc": read by the classifier grammar
        return "count"


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    with LEXICON_PATH.open(encoding="utf-8") as f:
        return _Lexicon(yaml.safe_load(f))


def min_score(where: str = "anywhere") -> float:
    """The least score of a target quantity "anywhere" or under "objectives" (MỤC TIÊU, CHỈ TIÊU)."""
    return _lexicon().min_scores[where]


# ---------------------------------------------------------------- units


def normalize_unit(unit_text: str, indicator: str = "", value: Optional[float] = None) -> str:
    """Canonical unit. An empty unit takes what the indicator implies ("Chỉ số ..." with a value
    up to 1 -> "index", "Tỷ lệ ..." -> "%"); a "%" takes what the indicator says it is a share of
    ("... trong tổng chi ngân sách phường" -> "% tổng chi ngân sách"). Unknown units are kept as
    written, whitespace collapsed."""
    lex = _lexicon()
    text = " ".join((unit_text or "").split())
    folded_indicator = _fold(indicator)
    if not text:
        for rule in lex.indicator_units:
            if any(folded_indicator.startswith(_fold(s)) for s in rule["starts"]):
                if value is not None and rule.get("max_value") is not None and value > float(rule["max_value"]):
                    continue
                return rule["unit"]
        return _count_unit_of(indicator)
    unit = lex.canonical(text) or text
    if unit == "%" and folded_indicator:
        for rule in lex.indicator_percent_of:
            if any(_fold(c) in folded_indicator for c in rule["contains"]):
                return rule["unit"]
    return unit


def _count_unit_of(indicator: str) -> str:
    """"Số lượng sáng kiến ... được công nhận/năm" -> "sáng kiến/năm"; "" when it names none."""
    lex = _lexicon()
    folded = _fold(indicator)
    if not any(folded.startswith(s + " ") for s in lex.count_starts):
        return ""
    m = lex.count_unit_in.search(indicator)
    if not m:
        return ""
    unit = lex.canonical(m.group(0)) or ""
    if unit and any(w in folded for w in lex.per_year) and not unit.endswith("/năm"):
        unit = lex.canonical(unit + "/năm") or unit
    return unit


# ---------------------------------------------------------------- scanning


def _ignored_mask(text: str) -> bytearray:
    """1 for every character inside an ignored pattern (date, document number, label ...)."""
    mask = bytearray(len(text))
    for rx in _lexicon().ignore:
        for m in rx.finditer(text):
            mask[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    return mask


def _unit_after(text: str, pos: int) -> tuple[str, int]:
    """The unit written after a number: one of the lexicon's; else a rate ("ca sinh/1.000 phụ nữ",
    "/100.000 trẻ sinh ra còn sống"); else a classifier and its noun ("trạm quan trắc", "bộ dữ liệu")."""
    lex = _lexicon()
    spelled = lex.spelled_out.match(text, pos)      # "30 (ba mươi) ngày", "05 (năm) cá nhân"
    if spelled:
        unit, end = _unit_after(text, spelled.end())
        if unit:
            return unit, end
    m = lex.unit_after.match(text, pos)
    if m:
        return lex.canonical(m.group(1)) or "", m.end()
    m = lex.rate_unit.match(text, pos)
    if m:
        return _rate_unit(m)
    m = lex.classifier_unit.match(text, pos)
    if m:
        return " ".join(m.group(1).lower().split()), m.end()
    return "", pos


def _rate_unit(m: re.Match) -> tuple[str, int]:
    """A ratio of like to like names as many words on each side ("trẻ sơ sinh trai/100 trẻ sơ
    sinh gái", not "... gái sinh ra sống"); a bare rate takes the whole noun phrase."""
    pre = m["pre"].split() if m["pre"] else []
    of_words = list(re.finditer(r"\S+", m.string[m.start("of"):m.end("of")]))
    if pre:
        of_words = of_words[:len(pre)]
    end = m.start("of") + of_words[-1].end()
    unit = f"{' '.join(pre)}/{m['per']} {' '.join(w.group(0) for w in of_words)}"
    return unit, end


def _read_at(text: str, m: re.Match, value: float, implied_unit: str, is_word: bool) -> Optional[Quantity]:
    """The quantity around one number: comparator on the left, unit, range and suffix on the right."""
    lex = _lexicon()
    start, end = m.start(), m.end()
    window_start = max(0, start - _WINDOW)
    left = lex.left.search(text, window_start, start)
    left_comparator = left.group(1) if left else None
    unit = implied_unit
    if not unit:
        unit, end = _unit_after(text, end)
    value_max = None
    comparator = "="
    # a range: "80% - 90%", "80-90%", "từ 80 đến 90%", "khoảng 75%-80%"; not after a bound ("≥ 95% - 100%"
    # is two cells of a flattened table row)
    bound = bool(left_comparator) and lex.comparator_of[_fold(left_comparator)] != "="
    j = lex.range_joiner.match(text, end) if not is_word and not bound else None
    if j:
        m2 = _NUMBER.match(text, j.end())
        v2 = parse_number(m2.group(0)) if m2 else None
        if v2 is not None and v2 > value:
            unit2, end2 = _unit_after(text, m2.end())
            if not unit or unit2 == unit or not unit2:
                unit = unit or unit2
                value_max, end, comparator = v2, end2, "range"
    s = lex.suffix.match(text, end)
    if s and comparator != "range":
        comparator = lex.suffix_of[_fold(s.group(1))]
        end = s.end()
    if left_comparator:
        if comparator == "=":
            comparator = lex.comparator_of[_fold(left_comparator)]
        start = left.start(1)
    elif left and (comparator == "range" or s):
        start = left.start(2)                   # "từ 80% đến 90%", "từ hai con số trở lên"
    if not unit:
        before = lex.unit_before.search(text, window_start, m.start())
        if before:
            unit = lex.canonical(before.group(1)) or ""
            start = min(start, before.start(1))
    if is_word and comparator == "=" and not implied_unit:
        return None                             # "một", "năm" alone are words, not numbers
    if lex.change_from.search(text, window_start, m.start()) and lex.change_to.match(text, end):
        return None                             # "giảm từ 23 ... xuống 18 ...": where it starts from
    kind = None
    if lex.kind(unit) == "ratio" and not lex.ratio_cue.search(text, window_start, m.start()):
        kind = "time"                           # "quan trắc 2 lần": how often, not a ratio
    score = _score(value, value_max, unit, comparator, kind)
    return Quantity(comparator=comparator, value=value, value_max=value_max, unit=unit,
                    raw=text[start:end], start=start, end=end, score=score)


def _is_year(value: float) -> bool:
    return value.is_integer() and 1900 <= value <= 2100


def _score(value: float, value_max: Optional[float], unit: str, comparator: str, kind: Optional[str] = None) -> float:
    lex = _lexicon()
    if not unit and comparator in ("=", "range") and _is_year(value) and (value_max is None or _is_year(value_max)):
        return 0.0                              # a year, or a span of years "2025-2030"
    score = lex.scores.get(kind or lex.kind(unit), lex.scores["none"])
    if comparator not in ("=", "range"):
        score += lex.bonus
    return round(min(1.0, score), 3)


_ROW_LABEL_BEFORE = set(" \t|>#*+•-")


def _is_row_label(text: str, m: re.Match) -> bool:
    """A number that opens a line and is followed by a capitalised word is a row or item label
    ("9.2 Cơ sở giáo dục ...", "2 Tỷ lệ giao dịch ...") in tables flattened to text."""
    line_start = text.rfind("\n", 0, m.start()) + 1
    if any(c not in _ROW_LABEL_BEFORE for c in text[line_start:m.start()]):
        return False
    rest = text[m.end():m.end() + 3]
    stripped = rest.lstrip(" \t")
    return len(stripped) < len(rest) and stripped[:1].isupper()


def _scan(text: str) -> list[Quantity]:
    lex = _lexicon()
    found: list[Quantity] = []
    numbers = list(_NUMBER.finditer(text))
    ignored = _ignored_mask(text) if numbers else bytearray()
    for m in numbers:
        if ignored.find(1, m.start(), m.end()) != -1 or _is_row_label(text, m):
            continue
        value = parse_number(m.group(0))
        if value is not None:
            q = _read_at(text, m, value, "", False)
            if q is not None:
                found.append(q)
    for m in lex.word_number.finditer(text):
        folded = _fold(m.group(1))
        if folded in lex.number_phrases:
            value, unit = lex.number_phrases[folded]
            q = _read_at(text, m, value, unit, True)
        else:
            q = _read_at(text, m, lex.number_words[folded], "", True)
            if q is not None and not q.unit:
                q = None
        if q is not None:
            found.append(q)
    return _longest_non_overlapping(found)


def _longest_non_overlapping(found: list[Quantity]) -> list[Quantity]:
    """The longest of overlapping readings ("80% - 90%" over the "90%" inside it), in text order."""
    starts: list[int] = []
    kept: list[Quantity] = []
    for q in sorted(found, key=lambda q: (-(q.end - q.start), q.start)):
        i = bisect.bisect_right(starts, q.start)
        if (i > 0 and kept[i - 1].end > q.start) or (i < len(kept) and kept[i].start < q.end):
            continue
        starts.insert(i, q.start)
        kept.insert(i, q)
    return kept


def is_baseline(text: str, q: Quantity, clause_start: int = 0) -> bool:
    """Whether ``q`` states where things stand, not where they should get: a baseline cue in its
    clause before it ("Hiện trạng ... chiếm 34,86%") or a comparison with the past right after it
    ("tăng 11,8% so với cùng kỳ"). (A figure of a year before the plan's is one too: the caller
    knows the plan's year.)"""
    lex = _lexicon()
    if lex.baseline_before.search(text, clause_start, q.start):
        return True
    return bool(lex.baseline_after.match(text, q.end))


def find_quantities(text: str, *, min_score: float = 0.5) -> list[Quantity]:
    """Quantities in running text, in order, with offsets into ``text``.

    Only target-like ones by default (``score >= min_score``: a percentage, a comparator, an index,
    a level or a countable unit); ``min_score=0`` returns every number read, years excepted.
    Dates, years, document numbers, section labels, phone numbers and "4G, 5G" are never read."""
    if not text:
        return []
    return [q for q in _scan(text) if q.score >= min_score and q.score > 0]


def parse_quantity(raw: str, *, default_unit: Optional[str] = None) -> Optional[Quantity]:
    """The first quantity of a result cell or short phrase ("Có ≥ 70%", "đạt mức 2 trở lên", "90"),
    or None ("-", "x", "", words only). ``default_unit`` (the table's unit column) is the unit when
    the cell writes none, or when it refines the cell's own ("%" under "% tổng chi ngân sách nhà
    nước"). ``raw`` of the result is the whole stripped cell."""
    if raw is None:
        return None
    stripped = raw.strip()
    if stripped.lower() in _EMPTY_CELLS:
        return None
    candidates = [q for q in _scan(raw) if q.score > 0]
    if not candidates:
        return None
    q = candidates[0]
    unit = q.unit
    if default_unit and default_unit.strip():
        default = normalize_unit(default_unit)
        if not unit or (unit == "%" and default.startswith("%")):
            unit = default
    lo = len(raw) - len(raw.lstrip())
    return Quantity(comparator=q.comparator, value=q.value, value_max=q.value_max, unit=unit,
                    raw=stripped, start=lo, end=lo + len(stripped),
                    score=_score(q.value, q.value_max, unit, q.comparator))
