"""compare(child, parents) -> ComparisonReport: alignment, coverage, then every flag rule."""
from __future__ import annotations

from typing import Iterable, Sequence

from nlp.compare import flags as rules
from nlp.compare.config import threshold
from nlp.compare.context import Context, build_context, target_text
from nlp.compare.ids import deduplicate_ids
from nlp.compare.records import folded_tasks
from nlp.compare.spans import with_spans
from nlp.schema import Alignment, ComparisonReport, Extraction, Flag, Reference

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}


def compare(child: Extraction, parents: Sequence[Extraction], *, unresolved: Iterable[Reference] = ()) -> ComparisonReport:
    child = folded_tasks(with_spans(child))
    ctx = build_context(child, list(parents), list(unresolved))
    coverage = build_coverage(ctx)
    flags: list[Flag] = rules.missing_task_group(ctx, coverage) if ctx.parents else []
    for rule in rules.RULES_WITH_CONTEXT:
        flags.extend(rule(ctx))
    # what a reviewer should read first: severity, then the surer findings; collapsed ones last
    flags.sort(key=lambda f: (f.collapsed, SEVERITY_ORDER[f.severity], -f.confidence, f.type,
                              (f.child.span.start if f.child and f.child.span else 10**9)))
    for flag, fid in zip(flags, deduplicate_ids([f.id for f in flags])):
        flag.id = fid
    _mark_low_confidence_ocr(flags, child)
    return ComparisonReport(child=child.doc_id, parents=[p.doc_id for p in ctx.parents], coverage=coverage,
                            alignments=build_alignments(ctx), flags=flags)


def _ratio(covered: int, total: int) -> float:
    return round(covered / total, 3) if total else 1.0


def build_coverage(ctx: Context) -> dict:
    tau_task, tau_group = threshold("task"), threshold("group")
    groups = {}
    for g, gid in enumerate(ctx.group_ids):
        col = ctx.group_sim[:, g] if ctx.group_sim.size else []
        child_sections = [ctx.child_groups[k] for k in range(len(ctx.child_groups))
                          if col[k] >= tau_group and int(ctx.group_sim[k].argmax()) == g]
        # a group is also carried when some child task aligns to one of its parent tasks
        via_tasks = sorted({ctx.child.tasks[i].section for i in range(len(ctx.child.tasks))
                            if ctx.task_sim.shape[1] and ctx.task_sim[i].max() >= tau_task
                            and ctx.parent_tasks[int(ctx.task_sim[i].argmax())].group == gid})
        score = float(max(col)) if len(col) else 0.0
        groups[gid] = {"title": ctx.group_titles.get(gid, ""), "covered": bool(child_sections or via_tasks),
                       "score": round(score, 4), "child_sections": child_sections, "aligned_tasks": via_tasks}
    n_groups = sum(g["covered"] for g in groups.values())

    local_tasks = ctx.applicable_tasks
    covered_tasks = [j for j in local_tasks if ctx.task_sim.shape[0] and ctx.task_sim[:, j].max() >= tau_task]
    local_targets = ctx.applicable_targets
    covered_targets = [j for j in local_targets if ctx.target_sim.shape[0] and ctx.target_sim[:, j].max() >= threshold("target")]
    aligned_child_tasks = sum(1 for i in range(len(ctx.child.tasks)) if ctx.task_sim.shape[1] and ctx.task_sim[i].max() >= tau_task)
    return {
        "task_groups": {"covered": n_groups, "total": len(groups), "ratio": _ratio(n_groups, len(groups)), "groups": groups},
        "tasks": {"covered": len(covered_tasks), "total": len(local_tasks), "ratio": _ratio(len(covered_tasks), len(local_tasks)),
                  "child_tasks": len(ctx.child.tasks), "child_tasks_aligned": aligned_child_tasks},
        "targets": {"covered": len(covered_targets), "total": len(local_targets), "ratio": _ratio(len(covered_targets), len(local_targets)),
                    "child_targets": len(ctx.child.targets)},
    }


def build_alignments(ctx: Context) -> list[Alignment]:
    out = []
    for i, task in enumerate(ctx.child.tasks):
        j, score = rules.best_parent_task(ctx, i)
        if j is not None and score >= threshold("task"):
            pi = ctx.parent_tasks[j]
            out.append(Alignment(kind="task", child_id=task.id, parent_id=f"{pi.plan.doc_id}:{pi.item.id}", child_section=task.section,
                                 parent_section=pi.item.section, child_text=task.text, parent_text=pi.item.text, score=round(score, 4)))
    for i, target in enumerate(ctx.child.targets):
        if not ctx.target_sim.shape[1]:
            break
        j = int(ctx.target_sim[i].argmax())
        score = float(ctx.target_sim[i, j])
        if score >= threshold("target"):
            pi = ctx.parent_targets[j]
            out.append(Alignment(kind="target", child_id=target.id, parent_id=f"{pi.plan.doc_id}:{pi.item.id}", child_section=target.section,
                                 parent_section=pi.item.section, child_text=f"{target_text(target)} {target.raw}".strip(),
                                 parent_text=f"{pi.item.indicator} {pi.item.raw}", score=round(score, 4)))
    for k, gkey in enumerate(ctx.child_groups):
        if not ctx.group_ids:
            break
        g = int(ctx.group_sim[k].argmax())
        score = float(ctx.group_sim[k, g])
        if score >= threshold("group"):
            gid = ctx.group_ids[g]
            out.append(Alignment(kind="group", child_section=gkey, parent_id=gid, parent_section=gid,
                                 parent_text=ctx.group_titles.get(gid, ""), score=round(score, 4)))
    return out


OCR_WARNING = " (bằng chứng đọc từ ảnh quét bằng OCR, độ tin cậy thấp: cần đối chiếu bản gốc)"


def _mark_low_confidence_ocr(flags: list[Flag], child: Extraction) -> None:
    """A flag whose child evidence lies in a block OCR read with low confidence says so."""
    if child.ocr is None:
        return
    for flag in flags:
        if flag.child is not None and child.ocr.is_low_confidence(flag.child.span):
            flag.child.low_confidence_ocr = True
            flag.message += OCR_WARNING
