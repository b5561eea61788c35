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

from nlp.extract.agencies import AgencyMatcher, AgencyMention, clean_name, normalize_tones, phrase_pattern, to_nfc
from nlp.extract.duty_verbs import clause_start, contains_duty, opens_duty
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
    intro_clause: re.Pattern
    named_duty: re.Pattern
    duty_holder: re.Pattern
    lead_cue: re.Pattern
    name_head: re.Pattern
    open_subject: re.Pattern
    member_list: re.Pattern
    unknown_name_heading: re.Pattern
    generic_head: re.Pattern
    office_opening: re.Pattern
    office_start: re.Pattern
    assigns: re.Pattern
    between_assigned: re.Pattern


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
        intro_clause=re.compile(r"^\W*" + alt(roles["intro_clauses"]) + r"(?!\w)[^,;:.]{0,200},\s*"
                                + r"(?:" + alt(roles["heading_prefixes"]) + r"\s+)?$"),
        duty_holder=re.compile(r"^(?:" + alt(roles["duty_holder_prefixes"]) + r"\s+(?P<holder>[^:(]{3,100})"
                               r"|(?P<office>" + alt(roles["office_holders"]) + r"(?!\w)[^:(]{0,80}))\s*(?:[:(]|$)"),
        lead_cue=re.compile(alt(roles["lead_before_agency"]) + r"\s+"),
        name_head=re.compile(r"(?:" + "|".join(re.escape(h) for h in sorted(roles["name_heads"], key=len, reverse=True))
                             + r")(?!\w)", re.IGNORECASE),
        open_subject=re.compile(r"(?P<owner>(?:" + "|".join(re.escape(h) for h in sorted(roles["name_heads"], key=len, reverse=True))
                                + r")(?!\w)[^,;:.()]{2,100}?)\s+(?=(?:chủ trì|phối hợp|có trách nhiệm|chịu trách nhiệm"
                                + r"|chủ động)(?!\w))"),
        named_duty=re.compile(r"(?:" + alt(roles["lead_before_agency"]) + r"\s+)?(?P<owner>"
                              + r"(?:" + "|".join(re.escape(h) for h in sorted(roles["name_heads"], key=len, reverse=True))
                              + r")(?!\w)[^:;.\n]{0,160}?)\s*:\s+(?=\S)"),
        unknown_name_heading=re.compile(r"^(?:" + "|".join(re.escape(h) for h in sorted(
            set(roles["name_heads"]) - set(roles["generic_name_heads"]), key=len, reverse=True))
            + r")\s+[A-ZĐÀ-Ỹ]"),
        office_opening=re.compile(r"^\W*" + alt(roles["subject_office_prefixes"]) + r"\s*$"),
        office_start=re.compile(alt(roles["subject_office_prefixes"]) + r"\s"),
        assigns=re.compile(r"\s*" + alt(roles["assigning_verbs"]) + r"\s+"),
        # what may stand between bodies listed after an assigning verb: their heads ("Giám đốc các sở, Thủ
        # trưởng …"), commas, "và"
        between_assigned=re.compile(r"^(?:\s|,|(?i:và)(?!\w)|" + alt(roles["subject_office_prefixes"])
                                    + r"(?:\s+(?i:các)\s+\w+)?)*$"),
        generic_head=re.compile(r"(?:" + "|".join(re.escape(h) for h in roles["generic_name_heads"]) + r")(?!\w)",
                                re.IGNORECASE),
        member_list=re.compile(r"\(\s*" + alt(roles["member_list_intro"]) + r"\s*:?\s*(?:các\s+)?(?P<head>"
                               + alt(roles["member_list_heads"]) + r")\s*:\s*(?P<members>[^)]+)\)", re.IGNORECASE),
    )


def _cues(matcher: AgencyMatcher) -> _Cues:
    return _cues_for(json.dumps(matcher.roles, sort_keys=True, ensure_ascii=False))


_OWNER_SPLIT = re.compile(r"\s*,?\s*(?:là cơ quan chủ trì|chủ trì)\s*(?:[,;]\s*)?(?:(?:và\s+)?phối hợp(?:\s+(?:với|cùng))?\s*)?"
                          r"|\s*,?\s*(?:và\s+)?phối hợp(?:\s+(?:với|cùng))?\s+", re.IGNORECASE)


def owner_phrase_roles(phrase: str, matcher: AgencyMatcher) -> tuple[list[str], list[str]]:
    """Agencies of an owner phrase as written in a record or before a duty: "Sở Y tế chủ trì, phối
    hợp với các sở, ban, ngành" gives a lead and partners; a plain list gives leads. Partners are
    kept as written: an explicit "phối hợp" part keeps "các đơn vị có liên quan"."""
    phrase = phrase[:clause_start(phrase)]     # "Sở X tiến hành rà soát …": the names end at the duty
    parts = _OWNER_SPLIT.split(phrase, maxsplit=1)
    if len(parts) == 2 and parts[0].strip():
        return matcher.split_cell(parts[0]), matcher.split_cell(parts[1]) if parts[1].strip() else []
    return matcher.split_cell(phrase), []


def _named_duty(norm: str, body_start: int, cues: _Cues, matcher: AgencyMatcher) -> tuple[list[str], list[str], Span] | None:
    """"Sở Nội vụ: Tham mưu …", "Các cơ quan thông tin, truyền thông của tỉnh: Xây dựng …", "Đề nghị
    <a list of bodies> tăng cường …": the names before the colon or the duty verb own the duty, whether
    the lexicon knows them or not. Returns lead, partners and where the owner phrase is."""
    m = cues.named_duty.match(norm, body_start)
    if m and len(m.group("owner").split()) <= 25:
        start, owner = m.start("owner"), m.group("owner")
        if cues.generic_head.match(owner) and not matcher.find(owner):
            return None     # "Các thông số: Độ mặn, pH …" lists things, not bodies
    else:       # "Đề nghị <a list of bodies, known or not> tăng cường …": the list ends at the duty verb
        cue = cues.lead_cue.match(norm, body_start)
        if not cue:
            return None
        rest = norm[cue.end():]
        end = clause_start(rest)
        colon = rest.find(":")
        if 0 < colon < end:
            end = colon         # "Đề nghị <bodies>: Phối hợp chặt chẽ với …": the list ends at the colon
        start, owner = cue.end(), rest[:end]
        if end == len(rest) or len(owner.split()) > 80 or not cues.name_head.match(owner):
            return None
    lead, support = owner_phrase_roles(owner, matcher)
    return (lead, support, Span(start=start, end=start + len(owner.rstrip()))) if lead else None


def _open_subject(norm: str, body_start: int, cues: _Cues, matcher: AgencyMatcher) -> tuple[list[str], Span] | None:
    """"Ban Quản lý các khu công nghiệp phối hợp với …": a sentence opening with a name the lexicon
    lacks (a capitalised head noun), followed by a role cue or a duty verb within a few words."""
    m = cues.open_subject.match(norm, body_start)
    if not m:
        return None
    phrase = m.group("owner")
    if cues.office_start.match(phrase):
        return None         # "Bộ trưởng Bộ Công an có trách nhiệm …": the body, read from the chain, owns it
    phrase = phrase[:clause_start(phrase)].rstrip(" ,")
    if not 2 <= len(phrase.split()) <= 12:
        return None
    lead, _ = owner_phrase_roles(phrase, matcher)
    return (lead, Span(start=m.start("owner"), end=m.start("owner") + len(phrase))) if lead else None


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

    named = _named_duty(norm, body_start, cues, matcher)
    if named:
        roles.lead, roles.support = list(named[0]), [s for s in named[1] if s not in named[0]]
        roles.lead_spans = [named[2]]
    elif not any(m.start <= body_start + 2 for m in mentions):
        subject = _open_subject(norm, body_start, cues, matcher)
        if subject:
            roles.lead, roles.lead_spans = list(subject[0]), [subject[1]]
    assigned = _assigned_by_opening(norm, body_start, chains, cues) if not named else None
    if assigned:
        _add(roles.lead, roles.lead_spans, [m for chain in assigned for m in chain])
    for chain in chains if not named and not assigned else []:
        before = norm[max(0, chain[0].start - 40):chain[0].start]
        after = norm[chain[-1].end:chain[-1].end + 60]
        opening = norm[body_start:chain[0].start]
        opens_text = not opening.strip(" *") or bool(cues.intro_clause.match(opening)) \
            or bool(cues.office_opening.match(opening))
        if ((cues.lead_before.search(before) and not _proposal_mid_sentence(norm, body_start, chain[0].start))
                or cues.lead_after.match(after)
                or (cues.lead_before_colon.search(before) and after.lstrip(" *").startswith(":"))):
            _add(roles.lead, roles.lead_spans, chain)
        elif opens_text and not cues.support_before.search(before):
            _add(roles.lead, roles.lead_spans, chain)

    if not roles.lead and heading_agency:
        roles.lead = list(dict.fromkeys(heading_agency))

    for chain in chains:
        before = norm[max(0, chain[0].start - 40):chain[0].start]
        if cues.support_before.search(before):
            picked = [m for m in chain if m.name not in roles.lead and m.name not in roles.support]
            _add(roles.support, roles.support_spans, picked, keep_groups=False)
    if back:
        roles.lead_spans = [Span(start=back[s.start], end=back[s.end]) for s in roles.lead_spans]
        roles.support_spans = [Span(start=back[s.start], end=back[s.end]) for s in roles.support_spans]
    return roles


def _assigned_by_opening(norm: str, body_start: int, chains: list, cues: _Cues) -> list | None:
    """"Ủy ban nhân dân tỉnh giao Giám đốc các sở, Thủ trưởng các ban, ngành … và Chủ tịch Ủy ban nhân dân các
    xã, phường … triển khai …": the body opening the text assigns, the bodies it names after "giao" (their
    heads written before them) lead. None when the text does not open so."""
    if not chains or norm[body_start:chains[0][0].start].strip(" *-+•–"):
        return None
    verb = cues.assigns.match(norm, chains[0][-1].end)      # matched at a position: the pattern has no "^"
    if not verb:
        return None
    out, pos = [], verb.end()
    for chain in chains[1:]:
        if not cues.between_assigned.match(norm[pos:chain[0].start]):
            break                                  # other words between: the list of bodies has ended
        out.append(chain)
        pos = chain[-1].end
    return out or None


_PROPOSE_BEFORE = re.compile(r"(?<!\w)đề nghị\s+$", re.IGNORECASE)


def _proposal_mid_sentence(norm: str, body_start: int, mention_start: int) -> bool:
    """"Đề nghị X …" opening a clause asks X to act (X leads); inside a sentence ("Hồ sơ trình, đề nghị Thủ
    tướng Chính phủ … khen thưởng", "Sở Nội vụ đề nghị UBND tỉnh …") X is whom it is proposed to."""
    before = norm[body_start:mention_start]
    m = _PROPOSE_BEFORE.search(before)
    if not m:
        return False
    clause = re.split(r"[.;:!?\n]", before[:m.start()])[-1]
    return bool(clause.strip(" *-+•–\t"))


def heading_agencies(heading_text: str, matcher: AgencyMatcher) -> list[str]:
    """Agencies a heading assigns its items to: "5. Công an phường" -> ["Công an phường"];
    "Phòng Văn hóa - Xã hội (cơ quan thường trực)" -> ["Phòng Văn hóa - Xã hội"]; "Đề nghị Ủy ban
    MTTQ Việt Nam phường và các đoàn thể" -> both; "- Chỉ đạo Phòng Kinh tế:" -> ["Phòng Kinh tế"];
    [] when the heading does not open with an agency ("1. Công tác lãnh đạo, chỉ đạo")."""
    cues = _cues(matcher)
    text = normalize_tones(to_nfc(heading_text)[0]).replace("*", " ")
    text = text[_BULLET.match(text).end():]
    holder = _duty_holder(text, cues, matcher)
    if holder:
        return holder
    members = _listed_members(text, cues, matcher)
    if members:
        return members
    text = cues.heading_prefix.sub("", text.strip())
    text = re.sub(r"\([^)]*\)?", lambda m: " " * len(m.group(0)), text)
    text = text.split(":")[0].rstrip(" .;")
    mentions = matcher.find(text)
    if not mentions:
        return _unknown_name(text, cues)
    if text[:mentions[0].start].strip(" ,;-"):
        return []
    chain = _chains(text, mentions, cues)[0]
    return list(dict.fromkeys(m.name for m in chain))


def _unknown_name(heading: str, cues: _Cues) -> list[str]:
    """A heading that is only an organisation's name the lexicon lacks: 'Viện Văn hóa, Nghệ thuật, Thể thao
    và Du lịch Việt Nam'. Not a topic ('Ban hành văn bản', 'Hội nghị sơ kết': a lower-case word after the
    head), not a sentence (a duty verb), not long."""
    name = " ".join(heading.split()).strip(" .;,")
    if not cues.unknown_name_heading.match(name) or len(name.split()) > 14 or contains_duty(name) or opens_duty(name):
        return []
    return [clean_name(name)]


def _listed_members(text: str, cues: _Cues, matcher: AgencyMatcher) -> list[str]:
    """"Các cơ quan tham mưu quản lý ngành (gồm các Sở: Xây dựng, Công Thương, Văn hóa, Thể thao và Du
    lịch)": the bodies listed, each the head noun + a member the lexicon knows ("Sở Văn hóa, Thể thao và
    Du lịch" keeps its commas). [] unless every member is known."""
    m = cues.member_list.search(text)
    if not m:
        return []
    head, rest, names = m.group("head").capitalize(), m.group("members"), []
    while rest.strip(" ,;."):
        rest = re.sub(r"^(?:\s*[,;]\s*|\s+và\s+|\s+)+", "", rest)
        found = matcher.find(f"{head} {rest}")
        if not found or found[0].start != 0 or found[0].end <= len(head) + 1:
            return []
        names.append(found[0].name)
        rest = rest[found[0].end - len(head) - 1:]
    return names if len(names) >= 2 else []


def _duty_holder(text: str, cues: _Cues, matcher: AgencyMatcher) -> list[str]:
    """"Trách nhiệm của đối tượng thực hiện kiểm kê:" / "1.1. Trưởng Ban Chỉ đạo": whose duties follow,
    as written, when the lexicon has no name for it."""
    m = cues.duty_holder.match(" ".join(text.split()))
    if not m:
        return []
    name = (m.group("holder") or m.group("office")).split(" - ")[0].strip(" .;,")
    if len(name.split()) > 14:
        return []
    known = matcher.find(name)
    if m.group("holder") and known and known[0].start == 0:
        return matcher.split_cell(name)
    return [clean_name(name)]
