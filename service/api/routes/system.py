from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from service.api.deps import Admin, DbDep, PrincipalDep, RunnerDep
from service.api.errors import ApiError, error_responses
from service.api.schemas import Health, Me, UserCreated, UserIn, UserOut
from service.storage import users

router = APIRouter(tags=["system"])


@router.get("/healthz", response_model=Health, summary="Tình trạng dịch vụ")
def healthz(session: DbDep, runner: RunnerDep):
    try:
        session.execute(text("select 1"))
        database = True
    except Exception:  # noqa: BLE001 - health reports, never raises
        database = False
    return Health(status="ok" if database else "degraded", database=database, queue=runner.queue_length,
                  workers=runner.workers)


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
