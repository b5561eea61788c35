"""Reviewer UI pages. Reads follow the API's rule (login unless PLANGAP_OPEN_READS=1); actions need a
role, a session and its CSRF token; reviews are sent by the page's script to PATCH /flags/{id}."""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import Optional
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, FastAPI, Form, Query, Request
from pydantic import ValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from service.api import actions
from service.api.deps import (STATIC_ADMIN_ID, DbDep, Principal, PrincipalDep, RunnerDep, SettingsDep, require)
from service.api.errors import ApiError
from service.api.presenters import flag_out, reading_progress
from service.api.schemas import UserIn
from service.api.security import SESSION_COOKIE, csrf_token, make_session
from service.storage import repository as repo
from service.storage import reviews
from service.storage import users as user_store
from service.storage.users import user_by_password, user_by_token
from service.ui import labels, parent_text, viewer
from service.ui.text_tables import RebuiltRow, rebuilt_rows
from service.ui.coverage import group_bars, summary_bars

HERE = Path(__file__).resolve().parent
log = logging.getLogger(__name__)
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals.update(labels=labels, label=labels.label, evidence_blocks=viewer.evidence_blocks,
                             closeness=viewer.closeness)
# evidence cut from tables keeps the blank lines between cells: one line break is enough to read it
templates.env.filters["squeeze"] = lambda text: re.sub(r"\n[ \t]*(?:\n[ \t]*)+", "\n", text or "")

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
    document, duplicate = actions.accept_upload(session, runner, settings, data, upload_file.filename or "document",
                                                principal)
    if duplicate:   # the same content is stored: show it (and its analysis) instead of analysing it again
        return RedirectResponse(f"/ui/documents/{document.id}?duplicate=1", status_code=303)
    if form.get("analyse") and document.status != "failed":   # an unticked box sends nothing
        analysis = actions.request_analysis(session, runner, document.id, None, principal)
        return RedirectResponse(f"/ui/analyses/{analysis.id}", status_code=303)
    return RedirectResponse(f"/ui/documents/{document.id}", status_code=303)


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(document_id: str, request: Request, session: DbDep,
                  principal: Optional[Principal] = Depends(page_reader), duplicate: bool = False):
    document = repo.get_document(session, document_id)
    if document is None:
        raise ApiError(404, "not_found", f"Không tìm thấy tài liệu {document_id}")
    analyses = repo.list_analyses(session, document_id=document.id, limit=50)
    counts = repo.flag_counts(session, [document.id]).get(document.id)
    extraction = document.extraction or {}
    return _render(request, "document.html", principal, document=document, analyses=analyses, counts=counts,
                   duplicate=duplicate, doc_label=viewer.document_label(document),
                   progress=reading_progress(document.progress) if document.status == "running" else None,
                   n_tasks=len(extraction.get("tasks") or []), n_targets=len(extraction.get("targets") or []),
                   n_references=len(extraction.get("references") or []))


@router.post("/documents/{document_id}/analyse")
def analyse(document_id: str, session: DbDep, runner: RunnerDep, principal: Principal = Depends(require("uploader"))):
    analysis = actions.request_analysis(session, runner, document_id, None, principal)
    return RedirectResponse(f"/ui/analyses/{analysis.id}", status_code=303)


@router.get("/analyses/{analysis_id}", response_class=HTMLResponse)
def analysis_page(analysis_id: str, request: Request, session: DbDep,
                  principal: Optional[Principal] = Depends(page_reader), type: Optional[str] = None,
                  severity: Optional[str] = None, status: Optional[str] = None, q: Optional[str] = None):
    """Every flag is sent to the page, which filters, groups, sorts and searches them instantly; the
    query's filters are applied here too, so that a link (or a browser without scripts) shows the same."""
    analysis = repo.get_analysis(session, analysis_id)
    if analysis is None:
        raise ApiError(404, "not_found", f"Không tìm thấy phân tích {analysis_id}")
    document = repo.get_document(session, analysis.document_id)
    factors = reviews.confidence_factors(session)
    all_flags = [flag_out(row, review, factors) for row, review in repo.list_flags(session, analysis_id=analysis.id)]
    extraction = document.extraction if document else None
    flags = [f.model_copy(update={"candidates": viewer.nearest_items(extraction, f),
                                  "parent": parent_text.with_full_wording(f.parent)}) for f in all_flags
             if (not type or f.type == type) and (not severity or f.severity == severity)
             and (not status or f.status == status)]
    filters = {"type": type or "", "severity": severity or "", "status": status or "", "q": q or ""}
    stored_parents = {p.get("doc_id"): p.get("document_id") for p in analysis.parents or [] if p.get("document_id")}
    return _render(request, "analysis.html", principal, analysis=analysis, document=document, flags=flags,
                   doc_label=viewer.document_label(document) if document else analysis.document_id,
                   total=len(all_flags), decided=sum(f.status != "open" for f in all_flags), filters=filters,
                   group_bars=group_bars(analysis.coverage), summary_bars=summary_bars(analysis.coverage),
                   types_present=sorted({f.type for f in all_flags}),
                   viewer_url=viewer.viewer_url,
                   parent_viewer_url=lambda ev: (viewer.viewer_url(stored_parents.get(ev.doc), ev)
                                                 or parent_text.parent_url(ev)),
                   search_hint=viewer.search_hint,
                   export_query=urlencode({k: v for k, v in filters.items() if v and k != "q"}))


@router.get("/documents/{document_id}/text", response_class=HTMLResponse)
def document_text_page(document_id: str, request: Request, session: DbDep,
                       principal: Optional[Principal] = Depends(page_reader),
                       start: Optional[int] = Query(None, ge=0), end: Optional[int] = Query(None, ge=0),
                       q: Optional[str] = Query(None, max_length=200)):
    """The whole canonical text of a document, tables drawn as tables, opened at the span start..end."""
    document = repo.get_document(session, document_id)
    if document is None:
        raise ApiError(404, "not_found", f"Không tìm thấy tài liệu {document_id}")
    text = (document.extraction or {}).get("text")
    if not text:
        raise ApiError(409, "not_ready", "Tài liệu chưa được đọc xong (hoặc không đọc được), chưa có toàn văn")
    span = (start, end) if start is not None and end is not None and start < end <= len(text) else None
    rows = (_flattened_table_rows(str(request.app.state.settings.files_dir), document.sha256, document.filename,
                                  len(text), hash(text))
            if document.format in FLATTENED_TABLE_FORMATS else ())
    blocks = viewer.text_blocks(text, span, rows)
    return _render(request, "document_text.html", principal, home_url=f"/ui/documents/{document.id}",
                   doc_label=viewer.document_label(document), blocks=blocks, span=span, q=q or "",
                   marked_cell=viewer.marked_cell(blocks))


# Text exports flatten a table to one cell a line; the structure stage rebuilds its rows.
FLATTENED_TABLE_FORMATS = ("text", "markdown")


@lru_cache(maxsize=16)
def _flattened_table_rows(files_dir: str, sha256: str, filename: str, text_length: int, text_hash: int) -> tuple[RebuiltRow, ...]:
    """The table rows the structure stage rebuilds from the stored file (read again in the sandbox, once
    per process and document); none when its text is not the stored one (read by another version)."""
    from nlp.pipeline import structure_bytes

    try:
        structured = structure_bytes(repo.stored_file_path(Path(files_dir), sha256).read_bytes(), filename)
    except Exception:   # noqa: BLE001 - the viewer then draws the text as it is
        log.warning("viewer: could not rebuild the tables of %s", sha256[:12], exc_info=True)
        return ()
    if len(structured.text) != text_length or hash(structured.text) != text_hash:
        return ()
    return tuple(rebuilt_rows(structured))


@router.get("/parents/{doc_id}/text", response_class=HTMLResponse)
def parent_text_page(doc_id: str, request: Request, principal: Optional[Principal] = Depends(page_reader),
                     item: Optional[str] = Query(None, max_length=200), q: Optional[str] = Query(None, max_length=200)):
    """A bundled parent in full (every item in order, with its numbering), opened at ``item``."""
    plan = parent_text.bundled_parents().get(doc_id)
    if plan is None:
        raise ApiError(404, "not_found", f"Không có văn bản cấp trên kèm theo mã {doc_id}")
    blocks = parent_text.parent_blocks(plan, item)
    return _render(request, "document_text.html", principal, home_url=None,
                   doc_label=f"{plan.document.number} — {plan.document.title}", blocks=blocks,
                   span=any(b.hit for b in blocks), q=q or "",
                   note=None if parent_text.item_texts(plan.doc_id) else
                   "Bản trình bày của dự án: mỗi mục ghi tóm tắt và các dữ kiện (cơ quan, thời hạn, mức); "
                   "nguyên văn chưa được cài trên máy chủ này.")


@router.get("/decisions", response_class=HTMLResponse)
def decisions_page(request: Request, session: DbDep, principal: Optional[Principal] = Depends(page_reader)):
    """How reviewers have judged each rule: the precision they see and why they dismissed findings."""
    stats = sorted(reviews.decision_stats(session).values(), key=lambda s: (-(s.accepted + s.dismissed), s.flag_type))
    return _render(request, "decisions.html", principal, stats=stats)


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, session: DbDep, principal: Principal = Depends(require("admin"))):
    return _render(request, "users.html", principal, users=user_store.list_users(session), created=None, error=None)


@router.post("/users", response_class=HTMLResponse)
def create_user_form(request: Request, session: DbDep, principal: Principal = Depends(require("admin")),
                     name: str = Form(""), role: str = Form("reviewer"), password: str = Form("")):
    """An admin creates a user; its API token is shown once, on this page."""
    error = None
    try:
        body = UserIn(name=name.strip(), role=role, password=password or None)
    except ValidationError:
        body, error = None, ("Tên chỉ gồm chữ, số và . @ - _; vai trò là người tải lên / người rà soát / quản trị; "
                             "mật khẩu (nếu có) từ 8 ký tự")
    if body is not None and user_store.get_user_by_name(session, body.name) is not None:
        error = f"Đã có người dùng tên {body.name}"
    created = None
    if error is None:
        user, token = user_store.create_user(session, body.name, body.role, body.password)
        session.commit()
        created = {"name": user.name, "role": user.role, "token": token}
    return _render(request, "users.html", principal, status_code=201 if created else 422,
                   users=user_store.list_users(session), created=created, error=error)


def _html_error_page(request: Request, status_code: int, code: str, message: str) -> Response:
    return _render(request, "error.html", None, status_code=status_code, code=code, message=message)


# The UI's pages run only their own scripts and styles, are never framed, and are not sniffed.
UI_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def _is_ui_path(path: str) -> bool:
    return path == "/" or path.startswith(("/ui", "/static/"))


def mount_ui(app: FastAPI) -> None:
    app.state.html_error_page = _html_error_page

    @app.middleware("http")
    async def _ui_security_headers(request: Request, call_next):
        response = await call_next(request)
        if _is_ui_path(request.url.path):
            for name, value in UI_SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
        else:
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(router)

    @app.get("/", include_in_schema=False)
    def root():
        return RedirectResponse("/ui/", status_code=307)

    @app.exception_handler(LoginRequired)
    async def _login_required(_request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/ui/login?next={quote(exc.next_url, safe='')}", status_code=303)
