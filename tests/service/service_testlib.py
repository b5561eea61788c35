"""Helpers for the service tests: settings on a temporary data dir, PostgreSQL reset, polling,
a real uvicorn server in a subprocess."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Iterator

import httpx
import pytest
from sqlalchemy import create_engine, text

from service.config import Settings
from service.storage.db import dispose_engines

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus" / "plans"
ADMIN_TOKEN = "test-admin-token-0123456789"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
NO_POSTGRES = "TEST_DATABASE_URL is unset: no PostgreSQL server to test against (make test starts one)"


def corpus_plan(index: int = 0) -> Path:
    return sorted(CORPUS.glob("*.txt"))[index]


def reset_postgres(url: str) -> None:
    """An empty public schema, so every test starts from migrations on a blank database."""
    dispose_engines()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_settings(tmp_path: Path, database_url: str | None = None, **overrides) -> Settings:
    values = dict(data_dir=tmp_path / "data", token=ADMIN_TOKEN, workers=1, open_reads=False,
                  secret_key="test-secret", max_queue=20)
    values.update(overrides)
    return Settings(database_url=database_url or f"sqlite:///{tmp_path / 'data' / 'plangap.db'}", **values)


AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def wait_until(check: Callable[[], object], timeout: float = 240, interval: float = 0.25, what: str = "condition"):
    """Poll ``check`` until it returns something truthy (the value is returned)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


def wait_for_status(client, url: str, statuses=("done", "failed"), timeout: float = 240) -> dict:
    def check():
        body = client.get(url, headers=AUTH).json()
        return body if body.get("status") in statuses else None
    return wait_until(check, timeout, what=f"{url} to reach {statuses}")


# ---------------------------------------------------------------- a real server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python -m service serve` in a subprocess, on a random port, with the given environment."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.env = env
        self.log_path = log_path
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> "Server":
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "warning"], cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        def up():
            if self.process.poll() is not None:
                raise AssertionError(f"server exited: {self.log_path.read_text()[-3000:]}")
            try:
                return httpx.get(self.url + "/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False
        wait_until(up, timeout, what="server start")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def server_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANGAP_") and k != "DATABASE_URL"}
    env.update({"PLANGAP_DATA_DIR": str(tmp_path / "data"), "PLANGAP_TOKEN": ADMIN_TOKEN,
                "PLANGAP_SECRET_KEY": "test-secret", "PLANGAP_WORKERS": "1", "PYTHONPATH": str(REPO)})
    env.update(extra)
    return env


def docgen():
    """tests/fixtures/docgen.py: real DOCX and PDF renderings of a plan."""
    fixtures = str(REPO / "tests" / "fixtures")
    if fixtures not in sys.path:
        sys.path.insert(0, fixtures)
    import docgen as module

    return module


def crash_the_worker(_config, _job_id) -> None:
    """A job whose worker process dies without a word (as when the kernel kills it for memory)."""
    os._exit(9)
