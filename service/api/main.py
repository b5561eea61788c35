"""The FastAPI application: API routers, the reviewer UI, startup (migrations, worker pool)."""
from __future__ import annotations

import importlib
import logging
import sys
from contextlib import asynccontextmanager
from typing import Optional

import anyio.to_thread
from fastapi import FastAPI

from service.api.authcache import AuthCache
from service.api.errors import install_error_handlers
from service.api.limits import UploadSizeLimit
from service.api.timeouts import RequestTimeout
from service.api.routes import analyses, documents, flags, system
from service.config import Settings, get_settings
from service.storage.db import session_scope, set_pool_size, upgrade
from service.storage.users import create_user, get_user_by_name, set_password
from service.worker import JobConfig, JobRunner

log = logging.getLogger("plangap.api")

GIL_SWITCH_INTERVAL_S = 0.001
RUNNER_CONNECTIONS = 4   # the job runner's dispatcher and result callbacks, besides the request threads
OPTIONAL_ROUTERS = ["bulk"]   # service/api/routes/bulk.py: bulk runs as admin jobs (service.bulk)

DESCRIPTION = """
Phân tích khoảng trống giữa một kế hoạch và các văn bản cấp trên (Nghị quyết 57-NQ/TW, 03/NQ-CP, 71/NQ-CP,
kế hoạch tỉnh...). Tải tài liệu lên, yêu cầu phân tích, đọc các cờ kèm bằng chứng và rà soát chúng.

Xác thực: `Authorization: Bearer <token>` (PLANGAP_TOKEN hoặc mã của người dùng) hoặc phiên đăng nhập của
giao diện. Mọi lỗi trả về JSON `{"error": mã, "message": thông điệp}`.
"""


def _bootstrap_admin(settings: Settings) -> None:
    """PLANGAP_ADMIN_PASSWORD: make sure a UI login 'admin' exists with that password."""
    if not settings.admin_password:
        return
    with session_scope(settings.resolved_database_url) as session:
        user = get_user_by_name(session, "admin")
        if user is None:
            create_user(session, "admin", "admin", settings.admin_password)
        else:
            set_password(user, settings.admin_password)


def _optional_routers() -> list:
    """Routers owned by other parts of the service, included when present (as the CLI does)."""
    routers = []
    for name in OPTIONAL_ROUTERS:
        try:
            module = importlib.import_module(f"service.api.routes.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"service.api.routes.{name}":
                raise
            continue
        routers.append(module.router)
    return routers


def create_app(settings: Optional[Settings] = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        settings.ensure_dirs()
        settings.export_limits()
        # sync endpoints and dependencies run in these threads; each holds at most one connection, so
        # the pool gets one per thread plus the runner's (dispatcher, job callbacks) and never starves
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        # the event loop (which answers /healthz) competes with those threads for the GIL: hand it over
        # more often than every 5 ms, so that busy request threads cannot starve the loop
        sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
        set_pool_size(settings.request_threads + RUNNER_CONNECTIONS)
        upgrade(settings.resolved_database_url)
        _bootstrap_admin(settings)
        settings.session_secret()   # create it now, not racily on a first request
        runner = JobRunner(JobConfig(database_url=settings.resolved_database_url,
                                     files_dir=str(settings.files_dir.resolve()),
                                     max_pages=settings.max_pages, job_timeout_s=settings.job_timeout_s,
                                     parse_timeout_s=settings.parse_timeout_s,
                                     parse_memory_mb=settings.parse_memory_mb),
                           workers=settings.workers, max_queue=settings.max_queue, run_dir=settings.run_dir)
        app.state.runner = runner
        runner.start()
        try:
            yield
        finally:
            runner.shutdown()

    app = FastAPI(title="plangap", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)   # offline pages: service.api.docs
    app.state.settings = settings
    app.state.auth_cache = AuthCache()
    install_error_handlers(app)
    app.add_middleware(UploadSizeLimit, max_bytes=settings.max_upload_bytes, settings=settings)
    app.add_middleware(RequestTimeout, seconds=settings.request_timeout_s)   # outermost: bounds the whole request
    for router in (documents.router, analyses.router, flags.router, system.router, *_optional_routers()):
        app.include_router(router)

    from service.api.docs import install_api_docs
    from service.ui.routes import mount_ui

    install_api_docs(app)
    mount_ui(app)
    return app
