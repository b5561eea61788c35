"""Fixtures for the service tests: databases (SQLite always, PostgreSQL when TEST_DATABASE_URL names
one) and real servers."""
from __future__ import annotations

from typing import Callable, Iterator

import pytest

from service.storage.db import dispose_engines
from service_testlib import NO_POSTGRES, POSTGRES_URL, Server, reset_postgres, server_env


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> Iterator[str]:
    """Each storage test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'plangap.db'}"
    else:
        if not POSTGRES_URL:
            pytest.skip(NO_POSTGRES)
        reset_postgres(POSTGRES_URL)
        yield POSTGRES_URL
    dispose_engines()


@pytest.fixture
def server_factory(tmp_path) -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def make(**extra: str) -> Server:
        server = Server(server_env(tmp_path, **extra), tmp_path / "server.log")
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()
