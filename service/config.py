"""Service configuration, read from the environment (pydantic-settings).

| variable | meaning | default |
|---|---|---|
| DATABASE_URL | SQLAlchemy URL (sqlite:///..., postgresql+psycopg://...) | sqlite file in PLANGAP_DATA_DIR |
| PLANGAP_DATA_DIR | stored uploads, the SQLite file, the session secret | ./data |
| PLANGAP_TOKEN | admin bearer token for automation | unset (no static token) |
| PLANGAP_OPEN_READS | 1: GET endpoints and UI pages need no login | 0 |
| PLANGAP_SECRET_KEY | signs session cookies | generated once into the data dir |
| PLANGAP_ADMIN_PASSWORD | ensures a UI login "admin" with this password at startup | unset |
| PLANGAP_WORKERS | worker processes (0: threads in the server process, for development) | 2 |
| PLANGAP_MAX_UPLOAD_MB | largest accepted upload | 20 |
| PLANGAP_MAX_PAGES | longest accepted document (PDF pages) | 300 |
| PLANGAP_MAX_QUEUE | jobs waiting or running before new work gets 429 | 20 |
| PLANGAP_JOB_TIMEOUT_S | a job running longer is marked failed | 600 |
| PLANGAP_PARSE_TIMEOUT_S | wall-clock limit of the sandboxed parse of one upload | 60 |
| PLANGAP_PARSE_MEMORY_MB | memory cap of the sandboxed parse | 1024 |
| PLANGAP_MAX_CHARS | longest accepted text (characters), checked before extraction | 3000000 |
| PLANGAP_MIN_FREE_MB | uploads are refused (507) and /readyz is not ok below this free disk space | 200 |
| PLANGAP_REQUEST_TIMEOUT_S | a request taking longer is answered 503 | 30 |
| PLANGAP_REQUEST_THREADS | threads serving requests; the database pool is sized to match | 8 |
"""
from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Optional

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PLANGAP_", extra="ignore")

    database_url: Optional[str] = Field(default=None, validation_alias=AliasChoices("DATABASE_URL", "PLANGAP_DATABASE_URL"))
    data_dir: Path = Path("data")
    token: Optional[str] = None
    open_reads: bool = False
    secret_key: Optional[str] = None
    admin_password: Optional[str] = None
    workers: int = Field(default=2, ge=0, le=64)
    max_upload_mb: float = Field(default=20, gt=0)
    max_pages: int = Field(default=300, gt=0)
    max_queue: int = Field(default=20, gt=0)
    job_timeout_s: float = Field(default=600, gt=0)
    parse_timeout_s: float = Field(default=60, gt=0)
    parse_memory_mb: int = Field(default=1024, ge=128)
    max_chars: int = Field(default=3_000_000, gt=0)
    min_free_mb: float = Field(default=200, ge=0)
    request_timeout_s: float = Field(default=30, gt=0)
    request_threads: int = Field(default=8, ge=1, le=256)
    session_max_age_s: int = 12 * 3600

    @property
    def min_free_bytes(self) -> int:
        return int(self.min_free_mb * 1024 * 1024)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'plangap.db').resolve()}"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def run_dir(self) -> Path:
        """Registrations of the worker processes (reaped by the next start if the server was killed)."""
        return self.data_dir / "run"

    def ensure_dirs(self) -> None:
        self.files_dir.mkdir(parents=True, exist_ok=True)

    def export_limits(self) -> None:
        """The text limit is read from the environment by the pipeline in the worker processes: give them
        this configuration's value. (PLANGAP_MAX_PAGES is read from the same variable, with the same default,
        by these settings and by the PDF reader, whose page limit therefore says the same number.)"""
        import os

        os.environ["PLANGAP_MAX_CHARS"] = str(self.max_chars)

    def session_secret(self) -> bytes:
        """The cookie-signing key: configured, or generated once and kept in the data dir so that
        sessions survive a restart."""
        if self.secret_key:
            return self.secret_key.encode()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / ".secret_key"
        if not path.exists():
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(32))
        return path.read_text().strip().encode()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
