"""Signed session cookies (HMAC-SHA256; no itsdangerous needed) and CSRF tokens bound to a session."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Optional

SESSION_COOKIE = "plangap_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest())


def make_session(secret: bytes, user_id: int, name: str) -> str:
    payload = _b64(json.dumps({"uid": user_id, "name": name, "iat": int(time.time())}).encode())
    return payload + "." + _sign(secret, payload)


def read_session(secret: bytes, cookie: Optional[str], max_age_s: int) -> Optional[dict]:
    """The session's content, or None when the cookie is absent, forged or expired."""
    if not cookie or cookie.count(".") != 1:
        return None
    payload, signature = cookie.split(".")
    if not hmac.compare_digest(signature, _sign(secret, payload)):
        return None
    try:
        data = json.loads(_unb64(payload))
    except ValueError:
        return None
    if not isinstance(data, dict) or time.time() - data.get("iat", 0) > max_age_s:
        return None
    return data


def csrf_token(secret: bytes, cookie: str) -> str:
    return _sign(secret, "csrf:" + cookie)


def csrf_ok(secret: bytes, cookie: str, token: Optional[str]) -> bool:
    return bool(token) and hmac.compare_digest(token, csrf_token(secret, cookie))
