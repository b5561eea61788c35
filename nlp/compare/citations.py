"""Document numbers ("số ký hiệu"): parsing, normalising, and what a number says about its issuer.

Party documents are written NUMBER-TYPE/ORG ("57-NQ/TW", "12-KH/TU"); State documents
NUMBER/TYPE-ORG or NUMBER/YEAR/TYPE-ORG ("71/NQ-CP", "79/KH-UBND", "179/2025/NĐ-CP").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from nlp.compare.config import settings

_DASH = r"\s*[-–—]\s*"
_SLASH = r"\s*/\s*"
_CODE = r"[A-ZĐa-zđ&]+[0-9]*"
PARTY_STYLE = re.compile(rf"^(\d+){_DASH}({_CODE}){_SLASH}([A-ZĐ][A-ZĐa-zđ&0-9\-]*)$")
STATE_STYLE = re.compile(rf"^(\d+)(?:{_SLASH}(\d{{4}}))?{_SLASH}({_CODE}){_DASH}([A-ZĐ][A-ZĐa-zđ&0-9\-]*)$")
BARE_STYLE = re.compile(rf"^(\d+)(?:{_SLASH}(\d{{4}}))?{_SLASH}([A-ZĐ][A-ZĐa-zđ0-9]*)$")   # "06/CP", "193/2025/QH15"


@dataclass(frozen=True)
class DocNumber:
    raw: str
    number: str                 # "71" (leading zeros dropped)
    year: Optional[str]
    type: Optional[str]         # "NQ", "KH", ...; None for "06/CP"
    org: str                    # "CP", "TW", "UBND", "UBND-KGVX" ...
    style: str                  # "party" | "state" | "bare"

    @property
    def key(self) -> str:
        """Normalised identity: number, type and issuing organisation, whatever the punctuation."""
        return f"{self.number}|{(self.type or '').upper()}|{self.org_head}"

    @property
    def loose_key(self) -> str:
        return f"{self.number}|{(self.type or '').upper()}"

    @property
    def org_head(self) -> str:
        return self.org.split("-")[0].upper()

    @property
    def is_party_org(self) -> bool:
        return bool(re.search(settings()["citations"]["party_org"], self.org_head, re.I))

    def canonical(self) -> str:
        """How a number with this issuer is properly written."""
        if self.type is None:
            return self.raw
        if self.is_party_org:
            return f"{self.number_raw}-{self.type}/{self.org}"
        year = f"/{self.year}" if self.year else ""
        return f"{self.number_raw}{year}/{self.type}-{self.org}"

    @property
    def number_raw(self) -> str:
        m = re.match(r"\d+", self.raw.strip())
        return m.group(0) if m else self.number


def parse_number(raw: str) -> Optional[DocNumber]:
    text = re.sub(r"\s+", " ", raw or "").strip().strip(".,;")
    text = re.sub(r"^(số|số:)\s*", "", text, flags=re.I)
    if m := PARTY_STYLE.match(text):
        return DocNumber(text, str(int(m[1])), None, m[2], m[3], "party")
    if m := STATE_STYLE.match(text):
        return DocNumber(text, str(int(m[1])), m[2], m[3], m[4], "state")
    if m := BARE_STYLE.match(text):
        return DocNumber(text, str(int(m[1])), m[2], None, m[3], "bare")
    return None


def normalise_number(raw: str) -> str:
    parsed = parse_number(raw)
    return parsed.key if parsed else re.sub(r"\W+", "", (raw or "").upper())


def expected_org(issuer: Optional[str]) -> Optional[tuple[str, str]]:
    """(issuer phrase, org regex) for the longest known issuer phrase in ``issuer``."""
    if not issuer:
        return None
    low = issuer.lower()
    best = None
    for entry in settings()["citations"]["issuers"]:
        if entry["issuer"] in low and (best is None or len(entry["issuer"]) > len(best[0])):
            best = (entry["issuer"], entry["org"])
    return best


def org_matches(number: DocNumber, org_regex: str) -> bool:
    """Does any code of the number's suffix (type and organisation parts) name the expected issuer?

    A letter ("công văn") writes NUMBER/ORG-UNIT, so the type slot can hold the organisation.
    """
    codes = [number.type or ""] + number.org.split("-")
    return any(re.search(org_regex, code, re.I) for code in codes if code)
