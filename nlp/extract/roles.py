"""Who presides (chủ trì) and who supports (phối hợp) in one task sentence or paragraph.

Rules, cue words from the ``roles`` part of ``nlp/resources/agencies.yml``:

- lead: "Đề nghị/Giao/Yêu cầu X ...", "Chỉ đạo X: ...", "X chủ trì" / "X: chủ trì", or a text that
  opens with agencies ("Các phòng, ban; Trung tâm ... căn cứ chức năng ..."); otherwise the agency
  named by the enclosing heading (``heading_agency``).
- support: the agencies right after "phối hợp (với/cùng)"; vague groups ("các đơn vị liên quan")
  are not counted, nor are report recipients ("báo cáo UBND", "gửi về Phòng ...", "tham mưu UBND"),
  which no cue introduces.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

from nlp.extract.agencies import AgencyMatcher, AgencyMention, normalize_tones, phrase_pattern, to_nfc
from nlp.schema import Span


@dataclass
class Roles:
    lead: list[str] = field(default_factory=list)
    support: list[str] = field(default_factory=list)
    lead_spans: list[Span] = field(default_factory=list)
    support_spans: list[Span] = field(default_factory=list)


_BULLET = re.compile(r"^[\s*#>|]*(?:(?:[IVXLC]+|\d+(?:\.\d+)*|[a-zđ])[.)]|[-+•–*])?[\s*]*", re.IGNORECASE)


@dataclass
class _Cues:
    lead_before: re.Pattern
    lead_before_colon: re.Pattern
    lead_after: re.Pattern
    support_before: re.Pattern
    joiner: re.Pattern
    heading_prefix: re.Pattern


@lru_cache(maxsize=8)
def _cues_for(roles_key: str) -> _Cues:
    roles = json.loads(roles_key)

    def alt(words) -> str:
        return "(?:" + "|".join(phrase_pattern(w) for w in sorted(words, key=len, reverse=True)) + ")"

    joiners = "|".join(r"\s*" + re.escape(j) + r"\s*" if not j[0].isalpha() else r"\s+" + re.escape(j) + r"\s+"
                       for j in roles["list_joiners"])
    return _Cues(
        lead_before=re.compile(r"(?<!\w)" + alt(roles["lead_before_agency"]) + r"\s+$"),
        lead_before_colon=re.compile(r"(?<!\w)" + alt(roles["lead_before_agency_colon"]) + r"\s+$"),
        lead_after=re.compile(r"^\s*[:,]?\s*(?:\([^)]*\)\s*)?[:,]?\s*" + alt(roles["lead_after_agency"]) + r"(?!\w)"),
        support_before=re.compile(r"(?<!\w)" + alt(roles["support_before_agency"]) + r"\s+$"),
        joiner=re.compile(r"^(?:" + joiners + r"|\s+)+$"),
        heading_prefix=re.compile(r"^(?:" + alt(roles["heading_prefixes"]) + r"\s+)+"),
    )


def _cues(matcher: AgencyMatcher) -> _Cues:
    return _cues_for(json.dumps(matcher.roles, sort_keys=True, ensure_ascii=False))


def _chains(text: str, mentions: list[AgencyMention], cues: _Cues) -> list[list[AgencyMention]]:
    """Runs of agencies written as one list ("A, B và C")."""
    chains: list[list[AgencyMention]] = []
    for m in mentions:
        if chains and cues.joiner.match(text[chains[-1][-1].end:m.start] or " "):
            chains[-1].append(m)
        else:
            chains.append([m])
    return chains


def _add(names: list[str], spans: list[Span], chain: list[AgencyMention], keep_groups: bool = True) -> None:
    for m in chain:
        if not keep_groups and m.kind == "group":
            continue
        if m.name not in names:
            names.append(m.name)
            spans.append(Span(start=m.start, end=m.end))


def assign_roles(text: str, matcher: AgencyMatcher, *, heading_agency: list[str] | None = None) -> Roles:
    """Lead and supporting agencies of one task text; spans are offsets into ``text``."""
    cues = _cues(matcher)
    nfc, back = to_nfc(text)
    norm = normalize_tones(nfc)
    mentions = matcher.find(nfc)
    chains = _chains(norm, mentions, cues)
    body_start = _BULLET.match(norm).end()
    roles = Roles()

    for chain in chains:
        before = norm[max(0, chain[0].start - 40):chain[0].start]
        after = norm[chain[-1].end:chain[-1].end + 60]
        opens_text = not norm[body_start:chain[0].start].strip(" *")
        if (cues.lead_before.search(before) or cues.lead_after.match(after)
                or (cues.lead_before_colon.search(before) and after.lstrip(" *").startswith(":"))):
            _add(roles.lead, roles.lead_spans, chain)
        elif opens_text and not cues.support_before.search(before):
            _add(roles.lead, roles.lead_spans, chain)

    if not roles.lead and heading_agency:
        roles.lead = list(dict.fromkeys(heading_agency))

    for chain in chains:
        before = norm[max(0, chain[0].start - 40):chain[0].start]
        if cues.support_before.search(before):
            picked = [m for m in chain if m.name not in roles.lead]
            _add(roles.support, roles.support_spans, picked, keep_groups=False)
    if back:
        roles.lead_spans = [Span(start=back[s.start], end=back[s.end]) for s in roles.lead_spans]
        roles.support_spans = [Span(start=back[s.start], end=back[s.end]) for s in roles.support_spans]
    return roles


def heading_agencies(heading_text: str, matcher: AgencyMatcher) -> list[str]:
    """Agencies a heading assigns its items to: "5. Công an phường" -> ["Công an phường"];
    "Phòng Văn hóa - Xã hội (cơ quan thường trực)" -> ["Phòng Văn hóa - Xã hội"]; "Đề nghị Ủy ban
    MTTQ Việt Nam phường và các đoàn thể" -> both; "- Chỉ đạo Phòng Kinh tế:" -> ["Phòng Kinh tế"];
    [] when the heading does not open with an agency ("1. Công tác lãnh đạo, chỉ đạo")."""
    cues = _cues(matcher)
    text = normalize_tones(to_nfc(heading_text)[0]).replace("*", " ")
    text = text[_BULLET.match(text).end():]
    text = cues.heading_prefix.sub("", text.strip())
    text = re.sub(r"\([^)]*\)?", lambda m: " " * len(m.group(0)), text)
    text = text.split(":")[0].rstrip(" .;")
    mentions = matcher.find(text)
    if not mentions or text[:mentions[0].start].strip(" ,;-"):
        return []
    chain = _chains(text, mentions, cues)[0]
    return list(dict.fromkeys(m.name for m in chain))
