"""Parent plans: the bundled renderings (corpus/parents/*.yml) and resolution of a child's citations.

A parent is an ``Extraction``; the bundled ones are ``ParentPlan`` (an Extraction with group titles,
per-task group/keywords/locality assignment and per-target local relevance). Any uploaded document's
Extraction can serve as a parent too: its groups then come from its task sections.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Optional

import yaml
from pydantic import BaseModel, Field

from nlp.compare.citations import normalise_number, parse_number
from nlp.compare.config import settings
from nlp.schema import Deadline, DocumentInfo, Extraction, Reference, Target, Task

BUNDLED_DIR = Path(__file__).resolve().parents[2] / "corpus" / "parents"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


class ParentTask(Task):
    group: str = ""
    summary: str = ""
    keywords: list[str] = Field(default_factory=list)
    applies_to: dict = Field(default_factory=dict)     # {levels: [bộ, tỉnh, xã], satisfied_by_plan: bool}
    source: dict = Field(default_factory=dict)
    amended_by: Optional[str] = None


class ParentTarget(Target):
    group: str = ""
    applies_to: dict = Field(default_factory=dict)
    source: dict = Field(default_factory=dict)


class ParentGroup(BaseModel):
    id: str
    title: str = ""
    keywords: list[str] = Field(default_factory=list)
    cues: list[str] = Field(default_factory=list)      # words showing a plan addresses the group
    source: dict = Field(default_factory=dict)


class ParentPlan(Extraction):
    groups: list[ParentGroup] = Field(default_factory=list)
    resolves: list[str] = Field(default_factory=list)     # numbers citing this document (amendments included)
    implements: list[str] = Field(default_factory=list)   # documents this parent carries out (03/NQ-CP: 57-NQ/TW)
    amended_by: list[dict] = Field(default_factory=list)


# ---------------------------------------------------------------- loading


def _readable(words: Iterable[str]) -> str:
    return " ".join(w.replace("_", " ") for w in words)


def load_parent_yaml(path: str | Path) -> ParentPlan:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    doc_number = data["document"].get("number", "")
    tasks = []
    for t in data.get("tasks", []):
        deadline = Deadline(**{k: v for k, v in t["deadline"].items() if k in Deadline.model_fields}) if t.get("deadline") else None
        tasks.append(ParentTask(
            id=t["id"], section=t["id"], text=f"{t['summary']} — {_readable(t.get('keywords', []))}",
            lead=t.get("lead", []), support=t.get("support", []), deadline=deadline, group=t["group"],
            summary=t["summary"], keywords=t.get("keywords", []), applies_to=t.get("applies_to", {}),
            source=t.get("source", {}), amended_by=t.get("amended_by"),
        ))
    targets = [
        ParentTarget(
            id=g["id"], section=g["id"], indicator=g["indicator"], comparator=g["comparator"], value=g["value"],
            value_max=g.get("value_max"), unit=g.get("unit", ""), year=g.get("year"), lead=g.get("lead", []),
            raw=_target_raw(g), group=str(g.get("group", "")), applies_to=g.get("applies_to", {}), source=g.get("source", {}),
        )
        for g in data.get("targets", [])
    ]
    groups = [ParentGroup(**g) for g in data.get("groups", [])]
    references = [Reference(number=a["number"], date=a.get("issued"), issuer=a.get("issuer")) for a in data.get("amended_by", [])]
    return ParentPlan(
        doc_id=data["doc_id"], source=str(path), document=DocumentInfo(**data["document"], is_plan=False),
        references=references, tasks=tasks, targets=targets, groups=groups,
        resolves=data.get("resolves", [doc_number]), amended_by=data.get("amended_by", []),
        implements=data.get("implements", []),
    )


def _target_raw(g: dict) -> str:
    if g["comparator"] == "range":
        return f"{g['value']}-{g['value_max']} {g.get('unit', '')}".strip()
    comp = {">=": "≥", "<=": "≤", "=": ""}.get(g["comparator"], g["comparator"])
    return f"{comp}{g['value']} {g.get('unit', '')}".strip()


def load_bundled_parents(directory: str | Path | None = None) -> list[Extraction]:
    directory = Path(directory) if directory else BUNDLED_DIR
    return [load_parent_yaml(p) for p in sorted(directory.glob("*.yml"))]


# ---------------------------------------------------------------- groups of a generic parent or child


def group_of_section(section: str) -> str:
    """Task group key of a section path: 'III.3.1' -> 'III.3', 'PL3.II.5' -> 'PL3.II', 'II.1' -> 'II.1'."""
    parts = [p for p in (section or "").split(".") if p]
    if not parts:
        return ""
    return ".".join(parts[:2])


def parent_group_of(plan: Extraction, task: Task) -> str:
    """I..VII for bundled parents; for other parents the roman numeral inside the task's group path."""
    if isinstance(task, ParentTask) and task.group:
        return task.group
    for part in group_of_section(task.section).split("."):
        if part.upper() in ROMAN and part != group_of_section(task.section).split(".")[0]:
            return part.upper()
    return group_of_section(task.section)


def parent_groups(plan: Extraction) -> dict[str, str]:
    """group id -> title."""
    if isinstance(plan, ParentPlan) and plan.groups:
        return {g.id: g.title for g in plan.groups}
    return {parent_group_of(plan, t): "" for t in plan.tasks}


def task_binds_localities(task: Task) -> bool:
    """A task of an uploaded parent binds localities when its lead names them."""
    if isinstance(task, ParentTask):
        return bool({"tỉnh", "xã"} & set(task.applies_to.get("levels", [])))
    lead = " ".join(task.lead).lower()
    return any(marker in lead for marker in settings()["locality_markers"])


# ---------------------------------------------------------------- resolution


def _keys_of(plan: Extraction) -> set[str]:
    numbers = list(getattr(plan, "resolves", []) or [])
    if plan.document.number:
        numbers.append(plan.document.number)
    return {normalise_number(n) for n in numbers if n}


def _known_dates(plan: Extraction) -> dict[str, Optional[str]]:
    """loose key (number|type) -> issue date, for every number this plan answers to."""
    dates = {}
    if plan.document.number and (p := parse_number(plan.document.number)):
        dates[p.loose_key] = plan.document.issued
    for amendment in getattr(plan, "amended_by", []) or []:
        if p := parse_number(amendment.get("number", "")):
            dates[p.loose_key] = amendment.get("issued")
    return dates


def cited_parent_references(child: Extraction) -> list[Reference]:
    """References the plan implements: plans/resolutions/programmes named in its title or preamble."""
    parent_types = {t.upper() for t in settings()["citations"]["parent_types"]}
    title = child.document.title or ""
    preamble_end = _preamble_end(child.text) if child.text else 0
    out = []
    for ref in child.references:
        parsed = parse_number(ref.number)
        if not parsed or (parsed.type or "").upper() not in parent_types:
            continue
        in_title = _number_in(title, ref.number) is not None
        if ref.mentions:
            in_preamble = any(m.start < preamble_end for m in ref.mentions)
        else:   # no recorded mentions: look for the number itself in the preamble
            in_preamble = _number_in((child.text or "")[:preamble_end], ref.number) is not None
        if in_title or in_preamble:
            out.append(ref)
    return out


def _number_in(text: str, number: str) -> Optional[re.Match]:
    """The number written in ``text`` whatever its punctuation ("285 - KH/TW", "71-NQ/CP" for 71/NQ-CP)."""
    return next(iter(number_mentions(text, number)), None)


def number_mentions(text: str, number: str) -> list[re.Match]:
    tokens = re.findall(r"[0-9A-Za-zÀ-ỹĐđ&]+", number or "")
    if not tokens or not text:
        return []
    pattern = r"(?<![\w/-])" + r"\s*[-/]\s*".join(re.escape(t) for t in tokens) + r"(?![\w])"
    return list(re.finditer(pattern, text))


_TOP_HEADING = re.compile(r"^[ \t]*(?:#+[ \t]*)?(?:\*\*)?(I|II)[ \t]*[.\-–][ \t]*\S", re.M)


def _preamble_end(text: str) -> int:
    """End of the plan's framing: preamble and purpose (up to heading II), where it names what it implements."""
    headings = {m.group(1): m.start() for m in reversed(list(_TOP_HEADING.finditer(text)))}
    if "II" in headings and headings["II"] > headings.get("I", -1):
        return headings["II"]
    return min(len(text), 4000)


def resolve_parents(child: Extraction, available: list[Extraction]) -> tuple[list[Extraction], list[Reference]]:
    """Parents of ``child`` among ``available`` (by normalised number), and cited parents not found.

    Only what the plan implements counts: parents merely cited beside another implemented document
    (a plan carrying out a resolution on law-making that recalls 57-NQ/TW) are not its parents.
    """
    from nlp.compare.applicability import profile_of

    implemented = {normalise_number(n) for n in profile_of(child).implements}
    found: list[Extraction] = []
    unresolved: list[Reference] = []
    for ref in cited_parent_references(child):
        plan = _match(ref, available)
        if plan is None:
            if not any(normalise_number(u.number) == normalise_number(ref.number) for u in unresolved):
                unresolved.append(ref)
        elif all(plan.doc_id != f.doc_id for f in found):
            found.append(plan)
    if implemented:
        if not any(_keys_of(p) & implemented for p in found):
            found = []
    # the programme carrying out an implemented parent binds the plan too (03/NQ-CP for a plan on 57-NQ/TW)
    found_keys = set().union(*(_keys_of(p) for p in found)) if found else set()
    for plan in available:
        carries = {normalise_number(n) for n in getattr(plan, "implements", []) or []}
        if carries & found_keys and all(plan.doc_id != f.doc_id for f in found):
            found.append(plan)
    if implemented:
        unresolved = [u for u in unresolved if normalise_number(u.number) in implemented]
    found.sort(key=lambda p: (p.document.issued or "", p.doc_id))
    return found, unresolved


def _match(ref: Reference, available: list[Extraction]) -> Optional[Extraction]:
    key = normalise_number(ref.number)
    for plan in available:
        if key in _keys_of(plan):
            return plan
    # Miswritten suffix ("71-NQ/TW" for 71/NQ-CP): same number and type, and the date agrees.
    parsed = parse_number(ref.number)
    if parsed and ref.date:
        for plan in available:
            if _known_dates(plan).get(parsed.loose_key) == ref.date:
                return plan
    return None
