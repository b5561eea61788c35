"""Small hand-made plans for the compare tests: a child plan text written line by line, with every
task, target and citation span computed from where its text was written."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from nlp.schema import Deadline, DocumentInfo, Extraction, Reference, Span, Target, Task


@dataclass
class PlanWriter:
    doc_id: str = "child"
    issued: Optional[str] = None
    # a ward plan carrying out its city's plan as a whole (profile: level xã, kind comprehensive)
    title: str = "Kế hoạch thực hiện Kế hoạch số 10/KH-UBND của UBND thành phố về chuyển đổi số"
    lines: list[str] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)

    @property
    def _offset(self) -> int:
        return sum(len(line) + 2 for line in self.lines)

    def line(self, text: str) -> "PlanWriter":
        self.lines.append(text)
        return self

    def cite(self, sentence: str, number: str, *, date: Optional[str] = None, issuer: Optional[str] = None) -> "PlanWriter":
        """A line citing ``number`` (which must occur in ``sentence``)."""
        start = self._offset + sentence.index(number)
        self.references.append(Reference(number=number, date=date, issuer=issuer,
                                         mentions=[Span(start=start, end=start + len(number))]))
        return self.line(sentence)

    def task(self, section: str, text: str, lead=("Phòng Văn hóa - Xã hội",), deadline: Optional[tuple] = None) -> Task:
        start = self._offset
        dl = Deadline(raw=deadline[0], type=deadline[1], due=deadline[2] if len(deadline) > 2 else None) if deadline else None
        task = Task(id=f"t{len(self.tasks) + 1}", section=section, text=text, lead=list(lead), deadline=dl,
                    span=Span(start=start, end=start + len(text)))
        self.tasks.append(task)
        self.line(text)
        return task

    def target(self, section: str, indicator: str, comparator: str, value: float, unit: str = "%", year: Optional[int] = 2030) -> Target:
        sentence = f"{indicator} đạt {comparator}{value:g}{unit}"
        start = self._offset
        target = Target(id=f"g{len(self.targets) + 1}", section=section, indicator=indicator, comparator=comparator,
                        value=value, unit=unit, year=year, raw=f"{comparator}{value:g}{unit}",
                        span=Span(start=start, end=start + len(indicator)))
        self.targets.append(target)
        self.line(sentence)
        return target

    def build(self) -> Extraction:
        return Extraction(doc_id=self.doc_id, document=DocumentInfo(issued=self.issued, issuer="UBND phường", title=self.title),
                          references=self.references, tasks=self.tasks, targets=self.targets, text="\n\n".join(self.lines))


# ---------------------------------------------------------------- a small parent (a city plan)

PARENT_TASKS = {
    "I": ("Tổ chức tuyên truyền sâu rộng về chuyển đổi số trên hệ thống truyền thanh cơ sở và mạng xã hội",
          ("Thường xuyên", "recurring", None)),
    "II": ("Nâng cấp hạ tầng công nghệ thông tin tại Trung tâm phục vụ hành chính công, kết nối cơ sở dữ liệu quốc gia về dân cư",
           ("6/2025", "date", "2025-06-30")),
    "VII": ("Hợp tác quốc tế, học tập kinh nghiệm nước ngoài về đổi mới sáng tạo và chuyển giao công nghệ",
            ("2026", "date", "2026-12-31")),
}
PARENT_TARGET = ("Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến", ">=", 80.0, "%", 2030)


def city_parent() -> Extraction:
    tasks = [Task(id=f"PL2.{g}.1", section=f"PL2.{g}.1", text=text, lead=["UBND các phường, xã"],
                  deadline=Deadline(raw=d[0], type=d[1], due=d[2]))
             for g, (text, d) in PARENT_TASKS.items()]
    indicator, comp, value, unit, year = PARENT_TARGET
    targets = [Target(id="PL1.I.1", section="PL1.I.1", indicator=indicator, comparator=comp, value=value, unit=unit, year=year)]
    return Extraction(doc_id="10-KH-UBND", document=DocumentInfo(number="10/KH-UBND", issued="2025-03-01",
                                                                   issuer="UBND thành phố Hải Phòng", is_plan=True),
                      tasks=tasks, targets=targets)


def faithful_child(**changes) -> PlanWriter:
    """A ward plan carrying every task and target of ``city_parent`` faithfully.

    ``changes`` rewrites one item: drop_group="VII", deadline_II=(...), lead_I=(), task_I_deadline=None, target_value=...
    """
    w = PlanWriter(issued=changes.get("issued", "2025-04-15"))
    w.line("ỦY BAN NHÂN DÂN PHƯỜNG")
    w.cite("Thực hiện Kế hoạch số 10/KH-UBND ngày 01/3/2025 của UBND thành phố Hải Phòng, UBND phường ban hành Kế hoạch.",
           "10/KH-UBND", date="2025-03-01", issuer="UBND thành phố Hải Phòng")
    w.line("I. MỤC ĐÍCH, YÊU CẦU")
    w.line("Triển khai đầy đủ, kịp thời các nhiệm vụ được giao.")
    w.line("II. NHIỆM VỤ, GIẢI PHÁP")
    w.line("1. Tuyên truyền, nâng cao nhận thức về chuyển đổi số")
    w.task("II.1", "Tổ chức tuyên truyền sâu rộng về chuyển đổi số trên hệ thống truyền thanh cơ sở của phường và mạng xã hội",
           lead=changes.get("lead_I", ("Phòng Văn hóa - Xã hội",)),
           deadline=changes.get("deadline_I", ("Thường xuyên", "recurring")))
    w.line("2. Hạ tầng công nghệ thông tin")
    w.task("II.2", "Nâng cấp hạ tầng công nghệ thông tin tại Trung tâm phục vụ hành chính công phường, kết nối cơ sở dữ liệu quốc gia về dân cư",
           lead=("Văn phòng HĐND và UBND",), deadline=changes.get("deadline_II", ("Tháng 6/2025", "date", "2025-06-30")))
    if changes.get("drop_group") != "VII":
        w.line("7. Hợp tác quốc tế")
        w.task("II.7", "Hợp tác quốc tế, học tập kinh nghiệm nước ngoài về đổi mới sáng tạo và chuyển giao công nghệ",
               lead=("Phòng Kinh tế",), deadline=("Năm 2026", "date", "2026-12-31"))
    w.line("III. CHỈ TIÊU")
    w.target("III", PARENT_TARGET[0], ">=", changes.get("target_value", 85.0))
    return w
