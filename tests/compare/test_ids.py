"""Flag ids are fingerprints of type and evidence: identical across runs, different across flags."""
from __future__ import annotations

from compare_plans import city_parent, faithful_child
from nlp.compare import compare
from nlp.compare.ids import deduplicate_ids, fingerprint


def test_ids_are_stable_across_two_runs():
    inputs = dict(drop_group="VII", lead_I=(), target_value=60.0, deadline_II=("Tháng 12/2025", "date", "2025-12-31"))
    first = compare(faithful_child(**inputs).build(), [city_parent()])
    second = compare(faithful_child(**inputs).build(), [city_parent()])
    assert len(first.flags) >= 4
    assert [f.id for f in first.flags] == [f.id for f in second.flags]
    assert len({f.id for f in first.flags}) == len(first.flags)


def test_ids_survive_a_shift_of_offsets():
    """Evidence moved in the text (a line inserted above) keeps its flag's id."""
    plain = faithful_child(lead_I=()).build()
    shifted_writer = faithful_child(lead_I=())
    shifted = shifted_writer.build()
    shifted.text = "Dòng thêm ở đầu văn bản.\n\n" + shifted.text
    delta = len("Dòng thêm ở đầu văn bản.\n\n")
    for item in shifted.tasks + shifted.targets:
        item.span = item.span.model_copy(update={"start": item.span.start + delta, "end": item.span.end + delta})
    for ref in shifted.references:
        ref.mentions = [m.model_copy(update={"start": m.start + delta, "end": m.end + delta}) for m in ref.mentions]
    ids = lambda r: sorted(f.id for f in r.flags)
    assert ids(compare(plain, [city_parent()])) == ids(compare(shifted, [city_parent()]))


def test_fingerprint_normalises_case_and_spacing():
    assert fingerprint("no_owner", "Tổ chức  tuyên truyền.") == fingerprint("no_owner", "tổ chức tuyên truyền")
    assert fingerprint("no_owner", "a") != fingerprint("no_deadline", "a")
    assert deduplicate_ids(["x", "y", "x"]) == ["x", "y", "x-2"]
