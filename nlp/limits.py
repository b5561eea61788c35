"""Documented limits on one document, checked before any expensive work starts.

| variable | meaning | default |
|---|---|---|
| PLANGAP_MAX_CHARS | longest canonical text (characters) a document may have | 3,000,000 |
| PLANGAP_MAX_PAGES | longest PDF (pages); read by the PDF reader and the service alike | 300 |

Read at call time, so that a server's settings (exported to its environment) and the sandbox's
child process see the same values."""
from __future__ import annotations

import os

from nlp.errors import PlangapError

DEFAULT_MAX_CHARS = 3_000_000
DEFAULT_MAX_PAGES = 300


def max_chars() -> int:
    return int(os.environ.get("PLANGAP_MAX_CHARS") or DEFAULT_MAX_CHARS)


def max_pages() -> int:
    # PLANGAP_MAX_PDF_PAGES was the reader's own name for it; kept as a fallback
    return int(os.environ.get("PLANGAP_MAX_PAGES") or os.environ.get("PLANGAP_MAX_PDF_PAGES") or DEFAULT_MAX_PAGES)


def check_text_length(text: str) -> None:
    """A text over the limit is refused with a clear error before structure and extraction run."""
    limit = max_chars()
    if len(text) > limit:
        raise PlangapError(f"Tài liệu quá dài: {len(text):,} ký tự (tối đa {limit:,} ký tự)".replace(",", "."),
                           "too_long")
