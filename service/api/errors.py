"""Every error answers JSON {"error": code, "message": Vietnamese text}."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError, TimeoutError as SQLAlchemyTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("plangap.api")


class ErrorOut(BaseModel):
    error: str
    message: str


class ApiError(StarletteHTTPException):
    """An error with a code and a Vietnamese message. An HTTPException, so that FastAPI lets it through
    even when raised while the request body is being read."""

    def __init__(self, status_code: int, code: str, message: str, headers: dict | None = None,
                 extra: dict | None = None):
        super().__init__(status_code=status_code, detail=message, headers=headers)
        self.code = code
        self.message = message
        self.extra = extra or {}   # more fields of the JSON body (e.g. the current decision of a 409)


# status -> (code, message) for errors raised by the framework itself
_HTTP_DEFAULTS = {
    400: ("bad_request", "Yêu cầu không hợp lệ"),
    401: ("unauthorized", "Cần đăng nhập hoặc mã truy cập (Authorization: Bearer …)"),
    403: ("forbidden", "Bạn không có quyền thực hiện thao tác này"),
    404: ("not_found", "Không tìm thấy"),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ"),
    413: ("too_large", "Tệp tải lên quá lớn"),
    415: ("unsupported_type", "Định dạng tệp không được hỗ trợ"),
    422: ("invalid_request", "Dữ liệu gửi lên không hợp lệ"),
    429: ("queue_full", "Hàng đợi xử lý đang đầy, vui lòng thử lại sau"),
    503: ("unavailable", "Máy chủ đang bận hoặc cơ sở dữ liệu tạm thời không truy cập được; vui lòng thử lại sau"),
    507: ("disk_full", "Máy chủ không còn đủ dung lượng đĩa"),
}
BUSY_RETRY_AFTER_S = "5"

# responses documented in OpenAPI for every route that may produce them
def error_responses(*statuses: int) -> dict:
    return {status: {"model": ErrorOut, "description": _HTTP_DEFAULTS.get(status, ("", ""))[1]} for status in statuses}


def error_json(status_code: int, code: str, message: str, headers: dict | None = None, **extra) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status_code, headers=headers)


def _respond(request: Request, status_code: int, code: str, message: str, headers: dict | None = None, **extra):
    """JSON, except for the UI's pages, which get an HTML error page (when the UI installed one)."""
    render_html = getattr(request.app.state, "html_error_page", None)
    if render_html is not None and request.url.path.startswith("/ui/"):
        return render_html(request, status_code, code, message)
    return error_json(status_code, code, message, headers, **extra)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return _respond(request, exc.status_code, exc.code, exc.message, exc.headers, **exc.extra)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        code, message = _HTTP_DEFAULTS.get(exc.status_code, ("http_error", "Lỗi yêu cầu"))
        return _respond(request, exc.status_code, code, message, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError):
        problems = [
            {"field": ".".join(str(part) for part in error.get("loc", ())), "problem": error.get("msg", "")}
            for error in exc.errors()
        ]
        fields = ", ".join(problem["field"] for problem in problems[:5])
        return error_json(422, "invalid_request", f"Dữ liệu gửi lên không hợp lệ: {fields}", details=problems)

    @app.exception_handler(SQLAlchemyTimeout)
    @app.exception_handler(OperationalError)
    async def _database_unavailable(_request: Request, exc: Exception):
        # every connection busy (pool timeout) or the database gone: a moment's unavailability, not a defect
        log.warning("database unavailable: %s", type(exc).__name__)
        code, message = _HTTP_DEFAULTS[503]
        return error_json(503, code, message, {"Retry-After": BUSY_RETRY_AFTER_S})

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception):
        log.exception("unhandled error", exc_info=exc)
        return error_json(500, "internal_error", "Lỗi nội bộ của máy chủ")
