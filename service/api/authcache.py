"""Remembered outcomes of bearer-token checks, so that a token costs one scrypt (~70 ms) per minute,
not one per request: a bogus token is refused from memory in microseconds, and a valid one is
accepted after a primary-key read that confirms the user's token hash has not changed since (so a
re-issued or deleted token stops working at once)."""
from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from typing import Optional

FAILURE_TTL_S = 60.0
SUCCESS_TTL_S = 300.0
MAX_ENTRIES = 10_000


def _key(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


class AuthCache:
    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._failures: OrderedDict[bytes, float] = OrderedDict()
        self._successes: OrderedDict[bytes, tuple[float, int, str]] = OrderedDict()

    def known_bad(self, token: str) -> bool:
        key = _key(token)
        with self._lock:
            expires = self._failures.get(key)
            if expires is None:
                return False
            if expires < time.monotonic():
                del self._failures[key]
                return False
            return True

    def remember_bad(self, token: str) -> None:
        self._put(self._failures, _key(token), time.monotonic() + FAILURE_TTL_S)

    def known_good(self, token: str) -> Optional[tuple[int, str]]:
        """(user id, token hash) a previous check accepted, while fresh."""
        key = _key(token)
        with self._lock:
            entry = self._successes.get(key)
            if entry is None:
                return None
            if entry[0] < time.monotonic():
                del self._successes[key]
                return None
            return entry[1], entry[2]

    def remember_good(self, token: str, user_id: int, token_hash: str) -> None:
        self._put(self._successes, _key(token), (time.monotonic() + SUCCESS_TTL_S, user_id, token_hash))

    def _put(self, table: OrderedDict, key: bytes, value) -> None:
        with self._lock:
            table[key] = value
            table.move_to_end(key)
            while len(table) > self.max_entries:
                table.popitem(last=False)
