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
from nlp.extract.duty_verbs import duty_after_subject
from nlp.extract.roles import assign_roles, heading_agencies, owner_phrase_roles
from nlp.ingest.layout import RESOURCES
from nlp.schema import Deadline, Item, Section, SectionType, Span, StructuredDocument, Task
from nlp.structure import child_path
from nlp.structure.records import is_record, record_makes_task


@lru_cache(maxsize=1)
def task_rules() -> dict:
    data = yaml.safe_load((RESOURCES / "tasks.yml").read_text(encoding="utf-8"))
    data["_openers"] = re.compile("^(?:" + "|".join(data["non_task_openers"]) + ")", re.IGNORECASE)
    data["_pointers"] = re.compile("|".join(data["non_task_contains"]), re.IGNORECASE)
    data["_breakdown"] = re.compile(r"[.;]\s+(?:" + "|".join(data["breakdown_closers"]) + r")\s*:$", re.IGNORECASE)
    data["_due_cue"] = re.compile("(?:" + "|".join(data["due_cues"]) + r")(?!\w)", re.IGNORECASE)
    data["_task_list"] = re.compile("(?:" + "|".join(data["task_list_lead_ins"]) + r")\s*:\s*$", re.IGNORECASE)
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
    if text.endswith(":") and item.kind != "table_row" and not task_rules()["_breakdown"].search(text):
        return False         # an introduction to the list that follows
    return True


def first_deadline(text: str, plan_date: date | None) -> Deadline | None:
    """The task's deadline: the first one a time cue introduces ("trước ngày 16/12/2025") when the
    sentence also names a year inside its object ("báo cáo công tác năm 2025 … trước ngày …")."""
    found = find_deadlines(text, plan_date=plan_date)
    cued = [d for d in found if task_rules()["_due_cue"].match(d.raw)]
    return (cued or found or [None])[0]


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


def _record_task(item: Item, section: Section, ctx: TaskContext, owner: list[str], number: str | None) -> None:
    """An instruction with its attribute lines folded in (nlp/structure/records.py)."""
    text, span = _without_label(item)
    lead_cell, _ = _cell(item, "lead")
    support_cell, _ = _cell(item, "support")
    if lead_cell:
        lead, support = owner_phrase_roles(collapse_repeats(lead_cell), ctx.matcher)
    else:
        roles = assign_roles(text, ctx.matcher, heading_agency=owner or None)
        lead, support = list(roles.lead), list(roles.support)
    if support_cell:
        support = list(dict.fromkeys(support + ctx.matcher.split_cell(collapse_repeats(support_cell))))
    deadline_cell, deadline_span = _cell(item, "deadline")
    if deadline_cell:
        deadline = normalize_deadline(deadline_cell, plan_date=ctx.plan_date)
        if deadline is not None:
            deadline.span = locate(deadline.raw, deadline_span, ctx.text)
    else:
        deadline = first_deadline(text, ctx.plan_date)
        if deadline is not None:
            deadline.span = locate(deadline.raw, span, ctx.text)
    result, _ = _cell(item, "product")
    label = item.label if item.kind == "numbered" else number
    ctx.add(section=child_path(section, label) if label else section.path, text=text, lead=lead,
            support=[s for s in support if s not in lead], deadline=deadline, span=span, page=item.page,
            result=result or None)


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
    """A heading such as '5. Công an phường' or '1.5. Trách nhiệm của đối tượng kiểm kê' names who owns
    its items (SCHEMA.md: owners written above their duties), in any part of the plan."""
    if not section.title or section.type in (SectionType.FRONT_MATTER, SectionType.PURPOSE, SectionType.OBJECTIVES):
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


def assigns_named_agency(text: str, matcher: AgencyMatcher) -> bool:
    """"Sở Nội vụ phối hợp với … báo cáo …", "Căn cứ Kế hoạch này, các phòng … xây dựng kế hoạch":
    a sentence whose subject is a named agency and whose verb is a duty assigns a task (SCHEMA.md:
    an assignment to a named agency), whatever the heading above it."""
    titled = re.match(r"^[^:]{3,60}:\s+", text)       # "Khen thưởng cấp Nhà nước: Sở Nội vụ phối hợp …"
    for body in (text, text[titled.end():]) if titled else (text,):
        roles = assign_roles(body, matcher)
        if roles.lead_spans and duty_after_subject().match(body, roles.lead_spans[-1].end):
            return True
    return False


@dataclass(frozen=True)
class ListLeadIn:
    """A line ending with ':' that introduces the list after it: "- Chỉ đạo Phòng X:" (its "+" items),
    or "Căn cứ tình hình thực tế, các cơ quan, đơn vị phối hợp thực hiện các hoạt động sau:" (its
    bullets, tasks wherever the plan writes them, owned by the agencies the lead-in names)."""
    child_label: str | None       # the bullet glyph of the list; None: the next item's
    owner: list[str]
    makes_tasks: bool = False


def list_lead_in(item: Item, next_item: Item | None, matcher: AgencyMatcher) -> ListLeadIn | None:
    if item.kind == "table_row" or not item.text.rstrip().endswith(":"):
        return None
    if item.kind == "bullet":
        named = heading_agencies(item.text, matcher)
        return ListLeadIn("+" if item.label != "+" else "-", named) if named else None
    if next_item is None or next_item.kind != "bullet":
        return None
    announces = bool(task_rules()["_task_list"].search(item.text))
    owner = heading_agencies(item.text, matcher) or list(assign_roles(item.text, matcher).lead)
    return ListLeadIn(next_item.label, owner, makes_tasks=announces) if owner or announces else None


_TIME_FRAME_TITLE = re.compile(r"^thời gian(?: thực hiện| tổ chức)?\s*:?\s*(?P<value>.*)$", re.IGNORECASE)


def _part_time_frame(section: Section, ctx: TaskContext) -> Deadline | None:
    """The time of one part of a plan ("2. Tháng hành động" / "b) Thời gian: Từ ngày 15/11/2025 đến ngày
    15/12/2025" / "d) Các hoạt động chính"), which its activities take when they state none. The plan's
    own time frame (a top-level part, "III. THỜI GIAN THỰC HIỆN") is not carried down to each task."""
    if "." not in (section.path or ""):
        return None
    for child in section.children:
        m = _TIME_FRAME_TITLE.match((child.title or "").strip())
        if not m:
            continue
        value = m["value"] or " ".join(it.text for it in child.items[:1])
        found = find_deadlines(value, plan_date=ctx.plan_date)
        if len(found) != 1:
            return None
        found[0].span = locate(found[0].raw, child.span, ctx.text)
        return found[0]
    return None


def extract_tasks(doc: StructuredDocument, matcher: AgencyMatcher, plan_date: date | None = None) -> list[Task]:
    ctx = TaskContext(matcher=matcher, text=doc.text, plan_date=plan_date)
    wanted = {SectionType(t) for t in task_rules()["task_sections"]}
    never = {SectionType(t) for t in task_rules()["never_task_sections"]}
    assignable = {SectionType(t) for t in task_rules()["assignment_sections"]}
    learned = learned_task_items(doc)

    def visit(section: Section, owner: list[str]) -> None:
        owner = _section_owner(section, owner, ctx)
        lead_in: ListLeadIn | None = None
        last_number: str | None = None                      # a paragraph after "2. ..." belongs to item 2
        subject_owner: list[str] = []                        # the bodies a numbered duty opens with
        for index, item in enumerate(section.items):
            if item.kind == "table_row":
                if item.roles and "task" in item.roles:
                    _row_task(item, section, ctx)
                continue
            if lead_in and item.label != lead_in.child_label:
                lead_in = None
            announced = list_lead_in(item, section.items[index + 1] if index + 1 < len(section.items) else None,
                                     ctx.matcher)
            if announced:
                lead_in = announced
                continue
            if item.kind == "numbered":
                last_number, subject_owner = item.label, []
            elif item.kind != "paragraph":
                last_number = None
            item_owner = lead_in.owner if lead_in and lead_in.owner else owner
            if item.kind == "bullet" and subject_owner and not (lead_in and lead_in.owner):
                item_owner = subject_owner
            in_task_region = section.type in wanted or id(item) in learned or (section.type not in never and (
                bool(lead_in and lead_in.makes_tasks) or
                (section.type in assignable and assigns_named_agency(_without_label(item)[0], ctx.matcher))))
            if is_record(item):
                if (record_makes_task(item, section) or in_task_region) and is_task_item(item, section, index):
                    _record_task(item, section, ctx, item_owner, last_number)
                continue
            if in_task_region and is_task_item(item, section, index):
                before = len(ctx.tasks)
                _prose_task(item, section, ctx, item_owner, last_number)
                if item.kind == "numbered" and len(ctx.tasks) > before and ctx.tasks[-1].lead != item_owner:
                    # "1. Các cơ quan, đơn vị … xây dựng kế hoạch …" then "- Giới thiệu điển hình …", "- Khen
                    # thưởng …": the bullets carry on the numbered duty's subject (556b2fb4 IV.1)
                    subject_owner = list(ctx.tasks[-1].lead)
        first_task = len(ctx.tasks)
        for child in section.children:
            visit(child, owner)
        frame = _part_time_frame(section, ctx)
        for task in ctx.tasks[first_task:] if frame else []:
            if task.deadline is None:
                task.deadline = frame.model_copy(deep=True)

    for root in doc.sections:
        visit(root, [])
    return _in_reading_order(ctx.tasks)


def _in_reading_order(tasks: list[Task]) -> list[Task]:
    """Tasks in the order the plan writes them: an item written after a child section ('3. …' after
    the heading '2. …') is kept by its parent, whose items the walk visits before its children."""
    if any(t.span is None for t in tasks):
        return tasks
    ordered = sorted(tasks, key=lambda t: t.span.start)
    for number, task in enumerate(ordered, 1):
        task.id = f"t{number}"
    return ordered
