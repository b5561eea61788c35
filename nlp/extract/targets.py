"""Numeric targets: indicator tables (one target per year column with a value) and target
statements in prose ("Có ≥ 70% hồ sơ ... được số hóa", "tối thiểu 1,0% tổng chi ngân sách")."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from nlp.extract.agencies import AgencyMatcher
from nlp.extract import quantities
from nlp.extract.quantities import Quantity, find_quantities, normalize_unit, parse_quantity
from nlp.extract.tasks import locate, task_rules
from nlp.structure import child_path
from nlp.schema import Item, Section, SectionType, Span, StructuredDocument, Target

_SPLIT_VALUES = re.compile(r";\s*(?=[≥≤><]|\d|có|đạt|phấn)", re.IGNORECASE)


@dataclass
class TargetContext:
    matcher: AgencyMatcher
    text: str = ""
    plan_year: int | None = None        # "năm 2024 đạt 45%" in a plan of 2025 is a baseline
    targets: list[Target] = field(default_factory=list)

    def add(self, q: Quantity, *, indicator: str, section: str, year: int | None, unit: str = "",
            lead: list[str] | None = None, span: Span | None = None, page: int | None = None) -> None:
        self.targets.append(Target(
            id=f"g{len(self.targets) + 1}", section=section, indicator=indicator.strip(" .;:-–"),
            comparator=q.comparator, value=q.value, value_max=q.value_max,
            unit=normalize_unit(unit or q.unit, indicator, q.value), year=year, lead=lead or [], raw=q.raw,
            span=span, page=page))


def section_year(title: str) -> int | None:
    m = re.search(task_rules()["section_year"], title or "", re.IGNORECASE)
    if not m:
        return None
    return int(m.group(2) or m.group(1))


def sentence_year(text: str) -> int | None:
    m = re.search(task_rules()["sentence_year"], text, re.IGNORECASE)
    return int(m.group(2) or m.group(1)) if m else None


_YEAR_RIGHT_AFTER = 24      # characters: "50% vào năm 2025"


def year_of_figure(text: str, clause: tuple[int, int], q: Quantity) -> int | None:
    """The year a figure of a clause holds by: written right after it ("đạt 50% vào năm 2025"), else
    the nearest before it ("năm 2024 đạt 40%, phấn đấu năm 2026 đạt 80%"), else the clause's first."""
    rule = re.compile(task_rules()["sentence_year"], re.IGNORECASE)
    after = rule.match(text[q.end:min(clause[1], q.end + _YEAR_RIGHT_AFTER)].lstrip())   # not past a comma
    if after:
        return int(after.group(2) or after.group(1))
    before = list(rule.finditer(text, clause[0], q.start))
    if before:
        return int(before[-1].group(2) or before[-1].group(1))
    return sentence_year(text[clause[0]:clause[1]])


def deadline_year(cell: str) -> int | None:
    """A task row's target holds by its deadline's year ('Tháng 12/2025' -> 2025; 'Thường xuyên' -> None)."""
    if not cell:
        return None
    from nlp.extract.deadlines import normalize_deadline

    deadline = normalize_deadline(cell)
    return int(deadline.due[:4]) if deadline and deadline.type == "date" and deadline.due else None


def _cells_by_role(item: Item) -> dict[str, str]:
    out: dict[str, str] = {}
    for role, cell in zip(item.roles or [], item.cells or []):
        if cell and role not in out:
            out[role] = cell
    return out


def _row_targets(item: Item, section: Section, year: int | None, ctx: TargetContext) -> None:
    cells = _cells_by_role(item)
    indicator = cells.get("indicator") or cells.get("task") or ""
    if not indicator:
        return
    lead = ctx.matcher.split_cell(cells["lead"]) if cells.get("lead") else []
    path = child_path(section, item.label) if item.label else section.path
    unit_cell = cells.get("unit", "")
    year_columns = [(r, c) for r, c in zip(item.roles or [], item.cells or []) if r.startswith("year:")]
    if year_columns:
        for role, cell in year_columns:
            q = parse_quantity(cell, default_unit=unit_cell or None) if cell else None
            if q is not None:
                ctx.add(q, indicator=indicator, section=path, year=int(role.split(":")[1]), unit=unit_cell,
                        lead=lead, span=locate(q.raw, item.span, ctx.text), page=item.page)
        return
    value = cells.get("value", "")
    for part in _SPLIT_VALUES.split(value) if value else []:
        q = parse_quantity(part, default_unit=unit_cell or None)
        if q is not None:
            ctx.add(q, indicator=indicator, section=path, year=year or sentence_year(indicator), unit=unit_cell,
                    lead=lead, span=locate(q.raw, item.span, ctx.text), page=item.page)


_CLAUSE_END = re.compile(r"[.;]\s|[.;]$")
_WINDOW_BEFORE, _WINDOW_AFTER = 14, 12


def clause_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause (between '.'/';') that holds text[start:end]."""
    left = max((m.end() for m in _CLAUSE_END.finditer(text, 0, start)), default=0)
    right = next((m.start() for m in _CLAUSE_END.finditer(text, end)), len(text))
    return left, right


def indicator_text(text: str, q: Quantity) -> str:
    """What the number measures: its clause without the number, cut to a window of words."""
    left, right = clause_around(text, q.start, q.end)
    before = text[left:q.start].split()[-_WINDOW_BEFORE:]
    after = text[q.end:right].split()[:_WINDOW_AFTER]
    words = before + after
    while words and re.fullmatch(r"(\d+(\.\d+)*\.?|[-+•]|có|đạt|phấn|đấu|đảm|bảo)", words[0], re.IGNORECASE):
        words.pop(0)
    return " ".join(words)


_REACHES = re.compile(r"\b(đạt|là|bằng)\s*$", re.IGNORECASE)


def _target_quantities(text: str, *, objectives: bool) -> list[Quantity]:
    """Target-like figures; under MỤC TIÊU a bare number after 'đạt' counts too ('Chỉ số ... đạt 1,0')."""
    if not objectives:
        return find_quantities(text, min_score=quantities.min_score("anywhere"))
    least = quantities.min_score("objectives")      # "58 trạm quan trắc" counts here
    return [q for q in find_quantities(text, min_score=0.3)
            if q.score >= least or _REACHES.search(text[max(0, q.start - 8):q.start])]


def _prose_targets(text: str, span: Span, section: Section, year: int | None, ctx: TargetContext,
                   page: int | None = None, lead: list[str] | None = None) -> None:
    kept_clauses: dict[tuple[int, int], str] = {}
    for q in _target_quantities(text, objectives=section.type == SectionType.OBJECTIVES):
        clause = clause_around(text, q.start, q.end)
        if quantities.is_baseline(text, q, clause[0]):
            continue       # "Hiện trạng ... chiếm 34,86%": where things stand
        written_year = year_of_figure(text, clause, q)
        if written_year is not None and ctx.plan_year is not None and written_year < ctx.plan_year:
            continue       # "Năm 2024 tỷ lệ ... đạt 40%" in a plan of 2026: where things stood
        if clause in kept_clauses and kept_clauses[clause] != q.unit:
            continue       # "≥ 70% cơ sở ... đạt mức 2": the clause's first figure is the target
        kept_clauses.setdefault(clause, q.unit)
        ctx.add(q, indicator=indicator_text(text, q), section=section.path,
                year=year if year is not None else written_year, lead=lead,
                span=locate(q.raw, span, ctx.text), page=page)


# Where a table of indicators without a value column is a table of targets (elsewhere, e.g. in a
# cost estimate, "50 người", "02 lớp" in its rows are quantities of the estimate).
_INDICATOR_SECTIONS = {SectionType.OBJECTIVES, SectionType.APPENDIX_TARGETS}


def _indicator_cell_targets(item: Item, section: Section, year: int | None, ctx: TargetContext) -> None:
    """A table with no value column writes the value inside the indicator cell ("Tỷ lệ hồ sơ
    được số hóa đạt 100%"): read the cell as a target statement, with the row's lead."""
    cells = _cells_by_role(item)
    lead = ctx.matcher.split_cell(cells["lead"]) if cells.get("lead") else []
    _prose_targets(cells["indicator"], item.span, section, year, ctx, item.page, lead=lead)


def extract_targets(doc: StructuredDocument, matcher: AgencyMatcher, *, plan_date: date | None = None) -> list[Target]:
    ctx = TargetContext(matcher=matcher, text=doc.text, plan_year=plan_date.year if plan_date else None)
    wanted = {SectionType(t) for t in task_rules()["target_sections"]}

    quotas = re.compile(task_rules()["quota_section_titles"], re.IGNORECASE)

    def visit(section: Section, year: int | None) -> None:
        if quotas.search(section.title or ""):
            return
        year = section_year(section.title) or year
        for item in section.items:
            if item.kind == "table_row":
                if item.roles and any(r.startswith("year:") or r == "value" for r in item.roles):
                    _row_targets(item, section, year, ctx)
                elif item.roles and "task" in item.roles:
                    cells = _cells_by_role(item)
                    _prose_targets(cells.get("task", ""), item.span, section, deadline_year(cells.get("deadline", "")),
                                   ctx, item.page)
                elif item.roles and "indicator" in item.roles and section.type in _INDICATOR_SECTIONS:
                    _indicator_cell_targets(item, section, year, ctx)
                continue
            if section.type in wanted:
                _prose_targets(item.text, item.span, section, year if section.type == SectionType.OBJECTIVES else None,
                               ctx, item.page)
        for child in section.children:
            visit(child, year)

    for root in doc.sections:
        if root.type in (SectionType.FRONT_MATTER, SectionType.RECIPIENTS, SectionType.SIGNATURE):
            continue
        visit(root, None)
    return ctx.targets
