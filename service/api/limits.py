"""Upload size limit, enforced while the body streams in (before multipart parsing keeps it)."""
from __future__ import annotations

import json

from service.api.errors import ApiError

UPLOAD_PATHS = {"/documents", "/ui/upload"}
MULTIPART_OVERHEAD = 64 * 1024   # form fields and part headers around the file


class UploadSizeLimit:
    """ASGI middleware: a POST to an upload path whose body exceeds the limit gets 413 JSON."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_body = max_bytes + MULTIPART_OVERHEAD
        self.message = f"Tệp quá lớn: tối đa {max_bytes / 1024 / 1024:g} MB"

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] not in UPLOAD_PATHS:
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            return await self._reject(send)
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
            await self._reject(send)

    async def _reject(self, send):
        body = json.dumps({"error": "too_large", "message": self.message}, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
