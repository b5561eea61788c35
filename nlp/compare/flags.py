"""One small rule per flag type. Each takes the comparison Context and returns its Flags.

Evidence conventions: ``child`` is the item of the plan under review; ``parent`` is the parent's item,
or, for the plan-internal flags (duplicate_item, internal_conflict), the other item of the same plan.
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Optional

from nlp.compare.applicability import binds_localities, expects_whole_parent
from nlp.compare.citations import expected_org, org_matches, parse_number
from nlp.compare.config import settings, threshold
from nlp.compare.context import Context, ParentItem, document_part, duty_frequency, narrower_base
from nlp.compare.ids import fingerprint
from nlp.compare.parents import ParentPlan, ParentTask, group_of_section
from nlp.compare.records import dated_by_its_horizon, is_organisation_part, owners_assigned_elsewhere
from nlp.compare.specs import graded, spec
from nlp.schema import Evidence, Extraction, Flag, Reference, Span, Target, Task

# ---------------------------------------------------------------- helpers


def _short(text: str, limit: int = 90) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fmt_date(iso: Optional[str]) -> str:
    if not iso:
        return "?"
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


def _num(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def _target_value(t: Target) -> str:
    unit = f" {t.unit}" if t.unit and not t.unit.startswith("%") else (t.unit or "")
    if t.comparator == "range" and t.value_max is not None:
        return f"{_num(t.value)}-{_num(t.value_max)}{unit}"
    comp = {">=": "≥", "<=": "≤", "=": "", ">": ">", "<": "<"}[t.comparator]
    return f"{comp}{_num(t.value)}{unit}"


def _source(pi: ParentItem, ctx: Context) -> str:
    """'NQ 03/NQ-CP, PL2 dòng 73' / 'NQ 57-NQ/TW'."""
    doc = ctx.parent_doc(pi.plan)
    kind = "NQ" if "NQ" in doc.upper() else (pi.plan.document.kind or "VB")
    src = getattr(pi.item, "source", {}) or {}
    where = f", {src['appendix']} dòng {src['row']}" if src.get("appendix") and src.get("row") else ""
    if not where and getattr(pi.item, "section", None):
        where = f", mục {pi.item.section}"
    return f"{kind} {doc}{where}"


def _text_at(ext: Extraction, item) -> str:
    span = getattr(item, "span", None)
    if span is not None and ext.text:
        return span.slice(ext.text)
    if isinstance(item, ParentTask):
        return item.summary
    if isinstance(item, Task):
        return item.text
    if isinstance(item, Target):
        return f"{item.indicator}: {item.raw or _target_value(item)}"
    return ""


def child_evidence(ctx: Context, item=None, *, section: Optional[str] = None, text: str = "") -> Evidence:
    if item is None:
        return Evidence(doc=ctx.child.doc_id, section=section, text=text)
    return Evidence(doc=ctx.child.doc_id, section=item.section, span=item.span, text=_text_at(ctx.child, item))


def parent_evidence(pi: ParentItem) -> Evidence:
    return Evidence(doc=pi.plan.doc_id, section=pi.item.section, span=pi.item.span, text=_text_at(pi.plan, pi.item))


def make_flag(flag_type: str, message: str, child: Optional[Evidence], parent: Optional[Evidence] = None,
              score: Optional[float] = None, confidence_factor: float = 1.0) -> Flag:
    """A flag whose confidence is its type's (judged) confidence, lowered by ``confidence_factor`` where
    the rule's evidence is weaker; severity and collapsing follow from type and confidence."""
    fid = fingerprint(flag_type, child.text if child else "", child.section if child and not child.text else "",
                      parent.text if parent else "", parent.doc if parent else "")
    confidence = round(spec(flag_type).confidence * confidence_factor, 2)
    severity, collapsed = graded(flag_type, confidence)
    return Flag(id=fid, type=flag_type, severity=severity, message=message, child=child, parent=parent,
                score=round(float(score), 4) if score is not None else None, confidence=confidence, collapsed=collapsed)


def best_parent_task(ctx: Context, i: int) -> tuple[Optional[int], float]:
    if ctx.task_sim.shape[1] == 0:
        return None, 0.0
    j = int(ctx.task_sim[i].argmax())
    return j, float(ctx.task_sim[i, j])


def _equivalent_elsewhere(ctx: Context, i: int, has) -> bool:
    """Is task i restated elsewhere in the plan (body vs appendix) by a task that has the property?"""
    for k, other in enumerate(ctx.child.tasks):
        if k != i and ctx.child_task_sim[i, k] >= threshold("equivalent") and has(other):
            return True
    return False


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
            Evidence(doc=ctx.parents[0].doc_id if ctx.parents else "", section=gid, text=title), info["score"]))
    return flags


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
            child_evidence(ctx, section=near), parent_evidence(pi), best))
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
    return [make_flag("missing_target", message, child_evidence(ctx, section=None), parent, max(b for _, b in kept))]


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


def stale_deadline(ctx: Context) -> list[Flag]:
    floor, basis = plan_issue_floor(ctx.child)
    if not floor:
        return []
    flags = []
    for task in ctx.child.tasks:
        d = task.deadline
        if d and d.due and d.type in ("date", "period") and d.due < floor:
            flags.append(make_flag(
                "stale_deadline",
                f"Thời hạn đã qua trước khi ban hành kế hoạch: {d.raw} ({_fmt_date(d.due)}) trước {basis} {_fmt_date(floor)}",
                child_evidence(ctx, task)))
    return flags


# ---------------------------------------------------------------- owners and deadlines missing


def _lacks(ctx: Context, i: int, owners_elsewhere: bool, dated: bool) -> list[str]:
    """What task i lacks of its owner and deadline, counting a restatement elsewhere in the plan, an
    assignment part or appendix that gives the body's tasks their owners and dates, and a one-year
    plan's own horizon."""
    task = ctx.child.tasks[i]
    in_appendix = document_part(task.section) != "body"
    out = []
    if not task.lead and not (owners_elsewhere and not in_appendix) and not _equivalent_elsewhere(ctx, i, lambda t: bool(t.lead)):
        out.append("chủ trì")
    if (task.deadline is None and not dated and not (owners_elsewhere and not in_appendix)
            and not _equivalent_elsewhere(ctx, i, lambda t: t.deadline is not None)):
        out.append("thời hạn")
    return out


def incomplete_tasks(ctx: Context) -> list[Flag]:
    """The "5 rõ" rule, one finding per section: its tasks without a lead agency or a deadline, each
    with what it lacks."""
    by_section: dict[str, list[tuple[Task, list[str]]]] = {}
    totals: dict[str, int] = {}
    owners_elsewhere, dated = owners_assigned_elsewhere(ctx.child), dated_by_its_horizon(ctx.child)
    for i, task in enumerate(ctx.child.tasks):
        if is_organisation_part(ctx.child, task.section):
            continue
        key = group_of_section(task.section) or task.section
        totals[key] = totals.get(key, 0) + 1
        if lacks := _lacks(ctx, i, owners_elsewhere, dated):
            by_section.setdefault(key, []).append((task, lacks))
    flags = []
    for key, rows in by_section.items():
        listed = "; ".join(f"«{_short(t.text, 50)}» (chưa có {', '.join(l)})" for t, l in rows[:6])
        more = f"; và {len(rows) - 6} nhiệm vụ khác" if len(rows) > 6 else ""
        first = rows[0][0]
        child = Evidence(doc=ctx.child.doc_id, section=key, span=first.span, text=_text_at(ctx.child, first))
        flags.append(make_flag(
            "incomplete_tasks", f"Mục {key}: {len(rows)}/{totals[key]} nhiệm vụ chưa đủ “5 rõ”: {listed}{more}", child))
    return flags


def _agencies(names: list[str]) -> set[str]:
    from nlp.compare.align import normalise_text

    return {normalise_text(n) for n in names if n}


def lead_is_partner(ctx: Context) -> list[Flag]:
    """A task whose lead agency is also listed among its partners."""
    flags = []
    for task in ctx.child.tasks:
        both = _agencies(task.lead) & _agencies(task.support)
        if both:
            name = next(n for n in task.lead if _agencies([n]) & both)
            flags.append(make_flag("lead_is_partner", f"Cơ quan chủ trì đồng thời là cơ quan phối hợp: {name} — {_short(task.text, 70)}",
                                   child_evidence(ctx, task)))
    return flags


def owner_conflict(ctx: Context) -> list[Flag]:
    """One duty, restated in another part of the plan (body vs appendix), with a different lead agency."""
    tasks = ctx.child.tasks
    flags = []
    for a in range(len(tasks)):
        for b in range(a + 1, len(tasks)):
            ta, tb = tasks[a], tasks[b]
            if ctx.child_task_sim[a, b] < threshold("owner_conflict") or document_part(ta.section) == document_part(tb.section):
                continue
            if ta.lead and tb.lead and not (_agencies(ta.lead) & _agencies(tb.lead)):
                flags.append(make_flag(
                    "owner_conflict",
                    f"Một nhiệm vụ giao hai cơ quan chủ trì khác nhau: {', '.join(ta.lead)} (mục {ta.section}) và {', '.join(tb.lead)} (mục {tb.section}): {_short(tb.text, 60)}",
                    child_evidence(ctx, tb), child_evidence(ctx, ta), float(ctx.child_task_sim[a, b])))
    return flags


# ---------------------------------------------------------------- plan-internal


def _frequency_conflicts(ctx: Context) -> list[tuple[int, int, str, str]]:
    tasks = ctx.child.tasks
    freqs = [duty_frequency(t) for t in tasks]
    out = []
    for a in range(len(tasks)):
        for b in range(a + 1, len(tasks)):
            if freqs[a] and freqs[b] and freqs[a] != freqs[b] and ctx.child_task_sim[a, b] >= threshold("same_duty"):
                out.append((a, b, freqs[a], freqs[b]))
    return out


def _conflicting_targets(ctx: Context, a: int, b: int) -> bool:
    """Same indicator, same year, compatible units, different levels."""
    from nlp.compare.context import units_compatible

    ta, tb = ctx.child.targets[a], ctx.child.targets[b]
    if ta.year is None or ta.year != tb.year or ctx.child_target_sim[a, b] < threshold("same_indicator"):
        return False
    # two values in one item are two indicators of one sentence, not one indicator stated twice
    if ta.section == tb.section:
        return False
    if not units_compatible(ta, tb) or (ta.comparator, ta.value, ta.value_max) == (tb.comparator, tb.value, tb.value_max):
        return False
    # "≥80%" and "80%" state the same level
    return not (ta.comparator in (">=", "=") and tb.comparator in (">=", "=") and ta.value == tb.value)


_SENTENCE = re.compile(r"[^.;]*?(?:\.(?=\s)|;|$)", re.S)


def reporting_frequencies(text: str) -> list[tuple[str, int, int]]:
    """(frequency, start, end) of each sentence that sets how often to report ("báo cáo … định kỳ 01
    tháng/lần"); a sentence naming several frequencies (a reporting calendar) sets none."""
    from nlp.compare.align import normalise_text

    out = []
    for m in _SENTENCE.finditer(text or ""):
        low = normalise_text(m.group(0))
        if "báo cáo" not in low:
            continue
        found = set()
        for entry in settings()["frequencies"]:
            if re.search(entry["pattern"], low):
                found.add(entry["key"])
                low = re.sub(entry["pattern"], " ", low)
        if len(found) == 1:
            out.append((found.pop(), m.start(), m.end()))
    return out


def _reporting_conflict(ctx: Context) -> list[Flag]:
    stated = reporting_frequencies(ctx.child.text or "")
    kinds = {f for f, _, _ in stated}
    # a 6-monthly and a yearly report are the usual reporting calendar, not a conflict
    calendars = [set(c) for c in settings()["reporting_calendars"]]
    if len(kinds) < 2 or any(kinds <= c for c in calendars):
        return []
    (fa, sa, ea), (fb, sb, eb) = stated[0], next(x for x in stated if x[0] != stated[0][0])
    text = ctx.child.text
    return [make_flag(
        "internal_conflict", f"Mâu thuẫn nội tại: chế độ báo cáo ghi hai tần suất khác nhau, “{fa}” và “{fb}”",
        Evidence(doc=ctx.child.doc_id, span=Span(start=sb, end=eb), text=text[sb:eb]),
        Evidence(doc=ctx.child.doc_id, span=Span(start=sa, end=ea), text=text[sa:ea]), None, 0.8)]


def internal_conflict(ctx: Context) -> list[Flag]:
    flags = _reporting_conflict(ctx)
    targets = ctx.child.targets
    for b in range(len(targets)):
        candidates = [a for a in range(b) if _conflicting_targets(ctx, a, b)]
        if candidates:
            a = max(candidates, key=lambda k: ctx.child_target_sim[k, b])
            ta, tb = targets[a], targets[b]
            flags.append(make_flag(
                "internal_conflict",
                f"Mâu thuẫn nội tại: chỉ tiêu “{_short(ta.indicator, 60)}” năm {ta.year} ghi {_target_value(ta)} (mục {ta.section}) và {_target_value(tb)} (mục {tb.section})",
                child_evidence(ctx, tb), child_evidence(ctx, ta), float(ctx.child_target_sim[a, b])))
    for a, b, fa, fb in _frequency_conflicts(ctx):
        ta, tb = ctx.child.tasks[a], ctx.child.tasks[b]
        flags.append(make_flag(
            "internal_conflict",
            f"Mâu thuẫn nội tại: cùng một nhiệm vụ nhưng tần suất “{fa}” (mục {ta.section}) và “{fb}” (mục {tb.section})",
            child_evidence(ctx, tb), child_evidence(ctx, ta), float(ctx.child_task_sim[a, b])))
    return flags


def duplicate_item(ctx: Context) -> list[Flag]:
    conflicting = {(a, b) for a, b, _, _ in _frequency_conflicts(ctx)}
    tasks = ctx.child.tasks
    flags = []
    for a in range(len(tasks)):
        for b in range(a + 1, len(tasks)):
            if (a, b) in conflicting or ctx.child_task_sim[a, b] < threshold("duplicate"):
                continue
            # An appendix table restating the body's tasks is by design; repetition inside one part is not.
            if document_part(tasks[a].section) != document_part(tasks[b].section):
                continue
            # parts listing each agency's duties repeat a duty for each agency: two duties, not one twice
            if is_organisation_part(ctx.child, tasks[a].section) or is_organisation_part(ctx.child, tasks[b].section):
                continue
            # the same instruction given to two different owners is two duties, not a repetition
            if tasks[a].lead and tasks[b].lead and set(tasks[a].lead) != set(tasks[b].lead):
                continue
            flags.append(make_flag(
                "duplicate_item", f"Nhiệm vụ trùng lặp: mục {tasks[b].section} lặp lại mục {tasks[a].section}: {_short(tasks[b].text, 70)}",
                child_evidence(ctx, tasks[b]), child_evidence(ctx, tasks[a]), float(ctx.child_task_sim[a, b])))
    return flags + _duplicate_targets(ctx)


def _duplicate_targets(ctx: Context) -> list[Flag]:
    """One indicator listed in two rows of the same group of one appendix table (a table lists each
    indicator once, with its yearly values in columns)."""
    targets = ctx.child.targets
    flags = []
    for b in range(len(targets)):
        tb = targets[b]
        if not document_part(tb.section).startswith("PL"):
            continue
        for a in range(b):
            ta = targets[a]
            if (ta.section != tb.section and group_of_section(ta.section) == group_of_section(tb.section)
                    and ctx.child_target_sim[a, b] >= threshold("same_row_indicator")):
                flags.append(make_flag(
                    "duplicate_item",
                    f"Chỉ tiêu lặp lại trong cùng phụ lục: “{_short(tb.indicator, 70)}” ở mục {ta.section} ({_target_value(ta)}, năm {ta.year}) và mục {tb.section} ({_target_value(tb)}, năm {tb.year})",
                    child_evidence(ctx, tb), child_evidence(ctx, ta), float(ctx.child_target_sim[a, b])))
                break
    return flags


# ---------------------------------------------------------------- citations and parents


def _mention_context(ctx: Context, ref: Reference) -> list[tuple[str, str]]:
    """(written number, the words after it) for each mention; the reference's own number when none."""
    text = ctx.child.text or ""
    out = []
    for m in ref.mentions:
        written = text[m.start:m.end]
        after = re.split(r"(?:\bsố\b|;|\n\n)", text[m.end:m.end + 160])[0]
        out.append((written, after))
    if not out:
        out.append((ref.number, ""))
    return out


_DATE_NUMERIC = re.compile(r"ngày\s+(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})")
_DATE_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})")


def _date_in(text: str) -> Optional[str]:
    m = _DATE_NUMERIC.search(text) or _DATE_WORDS.search(text)
    if not m:
        return None
    try:
        return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
    except ValueError:
        return None


def known_documents(ctx: Context) -> list[dict]:
    known = list(settings()["citations"]["known"])
    for plan in ctx.parents:
        if plan.document.number:
            known.append({"number": plan.document.number, "issued": plan.document.issued, "issuer": plan.document.issuer})
        for amendment in getattr(plan, "amended_by", []) or []:
            known.append(amendment)
    return known


def _likely_confusion(ctx: Context, parsed) -> Optional[str]:
    """The number written is a real document, but the plan implements another of the same number and
    type ("71-NQ/TW", the Politburo's resolution on education, in a plan implementing 71/NQ-CP)."""
    known = known_documents(ctx)
    exact = next((d for d in known if (kp := parse_number(d["number"])) and kp.key == parsed.key), None)
    if exact is None:
        return None
    implemented = {parse_number(n).key for n in ctx.profile.implements if parse_number(n)}
    if parsed.key in implemented:
        return None
    for doc in known:
        kp = parse_number(doc["number"])
        if kp and kp.loose_key == parsed.loose_key and kp.key != parsed.key and kp.key in implemented:
            subject = f" về {exact['subject']}" if exact.get("subject") else ""
            return (f"có thể nhầm “{parsed.raw}” với {doc['number']}: kế hoạch thực hiện {doc['number']} ngày "
                    f"{_fmt_date(doc.get('issued'))} của {doc.get('issuer')}, còn {exact['number']} ngày "
                    f"{_fmt_date(exact.get('issued'))} của {exact.get('issuer')} là nghị quyết{subject}")
    return None


def _citation_problem(ctx: Context, ref: Reference, written: str, after: str) -> Optional[str]:
    parsed = parse_number(written) or parse_number(ref.number)
    if parsed is None:
        return None
    if (confusion := _likely_confusion(ctx, parsed)):
        return confusion
    issuer = ref.issuer or after
    cited_date = _date_in(after) or ref.date
    # 1. the number and date name a known document, but the suffix is another issuer's
    for doc in known_documents(ctx):
        kp = parse_number(doc["number"])
        if not kp or kp.loose_key != parsed.loose_key:
            continue
        if kp.key != parsed.key:
            if cited_date and cited_date == doc.get("issued") or (issuer and expected_org(issuer) and expected_org(issuer) == expected_org(doc.get("issuer"))):
                return f"“{written}” nhưng văn bản số {parsed.number_raw} ngày {_fmt_date(doc.get('issued'))} của {doc.get('issuer')} là {doc['number']}"
            continue
        if cited_date and doc.get("issued") and cited_date != doc["issued"]:
            return f"“{written}” ghi ngày {_fmt_date(cited_date)}, văn bản này ban hành ngày {_fmt_date(doc['issued'])}"
    # 2. the suffix names another issuer than the one the citation gives
    expected = expected_org(issuer)
    if expected and parsed.type is not None and not org_matches(parsed, expected[1]):
        return f"“{written}” là văn bản của {expected[0]} nhưng ký hiệu không đúng cơ quan ban hành"
    # 3. Party numbers are NUMBER-TYPE/ORG, State numbers NUMBER/TYPE-ORG
    if parsed.style == "party" and not parsed.is_party_org:
        return f"“{written}” sai thể thức số ký hiệu, phải là {parsed.canonical()}"
    if parsed.style == "state" and parsed.is_party_org:
        return f"“{written}” sai thể thức số ký hiệu của văn bản Đảng, phải là {parsed.canonical()}"
    return None


def citation_error(ctx: Context) -> list[Flag]:
    flags = []
    for ref in ctx.child.references:
        for k, (written, after) in enumerate(_mention_context(ctx, ref)):
            problem = _citation_problem(ctx, ref, written, after)
            if problem:
                span = ref.mentions[k] if ref.mentions else None
                child = Evidence(doc=ctx.child.doc_id, span=span, text=written)
                parent = _known_parent_evidence(ctx, ref)
                # a real document of that number exists: the citation is likely, not surely, wrong
                factor = 0.8 if problem.startswith("có thể nhầm") else 1.0
                flags.append(make_flag("citation_error", f"Trích dẫn sai: {problem}", child, parent, confidence_factor=factor))
                break   # one flag per cited document
    return flags


def _known_parent_evidence(ctx: Context, ref: Reference) -> Optional[Evidence]:
    parsed = parse_number(ref.number)
    if not parsed:
        return None
    for plan in ctx.parents:
        numbers = [plan.document.number or ""] + [a.get("number", "") for a in getattr(plan, "amended_by", []) or []]
        for n in numbers:
            p = parse_number(n)
            if p and p.loose_key == parsed.loose_key:
                return Evidence(doc=plan.doc_id, text=n)
    return None


def unresolved_parent(ctx: Context) -> list[Flag]:
    flags = []
    for ref in ctx.unresolved:
        detail = ", ".join(x for x in (f"ngày {_fmt_date(ref.date)}" if ref.date else "", ref.issuer or "") if x)
        span = ref.mentions[0] if ref.mentions else None
        text = span.slice(ctx.child.text) if span and ctx.child.text else ref.number
        flags.append(make_flag(
            "unresolved_parent",
            f"Không có văn bản cấp trên được dẫn để đối chiếu: {ref.number}" + (f" ({detail})" if detail else ""),
            Evidence(doc=ctx.child.doc_id, span=span, text=text)))
    return flags


RULES_WITH_CONTEXT = [
    missing_task, missing_target, weaker_target, later_deadline, incomplete_tasks, owner_conflict, lead_is_partner,
    citation_error, internal_conflict, duplicate_item, stale_deadline, unresolved_parent,
]
