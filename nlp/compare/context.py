"""Everything the flag rules need, computed once per comparison: the parents' items flattened,
similarity matrices child x parent (tasks, targets, groups) and child x child."""
from __future__ import annotations

from functools import lru_cache

import re
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from nlp.compare.align import fitted_aligner, normalise_text, self_similarity
from nlp.compare.applicability import applies, expects_whole_parent, profile_of
from nlp.compare.config import settings, threshold
from nlp.compare.parents import ParentGroup, ParentPlan, group_of_section, parent_group_of, parent_groups
from nlp.schema import Extraction, PlanProfile, Reference, Target, Task


@dataclass
class ParentItem:
    plan: Extraction
    item: object            # Task | Target
    group: str = ""


@dataclass
class Context:
    child: Extraction
    parents: list[Extraction]
    unresolved: list[Reference]
    parent_tasks: list[ParentItem] = field(default_factory=list)
    parent_targets: list[ParentItem] = field(default_factory=list)
    task_sim: np.ndarray = None          # child tasks x parent tasks
    target_sim: np.ndarray = None        # child targets x parent targets (0 where units are incompatible)
    child_task_sim: np.ndarray = None    # child tasks x child tasks
    child_target_sim: np.ndarray = None  # child targets x child targets (indicators)
    group_ids: list[str] = field(default_factory=list)           # parent groups I..VII
    group_titles: dict[str, str] = field(default_factory=dict)
    child_groups: list[str] = field(default_factory=list)       # child task-group keys in order
    group_sim: np.ndarray = None         # child groups x parent groups
    child_group_titles: dict[str, str] = field(default_factory=dict)
    profile: PlanProfile = None
    applicable_tasks: list[int] = field(default_factory=list)     # parent tasks this plan must carry
    applicable_targets: list[int] = field(default_factory=list)   # parent targets this plan must carry

    def parent_doc(self, plan: Extraction) -> str:
        return plan.document.number or plan.doc_id


def build_context(child: Extraction, parents: list[Extraction], unresolved: list[Reference]) -> Context:
    ctx = Context(child=child, parents=parents, unresolved=list(unresolved))
    ctx.parent_tasks = [ParentItem(p, t, parent_group_of(p, t)) for p in parents for t in p.tasks]
    ctx.parent_targets = [ParentItem(p, g, getattr(g, "group", "")) for p in parents for g in p.targets]

    ctx.task_sim = task_similarity(child.tasks, [pi.item for pi in ctx.parent_tasks])
    ctx.child_task_sim = self_similarity([t.text for t in child.tasks])
    ctx.target_sim = target_similarity(child.targets, [pi.item for pi in ctx.parent_targets])
    ctx.child_target_sim = self_similarity([target_text(t) for t in child.targets])

    _build_groups(ctx)
    ctx.profile = profile_of(child)
    if expects_whole_parent(ctx.profile):
        ctx.applicable_tasks = [j for j, pi in enumerate(ctx.parent_tasks) if applies(pi.item, ctx.profile.level)]
        ctx.applicable_targets = [j for j, pi in enumerate(ctx.parent_targets) if applies(pi.item, ctx.profile.level)]
    return ctx


def task_similarity(child_tasks: list[Task], parent_tasks: list[Task]) -> np.ndarray:
    """Child x parent task similarity (the aligner fitted on the parents' task texts)."""
    return fitted_aligner(tuple(t.text for t in parent_tasks)).score([t.text for t in child_tasks])


def target_similarity(child_targets: list[Target], parent_targets: list[Target]) -> np.ndarray:
    """Child x parent indicator similarity, 0 where the units cannot measure the same thing."""
    sim = fitted_aligner(tuple(target_text(t) for t in parent_targets)).score([target_text(t) for t in child_targets])
    for i, ct in enumerate(child_targets):
        for j, pt in enumerate(parent_targets):
            if not units_compatible(ct, pt):
                sim[i, j] = 0.0
    return sim


def _build_groups(ctx: Context) -> None:
    texts: dict[str, list[str]] = {}
    headings: dict[str, list[str]] = {}
    for plan in ctx.parents:
        for gid, title in parent_groups(plan).items():
            ctx.group_titles.setdefault(gid, title)
            texts.setdefault(gid, []).append(title)
            headings.setdefault(gid, []).append(title)
        if isinstance(plan, ParentPlan):
            for g in plan.groups:
                words = " ".join(k.replace("_", " ") for k in g.keywords)
                texts.setdefault(g.id, []).append(words)
                headings.setdefault(g.id, []).append(words)
    for pi in ctx.parent_tasks:
        texts.setdefault(pi.group, []).append(pi.item.text)
    ctx.group_ids = sorted(texts, key=_group_order)
    child_texts: dict[str, list[str]] = {}
    for task in ctx.child.tasks:
        child_texts.setdefault(group_of_section(task.section), []).append(task.text)
    ctx.child_groups = list(child_texts)
    titles = child_group_titles(ctx.child)
    ctx.child_group_titles = titles
    content = fitted_aligner(tuple(" ".join(texts[g]) for g in ctx.group_ids)).score(
        [" ".join(child_texts[g]) for g in ctx.child_groups])
    # a group's own heading says what it is about better than its tasks: where the child's heading
    # is known, the score is the mean of heading-to-heading and content similarity
    heading = fitted_aligner(tuple(" ".join(headings.get(g, [])) or g for g in ctx.group_ids)).score(
        [titles.get(g, "") for g in ctx.child_groups])
    has_title = np.array([[1.0] if titles.get(g) else [0.0] for g in ctx.child_groups]).reshape(-1, 1) if ctx.child_groups else np.zeros((0, 1))
    ctx.group_sim = has_title * (0.5 * heading + 0.5 * content) + (1 - has_title) * content


def child_group_titles(child: Extraction) -> dict[str, str]:
    """Heading of each child task group ('II.4' -> '4. Phát triển, trọng dụng nhân lực ...'), read from
    the text just before the group's first task (the extraction keeps sections as paths only)."""
    if not child.text:
        return {}
    first: dict[str, int] = {}
    for task in child.tasks:
        key = group_of_section(task.section)
        if task.span is not None and (key not in first or task.span.start < first[key]):
            first[key] = task.span.start
    titles = {}
    for key, start in first.items():
        label = key.split(".")[-1]
        window = child.text[max(0, start - 3000):start]
        # "4. Phát triển ..." but not "4.1. ..." (a task's own number)
        pattern = re.compile(rf"^[ \t#*>|-]*{re.escape(label)}\s*[.)/:-](?!\s*\d)\s*\**\s*([^\W\d_][^\n]*)$", re.M)
        matches = list(pattern.finditer(window))
        if matches:
            # headings wrap over lines in PDF text: keep reading until the next numbered item or bullet
            rest = window[matches[-1].start(1):matches[-1].start(1) + 300]
            rest = re.split(r"\n\s*(?:\d+(?:\.\d+)*\s*[.)]|[-+•*]\s)", rest)[0]
            titles[key] = re.sub(r"\s+", " ", rest).strip(" *")
    return titles


def _group_order(gid: str):
    roman = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
    return (roman.index(gid), "") if gid in roman else (99, gid)


# ---------------------------------------------------------------- targets: text and units


def target_text(target: Target) -> str:
    return f"{target.indicator} {target.unit}".strip()


@lru_cache(maxsize=4096)
def _unit_parts(unit: str) -> tuple[str, str]:
    """(kind, base): '% tổng chi NSNN' -> ('%', 'tổng chi ngân sách'); 'Thứ bậc' -> ('thứ hạng', '')."""
    text = normalise_text(unit)
    for old, new in settings()["units"]["synonyms"].items():
        text = text.replace(old, new)
    if text.startswith("%/") or text.startswith("% /"):
        return "%/năm", ""
    if text.startswith("%"):
        return "%", text[1:].strip()
    return text, ""


def units_compatible(a: Target, b: Target) -> bool:
    kind_a, base_a = _unit_parts(a.unit)
    kind_b, base_b = _unit_parts(b.unit)
    if kind_a and kind_b and kind_a != kind_b:
        return False
    if base_a and base_b and not (base_a in base_b or base_b in base_a):
        return False
    return True


def narrower_base(child: Target, parent: Target) -> Optional[str]:
    """The narrowing qualifier the child's base has and the parent's has not ('chi sự nghiệp')."""
    child_text = normalise_text(f"{child.indicator} {child.unit}")
    parent_text = normalise_text(f"{parent.indicator} {parent.unit}")
    for phrase in settings()["units"]["narrower_bases"]:
        if phrase in child_text and phrase not in parent_text:
            return phrase
    return None


# ---------------------------------------------------------------- tasks: frequencies, parts


def duty_frequency(task: Task) -> Optional[str]:
    """'tháng' | 'quý' | '6 tháng' | 'năm' ... from the deadline, else from the text when it names only one."""
    for source in ((task.deadline.raw if task.deadline else ""), task.text):
        found = []
        low = normalise_text(source)
        for entry in settings()["frequencies"]:
            if re.search(entry["pattern"], low):
                found.append(entry["key"])
                low = re.sub(entry["pattern"], " ", low)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            return None
    return None


def document_part(section: str) -> str:
    """'PL3' for appendix sections, 'body' for the plan's own text."""
    head = (section or "").split(".")[0]
    return head if re.fullmatch(r"PL\d*", head) else "body"


def item_threshold(name: str) -> float:
    return threshold(name)
