"""Fixtures for the bulk tests: a mixed corpus, settings on a temporary data dir."""
from __future__ import annotations


from pathlib import Path

import pytest

from bulk_testlib import mixed_corpus
from service.storage.db import dispose_engines


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory) -> Path:
    return mixed_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(autouse=True, scope="module")
def _dispose_engines():
    yield
    dispose_engines()
