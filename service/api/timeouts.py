"""Per-request time limit: a request still unanswered after PLANGAP_REQUEST_TIMEOUT_S gets 503 with
Retry-After instead of holding its client (and a load balancer's slot) indefinitely."""
from __future__ import annotations

import asyncio
import json

from service.api.actions import RETRY_AFTER_S

UNTIMED_PREFIXES = ("/healthz", "/readyz")   # answer from memory; never worth a second task


class RequestTimeout:
    """ASGI middleware. The handler is not cancelled (a database call in a thread cannot be): its late
    answer is dropped, and the client gets a 503 now."""

    def __init__(self, app, seconds: float):
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"].startswith(UNTIMED_PREFIXES):
            return await self.app(scope, receive, send)
        state = {"started": False, "abandoned": False}

        async def guarded_send(message):
            if state["abandoned"]:
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        task = asyncio.ensure_future(self.app(scope, receive, guarded_send))
        done, _ = await asyncio.wait({task}, timeout=self.seconds)
        if task in done or state["started"]:
            return await task
        state["abandoned"] = True
        task.add_done_callback(_consume)
        body = json.dumps({"error": "timeout", "message": "Máy chủ đang bận, yêu cầu quá thời gian xử lý "
                                                          f"({self.seconds:g} giây); vui lòng thử lại sau"},
                          ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 503,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"retry-after", str(RETRY_AFTER_S).encode())]})
        await send({"type": "http.response.body", "body": body})


def _consume(task: asyncio.Task) -> None:
    """An abandoned handler's outcome is not an 'exception was never retrieved' warning."""
    if not task.cancelled():
        task.exception()
