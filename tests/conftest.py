"""Shared fixtures: where the data lives, and session-wide caches of structures and extractions.

The data outside the repository (../shared: gold, parents, wild, the scorer) is read in place,
never copied. Ingest, structure and extraction of the same file are done once per session, so
the many small assertions on the five corpus plans and the parents cost one run each.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()
CORPUS = REPO / "corpus" / "plans"
PARENTS = SHARED / "parents"
WILD = SHARED / "wild"
GOLD = SHARED / "gold"
SCORER = SHARED / "eval" / "score.py"


def corpus_plan_paths() -> list[Path]:
    return sorted(CORPUS.glob("*.txt"))


def corpus_plan(prefix: str) -> Path:
    """The corpus plan whose file name starts with ``prefix`` ('002')."""
    matches = [p for p in corpus_plan_paths() if p.name.startswith(prefix)]
    assert len(matches) == 1, f"no single corpus plan starts with {prefix!r}: {matches}"
    return matches[0]


def wild_paths() -> list[Path]:
    return sorted(p for p in WILD.glob("*.md") if p.name != "README.md")


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared() -> Path:
    assert SHARED.is_dir(), f"the shared data folder is missing: {SHARED}"
    return SHARED


@pytest.fixture(scope="session")
def ingested() -> Callable:
    """path -> IngestedDocument, each file read once per session (in-process: trusted test data)."""
    from nlp.ingest import ingest_path

    cache: dict[Path, object] = {}

    def get(path: Path):
        path = Path(path).resolve()
        if path not in cache:
            cache[path] = ingest_path(path)
        return cache[path]

    return get


@pytest.fixture(scope="session")
def structured(ingested) -> Callable:
    """path -> StructuredDocument, cached for the session."""
    from nlp.structure import build_structure

    cache: dict[Path, object] = {}

    def get(path: Path):
        path = Path(path).resolve()
        if path not in cache:
            cache[path] = build_structure(ingested(path))
        return cache[path]

    return get


@pytest.fixture(scope="session")
def extracted(structured) -> Callable:
    """path -> Extraction, cached for the session."""
    from nlp.pipeline import extract_structured

    cache: dict[Path, object] = {}

    def get(path: Path):
        path = Path(path).resolve()
        if path not in cache:
            cache[path] = extract_structured(structured(path))
        return cache[path]

    return get


@pytest.fixture(scope="session")
def corpus_extractions(extracted) -> dict:
    """doc id (file stem) -> Extraction for the five corpus plans."""
    return {p.stem: extracted(p) for p in corpus_plan_paths()}


@pytest.fixture(scope="session")
def gold() -> Callable:
    """doc id -> the hand annotation of that corpus plan."""

    def get(doc_id: str) -> dict:
        return json.loads((GOLD / f"{doc_id}.json").read_text(encoding="utf-8"))

    return get
