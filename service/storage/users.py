"""Users with a role and a hashed password and/or API token (hashlib.scrypt; no extra dependency).

A token reads ``<user id>.<secret>``: the id finds the row, the secret is checked against its hash,
so that a salted slow hash needs no table scan."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.storage.models import ROLES, User

_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_secret(secret: str, stored: Optional[str]) -> bool:
    if not stored or not stored.startswith("scrypt$"):
        return False
    _, salt_b64, digest_b64 = stored.split("$", 2)
    digest = hashlib.scrypt(secret.encode(), salt=base64.b64decode(salt_b64), dklen=32, **_SCRYPT)
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


def create_user(session: Session, name: str, role: str, password: Optional[str] = None) -> tuple[User, str]:
    """A new user and its API token (returned once, only its hash is stored)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    user = User(name=name, role=role, password_hash=hash_secret(password) if password else None)
    session.add(user)
    session.flush()
    token = issue_token(user)
    return user, token


def issue_token(user: User) -> str:
    """Replace the user's API token with a fresh one."""
    secret = secrets.token_urlsafe(24)
    user.token_hash = hash_secret(secret)
    return f"{user.id}.{secret}"


def user_by_token(session: Session, token: str) -> Optional[User]:
    user_id, _, secret = token.partition(".")
    if not user_id.isdigit() or len(user_id) > 18 or not secret:
        return None
    user = session.get(User, int(user_id))
    if user is None or not verify_secret(secret, user.token_hash):
        return None
    return user


def user_by_password(session: Session, name: str, password: str) -> Optional[User]:
    user = get_user_by_name(session, name)
    if user is None or not verify_secret(password, user.password_hash):
        return None
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_secret(password)


def get_user_by_name(session: Session, name: str) -> Optional[User]:
    return session.scalar(select(User).where(User.name == name))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))
