"""Citation rules: numbers checked against the document registry (nlp/resources/documents.yml) and the
issuer named in their sentence; cited parents not available."""
from __future__ import annotations

import re
from datetime import date
from typing import Optional

from nlp.compare.citations import expected_org, org_matches, parse_number
from nlp.compare.config import settings
from nlp.compare.context import Context
from nlp.compare.evidence import _fmt_date, make_flag
from nlp.schema import Evidence, Flag, Reference


def _mention_context(ctx: Context, ref: Reference) -> list[tuple[str, str]]:
    """(written number, the words after it) for each mention; the reference's own number when none."""
    text = ctx.child.text or ""
    out = []
    for m in ref.mentions:
        written = text[m.start:m.end]
        after = re.split(r"(?:\bsố\b|;|\n\n)", text[m.end:m.end + 160])[0]
        out.append((written, after))
    if not out:
        out.append((ref.number, ""))
    return out


_DATE_NUMERIC = re.compile(r"ngày\s+(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})")
_DATE_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})")


def _date_in(text: str) -> Optional[str]:
    m = _DATE_NUMERIC.search(text) or _DATE_WORDS.search(text)
    if not m:
        return None
    try:
        return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
    except ValueError:
        return None


def known_documents(ctx: Context) -> list[dict]:
    known = list(settings()["citations"]["known"])
    for plan in ctx.parents:
        if plan.document.number:
            known.append({"number": plan.document.number, "issued": plan.document.issued, "issuer": plan.document.issuer})
        for amendment in getattr(plan, "amended_by", []) or []:
            known.append(amendment)
    return known


def _likely_confusion(ctx: Context, parsed) -> Optional[str]:
    """The number written is a real document, but the plan implements another of the same number and
    type ("71-NQ/TW", the Politburo's resolution on education, in a plan implementing 71/NQ-CP)."""
    known = known_documents(ctx)
    exact = next((d for d in known if (kp := parse_number(d["number"])) and kp.key == parsed.key), None)
    if exact is None:
        return None
    implemented = {parse_number(n).key for n in ctx.profile.implements if parse_number(n)}
    if parsed.key in implemented:
        return None
    for doc in known:
        kp = parse_number(doc["number"])
        if kp and kp.loose_key == parsed.loose_key and kp.key != parsed.key and kp.key in implemented:
            subject = f" về {exact['subject']}" if exact.get("subject") else ""
            return (f"có thể nhầm “{parsed.raw}” với {doc['number']}: kế hoạch thực hiện {doc['number']} ngày "
                    f"{_fmt_date(doc.get('issued'))} của {doc.get('issuer')}, còn {exact['number']} ngày "
                    f"{_fmt_date(exact.get('issued'))} của {exact.get('issuer')} là nghị quyết{subject}")
    return None


# "số 12-KH/TU ngày 26/8/2025 của Ban Thường vụ Thành ủy về …": the issuer is what follows "của"/"do"
# right after the number and its date; any body named further on (the subject, a recipient) is not it
_ISSUER_AFTER = re.compile(r"^\W*(?:ngày[^,;:]{0,30}?\s+)?(?:của|do)\s+(.{3,80}?)(?=\s+(?:về|và|v/v|nhằm|để|quy định|ban hành|"
                           r"phê duyệt|triển khai|thực hiện)\b|[,;:(\n|]|$)", re.I)     # '|': the next table cell is not the sentence


def _named_issuer(after: str) -> Optional[str]:
    m = _ISSUER_AFTER.search(after or "")
    return m.group(1) if m else None


def _citation_problem(ctx: Context, ref: Reference, written: str, after: str) -> Optional[str]:
    parsed = parse_number(written) or parse_number(ref.number)
    if parsed is None:
        return None
    if (confusion := _likely_confusion(ctx, parsed)):
        return confusion
    # the issuer this very mention names; the reference's issuer only when the mention has no sentence
    # of its own (extraction may have read it from another mention, or across a table cell)
    issuer = _named_issuer(after) if after.strip() else ref.issuer
    cited_date = _date_in(after) or ref.date
    # 1. the number and date name a known document, but the suffix is another issuer's
    for doc in known_documents(ctx):
        kp = parse_number(doc["number"])
        if not kp or kp.loose_key != parsed.loose_key:
            continue
        if kp.key != parsed.key:
            if cited_date and cited_date == doc.get("issued") or (issuer and expected_org(issuer) and expected_org(issuer) == expected_org(doc.get("issuer"))):
                return f"“{written}” nhưng văn bản số {parsed.number_raw} ngày {_fmt_date(doc.get('issued'))} của {doc.get('issuer')} là {doc['number']}"
            continue
        if cited_date and doc.get("issued") and cited_date != doc["issued"]:
            return f"“{written}” ghi ngày {_fmt_date(cited_date)}, văn bản này ban hành ngày {_fmt_date(doc['issued'])}"
    # 2. the suffix names another issuer than the one the citation gives
    expected = expected_org(issuer)
    if expected and parsed.type is not None and not org_matches(parsed, expected[1]):
        return f"“{written}” là văn bản của {expected[0]} nhưng ký hiệu không đúng cơ quan ban hành"
    # 3. Party numbers are NUMBER-TYPE/ORG, State numbers NUMBER/TYPE-ORG
    if parsed.style == "party" and not parsed.is_party_org:
        return f"“{written}” sai thể thức số ký hiệu, phải là {parsed.canonical()}"
    if parsed.style == "state" and parsed.is_party_org:
        return f"“{written}” sai thể thức số ký hiệu của văn bản Đảng, phải là {parsed.canonical()}"
    return None


def citation_error(ctx: Context) -> list[Flag]:
    flags = []
    for ref in ctx.child.references:
        for k, (written, after) in enumerate(_mention_context(ctx, ref)):
            problem = _citation_problem(ctx, ref, written, after)
            if problem:
                span = ref.mentions[k] if ref.mentions else None
                child = Evidence(doc=ctx.child.doc_id, span=span, text=written)
                parent = _known_parent_evidence(ctx, ref)
                # a real document of that number exists: the citation is likely, not surely, wrong
                factor = 0.8 if problem.startswith("có thể nhầm") else 1.0
                flags.append(make_flag("citation_error", f"Trích dẫn sai: {problem}", child, parent, confidence_factor=factor))
                break   # one flag per cited document
    return flags


def _known_parent_evidence(ctx: Context, ref: Reference) -> Optional[Evidence]:
    parsed = parse_number(ref.number)
    if not parsed:
        return None
    for plan in ctx.parents:
        numbers = [plan.document.number or ""] + [a.get("number", "") for a in getattr(plan, "amended_by", []) or []]
        for n in numbers:
            p = parse_number(n)
            if p and p.loose_key == parsed.loose_key:
                return Evidence(doc=plan.doc_id, text=n)
    return None


def unresolved_parent(ctx: Context) -> list[Flag]:
    flags = []
    for ref in ctx.unresolved:
        detail = ", ".join(x for x in (f"ngày {_fmt_date(ref.date)}" if ref.date else "", ref.issuer or "") if x)
        span = ref.mentions[0] if ref.mentions else None
        text = span.slice(ctx.child.text) if span and ctx.child.text else ref.number
        flags.append(make_flag(
            "unresolved_parent",
            f"Không có văn bản cấp trên được dẫn để đối chiếu: {ref.number}" + (f" ({detail})" if detail else ""),
            Evidence(doc=ctx.child.doc_id, span=span, text=text)))
    return flags
