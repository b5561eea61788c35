"""Which parent items a plan is expected to carry, from its profile and the parents' applicability.

A bundled parent item says whom it is addressed to (`applies_to.levels`: "bộ", "tỉnh", "xã", read
from 03/NQ-CP's "Cơ quan chủ trì" column) and whether it is the act of writing the locality's own
plan (`satisfied_by_plan`). A plan is expected to carry the items addressed to its own level, and
only when it carries out the parent as a whole: a thematic plan is measured only on the parent items
it takes up (like-with-like checks), a plan implementing another document not at all.
"""
from __future__ import annotations

from typing import Optional

from nlp.schema import Extraction, PlanProfile, Target, Task


def profile_of(child: Extraction) -> PlanProfile:
    """The child's profile; read from the document when the extraction predates profiles."""
    if child.profile is not None:
        return child.profile
    from nlp.extract.profile import plan_profile

    return plan_profile(child.document, child.references, child.text or "")


def expects_whole_parent(profile: PlanProfile) -> bool:
    """Coverage (missing groups, tasks, targets) is asked only of plans carrying out a parent as a whole."""
    return profile.kind == "comprehensive"


def applies(item: Task | Target, level: Optional[str]) -> bool:
    """Is this parent item addressed to plans of this level (and not satisfied by the plan's existence)?"""
    scope = getattr(item, "applies_to", None)
    if scope is None:       # an uploaded parent: its tasks bind whoever its lead column names
        from nlp.compare.parents import task_binds_localities

        return task_binds_localities(item) if isinstance(item, Task) else True
    if scope.get("satisfied_by_plan"):
        return False
    levels = scope.get("levels", [])
    return level in levels if level else "tỉnh" in levels


def binds_localities(item: Task | Target) -> bool:
    """Is this item addressed to some locality (province or commune), whatever the child's level?"""
    scope = getattr(item, "applies_to", None)
    if scope is None:
        from nlp.compare.parents import task_binds_localities

        return task_binds_localities(item) if isinstance(item, Task) else True
    return bool({"tỉnh", "huyện", "xã"} & set(scope.get("levels", [])))
