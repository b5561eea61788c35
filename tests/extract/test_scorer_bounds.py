"""The contract of the issue: `extract` on the five corpus plans, scored by ../shared/eval/score.py
against the gold annotations, must meet every bound. Runs the real command line end to end."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = (REPO / ".." / "shared").resolve()

BOUNDS = {"references": 0.95, "tasks": 0.90, "lead": 0.90, "support": 0.85, "deadline": 0.90,
          "targets": 0.90, "target_full": 0.85}


@pytest.mark.slow
def test_corpus_extraction_meets_the_scorer_bounds(tmp_path):
    plans = sorted((REPO / "corpus" / "plans").glob("*.txt"))
    assert len(plans) == 5
    out = tmp_path / "extractions"
    extract = subprocess.run([sys.executable, "-m", "service", "extract", *map(str, plans), "--out", str(out), "--no-sandbox"],
                             cwd=REPO, capture_output=True, text=True, timeout=900)
    assert extract.returncode == 0, extract.stderr
    assert sorted(p.name for p in out.glob("*.json")) == [p.stem + ".json" for p in plans]
    bounds = [arg for field, value in BOUNDS.items() for arg in ("--min", f"{field}={value}")]
    score = subprocess.run([sys.executable, str(SHARED / "eval" / "score.py"), str(SHARED / "gold"), str(out), *bounds],
                           capture_output=True, text=True, timeout=300)
    assert score.returncode == 0, score.stdout + score.stderr
    assert score.stdout.strip().splitlines()[-1].startswith("OK ")
