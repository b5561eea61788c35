"""Dependencies: settings, the job runner, a DB session per request, and who is calling.

Credentials: ``Authorization: Bearer <token>`` (PLANGAP_TOKEN is an admin token; users' tokens are
stored hashed) or the UI's signed session cookie. Writes through a cookie also need the CSRF token.
Roles rank uploader < reviewer < admin."""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Callable, Iterator, Optional

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from service.api.authcache import AuthCache
from service.api.errors import ApiError
from service.api.security import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, csrf_ok, read_session
from service.config import Settings
from service.storage.db import session_scope
from service.storage.models import User
from service.storage.users import user_by_token
from service.worker import JobRunner

ROLE_RANK = {"uploader": 1, "reviewer": 2, "admin": 3}
STATIC_ADMIN_ID = 0   # the session id of someone who logged in with PLANGAP_TOKEN
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
AUTHENTICATED = "plangap_principal"   # request state key: the caller, when resolved before the body


@dataclass(frozen=True)
class Principal:
    name: str
    role: str
    via: str                  # "token", "static_token", "session"
    user_id: Optional[int] = None

    def can(self, role: str) -> bool:
        return ROLE_RANK.get(self.role, 0) >= ROLE_RANK[role]


# async: FastAPI runs a plain-def dependency in the request thread pool; these only read the app's
# state, and /healthz must not wait for a free thread while a burst holds them all
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_runner(request: Request) -> JobRunner:
    return request.app.state.runner


def get_db(request: Request) -> Iterator[Session]:
    with session_scope(request.app.state.settings.resolved_database_url) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
RunnerDep = Annotated[JobRunner, Depends(get_runner)]
DbDep = Annotated[Session, Depends(get_db)]


def principal_for_token(settings: Settings, session: Session, token: str,
                        cache: Optional[AuthCache] = None) -> Optional[Principal]:
    if settings.token and hmac.compare_digest(token.encode(), settings.token.encode()):
        return Principal(name="admin", role="admin", via="static_token", user_id=STATIC_ADMIN_ID)
    if cache is not None:
        if cache.known_bad(token):
            return None
        known = cache.known_good(token)
        if known is not None:
            user = session.get(User, known[0])
            if user is not None and user.token_hash == known[1]:
                return Principal(user.name, user.role, "token", user.id)
    user = user_by_token(session, token)
    if cache is not None:
        if user is None:
            cache.remember_bad(token)
        else:
            cache.remember_good(token, user.id, user.token_hash)
    return Principal(user.name, user.role, "token", user.id) if user else None


def principal_for_session(settings: Settings, session: Session, cookie: Optional[str]) -> Optional[Principal]:
    data = read_session(settings.session_secret(), cookie, settings.session_max_age_s)
    if data is None:
        return None
    if data.get("uid") == STATIC_ADMIN_ID:
        return Principal(name=str(data.get("name", "admin")), role="admin", via="session", user_id=STATIC_ADMIN_ID) \
            if settings.token else None
    user = session.get(User, data.get("uid")) if isinstance(data.get("uid"), int) else None
    return Principal(user.name, user.role, "session", user.id) if user else None


def auth_cache(request: Request) -> Optional[AuthCache]:
    return getattr(request.app.state, "auth_cache", None)


def resolve_principal(request: Request, session: Session, settings: Settings) -> Optional[Principal]:
    """Who is calling, or None. An invalid bearer token is an error, not an anonymous call."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        principal = principal_for_token(settings, session, token.strip(), auth_cache(request)) \
            if scheme.lower() == "bearer" else None
        if principal is None:
            raise ApiError(401, "unauthorized", "Mã truy cập không hợp lệ", {"WWW-Authenticate": "Bearer"})
        return principal
    return principal_for_session(settings, session, request.cookies.get(SESSION_COOKIE))


def current_principal(request: Request, session: DbDep, settings: SettingsDep) -> Optional[Principal]:
    """The caller, resolved once per request (uploads are authenticated before their body is read)."""
    if AUTHENTICATED in request.scope.get("state", {}):
        return request.scope["state"][AUTHENTICATED]
    return resolve_principal(request, session, settings)


def authenticate_before_body(request: Request, settings: Settings, role: str) -> Optional[ApiError]:
    """For uploads: decide who is calling from the headers alone, before the body is read, so that a
    large body from an unauthorised caller is never received. None when the caller may go on."""
    try:
        with session_scope(settings.resolved_database_url) as session:
            principal = resolve_principal(request, session, settings)
    except ApiError as exc:
        return exc
    if principal is None:
        return ApiError(401, "unauthorized", "Cần đăng nhập hoặc mã truy cập (Authorization: Bearer …)",
                        {"WWW-Authenticate": "Bearer"})
    if not principal.can(role):
        return ApiError(403, "forbidden", f"Cần quyền {ROLE_LABELS[role]} để thực hiện thao tác này")
    request.scope.setdefault("state", {})[AUTHENTICATED] = principal
    return None


PrincipalDep = Annotated[Optional[Principal], Depends(current_principal)]


async def _check_csrf(request: Request, settings: Settings) -> None:
    token = request.headers.get(CSRF_HEADER)
    if token is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        token = (await request.form()).get(CSRF_FIELD)
    if not csrf_ok(settings.session_secret(), request.cookies.get(SESSION_COOKIE, ""), token):
        raise ApiError(403, "csrf", "Phiên làm việc không hợp lệ, hãy tải lại trang")


def require(role: str) -> Callable:
    """Dependency: the caller must hold ``role`` (or a higher one)."""

    async def _dependency(request: Request, principal: PrincipalDep, settings: SettingsDep) -> Principal:
        if principal is None:
            raise ApiError(401, "unauthorized", "Cần đăng nhập hoặc mã truy cập (Authorization: Bearer …)",
                           {"WWW-Authenticate": "Bearer"})
        if not principal.can(role):
            raise ApiError(403, "forbidden", f"Cần quyền {ROLE_LABELS[role]} để thực hiện thao tác này")
        if principal.via == "session" and request.method in UNSAFE_METHODS:
            await _check_csrf(request, settings)
        return principal

    return _dependency


async def reader(principal: PrincipalDep, settings: SettingsDep) -> Optional[Principal]:
    """Reads need a login unless PLANGAP_OPEN_READS=1."""
    if principal is None and not settings.open_reads:
        raise ApiError(401, "unauthorized", "Cần đăng nhập hoặc mã truy cập (Authorization: Bearer …)",
                       {"WWW-Authenticate": "Bearer"})
    return principal


ROLE_LABELS = {"uploader": "người tải lên", "reviewer": "người rà soát", "admin": "quản trị"}

Reader = Annotated[Optional[Principal], Depends(reader)]
Uploader = Annotated[Principal, Depends(require("uploader"))]
Reviewer = Annotated[Principal, Depends(require("reviewer"))]
Admin = Annotated[Principal, Depends(require("admin"))]
