"""Coverage of parent task groups -> bars for a small inline SVG chart.

The compare stage reports {"task_groups": {"covered", "total", "ratio", "groups": {id: {"title",
"covered": bool, "score"}}}, "tasks": {...}, "targets": {...}}. A group's bar shows whether it is
covered (its length and colour agree); a metric's bar shows its ratio."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from service.ui.labels import COVERAGE_METRICS


@dataclass
class Bar:
    label: str
    ratio: float        # bar length, 0..1
    detail: str
    level: str          # "high", "mid", "low": the bar's colour


def _clip(value: float) -> float:
    return max(0.0, min(1.0, float(value)))


def _level(ratio: float) -> str:
    return "low" if ratio < 0.5 else ("mid" if ratio < 0.8 else "high")


def _number(value: Any) -> Optional[float]:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _metric_bar(label: str, value: Any) -> Optional[Bar]:
    if not isinstance(value, dict):
        ratio = _number(value)
        return Bar(label, _clip(ratio), f"{ratio:.0%}", _level(ratio)) if ratio is not None else None
    covered, total, ratio = _number(value.get("covered")), _number(value.get("total")), _number(value.get("ratio"))
    if total == 0:
        return None   # nothing to cover (e.g. no parent task binds localities)
    if ratio is None and covered is not None and total:
        ratio = covered / total
    if ratio is None:
        return None
    detail = f"{covered:g}/{total:g} ({ratio:.0%})" if covered is not None and total is not None else f"{ratio:.0%}"
    return Bar(label, _clip(ratio), detail, _level(ratio))


def _group_label(key: str, value: Any) -> str:
    title = str(value.get("title") or "") if isinstance(value, dict) else ""
    return f"{key}. {title}" if title and not title.startswith(key) else (title or key)


UNCOVERED_MAX_LENGTH = 0.45   # a missing group's bar never looks as long as a covered one's


def _group_bar(label: str, covered: bool, score: Optional[float]) -> Bar:
    """Length and colour tell the same thing: a covered group is a full green bar; a missing one a short
    red bar whose length is how close the plan's nearest passage came. (A bar as long as the similarity
    score put a green 0.28 beside a red 0.37: coverage is also decided by section titles.)"""
    similarity = f"{score:.0%}" if score is not None else None
    if covered:
        return Bar(label, 1.0, "có trong kế hoạch" + (f" (độ giống {similarity})" if similarity else ""), "high")
    length = min(_clip(score), UNCOVERED_MAX_LENGTH) if score is not None else 0.0
    return Bar(label, length, "chưa có" + (f" (đoạn gần nhất giống {similarity})" if similarity else ""), "low")


def group_bars(coverage: Optional[dict]) -> list[Bar]:
    """One bar per parent task group."""
    groups = ((coverage or {}).get("task_groups") or {}).get("groups") if isinstance(coverage, dict) else None
    if isinstance(groups, list):
        groups = {str(g.get("id") or i + 1): g for i, g in enumerate(groups) if isinstance(g, dict)}
    bars = []
    for key, value in (groups or {}).items():
        label = _group_label(str(key), value)
        if isinstance(value, dict) and isinstance(value.get("covered"), bool):
            bars.append(_group_bar(label, value["covered"], _number(value.get("score"))))
        elif (bar := _metric_bar(label, value)) is not None:
            bars.append(bar)
    return bars


def summary_bars(coverage: Optional[dict]) -> list[Bar]:
    """One bar per overall metric (task groups, tasks, targets)."""
    bars = []
    for key, value in (coverage or {}).items():
        bar = _metric_bar(COVERAGE_METRICS.get(key, key), value)
        if bar is not None:
            bars.append(bar)
    return bars
