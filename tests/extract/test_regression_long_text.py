"""Texts over spaCy's 1,000,000-character default (E088) extract; texts over our documented limit
(PLANGAP_MAX_CHARS) are refused with a Vietnamese error before structure and extraction run."""
from __future__ import annotations

from pathlib import Path

import pytest

from nlp.errors import PlangapError
from nlp.limits import DEFAULT_MAX_CHARS
from nlp.pipeline import extract_bytes

PLAN_002 = next((Path(__file__).resolve().parents[2] / "corpus" / "plans").glob("002_*.txt"))


@pytest.mark.slow
def test_regression_spacy_e088_a_1_5_million_character_plan_extracts():
    one = PLAN_002.read_text(encoding="utf-8")
    single = extract_bytes(one.encode(), "one.txt", sandboxed=False)
    copies = 1_500_000 // len(single.text) + 1          # the canonical text is what extraction sees
    long = extract_bytes("\n\n".join([one] * copies).encode(), "long.txt", sandboxed=False)
    assert 1_500_000 <= len(long.text) <= DEFAULT_MAX_CHARS
    assert len(long.tasks) >= copies * len(single.tasks) * 0.9
    last = max(long.tasks, key=lambda task: task.span.start)
    assert last.span.start > 1_400_000 and long.text[last.span.start:last.span.end].strip()


def test_a_text_over_the_documented_limit_is_refused_before_work_starts(monkeypatch):
    monkeypatch.setenv("PLANGAP_MAX_CHARS", "5000")
    import nlp.structure

    monkeypatch.setattr(nlp.structure, "build_structure", lambda *_: pytest.fail("structure ran on a refused text"))
    with pytest.raises(PlangapError) as refused:
        extract_bytes(PLAN_002.read_bytes(), "dai.txt", sandboxed=False)
    assert refused.value.code == "too_long"
    assert "tối đa 5.000 ký tự" in refused.value.message
