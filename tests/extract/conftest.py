"""Fixtures shared by the extraction tests."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


@pytest.fixture(scope="session")
def scorer():
    """../shared/eval/score.py: its matching rules decide which prediction is which gold item."""
    spec = importlib.util.spec_from_file_location("plangap_gold_scorer", SHARED / "eval" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
