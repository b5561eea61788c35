"""`extract` on the documents with gold, scored by ../shared/eval/score.py, end to end (the real
command line). Three sets:

- the five corpus plans the extractor was first built on: the original contract of the issue;
- the five wild plans annotated later (other provinces and subjects): a ratchet, each field's floor
  is the figure measured when the last change landed (README, "Extraction quality"), raised as work
  lands and never lowered;
- all ten together: likewise a ratchet; the goal of the issue is 0.93 on every field.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from goldset import GOLD, SHARED, gold_ids, gold_source, is_corpus

REPO = Path(__file__).resolve().parents[2]

CORPUS_BOUNDS = {"references": 0.95, "tasks": 0.90, "lead": 0.90, "support": 0.85, "deadline": 0.90,
                 "targets": 0.90, "target_full": 0.85}
# measured 2026-12-02 (see README); floors only move up
# (wild five: tasks 0.980, lead 0.979, support 0.952, deadline 0.992, targets 0.969; all ten: 0.992,
# 0.985, 0.980, 0.977, 0.996 — targets after award quotas and periods, deadlines after a part's time
# frame, a body's own duty under an owner field, 2026-12-03), rounded down
WILD_FLOORS = {"references": 1.0, "tasks": 0.98, "lead": 0.97, "support": 0.95, "deadline": 0.99,
               "targets": 0.96, "target_full": 0.96}
ALL_FLOORS = {"references": 1.0, "tasks": 0.99, "lead": 0.98, "support": 0.97, "deadline": 0.97,
              "targets": 0.99, "target_full": 0.99}


@pytest.fixture(scope="module")
def extractions(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("extractions")
    sources = [str(gold_source(doc_id)) for doc_id in gold_ids()]
    extract = subprocess.run([sys.executable, "-m", "service", "extract", *sources, "--out", str(out), "--no-sandbox"],
                             cwd=REPO, capture_output=True, text=True, timeout=900)
    assert extract.returncode == 0, extract.stderr
    assert sorted(p.stem for p in out.glob("*.json")) == gold_ids()
    return out


def score(extractions: Path, doc_ids: list[str], bounds: dict[str, float], tmp_path: Path) -> str:
    """Run the scorer on a subset of the gold (a folder of those gold files) with --min bounds."""
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    for doc_id in doc_ids:
        shutil.copy(GOLD / f"{doc_id}.json", gold_dir)
    args = [arg for field, value in bounds.items() for arg in ("--min", f"{field}={value}")]
    result = subprocess.run([sys.executable, str(SHARED / "eval" / "score.py"), str(gold_dir), str(extractions), *args],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("OK ")
    return result.stdout


@pytest.mark.slow
def test_corpus_extraction_meets_the_scorer_bounds(extractions, tmp_path):
    corpus = [d for d in gold_ids() if is_corpus(d)]
    assert len(corpus) == 5
    score(extractions, corpus, CORPUS_BOUNDS, tmp_path)


@pytest.mark.slow
def test_wild_gold_extraction_holds_its_floor(extractions, tmp_path):
    wild = [d for d in gold_ids() if not is_corpus(d)]
    assert len(wild) >= 5
    score(extractions, wild, WILD_FLOORS, tmp_path)


@pytest.mark.slow
def test_all_gold_extraction_holds_its_floor(extractions, tmp_path):
    score(extractions, gold_ids(), ALL_FLOORS, tmp_path)
