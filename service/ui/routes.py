"""Reviewer UI pages. Reads follow the API's rule (login unless PLANGAP_OPEN_READS=1); actions need a
role, a session and its CSRF token; reviews are sent by the page's script to PATCH /flags/{id}."""
from __future__ import annotations

from pathlib import Path
from typing import Optional
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from service.api import actions
from service.api.deps import (STATIC_ADMIN_ID, DbDep, Principal, PrincipalDep, RunnerDep, SettingsDep, require)
from service.api.errors import ApiError
from service.api.presenters import flag_out
from service.api.security import SESSION_COOKIE, csrf_token, make_session
from service.storage import repository as repo
from service.storage.users import user_by_password, user_by_token
from service.ui import labels
from service.ui.coverage import group_bars, summary_bars

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals.update(labels=labels, label=labels.label)

router = APIRouter(prefix="/ui", include_in_schema=False)


class LoginRequired(Exception):
    def __init__(self, next_url: str):
        self.next_url = next_url


def _safe_next(url: Optional[str]) -> str:
    return url if url and url.startswith("/ui") and not url.startswith("//") else "/ui/"


def page_reader(request: Request, principal: PrincipalDep, settings: SettingsDep) -> Optional[Principal]:
    if principal is None and not settings.open_reads:
        raise LoginRequired(str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""))
    return principal


def _render(request: Request, template: str, principal: Optional[Principal], status_code: int = 200, **context):
    settings = request.app.state.settings
    cookie = request.cookies.get(SESSION_COOKIE, "")
    context.update(principal=principal, can_upload=bool(principal and principal.can("uploader")),
                   can_review=bool(principal and principal.can("reviewer")),
                   csrf=csrf_token(settings.session_secret(), cookie) if cookie else "")
    return templates.TemplateResponse(request, template, context, status_code=status_code)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: Optional[str] = None):
    return _render(request, "login.html", None, next=_safe_next(next), error=None)


@router.post("/login")
def login(request: Request, session: DbDep, settings: SettingsDep, name: str = Form(""), password: str = Form(""),
          next: str = Form("/ui/")):
    """A name and password, or (name left empty) an API token in the password field."""
    user_id = display_name = None
    if name:
        user = user_by_password(session, name, password)
        if user is not None:
            user_id, display_name = user.id, user.name
    elif settings.token and password == settings.token:
        user_id, display_name = STATIC_ADMIN_ID, "admin"
    elif password:
        user = user_by_token(session, password)
        if user is not None:
            user_id, display_name = user.id, user.name
    if user_id is None:
        return _render(request, "login.html", None, status_code=401, next=_safe_next(next),
                       error="Sai tên đăng nhập hoặc mật khẩu")
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, make_session(settings.session_secret(), user_id, display_name),
                        max_age=settings.session_max_age_s, httponly=True, samesite="lax")
    return response


@router.post("/logout")
def logout():
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
def documents_page(request: Request, session: DbDep, principal: Optional[Principal] = Depends(page_reader)):
    documents = repo.list_documents(session, limit=500)
    counts = repo.flag_counts(session, [d.id for d in documents])
    return _render(request, "documents.html", principal, documents=documents, counts=counts)


@router.post("/upload")
async def upload(request: Request, session: DbDep, runner: RunnerDep, settings: SettingsDep,
                 principal: Principal = Depends(require("uploader"))):
    form = await request.form()
    upload_file = form.get("file")
    if upload_file is None or isinstance(upload_file, str):
        raise ApiError(422, "invalid_request", "Chưa chọn tệp")
    data = await upload_file.read(settings.max_upload_bytes + 1)
    document, _duplicate = actions.accept_upload(session, runner, settings, data, upload_file.filename or "document",
                                                 principal)
    if form.get("analyse") and document.status != "failed":   # an unticked box sends nothing
        analysis = actions.request_analysis(session, runner, document.id, None, principal)
        return RedirectResponse(f"/ui/analyses/{analysis.id}", status_code=303)
    return RedirectResponse(f"/ui/documents/{document.id}", status_code=303)


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(document_id: str, request: Request, session: DbDep,
                  principal: Optional[Principal] = Depends(page_reader)):
    document = repo.get_document(session, document_id)
    if document is None:
        raise ApiError(404, "not_found", f"Không tìm thấy tài liệu {document_id}")
    analyses = repo.list_analyses(session, document_id=document.id, limit=50)
    counts = repo.flag_counts(session, [document.id]).get(document.id)
    extraction = document.extraction or {}
    return _render(request, "document.html", principal, document=document, analyses=analyses, counts=counts,
                   n_tasks=len(extraction.get("tasks") or []), n_targets=len(extraction.get("targets") or []),
                   n_references=len(extraction.get("references") or []))


@router.post("/documents/{document_id}/analyse")
def analyse(document_id: str, session: DbDep, runner: RunnerDep, principal: Principal = Depends(require("uploader"))):
    analysis = actions.request_analysis(session, runner, document_id, None, principal)
    return RedirectResponse(f"/ui/analyses/{analysis.id}", status_code=303)


@router.get("/analyses/{analysis_id}", response_class=HTMLResponse)
def analysis_page(analysis_id: str, request: Request, session: DbDep,
                  principal: Optional[Principal] = Depends(page_reader), type: Optional[str] = None,
                  severity: Optional[str] = None, status: Optional[str] = None):
    analysis = repo.get_analysis(session, analysis_id)
    if analysis is None:
        raise ApiError(404, "not_found", f"Không tìm thấy phân tích {analysis_id}")
    document = repo.get_document(session, analysis.document_id)
    all_flags = [flag_out(row, review) for row, review in repo.list_flags(session, analysis_id=analysis.id)]
    flags = [f for f in all_flags if (not type or f.type == type) and (not severity or f.severity == severity)
             and (not status or f.status == status)]
    filters = {"type": type or "", "severity": severity or "", "status": status or ""}
    return _render(request, "analysis.html", principal, analysis=analysis, document=document, flags=flags,
                   total=len(all_flags), filters=filters, group_bars=group_bars(analysis.coverage),
                   summary_bars=summary_bars(analysis.coverage),
                   types_present=sorted({f.type for f in all_flags}),
                   export_query=urlencode({k: v for k, v in filters.items() if v}))


def _html_error_page(request: Request, status_code: int, code: str, message: str) -> Response:
    return _render(request, "error.html", None, status_code=status_code, code=code, message=message)


def mount_ui(app: FastAPI) -> None:
    app.state.html_error_page = _html_error_page
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(router)

    @app.get("/", include_in_schema=False)
    def root():
        return RedirectResponse("/ui/", status_code=307)

    @app.exception_handler(LoginRequired)
    async def _login_required(_request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/ui/login?next={quote(exc.next_url, safe='')}", status_code=303)
