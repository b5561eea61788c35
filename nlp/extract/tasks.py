"""Tasks: items of task sections, rows of task tables and assignments under TỔ CHỨC THỰC HIỆN,
each with its owner (lead), partners (support) and deadline."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import yaml

from nlp.extract.agencies import AgencyMatcher
from nlp.extract.deadlines import find_deadlines, normalize_deadline
from nlp.extract.roles import assign_roles, heading_agencies
from nlp.ingest.layout import RESOURCES
from nlp.schema import Deadline, Item, Section, SectionType, Span, StructuredDocument, Task
from nlp.structure import child_path


@lru_cache(maxsize=1)
def task_rules() -> dict:
    data = yaml.safe_load((RESOURCES / "tasks.yml").read_text(encoding="utf-8"))
    data["_openers"] = re.compile("^(?:" + "|".join(data["non_task_openers"]) + ")", re.IGNORECASE)
    data["_pointers"] = re.compile("|".join(data["non_task_contains"]), re.IGNORECASE)
    return data


def locate(raw: str, within: Span | None, text: str) -> Span | None:
    """Where ``raw`` sits inside ``within`` of the canonical text (items rebuilt from several
    lines or table cells are not plain slices of it)."""
    if within is None or not raw:
        return within
    found = text.find(raw, within.start, within.end)
    if found >= 0:
        return Span(start=found, end=found + len(raw))
    words = raw.split()
    if not words:
        return within
    # the raw text may run over the line breaks of a rebuilt row: any whitespace between words
    m = re.compile(r"\s+".join(map(re.escape, words))).search(text, within.start, within.end)
    return Span(start=m.start(), end=m.end()) if m else within


@dataclass
class TaskContext:
    matcher: AgencyMatcher
    text: str = ""
    plan_date: date | None = None
    tasks: list[Task] = field(default_factory=list)

    def add(self, **kwargs) -> Task:
        task = Task(id=f"t{len(self.tasks) + 1}", **kwargs)
        self.tasks.append(task)
        return task


def is_task_item(item: Item, section: Section, index: int) -> bool:
    text = _without_label(item)[0].strip()
    if len(text) < 12 or task_rules()["_openers"].match(text) or task_rules()["_pointers"].search(text):
        return False
    if text.endswith(":") and item.kind != "table_row":
        return False         # an introduction to the list that follows
    return True


def first_deadline(text: str, plan_date: date | None) -> Deadline | None:
    found = find_deadlines(text, plan_date=plan_date)
    return found[0] if found else None


_REPEAT = re.compile(r"\b(\w+(?: \w+)?) \1\b", re.IGNORECASE)


def collapse_repeats(text: str) -> str:
    """'đơn vị đơn vị liên quan' -> 'đơn vị liên quan' (a word typed twice in a draft)."""
    return _REPEAT.sub(r"\1", text)


def _cell(item: Item, role: str) -> tuple[str, Span | None]:
    if not item.roles or not item.cells:
        return "", None
    for i, r in enumerate(item.roles):
        if r == role and i < len(item.cells) and item.cells[i]:
            span = item.cell_spans[i] if item.cell_spans and i < len(item.cell_spans) else None
            return item.cells[i], span
    return "", None


def _row_task(item: Item, section: Section, ctx: TaskContext) -> None:
    text, span = _cell(item, "task")
    if not text:
        return
    lead_cell, _ = _cell(item, "lead")
    support_cell, _ = _cell(item, "support")
    deadline_cell, _ = _cell(item, "deadline")
    deadline = normalize_deadline(deadline_cell, plan_date=ctx.plan_date) if deadline_cell else None
    if deadline is not None:
        deadline.span = locate(deadline.raw, item.span, ctx.text)
    result, _ = _cell(item, "product")
    ctx.add(section=child_path(section, item.label) if item.label else section.path, text=text,
            lead=ctx.matcher.split_cell(collapse_repeats(lead_cell)) if lead_cell else [],
            support=ctx.matcher.split_cell(collapse_repeats(support_cell)) if support_cell else [],
            deadline=deadline, span=span or locate(text, item.span, ctx.text), page=item.page, result=result or None)


def _without_label(item: Item) -> tuple[str, Span]:
    """'1.1. Xây dựng ...' -> 'Xây dựng ...' with the span moved past the label."""
    if item.kind != "numbered" or not item.label:
        return item.text, item.span
    m = re.match(r"^\s*" + re.escape(item.label) + r"[.)]?\s*", item.text)
    if not m:
        return item.text, item.span
    return item.text[m.end():], Span(start=item.span.start + m.end(), end=item.span.end)


def _prose_task(item: Item, section: Section, ctx: TaskContext, owner: list[str], number: str | None = None) -> None:
    text, span = _without_label(item)
    roles = assign_roles(text, ctx.matcher, heading_agency=owner or None)
    label = item.label if item.kind == "numbered" else number
    path = child_path(section, label) if label else section.path
    deadline = first_deadline(text, ctx.plan_date)
    if deadline is not None:
        deadline.span = locate(deadline.raw, span, ctx.text)
    ctx.add(section=path, text=text, lead=list(roles.lead), support=list(roles.support),
            deadline=deadline, span=span, page=item.page)


def _section_owner(section: Section, inherited: list[str], ctx: TaskContext) -> list[str]:
    """Under TỔ CHỨC THỰC HIỆN a heading such as '5. Công an phường' names who owns its items."""
    if section.type != SectionType.ORGANISATION or not section.title:
        return inherited
    named = heading_agencies(section.title, ctx.matcher)
    return named or inherited


_LEARNED_TASK_THRESHOLD = 0.7     # LODO with the section type hidden: task precision 0.90, recall 0.77


def learned_task_items(doc: StructuredDocument) -> set[int]:
    """Items of untyped sections (headings the rules do not know) that the item-role
    classifier (models/item_roles) reads as tasks."""
    pending = [(item, section) for section in doc.walk() if section.type == SectionType.OTHER
               for item in section.items if item.kind != "table_row"]
    if not pending:
        return set()
    from nlp.extract.item_roles import default_classifier

    probs = default_classifier().predict_proba(pending)
    return {id(item) for (item, _), p in zip(pending, probs) if p.get("task", 0.0) >= _LEARNED_TASK_THRESHOLD}


def extract_tasks(doc: StructuredDocument, matcher: AgencyMatcher, plan_date: date | None = None) -> list[Task]:
    ctx = TaskContext(matcher=matcher, text=doc.text, plan_date=plan_date)
    wanted = {SectionType(t) for t in task_rules()["task_sections"]}
    learned = learned_task_items(doc)

    def visit(section: Section, owner: list[str]) -> None:
        owner = _section_owner(section, owner, ctx)
        list_owner: tuple[str, list[str]] | None = None     # "- Chỉ đạo Phòng X:" then "+ ..." items
        last_number: str | None = None                      # a paragraph after "2. ..." belongs to item 2
        for index, item in enumerate(section.items):
            if item.kind == "table_row":
                if item.roles and "task" in item.roles:
                    _row_task(item, section, ctx)
                continue
            if list_owner and item.label != list_owner[0]:
                list_owner = None
            if item.kind == "bullet" and item.text.rstrip().endswith(":"):
                named = heading_agencies(item.text, ctx.matcher)
                list_owner = ("+" if item.label != "+" else "-", named) if named else None
                continue
            if item.kind == "numbered":
                last_number = item.label
            elif item.kind != "paragraph":
                last_number = None
            if (section.type in wanted or id(item) in learned) and is_task_item(item, section, index):
                _prose_task(item, section, ctx, list_owner[1] if list_owner else owner, last_number)
        for child in section.children:
            visit(child, owner)

    for root in doc.sections:
        visit(root, [])
    return ctx.tasks
