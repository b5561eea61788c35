"""The bundled parent renderings and parent resolution."""
from __future__ import annotations

import re

import pytest
import yaml

from nlp.compare import load_bundled_parents, resolve_parents
from nlp.compare.parents import BUNDLED_DIR, ParentPlan, task_binds_localities
from nlp.schema import DocumentInfo, Extraction, Reference


@pytest.fixture(scope="module")
def parents():
    return {p.doc_id: p for p in load_bundled_parents()}


def test_bundled_parents_load_as_extractions(parents):
    assert set(parents) == {"57-NQ-TW", "03-NQ-CP"}
    assert all(isinstance(p, ParentPlan) for p in parents.values())
    programme = parents["03-NQ-CP"]
    assert len(programme.tasks) >= 140 and len({t.id for t in programme.tasks}) == len(programme.tasks)
    assert all(re.fullmatch(r"PL2\.(I|II|III|IV|V|VI|VII)\.[\d-]+", t.section) for t in programme.tasks)
    assert all(t.section.startswith("PL1.") for t in programme.targets)
    assert {g.id for g in programme.groups} == {"I", "II", "III", "IV", "V", "VI", "VII"}
    resolution = parents["57-NQ-TW"]
    assert {t.year for t in resolution.targets} == {2030, 2045}
    assert {t.group for t in resolution.tasks} == {"I", "II", "III", "IV", "V", "VI", "VII"}


def test_three_percent_of_budget_in_both_parents(parents):
    for plan in parents.values():
        budget = [t for t in plan.targets if "ngân sách" in t.indicator.lower() and t.unit.startswith("% tổng chi")]
        assert budget and budget[0].value == 3 and budget[0].comparator == ">=" and budget[0].year == 2030


def test_amendments_of_71_applied(parents):
    tasks = {t.id: t for t in parents["03-NQ-CP"].tasks}
    assert tasks["PL2.III.66"].deadline.due == "2025-09-30" and tasks["PL2.III.66"].amended_by == "71/NQ-CP"
    assert tasks["PL2.III.73"].deadline.due == "2025-05-31"
    assert task_binds_localities(tasks["PL2.III.66"]) and not task_binds_localities(tasks["PL2.I.1"])
    leads = {lead for t in parents["03-NQ-CP"].targets for lead in t.lead}
    assert "Bộ Thông tin và Truyền thông" not in leads and "Bộ Khoa học và Công nghệ" in leads


def _shingles(text: str, n: int = 12) -> set[tuple[str, ...]]:
    words = [re.sub(r"\W+", "", w) for w in text.lower().split()]
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def test_renderings_are_summaries_not_copies(shared):
    """Summaries and indicators are short labels; no run of 16 words of the real texts is in the YAML's
    own-wording fields (agency names in lead/support are names, not text)."""
    source = set()
    for name in ("57-NQ-TW.md", "03-NQ-CP.md", "03-NQ-CP-PL1.md", "03-NQ-CP-PL2.md"):
        source |= _shingles((shared / "parents" / name).read_text(encoding="utf-8"), 16)
    for path in BUNDLED_DIR.glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert all(len(t["summary"].split()) <= 13 for t in data["tasks"])   # 12 syllables and "…"
        assert all(len(t["indicator"].split()) <= 20 for t in data["targets"])
        fields = [t["summary"] for t in data["tasks"]] + [t["indicator"] for t in data["targets"]]
        fields += [" ".join(t.get("keywords", [])) for t in data["tasks"]] + [g["title"] for g in data["groups"]]
        copied = set().union(*(_shingles(f, 16) for f in fields)) & source
        assert not copied, sorted(copied)[:3]


def _child(*refs: Reference, title: str = "Kế hoạch của phường") -> Extraction:
    return Extraction(doc_id="c", document=DocumentInfo(title=title), references=list(refs))


def test_resolution_by_normalised_number(parents):
    available = list(parents.values())
    child = _child(Reference(number="71/NQ-CP"), Reference(number="57-NQ/TW"),
                   title="Kế hoạch thực hiện Nghị quyết 71/NQ-CP và Nghị quyết số 57 - NQ/TW")
    found, unresolved = resolve_parents(child, available)
    assert [p.doc_id for p in found] == ["57-NQ-TW", "03-NQ-CP"] and unresolved == []


def test_uncited_parent_types_are_not_parents(parents):
    child = _child(Reference(number="1703/SKHCN-CNTT"), Reference(number="02/2025/TT-BGDĐT"),
                   title="Kế hoạch theo Công văn 1703/SKHCN-CNTT và Thông tư 02/2025/TT-BGDĐT")
    assert resolve_parents(child, list(parents.values())) == ([], [])


def test_an_uploaded_extraction_can_be_a_parent(parents):
    city = Extraction(doc_id="hp-238", document=DocumentInfo(number="238/KH-UBND", issued="2025-09-13"))
    child = _child(Reference(number="238/KH-UBND"), title="Kế hoạch thực hiện Kế hoạch số 238/KH-UBND của UBND thành phố")
    found, unresolved = resolve_parents(child, list(parents.values()) + [city])
    assert [p.doc_id for p in found] == ["hp-238"] and unresolved == []
