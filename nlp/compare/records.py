"""The child's tasks as a reviewer reads them: attribute lines folded into the task they describe.

Extraction may hand compare an owner or deadline line as a task of its own ("Đơn vị chủ trì: Sở Tư
pháp.", "Thời gian thực hiện: Hằng năm.") or a fragment of one. Such lines are not duties: counted as
tasks they become false "no owner"/"duplicate" findings, and the task they describe looks owner-less.
Here each such line gives its agency or deadline to the task before it and is dropped; what remains
are the duties. Only the Extraction contract is read (whatever extraction improves, this stays true).
"""
from __future__ import annotations

import re

from nlp.schema import Deadline, Extraction, Task

_ATTRIBUTE = re.compile(
    r"^[\s*_\-+•]*(?P<key>đơn vị (?:chủ trì|thực hiện|phối hợp)[^:]*|cơ quan (?:chủ trì|phối hợp|thực hiện)[^:]*|"
    r"chủ trì(?: thực hiện)?|phối hợp(?: thực hiện)?|thời gian(?: thực hiện| hoàn thành)?|thời hạn(?: hoàn thành)?|"
    r"sản phẩm|kết quả(?: đầu ra)?|kinh phí(?: thực hiện)?|nguồn kinh phí)\s*[:：]\s*\**(?P<value>.*)$", re.I | re.S)
_MIN_WORDS = 4


def attribute_of(text: str) -> tuple[str, str] | None:
    """('lead'|'support'|'deadline'|'other', value) when the text is an attribute line."""
    m = _ATTRIBUTE.match(re.sub(r"\s+", " ", text or "").strip())
    if not m:
        return None
    key, value = m["key"].lower(), m["value"].strip(" *.;")
    if "phối hợp" in key:
        return "support", value
    if "chủ trì" in key or "thực hiện" in key and key.startswith(("đơn vị", "cơ quan")):
        return "lead", value
    if key.startswith(("thời gian", "thời hạn")):
        return "deadline", value
    return "other", value


def _fragment(text: str) -> bool:
    return len(re.findall(r"\w+", text or "")) < _MIN_WORDS


def folded_tasks(child: Extraction) -> Extraction:
    """A copy of ``child`` whose tasks are duties only, with their attribute lines folded in."""
    tasks: list[Task] = []
    continues: tuple[str, str] | None = None     # an attribute line cut short: the next line finishes it
    for task in child.tasks:
        attribute = attribute_of(task.text)
        if attribute is None and continues is not None:
            attribute = (continues[0], f"{continues[1]} {task.text}".strip(" *.;"))
        continues = attribute if attribute is not None and len(attribute[1].split()) < 3 else None
        if attribute is None and not _fragment(task.text):
            tasks.append(task.model_copy(deep=True))
            continue
        if attribute is None or not tasks or tasks[-1].section != task.section:
            continue
        kind, value = attribute
        owner = tasks[-1]
        if kind == "lead" and not owner.lead:
            owner.lead = task.lead or ([value] if value else [])
        elif kind == "support" and not owner.support:
            owner.support = task.support or ([value] if value else [])
        elif kind == "deadline" and owner.deadline is None and value:
            owner.deadline = task.deadline or Deadline(raw=value, type="conditional")
    return child.model_copy(update={"tasks": tasks})


_ORGANISATION = re.compile(r"tổ chức thực hiện|trách nhiệm|phân công|kinh phí", re.I)


def top_heading(child: Extraction, section: str) -> str:
    """Title of the top-level part a section path belongs to ('IV.3' -> 'TỔ CHỨC THỰC HIỆN')."""
    top = (section or "").split(".")[0]
    if not top or not child.text:
        return ""
    m = re.search(rf"^[ \t#*>|]*{re.escape(top)}\s*[.\-–]\s*\**\s*([^\n]+)", child.text, re.M)
    return m.group(1).strip(" *") if m else ""


def is_organisation_part(child: Extraction, section: str) -> bool:
    """Sections under "Tổ chức thực hiện"/"Kinh phí": each agency's role, not duties with their own dates."""
    return bool(_ORGANISATION.search(top_heading(child, section)))
