"""Rules on the plan itself: the "5 rõ" rule, owners (conflicting, lead also partner), internal
conflicts of values and frequencies, repeated items."""
from __future__ import annotations

import re

from nlp.compare.config import settings, threshold
from nlp.compare.context import Context, document_part, duty_frequency
from nlp.compare.evidence import _equivalent_elsewhere, _short, _target_value, _text_at, child_evidence, make_flag
from nlp.compare.parents import group_of_section
from nlp.compare.records import dated_by_its_horizon, is_organisation_part, owners_assigned_elsewhere, states_a_duty
from nlp.schema import Evidence, Flag, Span, Task


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
    # "5 rõ" is asked of plans: a regulation, a list of procedures or a form states duties without an
    # owner and a date by its nature (70 such findings on the wild documents that are not plans)
    if not ctx.child.document.is_plan:
        return []
    by_section: dict[str, list[tuple[Task, list[str]]]] = {}
    totals: dict[str, int] = {}
    owners_elsewhere, dated = owners_assigned_elsewhere(ctx.child), dated_by_its_horizon(ctx.child)
    for i, task in enumerate(ctx.child.tasks):
        if is_organisation_part(ctx.child, task.section) or not states_a_duty(task):
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
        # the same bodies in both columns, in turn, pair the lines of a row's sub-tasks ("Các sở, ngành … /
        # Sở Tài chính" leading, "Sở Tài chính / Các sở, ngành …" supporting): no body is named twice by slip
        if len(both) > 1 and _agencies(task.lead) == _agencies(task.support):
            continue
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
    # bare figures (a budget table's cells, its unit in a caption the reader did not tie to them) cannot
    # be said to state one quantity twice: the finding needs the unit on both sides
    if not (ta.unit and tb.unit):
        return False
    if not units_compatible(ta, tb) or (ta.comparator, ta.value, ta.value_max) == (tb.comparator, tb.value, tb.value_max):
        return False
    if _contrasting(ta.indicator, tb.indicator):
        return False
    # "≥80%" and "80%" state the same level
    if ta.comparator in (">=", "=") and tb.comparator in (">=", "=") and ta.value == tb.value:
        return False
    return not _total_and_part(ta, tb)


def _contrasting(a: str, b: str) -> bool:
    """Do two indicator texts differ by a contrasting pair of words ("đầu kỳ" / "cuối kỳ")?"""
    from nlp.compare.align import normalise_text

    a, b = f" {normalise_text(a or '')} ", f" {normalise_text(b or '')} "
    for x, y in settings()["repetition"]["contrasting_words"]:
        x, y = f" {x} ", f" {y} "
        if (x in a and y in b and x not in b and y not in a) or (y in a and x in b and y not in b and x not in a):
            return True
    return False


def _total_and_part(ta, tb) -> bool:
    """Quantities far apart (2,600 and 390 million USD of exports) are a total and a part of it, or
    two scopes under one name, not one figure stated twice; shares (%) are compared as they are."""
    if "%" in (ta.unit or "") or "%" in (tb.unit or "") or not ta.value or not tb.value:
        return False
    low, high = sorted((abs(ta.value), abs(tb.value)))
    return low > 0 and high / low > settings()["repetition"]["conflict_max_ratio"]


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
    """The same duty written twice in one list: one finding per repeated text. A repeat across
    sections (parallel lists for different subjects), a short label, a form's blank, and repetition
    that is the document's form (a text three times or more, many repeated texts) are not slips."""
    rules = settings()["repetition"]
    conflicting = {(a, b) for a, b, _, _ in _frequency_conflicts(ctx)}
    tasks = ctx.child.tasks
    first_of: dict[int, int] = {}              # a repeat -> the first item it repeats
    for b in range(len(tasks)):
        # parts listing each agency's duties repeat a duty for each agency: two duties, not one twice
        if not _could_be_a_slip(tasks[b], rules) or is_organisation_part(ctx.child, tasks[b].section):
            continue
        for a in range(b):
            if first_of.get(a, a) != a or (a, b) in conflicting or tasks[a].section != tasks[b].section:
                continue
            if ctx.child_task_sim[a, b] < threshold("duplicate") or not _could_be_a_slip(tasks[a], rules):
                continue
            # parallel sub-lists differ in a word or two ("do Sở quản lý" / "do địa phương quản lý"): two
            # duties; a slip repeats the words themselves
            if _words(tasks[a].text) != _words(tasks[b].text):
                continue
            # the same instruction given to two different owners is two duties, not a repetition
            if tasks[a].lead and tasks[b].lead and set(tasks[a].lead) != set(tasks[b].lead):
                continue
            first_of[b] = a
            break
    # consecutive items repeating consecutive items are a block written out again for another subject
    # (a form per certificate, a table per budget), not one duty written twice
    pairs = {(a, b) for b, a in first_of.items()}
    in_block = {(a, b) for a, b in pairs if (a + 1, b + 1) in pairs or (a - 1, b - 1) in pairs}
    repeats: dict[int, list[int]] = {}
    for a, b in sorted(pairs - in_block):
        repeats.setdefault(a, []).append(b)
    if len(repeats) + len(in_block) > rules["max_slips"]:
        return _duplicate_targets(ctx)
    flags = []
    for a, later in sorted(repeats.items()):
        if len(later) + 1 >= rules["template_repeats"]:
            continue
        b = later[0]
        flags.append(make_flag(
            "duplicate_item", f"Nhiệm vụ trùng lặp: mục {tasks[b].section} lặp lại mục {tasks[a].section}: {_short(tasks[b].text, 70)}",
            child_evidence(ctx, tasks[b]), child_evidence(ctx, tasks[a]), float(ctx.child_task_sim[a, b])))
    return flags + _duplicate_targets(ctx)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", (text or "").lower())


def _could_be_a_slip(task: Task, rules: dict) -> bool:
    return (len(re.findall(r"\w+", task.text or "")) >= rules["min_words"]
            and not re.search(rules["placeholder"], task.text or ""))


def _duplicate_targets(ctx: Context) -> list[Flag]:
    """One indicator listed in two rows of the same group of one appendix table (a table lists each
    indicator once, with its yearly values in columns)."""
    targets = ctx.child.targets
    flags = []
    flagged_rows: set[tuple[str, str]] = set()
    for b in range(len(targets)):
        tb = targets[b]
        # an indicator table gives each row's values by year; a figure without one is a time limit or a
        # fee of a procedure ("Trong thời hạn 10 ngày"), repeated by design
        if not document_part(tb.section).startswith("PL") or tb.year is None:
            continue
        for a in range(b):
            ta = targets[a]
            # rows at different depths are a heading row and a row under another heading: a budget table
            # lists "Vay trong nước khác" under borrowing and again under repayment
            if (ta.year is not None and ta.section != tb.section
                    and ta.section.count(".") == tb.section.count(".")
                    and (ta.section, tb.section) not in flagged_rows
                    and group_of_section(ta.section) == group_of_section(tb.section)
                    and ctx.child_target_sim[a, b] >= threshold("same_row_indicator")):
                flags.append(make_flag(
                    "duplicate_item",
                    f"Chỉ tiêu lặp lại trong cùng phụ lục: “{_short(tb.indicator, 70)}” ở mục {ta.section} ({_target_value(ta)}, năm {ta.year}) và mục {tb.section} ({_target_value(tb)}, năm {tb.year})",
                    child_evidence(ctx, tb), child_evidence(ctx, ta), float(ctx.child_target_sim[a, b])))
                flagged_rows.add((ta.section, tb.section))      # one finding per pair of rows, not per year
                break
    return flags
