"""Vietnamese deadline grammar: "Quý III/2025", "6 tháng đầu năm 2025", "Thường xuyên", "Sau khi ...".

Two entry points, both pure functions:

* ``normalize_deadline(cell)`` reads one whole phrase, typically a "Thời gian hoàn thành" cell, and
  returns one ``Deadline`` (or None when the phrase holds no deadline).
* ``find_deadlines(text)`` finds every deadline expression in running text, with its span.

Types (../shared/gold/SCHEMA.md): ``date`` (a day, month, quarter, part of a year or year; ``due`` is
its last day), ``period`` (``start`` .. ``due``), ``recurring`` and ``conditional`` (``due`` None).
A day, month or quarter written without its year takes the year of ``plan_date``; without a plan
date it stays a ``date`` with ``due`` None.

How it works: a set of regexes built once from the lexicon in ``nlp/resources/deadlines.yml``
proposes candidate expressions; the longest non-overlapping ones are kept; dates of cited documents
and years that name something (a term of office, a cited document's title) are dropped; a
composition pass joins neighbours ("từ <A> đến <B>" -> period, "Năm 2025 và những năm tiếp theo" ->
recurring, "từ <A> đến khi <event>" -> conditional, "định kỳ (6 tháng và hàng năm)" -> one recurring
span); in running text a frequency word that describes a noun of the object ("phong trào “học tập
số” thường xuyên", "được cập nhật định kỳ", "... hằng năm của") is dropped last.
"""
from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional

import yaml

from nlp.schema import Deadline, Span

LEXICON_PATH = Path(__file__).resolve().parents[1] / "resources" / "deadlines.yml"

_FLAGS = re.IGNORECASE
# Characters that may not touch a number on either side (doc numbers "71/NQ-CP", "02/2025/TT").
_NUM_BEFORE = r"(?<![\w/.,-])"
_NUM_AFTER = r"(?![\w/]|[.,]\d)"


# ---------------------------------------------------------------- lexicon -> regex helpers


def _phrase(text: str) -> str:
    """A lexicon phrase as a regex: its words escaped, any whitespace between them."""
    return r"\s+".join(re.escape(word) for word in str(text).split())


def _alternation(phrases) -> str:
    """Longest first, so that "hoàn thành trong" wins over "hoàn thành"."""
    ordered = sorted({str(p) for p in phrases}, key=len, reverse=True)
    return "(?:" + "|".join(_phrase(p) for p in ordered) + ")"


def _words(phrases) -> str:
    """An alternation of whole words: not glued to letters on either side."""
    return rf"(?<!\w){_alternation(phrases)}(?!\w)"


# ---------------------------------------------------------------- calendar periods


@dataclass(frozen=True)
class _When:
    """A calendar period whose year may be unknown: months first_month..last_month, or one day."""

    year: Optional[int]
    first_month: int
    last_month: int
    day: Optional[int] = None

    def with_year(self, year: Optional[int]) -> "_When":
        return self if self.year is not None or year is None else replace(self, year=year)

    def first(self) -> Optional[dt.date]:
        if self.year is None:
            return None
        return dt.date(self.year, self.first_month, self.day or 1)

    def last(self) -> Optional[dt.date]:
        if self.year is None:
            return None
        if self.day is not None:
            return dt.date(self.year, self.last_month, self.day)
        return dt.date(self.year, self.last_month, calendar.monthrange(self.year, self.last_month)[1])

    def before_start(self) -> Optional[dt.date]:
        """The last day before this period ("trước năm 2030" -> 2029-12-31)."""
        first = self.first()
        return None if first is None else first - dt.timedelta(days=1)


def _valid_day(year: Optional[int], month: int, day: int) -> bool:
    try:
        dt.date(year or 2000, month, day)   # 2000 is a leap year: 29/2 without a year is allowed
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------- candidates


@dataclass
class _Cand:
    start: int
    end: int
    kind: str                          # date | period | recurring | conditional | continuation
    when: Optional[_When] = None       # date; first end of a period
    until: Optional[_When] = None      # last end of a period
    lead: str = ""                     # lead-in words taken into the span ("trước", "đến hết")
    before: bool = False               # "trước <period>": due the day before the period starts

    @property
    def dated(self) -> bool:
        return self.kind in ("date", "period")

    @property
    def yearless(self) -> bool:
        """A date or period whose year is not written ("tháng 12", "từ tháng 3 đến tháng 11")."""
        if self.kind not in ("date", "period") or self.when is None or self.when.year is not None:
            return False
        return self.until is None or self.until.year is None

    def length(self) -> int:
        return self.end - self.start


class _Grammar:
    """All regexes of the deadline grammar, compiled once from the lexicon."""

    def __init__(self, lex: dict) -> None:
        self.lex = lex
        self.year_min, self.year_max = int(lex["year_min"]), int(lex["year_max"])
        w = lex["words"]
        day_w, month_w = _words(w["day"]), _words(w["month"])
        quarter_w, year_w = _words(w["quarter"]), _words(w["year"])
        self.roman = {k.upper(): int(v) for k, v in lex["roman_numerals"].items()}
        roman = "|".join(sorted(self.roman, key=len, reverse=True))

        D = r"(?P<d>0?[1-9]|[12]\d|3[01])"
        M = r"(?P<m>0?[1-9]|1[0-2])"
        Y = r"(?P<y>\d{4})"
        Qtok = rf"(?:(?:{roman})(?![\w])|[1-4](?!\d))"
        Q = rf"(?P<q>{Qtok})"
        quarter_abbr = _alternation(lex["quarter_abbreviations"])
        and_w = _words(["và"])
        sep = r"\s*[/.-]\s*"
        before_words = {str(x).lower() for x in lex["before_words"]}
        self.before_words = before_words
        # Lead-in words are looked up backwards from each match (cheaper than an optional prefix
        # on every rule, which the regex engine would try at every position).
        self.lead_before = re.compile(rf"{_words(lex['lead_in'])}\s+$", _FLAGS)

        parts = lex["year_parts"]
        self.year_parts = {" ".join(str(p["phrase"]).lower().split()): p for p in parts}
        part_re = rf"(?P<part>{_words(p['phrase'] for p in parts)})"

        rec = lex["recurring"]
        every = rf"(?:{_words(rec['every_words'])}\s+{_words(rec['every_units'])})"
        interval = (rf"(?:(?<!\w)(?:{'|'.join(rec['interval_numbers'])})\s+{_words(rec['interval_units'])}"
                    r"(?:\s*/\s*(?:0?1\s+)?lần)?)")
        cue = _words(rec["cues"])
        report = (rf"(?:{_words(rec['report_words'])}\s+(?:định\s+kỳ\s+)?"
                  rf"(?:{interval}|{every}|{_words(['đột xuất'])}|{_words(rec['report_periods'])}(?!\s*\d)))")
        continuation = _words(lex["continuation"])
        dashes = "|".join(   # a dash does not cross a line: "2025\n- 2030" is two bullets
            (rf"[^\S\n]*{re.escape(d)}[^\S\n]*" if not d.isalpha() else rf"\s+{_phrase(d)}\s+")
            for d in lex["range_dashes"])

        y2 = r"(?P<y2>\d{4})"
        day_prefix = day_w
        period_prefix = rf"(?:{_words(lex['period_lead_in'])}(?:\s+{year_w})?|{year_w})"
        # (regex, handler, optional words in front of it, looked up backwards like lead-ins: a
        # rule that starts with an optional group is tried at every position and is slow)
        rules: list[tuple[str, Callable, Optional[str]]] = [
            # ngày 30/11/2025, 30/11/2025, 02/10 /2025, 30-11-2025 (one kind of separator)
            (rf"{_NUM_BEFORE}{D}(?:\s*/\s*|(?P<s>[-.])){M}(?(s)(?P=s)|\s*/\s*){Y}{_NUM_AFTER}",
             self._day, day_prefix),
            # tháng 11 - 12/2025, 3-11/2025
            (rf"{_NUM_BEFORE}(?P<m1>0?[1-9]|1[0-2])[^\S\n]*[-–][^\S\n]*(?:{month_w}\s+)?{M}"
             rf"(?:\s*/\s*|\s+{year_w}\s+){Y}{_NUM_AFTER}", self._month_range, month_w),
            # ngày 02 tháng 10 năm 2025
            (rf"{day_w}\s+{D}\s+{month_w}\s+{M}\s*(?:,\s*)?{year_w}\s+{Y}{_NUM_AFTER}", self._day, None),
            # ngày 30 tháng 11 (no year)
            (rf"{day_w}\s+{D}\s+{month_w}\s+{M}(?!\s*(?:,\s*)?{year_w}\s+\d)(?![\w/])", self._day, None),
            # ngày 30/11, trước 15/6 (no year); bare only after a lead-in or in a cell
            (rf"{_NUM_BEFORE}{D}\s*/\s*{M}(?![\w/]|[.,]\d|\s*/\s*\d)", self._bare_day, day_prefix),
            # tháng 9/2025, tháng 9 năm 2025, Tháng 12 - 2025
            (rf"{month_w}\s+{M}(?:{sep}|\s*,?\s+{year_w}\s+){Y}{_NUM_AFTER}", self._month, None),
            # 9/2025, 06/2025
            (rf"{_NUM_BEFORE}{M}\s*/\s*{Y}{_NUM_AFTER}", self._month, None),
            # tháng 9 (no year)
            (rf"{month_w}\s+{M}(?![\w/]|[.,]\d|\s*[/.-]\s*\d)", self._month, None),
            # Quý III/2025, quý 3 năm 2025
            (rf"{quarter_w}\s+{Q}(?:\s*[/.-]\s*|\s*,?\s+{year_w}\s+){Y}{_NUM_AFTER}", self._quarter, None),
            # Q4/2025, QIV-2025: the abbreviation only with its year
            (rf"(?<!\w){quarter_abbr}[^\S\n]?{Q}\s*[/.-]\s*{Y}{_NUM_AFTER}", self._quarter, None),
            # quý I, II/2026; quý III và quý IV năm 2025 (the last one); quý I - II/2026 (a span)
            (rf"{quarter_w}\s+(?P<qs>{Qtok}(?:\s*(?:,|{and_w}|[-–])\s*(?:{quarter_w}\s+)?{Qtok})+)"
             rf"(?:\s*[/.-]\s*|\s*,?\s+{year_w}\s+){Y}{_NUM_AFTER}", self._quarter_list, None),
            # quý III (no year)
            (rf"{quarter_w}\s+{Q}(?!\s*[/.-]\s*\d)", self._quarter, None),
            # 6 tháng đầu năm 2025, cuối năm 2025, 6 tháng đầu năm
            (rf"{part_re}(?:\s+{Y}{_NUM_AFTER})?", self._part, None),
            # năm 2025
            (rf"{year_w}\s+{Y}{_NUM_AFTER}", self._year, None),
            # 2025 (bare): after a lead-in, or in a cell
            (rf"{_NUM_BEFORE}{Y}{_NUM_AFTER}", self._bare_year, None),
            # 2025-2030, giai đoạn 2026 - 2030, năm 2025-2030
            (rf"{_NUM_BEFORE}{Y}(?:{dashes})(?:{year_w}\s+)?{y2}{_NUM_AFTER}", self._year_range, period_prefix),
            # recurring
            (rf"{day_w}\s+{D}\s+{every}", self._recurring, _words(["vào"])),
            (rf"{cue}(?:\s+(?:{every}|{interval}))?", self._recurring, None),
            (every, self._recurring, None),
            (report, self._recurring, _words(["các"])),
            (continuation, self._continuation, None),
        ]
        self.rules = [(re.compile(rx, _FLAGS), fn, re.compile(rf"{prefix}\s+$", _FLAGS) if prefix else None)
                      for rx, fn, prefix in rules]
        # rules that cannot match text without a digit: skipped on such text (most sentences)
        digit_handlers = {self._day, self._bare_day, self._month, self._month_range, self._year,
                          self._bare_year, self._year_range, self._quarter_list}
        self.needs_digit = [fn in digit_handlers for _, fn, _ in self.rules]

        cond = lex["conditional"]
        self.max_cond_words = int(cond["max_words"])
        clause = r"[^.;:,()\[\]|]*"
        self.cond_prose = re.compile(rf"{_words(cond['prose_cues'])}{clause}", _FLAGS)
        # "Trong vòng 30 ngày kể từ ngày nhận được hồ sơ": a time counted from an event
        rel = cond["relative"]
        self.cond_relative = re.compile(
            rf"{_words(rel['lead'])}\s+\d{{1,3}}\s*(?:\([^()\n]{{1,30}}\)\s*)?{_words(rel['units'])}"
            rf"\s*,?\s*{_words(rel['from'])}{clause}", _FLAGS)
        self.cond_cell = re.compile(rf"^\s*{_words(list(cond['cell_cues']) + list(cond['prose_cues']))}", _FLAGS)

        self.exclusions = re.compile(_words(rec["exclusions"]), _FLAGS)
        attr = rec["attributive"]
        self.attributive_before = re.compile(
            "(?:" + "|".join(re.escape(c) for c in attr["after_signs"]) + r")\s*$")
        self.quote_pairs = {str(k): str(v) for k, v in attr["quote_pairs"].items()}
        self.attributive_after = re.compile(rf"\s+{_words(attr['before_words'])}", _FLAGS)
        self.attributive_passive = re.compile(
            rf"{_words(attr['passive'])}(?:[^\S\n]+[^\W\d_]+){{1,{int(attr['passive_words'])}}}[^\S\n]+$", _FLAGS)
        joiners = "|".join(re.escape(j) if not j.isalpha() else rf"(?<!\w){_phrase(j)}(?!\w)"
                           for j in rec["joiners"])
        self.joiner_gap = re.compile(rf"^\s*(?:(?:{joiners})\s*)?$", _FLAGS)
        self.qualifier = re.compile(rf"^\s*,?\s*{_words(rec['qualifiers'])}", _FLAGS)
        self.paren = re.compile(r"^\s*\(([^()\n]{1,100})\)")
        self.paren_cue = re.compile(
            rf"{cue}|{every}|{_words(rec['qualifiers'])}|{_words(rec['interval_units'])}|"
            rf"{_words(cond['prose_cues'])}|{_words(rec['report_words'])}", _FLAGS)
        self.every_re = re.compile(rf"^{every}$", _FLAGS)
        self.from_before = re.compile(rf"{_words(lex['from_words'])}\s*$", _FLAGS)
        self.until_event = re.compile(_words(lex["until_event"]), _FLAGS)
        self.open_start_cue = re.compile(rf"{_words(lex['open_start_cues'])}[\s:*]*$", _FLAGS)
        self.to_words = {" ".join(str(t).lower().split()) for t in lex["to_words"]}
        self.to_gap = re.compile(rf"^\s*{_words(lex['to_words'])}\s*$", _FLAGS)
        self.dash_gap = re.compile(r"^[^\S\n]*[-–—][^\S\n]*$")
        self.comma_gap = re.compile(r"^[\s,]*$")
        self.name_before = re.compile(rf"{_words(lex['name_words'])}\s*$", _FLAGS)
        titles = lex["document_titles"]
        # case-sensitive: a document kind is a name only where it is capitalised
        self.title_kind = re.compile(rf"(?<!\w){_alternation(titles['kinds'])}(?!\w)")
        self.title_made_by = re.compile(rf"{_words(titles['made_by'])}\s+(?:\S+\s+)?$", _FLAGS)
        self.title_number = re.compile(r"\s+số\b", _FLAGS)      # "Kế hoạch số 321-KH/TU": cited
        self.title_this = re.compile(rf"\s+{_words(titles['this'])}", _FLAGS)
        self.title_max_words = int(titles["max_words"])
        self.title_leads = {" ".join(str(w).lower().split()) for w in titles["leads"]}
        # what may stand before a word that opens its clause: marks and an item label ("b) ", "2.1. ")
        self.clause_opening = re.compile(r"^[\W_]*(?:(?:[a-zđ]|\d+(?:\.\d+)*|[IVXLC]+)[.)][\W_]*)?$")
        self.title_vision = re.compile(rf"^[\s,;]*{_words(titles['vision'])}(?:\s+\S+){{0,2}}\s*$", _FLAGS)
        self.clause_break = re.compile(r"[.;:|!?]\s|[;:|]|\n\s*\n|\n\s*(?:[-+•*]|\d+[.)])\s")
        self.citation = re.compile(lex["citation_before"])
        self.number_before = re.compile(lex["number_before"])
        self.citation_after = re.compile(lex["citation_after"], _FLAGS)
        self.before_exclusive = bool(lex.get("before_is_exclusive", True))

    # ---------------------------------------------------------------- handlers: match -> candidate

    def _year_ok(self, year: int) -> bool:
        return self.year_min <= year <= self.year_max

    def _lead(self, m: re.Match, prefix: Optional[re.Pattern]) -> tuple[int, str, bool, bool]:
        """Where the expression starts once the rule's own optional words ("ngày", "giai đoạn")
        and then lead-in words ("trước", "đến hết") in front of it are taken in; the lead-in;
        whether it is "trước"; whether the rule's own words were there."""
        start, had_prefix = m.start(), False
        if prefix is not None:
            found = prefix.search(m.string, max(0, start - 30), start)
            if found:
                start, had_prefix = found.start(), True
        found = self.lead_before.search(m.string, max(0, start - 30), start)
        if not found:
            return start, "", False, had_prefix
        lead = " ".join(found.group(0).lower().split())
        return found.start(), lead, lead in self.before_words, had_prefix

    def _dated(self, m: re.Match, when: _When, cell: bool, prefix: Optional[re.Pattern],
               bare: bool = False) -> Optional[_Cand]:
        start, lead, before, had_prefix = self._lead(m, prefix)
        if bare and not lead and not had_prefix and not cell:
            return None
        return _Cand(start, m.end(), "date", when=when, lead=lead, before=before)

    def _year_of(self, m: re.Match) -> Optional[int]:
        y = m.groupdict().get("y")
        return int(y) if y else None

    def _day(self, m: re.Match, cell: bool, prefix: Optional[re.Pattern], bare: bool = False) -> Optional[_Cand]:
        year, month, day = self._year_of(m), int(m["m"]), int(m["d"])
        if year is not None and not self._year_ok(year):
            return None
        if not _valid_day(year, month, day):
            return None
        return self._dated(m, _When(year, month, month, day), cell, prefix, bare=bare)

    def _bare_day(self, m: re.Match, cell: bool, prefix: Optional[re.Pattern]) -> Optional[_Cand]:
        return self._day(m, cell, prefix, bare=True)

    def _month(self, m: re.Match, cell: bool, prefix: Optional[re.Pattern]) -> Optional[_Cand]:
        year, month = self._year_of(m), int(m["m"])
        if year is not None and not self._year_ok(year):
            return None
        return self._dated(m, _When(year, month, month), cell, prefix)

    def _quarter(self, m: re.Match, cell: bool, prefix: Optional[re.Pattern]) -> Optional[_Cand]:
        year, q = self._year_of(m), m["q"].upper()
        if year is not None and not self._year_ok(year):
            return None
        n = self.roman.get(q) or int(q)
        return self._dated(m, _When(year, 3 * n - 2, 3 * n), cell, prefix)

    def _quarter_list(self, m: re.Match, cell: bool, prefix: Optional[re.Pattern]) -> Optional[_Cand]:
        """Quarters of one year: a list is due with its last, a dash is a span from the first."""
        year = self._year_of(m)
        if not self._year_ok(year):
            return None
        quarters = [self.roman.get(q.upper()) or int(q) for q in re.findall(r"(?<!\w)(?:[IVX]+|[1-4])(?!\w)", m["qs"], re.IGNORECASE)]
        first, last = quarters[0], quarters[-1]
        if re.search(r"[-–]", m["qs"]) and first < last:
            start, lead, _, _ = self._lead(m, prefix)
            return _Cand(start, m.end(), "period", when=_When(year, 3 * first - 2, 3 * first),
                         until=_When(year, 3 * last - 2, 3 * last), lead=lead)
        return self._dated(m, _When(year, 3 * last - 2, 3 * last), cell, prefix)

    def _part(self, m: re.Match, cell: bool, prefix: Optional[re.Pattern]) -> Optional[_Cand]:
        year = self._year_of(m)
        if year is not None and not self._year_ok(year):
            return None
        part = self.year_parts[" ".join(m["part"].lower().split())]
        return self._dated(m, _When(year, int(part["first_month"]), int(part["last_month"])), cell, prefix)

    def _year(self, m: re.Match, cell: bool, prefix: Optional[re.Pattern]) -> Optional[_Cand]:
        year = self._year_of(m)
        if not self._year_ok(year):
            return None
        return self._dated(m, _When(year, 1, 12), cell, prefix)

    def _bare_year(self, m: re.Match, cell: bool, prefix: Optional[re.Pattern]) -> Optional[_Cand]:
        year = self._year_of(m)
        if not self._year_ok(year):
            return None
        return self._dated(m, _When(year, 1, 12), cell, prefix, bare=True)

    def _year_range(self, m: re.Match, cell: bool, prefix: Optional[re.Pattern]) -> Optional[_Cand]:
        y1, y2 = int(m["y"]), int(m["y2"])
        if not (self._year_ok(y1) and self._year_ok(y2) and y1 < y2):
            return None
        start, lead, _, _ = self._lead(m, prefix)
        return _Cand(start, m.end(), "period", when=_When(y1, 1, 12), until=_When(y2, 1, 12), lead=lead)

    def _month_range(self, m: re.Match, cell: bool, prefix: Optional[re.Pattern]) -> Optional[_Cand]:
        year, m1, m2 = int(m["y"]), int(m["m1"]), int(m["m"])
        if not (self._year_ok(year) and m1 < m2):
            return None
        start, lead, _, _ = self._lead(m, prefix)
        return _Cand(start, m.end(), "period", when=_When(year, m1, m1), until=_When(year, m2, m2), lead=lead)

    def _recurring(self, m: re.Match, cell: bool, prefix: Optional[re.Pattern]) -> Optional[_Cand]:
        start = m.start()
        if prefix is not None:
            found = prefix.search(m.string, max(0, start - 30), start)
            start = found.start() if found else start
        return _Cand(start, m.end(), "recurring")

    def _continuation(self, m: re.Match, cell: bool, prefix: Optional[re.Pattern]) -> Optional[_Cand]:
        return _Cand(m.start(), m.end(), "continuation")

    # ---------------------------------------------------------------- scan

    def candidates(self, text: str, cell: bool) -> list[_Cand]:
        found: list[_Cand] = []
        has_digit = _DIGIT.search(text) is not None
        for (rx, handler, prefix), needs_digit in zip(self.rules, self.needs_digit):
            if needs_digit and not has_digit:
                continue
            for m in rx.finditer(text):
                cand = handler(m, cell, prefix)
                if cand is not None:
                    found.append(cand)
        for m in self.cond_prose.finditer(text):
            found.append(self._conditional(text, m.start(), m.end()))
        if has_digit:
            for m in self.cond_relative.finditer(text):
                found.append(self._conditional(text, m.start(), m.end(), max_words=2 * self.max_cond_words))
        excluded = [(m.start(), m.end()) for m in self.exclusions.finditer(text)]
        if excluded:
            found = [c for c in found
                     if not (c.kind == "recurring" and any(s < c.end and c.start < e for s, e in excluded))]
        chosen = _longest_non_overlapping(found)
        kept: list[_Cand] = []
        prev_end, prev_name = 0, False           # the dated expression before, and whether it named
        for c in chosen:
            if not c.dated:
                kept.append(c)
                continue
            if self._is_citation(text, c):
                continue                         # the date of a cited document: part of its name
            name = self._is_name(text, c, cell, prev_end, prev_name)
            prev_end, prev_name = c.end, name
            if not name:
                kept.append(c)
        chosen = kept
        composed = self._compose(text, chosen, cell)
        if cell:
            return composed
        # after composing, so that "định kỳ và đột xuất" goes as one
        return [c for c in composed if not (c.kind == "recurring" and self._attributive(text, c))]

    def _attributive(self, text: str, cand: _Cand) -> bool:
        """A frequency word that describes a noun, not when the task is done: after a quoted name
        (phong trào “học tập số” thường xuyên), in a passive about the object (dữ liệu được cập nhật
        định kỳ) or before "của" (hoạt động thường xuyên của tổ)."""
        sign = self.attributive_before.search(text, max(0, cand.start - 3), cand.start)
        if sign and self._closes_a_quote(text, sign.start()):
            return True
        if self.attributive_passive.search(text, max(0, cand.start - 40), cand.start):
            return True
        return bool(self.attributive_after.match(text, cand.end))

    def _closes_a_quote(self, text: str, pos: int) -> bool:
        """Whether the sign at ``pos`` closes a quotation opened shortly before (not "19h00’")."""
        close = text[pos]
        opening = self.quote_pairs.get(close, close)
        before = text[max(0, pos - 200):pos]
        if opening == close:                   # straight quotes: this one closes an odd one out
            return before.count(close) % 2 == 1
        return before.rfind(opening) > before.rfind(close)

    def _is_name(self, text: str, cand: _Cand, cell: bool, prev_end: int, prev_name: bool) -> bool:
        """A year that is part of a name: a term of office ("nhiệm kỳ 2026 - 2031") or, in running
        text, the title of a cited document ("Quy hoạch tỉnh thời kỳ 2021-2030"). A title ends at
        its first year unless a vision follows (", tầm nhìn đến năm 2050")."""
        if self.name_before.search(text, max(0, cand.start - 15), cand.start):
            return True
        if cell or (cand.lead and cand.lead not in self.title_leads):
            return False                 # "... Kế hoạch vào cuối năm 2027": when the task is done
        if prev_end and self.title_vision.match(text[prev_end:cand.start]):
            return prev_name
        window = text[max(0, prev_end, cand.start - 12 * self.title_max_words):cand.start]
        breaks = list(self.clause_break.finditer(window))
        clause_start = breaks[-1].end() if breaks else 0
        words = list(re.finditer(r"\S+", window[clause_start:]))
        if len(words) > self.title_max_words:
            clause_start += words[-self.title_max_words].start()
        kinds = list(self.title_kind.finditer(window, clause_start))
        if not kinds:
            return False
        kind = kinds[-1]
        numbered = self.title_number.match(window, kind.end())
        if not numbered and self.clause_opening.match(window[clause_start:kind.start()]):
            return False                 # "Chương trình giai đoạn 2026-2030 ...": a capital that opens the clause
        if self.title_this.match(window, kind.end()):
            return False                 # "Kế hoạch này": the plan itself
        if self.title_made_by.search(window, max(0, kind.start() - 30), kind.start()):
            return False                 # "Xây dựng Kế hoạch chuyển đổi số năm 2025": what the task makes
        return True

    def _is_citation(self, text: str, cand: _Cand) -> bool:
        """The date of a cited document: after its number, or a day followed by "của <issuer>"."""
        before = text[max(0, cand.start - 80):cand.start]
        if self.citation.search(before):
            return True
        if text[cand.start:cand.start + 1].isdigit() and self.number_before.search(before):
            return True
        is_day = cand.kind == "date" and cand.when is not None and cand.when.day is not None
        return is_day and not cand.lead and bool(self.citation_after.match(text, cand.end))

    def _conditional(self, text: str, start: int, end: int, max_words: Optional[int] = None) -> _Cand:
        """A conditional clause: to the next punctuation or the next line that starts a new unit
        (a capital, a bullet, a number; PDF text breaks lines inside a clause), at most
        max_words words, trailing blanks stripped."""
        for nl in _LINE_BREAK.finditer(text, start, end):
            following = text[nl.end():nl.end() + 1]
            if following and (following.isupper() or following.isdigit() or following in _BULLETS):
                end = nl.start()
                break
        words = list(re.finditer(r"\S+", text[start:end]))
        limit = max_words or self.max_cond_words
        if len(words) > limit:
            end = start + words[limit - 1].end()
        while end > start and text[end - 1].isspace():
            end -= 1
        return _Cand(start, end, "conditional")

    # ---------------------------------------------------------------- composition

    def _compose(self, text: str, cands: list[_Cand], cell: bool) -> list[_Cand]:
        out: list[_Cand] = []
        i = 0
        while i < len(cands):
            cur = cands[i]
            i += 1
            changed = True
            while changed:
                changed = False
                if cur.kind == "recurring":
                    end = self._absorb_tail(text, cur.end)
                    if end != cur.end:
                        cur = replace(cur, end=end)
                        changed = True
                    while i < len(cands) and cands[i].start < cur.end:   # swallowed by a parenthesis
                        i += 1
                if i >= len(cands):
                    break
                nxt = cands[i]
                gap = text[cur.end:nxt.start]
                merged = self._merge(text, cur, nxt, gap)
                if merged is not None:
                    cur = merged
                    i += 1
                    changed = True
            if cur.kind == "continuation":
                cur = replace(cur, kind="recurring")
            from_m = self.from_before.search(text, max(0, cur.start - 20), cur.start) if cur.dated else None
            if from_m and cur.kind == "period":
                cur = replace(cur, start=from_m.start())      # "từ năm 2025 đến năm 2030"
            elif from_m:
                if not cell and not self.open_start_cue.search(text, max(0, from_m.start() - 40), from_m.start()):
                    continue            # "phát sinh từ ngày 01/7/2025": a start, not a deadline
                # "Từ 01/7/2025" and no end: open-ended, recurring from that day on
                cur = _Cand(from_m.start(), cur.end, "recurring", when=cur.when)
            out.append(cur)
        return out

    def _merge(self, text: str, cur: _Cand, nxt: _Cand, gap: str) -> Optional[_Cand]:
        # "Từ tháng 11/2025 đến khi kết thúc Tổng kiểm kê": from a date until an event
        if cur.dated and cur.until is None and nxt.kind == "conditional" and not gap.strip() \
                and self.until_event.match(text, nxt.start):
            from_m = self.from_before.search(text, max(0, cur.start - 20), cur.start)
            return _Cand(from_m.start() if from_m else cur.start, nxt.end, "conditional")
        # "Năm 2025 và những năm tiếp theo": open-ended, from that period on
        if cur.dated and nxt.kind == "continuation" and self.comma_gap.match(gap):
            return _Cand(cur.start, nxt.end, "recurring", when=cur.when)
        # "định kỳ, đột xuất", "định kỳ hoặc khi có yêu cầu", "Định kỳ hàng năm trước ngày 30/11"
        if cur.kind in ("recurring", "continuation") and self.joiner_gap.match(gap):
            if nxt.kind in ("recurring", "continuation", "conditional") or nxt.yearless:
                return _Cand(cur.start, nxt.end, "recurring", when=cur.when)
        # "Tháng 12 hằng năm", "trước ngày 15/6 hằng năm", "Từ tháng 3 đến tháng 11 hằng năm"
        if cur.yearless and nxt.kind == "recurring" and not gap.strip() \
                and self.every_re.match(text[nxt.start:nxt.end]):
            return _Cand(cur.start, nxt.end, "recurring")
        if cur.dated and nxt.dated and cur.until is None and nxt.until is None:
            # "từ tháng 10/2025 đến tháng 12/2025", "Tháng 3 - 11/2025"
            from_m = self.from_before.search(text, max(0, cur.start - 20), cur.start)
            to_join = (nxt.lead in self.to_words and not gap.strip()) or self.to_gap.match(gap)
            # "Tháng 10 đến tháng 12/2025": a start that borrows its year from the end needs no "từ"
            borrowed = cur.yearless and nxt.when is not None and nxt.when.year is not None
            if ((from_m or borrowed) and to_join) or self.dash_gap.match(gap):
                first, last = cur.when, nxt.when
                if first.year is None and last.year is not None:
                    first = first.with_year(last.year)
                start = from_m.start() if from_m and to_join else cur.start
                return _Cand(start, nxt.end, "period", when=first, until=last, lead=cur.lead)
        return None

    def _absorb_tail(self, text: str, end: int) -> int:
        """Take a following "(6 tháng và hàng năm)", "(khi có yêu cầu)" or "theo yêu cầu"."""
        rest = text[end:end + 120]
        m = self.paren.match(rest)
        if m and self.paren_cue.search(m.group(1)):
            return end + m.end()
        m = self.qualifier.match(rest)
        if m:
            return end + m.end()
        return end


_DIGIT = re.compile(r"\d")
_LINE_BREAK = re.compile(r"\n\s*")
_BULLETS = set("-+•*>#")


def _longest_non_overlapping(cands: list[_Cand]) -> list[_Cand]:
    """Greedy: longest first (then leftmost), skipping any that overlaps one already taken."""
    starts: list[int] = []          # chosen spans, sorted by start (they never overlap)
    chosen: list[_Cand] = []
    for cand in sorted(cands, key=lambda c: (-c.length(), c.start)):
        i = bisect.bisect_right(starts, cand.start)
        if i > 0 and chosen[i - 1].end > cand.start:
            continue
        if i < len(chosen) and chosen[i].start < cand.end:
            continue
        starts.insert(i, cand.start)
        chosen.insert(i, cand)
    return chosen


@lru_cache(maxsize=1)
def _grammar() -> _Grammar:
    with LEXICON_PATH.open(encoding="utf-8") as f:
        return _Grammar(yaml.safe_load(f))


# ---------------------------------------------------------------- candidates -> Deadline


def _iso(day: Optional[dt.date]) -> Optional[str]:
    return day.isoformat() if day else None


def _to_deadline(text: str, cand: _Cand, plan_year: Optional[int], raw_span: tuple[int, int]) -> Deadline:
    start, end = raw_span
    raw = text[start:end]
    span = Span(start=start, end=end)
    if cand.kind in ("recurring", "continuation"):
        when = cand.when.with_year(plan_year) if cand.when else None
        return Deadline(raw=raw, type="recurring", start=_iso(when.first() if when else None), span=span)
    if cand.kind == "conditional":
        return Deadline(raw=raw, type="conditional", span=span)
    when = cand.when.with_year(plan_year)
    if cand.kind == "period":
        if cand.until is None:   # "từ 01/7/2025": a start and no end
            return Deadline(raw=raw, type="period", start=_iso(when.first()), span=span)
        until = cand.until.with_year(plan_year)
        if when.year is None and until.year is not None:
            when = when.with_year(until.year)
        return Deadline(raw=raw, type="period", start=_iso(when.first()), due=_iso(until.last()), span=span)
    grammar = _grammar()
    exclusive = cand.before and grammar.before_exclusive and when.day is None
    due = when.before_start() if exclusive else when.last()
    return Deadline(raw=raw, type="date", due=_iso(due), span=span)


def find_deadlines(text: str, *, plan_date: Optional[dt.date] = None) -> list[Deadline]:
    """Every deadline expression in running text, in order, non-overlapping (longest wins).

    ``raw`` is the exact matched text and ``span`` its offsets into ``text``. Conditional clauses
    are found only after strong cues ("sau khi", "theo tiến độ", "khi có yêu cầu"); a bare year or
    day/month only after a lead-in word ("trước 15/6", "đến 2030").
    """
    if not text:
        return []
    plan_year = plan_date.year if plan_date else None
    return [_to_deadline(text, c, plan_year, (c.start, c.end)) for c in _grammar().candidates(text, cell=False)]


_EMPTY_CELLS = {"", "-", "--", "x", "—", "–", "/", "...", "…"}


def normalize_deadline(raw: str, *, plan_date: Optional[dt.date] = None) -> Optional[Deadline]:
    """The one deadline of a whole phrase (a "Thời gian hoàn thành" cell), or None.

    ``raw`` of the result is the phrase itself, stripped; ``span`` its offsets in ``raw``.
    Rules for a phrase with several expressions: the first one sets the type, so
    "Định kỳ hàng năm trước ngày 30/11" and "Hằng năm, 2025-2030" are recurring and
    "Sau khi ... (dự kiến quý III/2025)" is conditional; when the first is dated, ``due`` is the
    latest due among the dated ones ("Tháng 6/2025 (dự thảo), tháng 12/2025 (ban hành)").
    """
    if raw is None:
        return None
    stripped = raw.strip()
    if stripped.lower() in _EMPTY_CELLS:
        return None
    lo = len(raw) - len(raw.lstrip())
    hi = lo + len(stripped)
    grammar = _grammar()
    plan_year = plan_date.year if plan_date else None
    cands = grammar.candidates(raw, cell=True)
    cell_cue = grammar.cond_cell.match(raw)
    if cell_cue and (not cands or cands[0].start >= cell_cue.end() or cands[0].kind == "conditional"):
        weak = not grammar.cond_prose.match(raw, lo)     # a cell cue, not "sau khi"
        if weak and any(c.kind == "recurring" for c in cands):
            # "Theo kế hoạch công tác tư pháp hàng năm": the plan it follows comes every year
            return Deadline(raw=stripped, type="recurring", span=Span(start=lo, end=hi))
        return Deadline(raw=stripped, type="conditional", span=Span(start=lo, end=hi))
    if not cands:
        return None
    first = cands[0]
    if not first.dated:
        return _to_deadline(raw, first, plan_year, (lo, hi))
    dated = [_to_deadline(raw, c, plan_year, (lo, hi)) for c in cands if c.dated]
    best = dated[0]
    for d in dated[1:]:
        if d.due and not best.due and d.type == best.type:
            best = d                  # "tháng 11, 12/2025": the list's year is written at its end
        elif d.due and best.due and d.due > best.due and d.type == best.type:
            best = d
        elif d.due and best.due and d.due > best.due and best.type == "date" and d.type == "period":
            best = d
    return best


# ---------------------------------------------------------------- plan dates


@lru_cache(maxsize=1)
def _full_date_patterns() -> tuple[re.Pattern, ...]:
    D = r"(?P<d>0?[1-9]|[12]\d|3[01])"
    M = r"(?P<m>0?[1-9]|1[0-2])"
    Y = r"(?P<y>\d{4})"
    return (
        re.compile(rf"(?<!\w)ngày\s+{D}\s+tháng\s+{M}\s*,?\s*năm\s+{Y}(?!\d)", _FLAGS),
        re.compile(rf"{_NUM_BEFORE}{D}\s*[/.-]\s*{M}\s*[/.-]\s*{Y}(?!\d)"),
    )


def parse_vietnamese_date(text: str) -> Optional[dt.date]:
    """The first complete day-month-year date in ``text`` ("ngày 02 tháng 10 năm 2025",
    "02/10/2025", "02/10 /2025"); None when the day is blank ("Long Mỹ, ngày   tháng   năm 2025")."""
    if not text:
        return None
    best: Optional[tuple[int, dt.date]] = None
    for rx in _full_date_patterns():
        for m in rx.finditer(text):
            try:
                day = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                continue
            if best is None or m.start() < best[0]:
                best = (m.start(), day)
            break
    return best[1] if best else None
