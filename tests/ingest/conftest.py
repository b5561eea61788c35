"""Shared fixtures for the ingest tests: generated DOCX/PDF files, built once per session."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
if str(FIXTURES) not in sys.path:
    sys.path.insert(0, str(FIXTURES))

import docgen  # noqa: E402

PLAN_001 = docgen.CORPUS / "001_a9e7f9238c935776.txt"
PLAN_003 = docgen.CORPUS / "003_799e3f1e10b8b658.txt"
PARENT_PL2 = docgen.SHARED / "parents" / "03-NQ-CP-PL2.md"


@pytest.fixture(scope="session")
def plan_001_blocks():
    return docgen.plan_blocks(PLAN_001)


@pytest.fixture(scope="session")
def plan_001_docx(plan_001_blocks) -> bytes:
    return docgen.plan_to_docx(plan_001_blocks)


@pytest.fixture(scope="session")
def plan_001_pdf(plan_001_blocks) -> bytes:
    return docgen.plan_to_pdf(plan_001_blocks)


@pytest.fixture(scope="session")
def pl2_blocks():
    if not PARENT_PL2.exists():
        pytest.skip("../shared/parents/03-NQ-CP-PL2.md not available")
    return docgen.plan_blocks(PARENT_PL2)


@pytest.fixture(scope="session")
def pl2_pdf(pl2_blocks) -> bytes:
    return docgen.plan_to_pdf(pl2_blocks)


@pytest.fixture(scope="session")
def pl2_docx(pl2_blocks) -> bytes:
    return docgen.plan_to_docx(pl2_blocks, split_tables_at=60)


def assert_spans_exact(doc) -> None:
    """Every block, row and cell span slices exactly its text out of the canonical text."""
    assert doc.text == "\n\n".join(b.text for b in doc.blocks)
    for block in doc.blocks:
        assert doc.text[block.span.start:block.span.end] == block.text
        if block.kind == "table":
            assert block.text == "\n".join(" | ".join(c.text for c in r.cells) for r in block.rows)
            for row in block.rows:
                assert doc.text[row.span.start:row.span.end] == " | ".join(c.text for c in row.cells)
                for cell in row.cells:
                    assert doc.text[cell.span.start:cell.span.end] == cell.text
        else:
            assert not block.rows
            assert "\n" not in block.text
