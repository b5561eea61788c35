from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from service.api.deps import Admin, DbDep, PrincipalDep, RunnerDep, SettingsDep
from service.api.errors import ApiError, error_responses
from service.api.schemas import Health, Me, Readiness, UserCreated, UserIn, UserOut
from service.config import Settings
from service.storage import disk, users
from service.storage.db import session_scope

router = APIRouter(tags=["system"])


@router.get("/healthz", response_model=Health, summary="Tình trạng dịch vụ (trả lời ngay, không chờ hàng đợi)")
async def healthz(runner: RunnerDep):
    # async and from memory: it answers even when every request thread and connection is busy
    database = runner.database_ok is not False
    return Health(status="ok" if database else "degraded", database=database, queue=runner.queue_length,
                  workers=runner.workers)


READY_DB_TIMEOUT_S = 3.0


def _database_answers(settings: Settings) -> bool:
    try:
        with session_scope(settings.resolved_database_url) as session:
            session.execute(text("select 1"))
        return True
    except Exception:  # noqa: BLE001 - readiness reports, never raises
        return False


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}},
            summary="Sẵn sàng nhận việc: cơ sở dữ liệu, dung lượng đĩa, tiến trình xử lý")
async def readyz(runner: RunnerDep, settings: SettingsDep):
    probe = asyncio.ensure_future(run_in_threadpool(_database_answers, settings))
    done, _ = await asyncio.wait({probe}, timeout=READY_DB_TIMEOUT_S)
    database = probe in done and probe.result()
    free = disk.free_bytes(settings.files_dir)
    disk_ok = free >= settings.min_free_bytes
    alive = runner.workers_alive()
    problems = []
    if not database:
        problems.append("Cơ sở dữ liệu không trả lời")
    if not disk_ok:
        problems.append(f"Đĩa sắp đầy: còn {free / 1048576:.0f} MB (tối thiểu {settings.min_free_mb:g} MB)")
    if alive is not None and alive < runner.workers:
        problems.append(f"Chỉ {alive}/{runner.workers} tiến trình xử lý đang chạy")
    body = Readiness(status="not_ready" if problems else "ok", database=database, disk_free_mb=round(free / 1048576, 1),
                     disk_ok=disk_ok, workers=runner.workers, workers_alive=alive, queue=runner.queue_length,
                     queue_limit=runner.max_queue, problems=problems)
    return JSONResponse(body.model_dump(), status_code=503 if problems else 200)


@router.get("/me", response_model=Me, responses=error_responses(401), summary="Người đang gọi")
def me(principal: PrincipalDep):
    if principal is None:
        raise ApiError(401, "unauthorized", "Chưa đăng nhập", {"WWW-Authenticate": "Bearer"})
    return Me(name=principal.name, role=principal.role)


@router.post("/users", status_code=201, response_model=UserCreated, responses=error_responses(401, 403, 409, 422),
             summary="Tạo người dùng (quản trị); trả về mã truy cập một lần")
def create_user(body: UserIn, session: DbDep, _admin: Admin):
    if users.get_user_by_name(session, body.name) is not None:
        raise ApiError(409, "conflict", f"Người dùng {body.name} đã tồn tại")
    user, token = users.create_user(session, body.name, body.role, body.password)
    session.commit()
    return UserCreated(id=user.id, name=user.name, role=user.role, created_at=user.created_at, token=token)


@router.get("/users", response_model=list[UserOut], responses=error_responses(401, 403), summary="Người dùng (quản trị)")
def list_users(session: DbDep, _admin: Admin):
    return [UserOut(id=u.id, name=u.name, role=u.role, created_at=u.created_at) for u in users.list_users(session)]
