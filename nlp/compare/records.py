"""The child's tasks as a reviewer reads them: attribute lines folded into the task they describe.

Extraction may hand compare an owner or deadline line as a task of its own ("Đơn vị chủ trì: Sở Tư
pháp.", "Thời gian thực hiện: Hằng năm.") or a fragment of one. Such lines are not duties: counted as
tasks they become false "no owner"/"duplicate" findings, and the task they describe looks owner-less.
Here each such line gives its agency or deadline to the task before it and is dropped; what remains
are the duties. Only the Extraction contract is read (whatever extraction improves, this stays true).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

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


_CONTENT_LABEL = re.compile(r"^[\s*_\-+•]*nội dung\s*:", re.I)


def _owner_line_of(record: Task | None, task: Task) -> bool:
    """Is ``task`` the owner line of an activity record ("Nội dung: …") that has no owner yet?"""
    if record is None or record.lead or record.section != task.section or not task.lead:
        return False
    if not _CONTENT_LABEL.match(record.text):
        return False
    opening = re.sub(r"^[\s*_\-+•]+", "", task.text)
    return any(opening.startswith(lead.split(" (")[0][:12]) for lead in task.lead)


_ROLE_CUES = Path(__file__).resolve().parents[1] / "resources" / "item_role_cues.yml"
_ITEM_LABEL = re.compile(r"^[\s*_\-+•–]*(?:\(?[0-9]{1,2}(?:\.[0-9]{1,2})*[.)]|\(?[a-zđ][.)])?\s*", re.I)


@lru_cache(maxsize=1)
def _duty_opening() -> re.Pattern:
    from nlp.compare.config import settings

    verbs = yaml.safe_load(_ROLE_CUES.read_text(encoding="utf-8"))["imperative_openers"] + settings()["duty_openers"]
    return re.compile(r"^(?:" + "|".join(re.escape(v) for v in verbs) + r")(?!\w)", re.I)


def states_a_duty(task: Task) -> bool:
    """Does the item open with an instruction verb ("Triển khai …", "Tổ chức …")? Items that do not are
    topics, places, indicators or labels a plan lists under its tasks ("Tình hình huy động vốn",
    "Cửa sông Mã: Lấy mẫu …", "Vay trong nước khác"): no owner or date is asked of them."""
    return bool(_duty_opening().match(_ITEM_LABEL.sub("", task.text or "", count=1)))


def folded_tasks(child: Extraction) -> Extraction:
    """A copy of ``child`` whose tasks are duties only, with their attribute lines folded in."""
    tasks: list[Task] = []
    continues: tuple[str, str] | None = None     # an attribute line cut short: the next line finishes it
    for task in child.tasks:
        attribute = attribute_of(task.text)
        if attribute is None and continues is not None:
            attribute = (continues[0], f"{continues[1]} {task.text}".strip(" *.;"))
        continues = attribute if attribute is not None and len(attribute[1].split()) < 3 else None
        if attribute is None and _owner_line_of(tasks[-1] if tasks else None, task):
            # "- Nội dung: …" then "+ Sở X chủ trì, phối hợp …": the second line is the first's owner
            tasks[-1].lead, tasks[-1].support = list(task.lead), tasks[-1].support or list(task.support)
            continue
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


# Parts of a plan whose items are not duties needing their own lead and date: each agency's role
# (organisation, assignment), funding, and the criteria/procedures of an emulation or award plan.
_NOT_DUTIES = re.compile(r"tổ chức thực hiện|trách nhiệm|phân công|nhiệm vụ cụ thể|kinh phí|đối tượng|tiêu chuẩn|"
                         r"thủ tục|số lượng|hình thức khen|^giải pháp(?: thực hiện)?$", re.I)
# A part that assigns the plan's duties to agencies, or a pointer to an appendix that does: the owners
# of the other parts' tasks are written there.
_ASSIGNMENT_PART = re.compile(r"phân công nhiệm vụ|nhiệm vụ cụ thể", re.I)
# "(Chi tiết Danh mục nhiệm vụ tại Phụ lục kèm theo)" says the same as "giao nhiệm vụ theo Phụ lục", and
# so does "Phân công cụ thể kèm theo tiến độ triển khai … tại Phụ lục I và Phụ lục II".
_ASSIGNED_IN_APPENDIX = re.compile(r"(?:(?:giao|chi tiết|danh mục)\s+(?:(?:các|danh mục)\s+)?nhiệm vụ|phân công)[^.;]{0,100}?"
                                   r"(?:tại|theo)\s+(?:các\s+)?phụ lục", re.I)
# A plan for one year or a shorter campaign ("… năm 2026", "… cuối năm 2025"): its horizon dates its tasks.
_ONE_YEAR_TITLE = re.compile(r"(?<!giai đoạn )(?<!đến )năm 20\d\d(?!\s*[-–]\s*20\d\d)", re.I)


def top_heading(child: Extraction, section: str) -> str:
    """Title of the top-level part a section path belongs to ('IV.3' -> 'TỔ CHỨC THỰC HIỆN'); a heading
    wrapped over lines is read up to its closing emphasis or blank line."""
    top = (section or "").split(".")[0]
    if not top or not child.text:
        return ""
    return _top_heading(child.text, top)


@lru_cache(maxsize=64)
def _top_heading(text: str, top: str) -> str:
    """Asked for every task of a plan: searched once per part and text."""
    m = re.search(rf"^[ \t#*>|]*{re.escape(top)}\s*[.\-–]\s*\**\s*((?:(?!\*\*|\n\s*\n).){{1,120}})", text, re.M | re.S)
    return re.sub(r"\s+", " ", m.group(1)).strip(" *") if m else ""


def is_organisation_part(child: Extraction, section: str) -> bool:
    """Sections whose items are roles, criteria or procedures rather than duties with their own dates."""
    return bool(_NOT_DUTIES.search(top_heading(child, section)))


def owners_assigned_elsewhere(child: Extraction) -> bool:
    """The plan assigns its duties in a part of its own ("Phân công nhiệm vụ"), in an appendix it points to,
    or in an appendix table of duties that gives each its lead."""
    from nlp.compare.config import settings

    tops = {(t.section or "").split(".")[0] for t in child.tasks}
    if any(_ASSIGNMENT_PART.search(top_heading(child, top)) for top in tops):
        return True
    in_appendix = [t for t in child.tasks if (t.section or "").startswith("PL")]
    led = sum(1 for t in in_appendix if t.lead)
    rule = settings()["assignment_appendix"]
    if len(in_appendix) >= rule["min_rows"] and led >= rule["min_share_led"] * len(in_appendix):
        return True                                  # an appendix table of duties, each with its lead
    return led > 0 and bool(_ASSIGNED_IN_APPENDIX.search(child.text or ""))


def dated_by_its_horizon(child: Extraction) -> bool:
    """A plan for one year (or a shorter campaign) dates its tasks by its own horizon."""
    return bool(_ONE_YEAR_TITLE.search(child.document.title or ""))
