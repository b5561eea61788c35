"""API documentation pages that work on an intranet with no Internet: Swagger UI at /docs and ReDoc at
/redoc, their scripts and styles served from the pinned ``fastapi-offline`` package (no CDN); and the
OpenAPI security schemes (bearer token, UI session cookie) declared on every operation that needs them."""
from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs-assets"
OPEN_PATHS = {"/healthz", "/readyz"}   # answered without credentials
SECURITY_SCHEMES = {
    "bearerToken": {"type": "http", "scheme": "bearer",
                    "description": "PLANGAP_TOKEN (quản trị) hoặc mã API của người dùng (POST /users)"},
    "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "plangap_session",
                      "description": "phiên đăng nhập của giao diện; thao tác ghi cần thêm tiêu đề X-CSRF-Token"},
}


def assets_dir() -> str:
    return str(files("fastapi_offline") / "static")


def _openapi_with_security(app: FastAPI):
    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
        requirement = [{name: []} for name in SECURITY_SCHEMES]
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                if isinstance(operation, dict):
                    operation["security"] = [] if path in OPEN_PATHS else requirement
        app.openapi_schema = schema
        return schema
    return openapi


def install_api_docs(app: FastAPI) -> None:
    """Call on an app created with docs_url=None, redoc_url=None."""
    app.mount(ASSETS_URL, StaticFiles(directory=assets_dir()), name="docs-assets")
    app.openapi = _openapi_with_security(app)

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def swagger_ui():
        return get_swagger_ui_html(openapi_url=app.openapi_url, title="plangap · API",
                                   swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
                                   swagger_favicon_url=f"{ASSETS_URL}/favicon.png")

    @app.get("/redoc", include_in_schema=False, response_class=HTMLResponse)
    def redoc():
        return get_redoc_html(openapi_url=app.openapi_url, title="plangap · API",
                              redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
                              redoc_favicon_url=f"{ASSETS_URL}/favicon.png", with_google_fonts=False)
