"""The gate in front of uploads: the declared size is checked first (no work for an oversized body),
then the caller is authenticated from the headers alone (an unauthorised body is never received),
then an API upload meeting a full queue is refused (its body would only be parsed to be refused),
then the body is counted while it streams in (before multipart parsing keeps it)."""
from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from service.api.errors import ApiError

UPLOAD_PATHS = {"/documents", "/ui/upload"}
AUTHENTICATED_UPLOADS = {"/documents": "uploader", "/analyses": "uploader",
                         "/bulk": "admin"}   # path -> role needed, checked before the body
MULTIPART_OVERHEAD = 64 * 1024   # form fields and part headers around the file
# API writes that take a queue place, refused with 429 before their body is read or the database asked
# while the queue is full: during a burst, parsing dozens of bodies and looking up their documents only to
# refuse them delayed every other request (/healthz p99 over 200 ms). The UI's form upload keeps its page
# answer; the atomic reservation in service.api.actions stays the rule when there is room.
QUEUE_GATED_UPLOADS = {"/documents", "/analyses"}


class UploadSizeLimit:
    """ASGI middleware: a POST to an upload path whose body exceeds the limit gets 413 JSON; an upload
    by a caller without the role gets 401/403 before its body is read."""

    def __init__(self, app, max_bytes: int, settings=None):
        self.app = app
        self.max_body = max_bytes + MULTIPART_OVERHEAD
        self.message = f"Tệp quá lớn: tối đa {max_bytes / 1024 / 1024:g} MB"
        self.settings = settings

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        path = scope["path"]
        if path in AUTHENTICATED_UPLOADS and self.settings is not None:
            if path in UPLOAD_PATHS and self._declared_too_large(scope):
                return await self._reject(send, 413, "too_large", self.message)
            from service.api.deps import authenticate_before_body

            refused = await run_in_threadpool(authenticate_before_body, Request(scope), self.settings,
                                              AUTHENTICATED_UPLOADS[path])
            if refused is not None:
                return await self._reject(send, refused.status_code, refused.code, refused.message, refused.headers)
            if path in QUEUE_GATED_UPLOADS and _queue_is_full(scope):
                from service.api.actions import queue_full

                full = queue_full()
                return await self._reject(send, full.status_code, full.code, full.message, full.headers)
        if path not in UPLOAD_PATHS:
            return await self.app(scope, receive, send)
        if self._declared_too_large(scope):
            return await self._reject(send, 413, "too_large", self.message)
        received = 0
        response_started = False

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise ApiError(413, "too_large", self.message)
            return message

        async def tracking_send(message):
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except ApiError as exc:
            if exc.status_code != 413 or response_started:
                raise
            await self._reject(send, 413, "too_large", self.message)

    def _declared_too_large(self, scope) -> bool:
        declared = dict(scope.get("headers") or []).get(b"content-length")
        return declared is not None and declared.isdigit() and int(declared) > self.max_body

    async def _reject(self, send, status: int, code: str, message: str, headers: dict | None = None):
        body = json.dumps({"error": code, "message": message}, ensure_ascii=False).encode()
        extra = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close"), *extra]})
        await send({"type": "http.response.body", "body": body})


def _queue_is_full(scope) -> bool:
    runner = getattr(getattr(scope.get("app"), "state", None), "runner", None)
    return runner is not None and not runner.has_room()
