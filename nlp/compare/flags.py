"""One small rule per flag type. Each takes the comparison Context and returns its Flags.

Here: coverage of the parent (groups, tasks, targets) and the like-with-like checks against it
(targets, deadlines). Plan-internal rules live in plan_rules, citation rules in citation_rules;
evidence and flag building in evidence.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from nlp.compare.applicability import binds_localities, expects_whole_parent
from nlp.compare.citation_rules import citation_error, unresolved_parent
from nlp.compare.config import settings, threshold
from nlp.compare.context import Context, ParentItem, narrower_base
from nlp.compare.evidence import (_fmt_date, _short, _source, _target_value, _text_at, best_parent_task, child_evidence,
                                  make_flag, nearest_candidates, parent_evidence)
from nlp.compare.parents import ParentPlan
from nlp.compare.plan_rules import duplicate_item, incomplete_tasks, internal_conflict, lead_is_partner, owner_conflict
from nlp.schema import Evidence, Extraction, Flag, Target, Task

# ---------------------------------------------------------------- coverage flags


def _child_task_words(ctx: Context) -> str:
    from nlp.compare.align import normalise_text

    return normalise_text(" ".join([t.text for t in ctx.child.tasks] + list(ctx.child_group_titles.values())))


def _group_cues(ctx: Context, gid: str) -> list[str]:
    return [cue for plan in ctx.parents if isinstance(plan, ParentPlan) for g in plan.groups if g.id == gid for cue in g.cues]


def missing_task_group(ctx: Context, coverage: dict) -> list[Flag]:
    """A task group of the parent that a plan carrying it out as a whole never speaks of: neither aligned
    nor named by any of the group's cue words anywhere in the plan's tasks and headings."""
    if not expects_whole_parent(ctx.profile):
        return []
    words = _child_task_words(ctx)
    flags = []
    for gid, info in coverage["task_groups"]["groups"].items():
        if info["covered"] or any(re.search(rf"(?<!\w){re.escape(cue)}(?!\w)", words) for cue in _group_cues(ctx, gid)):
            continue
        docs = ", ".join(ctx.parent_doc(p) for p in ctx.parents if any(pi.group == gid and pi.plan is p for pi in ctx.parent_tasks))
        title = info["title"] or gid
        flags.append(make_flag(
            "missing_task_group", f"Thiếu nhóm nhiệm vụ {gid} của văn bản cấp trên: {title} ({docs})",
            child_evidence(ctx, section=None, text=""),
            Evidence(doc=ctx.parents[0].doc_id if ctx.parents else "", section=gid, text=title), info["score"],
            candidates=_group_candidates(ctx, gid)))
    return flags


def _group_candidates(ctx: Context, gid: str):
    """The plan's tasks closest to any task of the parent's group ``gid``."""
    columns = [j for j, pi in enumerate(ctx.parent_tasks) if pi.group == gid]
    labels = [_short(_text_at(ctx.parent_tasks[j].plan, ctx.parent_tasks[j].item), 60) for j in columns]
    return nearest_candidates(ctx, ctx.child.tasks, ctx.task_sim[:, columns], "task", labels)


def missing_task(ctx: Context) -> list[Flag]:
    """A parent task addressed to this plan's level that no task of the plan aligns to."""
    flags = []
    for j in ctx.applicable_tasks:
        pi = ctx.parent_tasks[j]
        column = ctx.task_sim[:, j]
        best = float(column.max()) if column.size else 0.0
        if best >= threshold("task") or _named_in_plan(ctx, pi):
            continue
        deadline = f", thời hạn {pi.item.deadline.raw}" if pi.item.deadline else ""
        near = _child_group_for(ctx, pi.group)
        flags.append(make_flag(
            "missing_task", f"Thiếu nhiệm vụ cấp trên giao cho cấp {ctx.profile.level or 'địa phương'}: {_short(_text_at(pi.plan, pi.item), 80)} ({_source(pi, ctx)}{deadline})",
            child_evidence(ctx, section=near), parent_evidence(pi), best,
            candidates=nearest_candidates(ctx, ctx.child.tasks, ctx.task_sim[:, [j]], "task")))
    return flags


def _named_in_plan(ctx: Context, pi: ParentItem) -> bool:
    """The plan names the parent's duty in one of the row's cue phrases (data: applies_to.cues)."""
    from nlp.compare.align import normalise_text

    cues = (getattr(pi.item, "applies_to", None) or {}).get("cues", [])
    text = normalise_text(ctx.child.text or " ".join(t.text for t in ctx.child.tasks))
    return any(normalise_text(cue) in text for cue in cues)


def _child_group_for(ctx: Context, parent_group: str) -> Optional[str]:
    """The child's task group best aligned to a parent group (where the missing item belongs)."""
    if parent_group not in ctx.group_ids or not ctx.child_groups:
        return None
    col = ctx.group_sim[:, ctx.group_ids.index(parent_group)]
    return ctx.child_groups[int(col.argmax())] if col.max() >= threshold("group") else None


def missing_target(ctx: Context) -> list[Flag]:
    """One finding per plan: the parent targets addressed to its level that it does not set (or, when it
    sets no numeric target at all, that fact)."""
    missing: list[tuple[int, float]] = []
    for j in ctx.applicable_targets:
        column = ctx.target_sim[:, j]
        best = float(column.max()) if column.size else 0.0
        if best < threshold("target") and not _restated(ctx, ctx.parent_targets[j].item):
            missing.append((j, best))
    # The same indicator in two parents (57-NQ/TW and the programme implementing it): list it once,
    # citing the more specific (later) parent.
    kept: list[tuple[int, float]] = []
    for j, best in sorted(missing, key=lambda m: ctx.parents.index(ctx.parent_targets[m[0]].plan), reverse=True):
        if not any(_same_parent_target(ctx, j, k) for k, _ in kept):
            kept.append((j, best))
    if not kept:
        return []
    kept.sort()
    listed = "; ".join(f"{_short(ctx.parent_targets[j].item.indicator, 60)} {_target_value(ctx.parent_targets[j].item)} "
                       f"({_source(ctx.parent_targets[j], ctx)})" for j, _ in kept)
    level = ctx.profile.level or "địa phương"
    if not ctx.child.targets:
        message = f"Kế hoạch không đặt chỉ tiêu định lượng nào; văn bản cấp trên đặt {len(kept)} chỉ tiêu áp dụng cho cấp {level}: {listed}"
    else:
        message = f"Thiếu {len(kept)} chỉ tiêu của văn bản cấp trên áp dụng cho cấp {level}: {listed}"
    first = ctx.parent_targets[kept[0][0]]
    parent = Evidence(doc=first.plan.doc_id, section=", ".join(ctx.parent_targets[j].item.section for j, _ in kept),
                      text="; ".join(ctx.parent_targets[j].item.indicator for j, _ in kept))
    columns = [j for j, _ in kept]
    labels = [_short(ctx.parent_targets[j].item.indicator, 60) for j in columns]
    return [make_flag("missing_target", message, child_evidence(ctx, section=None), parent, max(b for _, b in kept),
                      candidates=nearest_candidates(ctx, ctx.child.targets, ctx.target_sim[:, columns], "target", labels))]


def _restated(ctx: Context, parent: Target) -> bool:
    """A child target names the parent's indicator in other words (compare.yml: indicator_equivalents)."""
    return any(_equivalent_indicators(child, parent) for child in ctx.child.targets)


def _same_parent_target(ctx: Context, a: int, b: int) -> bool:
    from nlp.compare.align import fitted_aligner

    ta, tb = ctx.parent_targets[a].item, ctx.parent_targets[b].item
    if ta.year != tb.year or ctx.parent_targets[a].plan is ctx.parent_targets[b].plan:
        return False
    sim = fitted_aligner((tb.indicator,)).score([ta.indicator])[0, 0]
    return sim >= threshold("target") and abs(ta.value - tb.value) < 1e-9


# ---------------------------------------------------------------- targets against the parent


def _bound(t: Target) -> float:
    return t.value


def _weakness(c: Target, p: Target) -> Optional[str]:
    """Why child target c is weaker than parent target p, or None."""
    lower_is_better = p.comparator in ("<=", "<")
    cb, pb = _bound(c), _bound(p)
    if lower_is_better:
        if cb > pb + 1e-9:
            return "value"
    else:
        if cb < pb - 1e-9:
            return "value"
        if abs(cb - pb) < 1e-9 and p.comparator == ">" and c.comparator in (">=", "=", "range"):
            return "comparator"
    if (phrase := narrower_base(c, p)):
        return f"base:{phrase}"
    return None


def _comparable_parents(ctx: Context, i: int) -> list[int]:
    """The parent targets child target i can be held to: those naming its indicator in other words
    (indicator_equivalents), else its best-aligned ones (within 0.05 of the best, above threshold)."""
    row = ctx.target_sim[i]
    if not row.size:
        return []
    child = ctx.child.targets[i]
    equivalent = [j for j in range(row.size) if _equivalent_indicators(child, ctx.parent_targets[j].item)]
    if equivalent:
        return equivalent
    best = float(row.max())
    return [j for j in range(row.size) if row[j] >= threshold("target") and row[j] >= best - 0.05]


def weaker_target(ctx: Context) -> list[Flag]:
    """A child target weaker than the parent target of the same indicator, base, unit and year."""
    by_child: dict[int, tuple[float, Flag]] = {}
    for i, c in enumerate(ctx.child.targets):
        for j in _comparable_parents(ctx, i):
            pi = ctx.parent_targets[j]
            p = pi.item
            # like with like: the same year (a target stating none is the plan's own horizon: compared,
            # with less confidence), the same unit and base
            if c.year not in (p.year, None) or not same_measure(c, p):
                continue
            reason = _weakness(c, p)
            if reason is None or (reason == "comparator" and _met_elsewhere(ctx, i, j)) or _met_by_equivalent(ctx, i):
                continue
            score = float(ctx.target_sim[i, j])
            factor = (1.0 if c.year == p.year else 0.8) * (1.0 if score >= 0.8 or _equivalent_indicators(c, p) else 0.75)
            flag = make_flag("weaker_target", _weaker_message(c, p, reason, pi, ctx), child_evidence(ctx, c), parent_evidence(pi), score,
                             confidence_factor=factor)
            if i not in by_child or score > by_child[i][0]:
                by_child[i] = (score, flag)
    return [by_child[i][1] for i in sorted(by_child)]


def _met_by_equivalent(ctx: Context, i: int) -> bool:
    """Child target i meets a parent target naming the same indicator in other words."""
    c = ctx.child.targets[i]
    return any(_equivalent_indicators(c, pi.item) and pi.item.year in (c.year, None) and _weakness(c, pi.item) is None
               for pi in ctx.parent_targets)


def _equivalent_indicators(a: Target, b: Target) -> bool:
    return bool(_equivalence_sets(a.indicator) & _equivalence_sets(b.indicator))


@lru_cache(maxsize=20_000)
def _equivalence_sets(indicator: str) -> frozenset[int]:
    """Which sets of compare.yml `indicator_equivalents` name this indicator (by index)."""
    from nlp.compare.align import normalise_text

    text = normalise_text(indicator)
    return frozenset(k for k, phrases in enumerate(settings().get("indicator_equivalents", []))
                     if any(normalise_text(p) in text for p in phrases))


def same_measure(c: Target, p: Target) -> bool:
    """Same kind of unit and, where both name one, the same base ("% tổng chi ngân sách" vs "% GDP")."""
    from nlp.compare.context import _unit_parts

    kind_c, base_c = _unit_parts(c.unit)
    kind_p, base_p = _unit_parts(p.unit)
    if kind_c != kind_p:
        return False
    return not (base_c and base_p and not (base_c in base_p or base_p in base_c))


def _met_elsewhere(ctx: Context, i: int, j: int) -> bool:
    """Child target i meets an aligned target of the same level and year in another parent
    (57-NQ/TW says "trên 80%", the programme implementing it "≥80%")."""
    p = ctx.parent_targets[j]
    for k, other in enumerate(ctx.parent_targets):
        if other.plan is p.plan or ctx.target_sim[i, k] < threshold("target"):
            continue
        if other.item.year == p.item.year and abs(other.item.value - p.item.value) < 1e-9 and _weakness(ctx.child.targets[i], other.item) is None:
            return True
    return False


def _weaker_message(c: Target, p: Target, reason: str, pi: ParentItem, ctx: Context) -> str:
    src = f"{_source(pi, ctx)}, năm {p.year}" if p.year else _source(pi, ctx)
    if reason == "year":
        return f"Chỉ tiêu yếu hơn văn bản cấp trên: {_target_value(c)} đến năm {c.year}, muộn hơn năm {p.year} ({_source(pi, ctx)})"
    if reason.startswith("base:"):
        return f"Chỉ tiêu yếu hơn văn bản cấp trên: cơ sở tính hẹp hơn ({reason[5:]}) so với {_target_value(p)} ({src})"
    sign = ">" if p.comparator in ("<=", "<") else "<"
    if reason == "comparator":
        return f"Chỉ tiêu yếu hơn văn bản cấp trên: {_target_value(c)} chưa đạt mức {_target_value(p)} ({src})"
    return f"Chỉ tiêu yếu hơn văn bản cấp trên: {_target_value(c)} {sign} {_target_value(p)} ({src})"


# ---------------------------------------------------------------- deadlines


def later_deadline(ctx: Context) -> list[Flag]:
    flags = []
    for i, task in enumerate(ctx.child.tasks):
        if not (task.deadline and task.deadline.due and task.deadline.type in ("date", "period")):
            continue
        j, score = best_parent_task(ctx, i)
        # the same deliverable only: a closer alignment than "on the same subject"
        if j is None or score < threshold("same_deliverable") or _year_from_citation(ctx, task):
            continue
        pi = ctx.parent_tasks[j]
        pd = pi.item.deadline
        # a ward is bound by the deadlines of tasks given to localities, not by a ministry's own deadline
        if not binds_localities(pi.item):
            continue
        if not (pd and pd.due and pd.type in ("date", "period")):
            continue
        if task.deadline.due > pd.due:
            flags.append(make_flag(
                "later_deadline",
                f"Thời hạn muộn hơn văn bản cấp trên: {task.deadline.raw} ({_fmt_date(task.deadline.due)}) > {pd.raw} ({_fmt_date(pd.due)}) ({_source(pi, ctx)})",
                child_evidence(ctx, task), parent_evidence(pi), score))
    return flags


def _year_from_citation(ctx: Context, task: Task) -> bool:
    """Is the task's deadline a year read from a document it cites ("Nghị quyết … năm 2025")?"""
    d = task.deadline
    if d is None or d.span is None:
        return False
    return any(abs(m.start - d.span.start) < 80 or abs(m.end - d.span.start) < 80 for r in ctx.child.references for m in r.mentions)


def plan_issue_floor(child: Extraction) -> tuple[Optional[str], str]:
    """The plan's issue date, or failing that the latest date of a document it cites (it came after)."""
    if child.document.issued:
        return child.document.issued, "ngày ban hành"
    dates = [r.date for r in child.references if r.date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", r.date)]
    if dates:
        return max(dates), "ngày của văn bản được dẫn mới nhất"
    return None, ""


_YEAR_WRITTEN = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)|\d{1,2}/\d{1,2}/\d{2}(?!\d)")


def stale_deadline(ctx: Context) -> list[Flag]:
    floor, basis = plan_issue_floor(ctx.child)
    # a plan's deadlines: in a decision listing procedures or a regulation, a year is a law's ("Luật Nhà ở
    # năm 2023") or a period's, not a due date the document sets
    if not floor or not ctx.child.document.is_plan:
        return []
    flags = []
    for task in ctx.child.tasks:
        d = task.deadline
        # a month or quarter without its year ("Tháng 3") was given a year by the reader: the plan may
        # mean next year's, so only a deadline whose year is written can be said to have passed
        if d and d.due and d.type in ("date", "period") and d.due < floor and _YEAR_WRITTEN.search(d.raw or ""):
            flags.append(make_flag(
                "stale_deadline",
                f"Thời hạn đã qua trước khi ban hành kế hoạch: {d.raw} ({_fmt_date(d.due)}) trước {basis} {_fmt_date(floor)}",
                child_evidence(ctx, task)))
    return flags


RULES_WITH_CONTEXT = [
    missing_task, missing_target, weaker_target, later_deadline, incomplete_tasks, owner_conflict, lead_is_partner,
    citation_error, internal_conflict, duplicate_item, stale_deadline, unresolved_parent,
]
