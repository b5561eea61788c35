"""Typed data passed between the pipeline stages.

ingest (bytes -> IngestedDocument) -> structure (-> StructuredDocument)
-> extract (-> Extraction) -> compare (-> ComparisonReport).

Every piece of evidence is a ``Span`` of character offsets into the one canonical text
(``IngestedDocument.text``), so a flag can always be highlighted in the source.
"""
from __future__ import annotations

from enum import Enum
from typing import Literal, Optional

from pydantic import BaseModel, Field


class Span(BaseModel):
    """Half-open character range [start, end) in a document's canonical text."""

    start: int
    end: int

    def slice(self, text: str) -> str:
        return text[self.start:self.end]


# ---------------------------------------------------------------- ingest


class Cell(BaseModel):
    text: str
    span: Span
    row_span: int = 1
    col_span: int = 1


class Row(BaseModel):
    cells: list[Cell]
    span: Span
    page: Optional[int] = None
    is_header: bool = False


BlockKind = Literal["heading", "paragraph", "list_item", "table"]


class Block(BaseModel):
    """One visual unit of the source: a heading, a paragraph, a list item or a table."""

    kind: BlockKind
    text: str                      # normalised text, lines joined
    span: Span                     # where ``text`` sits in IngestedDocument.text
    page: Optional[int] = None     # 1-based page (PDF); None for flowing formats
    bold: bool = False             # whole block emphasised (Markdown ** or DOCX run bold)
    heading_level: Optional[int] = None   # Markdown '#' depth or DOCX 'Heading N' style
    bullet: Optional[str] = None   # '-', '+', '•', '*' when the source marks it as a bullet
    rows: list[Row] = Field(default_factory=list)   # kind == "table"
    confidence: Optional[float] = None   # read by OCR: mean word confidence 0..1; None = text layer


class OcrInfo(BaseModel):
    """Pages of a PDF read by OCR (Tesseract) rather than from a text layer."""

    pages: list[int]                       # 1-based pages that were OCR'd
    mean_confidence: float                 # mean of the OCR'd blocks' confidences (0..1)
    threshold: float = 0.8                 # under this a block counts as low-confidence
    low_confidence: list[Span] = Field(default_factory=list)   # spans of the low-confidence blocks

    def is_low_confidence(self, span: Optional[Span]) -> bool:
        """Does evidence at ``span`` rest on a low-confidence OCR'd block?"""
        return span is not None and any(s.start < span.end and span.start < s.end for s in self.low_confidence)


DocFormat = Literal["text", "markdown", "docx", "pdf"]


class IngestedDocument(BaseModel):
    source: str                    # file name as given
    format: DocFormat
    sha256: str
    text: str                      # canonical text: blocks joined by "\n\n" (tables: rows by "\n", cells by " | ")
    blocks: list[Block]
    pages: Optional[int] = None
    ocr: Optional[OcrInfo] = None  # set when some pages were read by OCR


# ---------------------------------------------------------------- structure


class SectionType(str, Enum):
    FRONT_MATTER = "front_matter"      # quốc hiệu, số ký hiệu, title, căn cứ
    PURPOSE = "purpose"                # MỤC ĐÍCH, YÊU CẦU
    OBJECTIVES = "objectives"          # MỤC TIÊU, CHỈ TIÊU
    TASKS = "tasks"                    # NHIỆM VỤ, GIẢI PHÁP
    FUNDING = "funding"                # KINH PHÍ
    ORGANISATION = "organisation"      # TỔ CHỨC THỰC HIỆN
    APPENDIX_TARGETS = "appendix_targets"
    APPENDIX_TASKS = "appendix_tasks"
    APPENDIX = "appendix"              # other appendix
    RECIPIENTS = "recipients"          # Nơi nhận
    SIGNATURE = "signature"
    OTHER = "other"


ItemKind = Literal["bullet", "numbered", "paragraph", "table_row"]


class Item(BaseModel):
    """A leaf unit of content inside a section: a bullet, a paragraph or a table row."""

    kind: ItemKind
    text: str
    span: Span
    page: Optional[int] = None
    label: Optional[str] = None            # '-', '1.2', 'a', row number '12'
    cells: Optional[list[str]] = None      # table_row: cell texts in column order
    header: Optional[list[str]] = None     # table_row: the table's column names
    roles: Optional[list[str]] = None      # table_row: each column's role (task, lead, support, deadline, year:2030 ...)
    cell_spans: Optional[list[Optional[Span]]] = None   # table_row: where each cell sits (None when rebuilt by guess)


class Section(BaseModel):
    number: Optional[str] = None   # this heading's own label: 'III', '1.2', 'a', 'PL2'
    path: str = ""                 # full path: 'III.1.2', 'PL3.II'
    title: str = ""
    type: SectionType = SectionType.OTHER
    level: int = 0
    span: Span                     # heading start .. end of last descendant
    heading_span: Optional[Span] = None
    page: Optional[int] = None
    items: list[Item] = Field(default_factory=list)
    children: list["Section"] = Field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


class StructuredDocument(BaseModel):
    source: str
    format: DocFormat
    sha256: str
    text: str
    pages: Optional[int] = None
    sections: list[Section]        # roots; the first is usually FRONT_MATTER
    ocr: Optional[OcrInfo] = None  # carried from IngestedDocument

    def walk(self):
        for s in self.sections:
            yield from s.walk()


# ---------------------------------------------------------------- extract (../shared/gold/SCHEMA.md)


DeadlineType = Literal["date", "period", "recurring", "conditional"]
Comparator = Literal[">=", ">", "=", "<=", "<", "range"]


class Deadline(BaseModel):
    raw: str
    type: DeadlineType
    due: Optional[str] = None      # ISO date, last day of the period; None for recurring/conditional
    start: Optional[str] = None    # ISO date, first day for 'period'
    span: Optional[Span] = None


class DocumentInfo(BaseModel):
    number: Optional[str] = None
    issued: Optional[str] = None
    issuer: Optional[str] = None
    title: Optional[str] = None
    kind: Optional[str] = None     # 'Kế hoạch', 'Quyết định', ...
    is_plan: bool = True
    level: Optional[str] = None    # trung ương / tỉnh / thành phố / xã / phường


class Reference(BaseModel):
    number: str
    kind: Optional[str] = None     # Nghị quyết, Kế hoạch, Công văn, ...
    date: Optional[str] = None
    issuer: Optional[str] = None
    mentions: list[Span] = Field(default_factory=list)


class Task(BaseModel):
    id: str
    section: str
    text: str
    lead: list[str] = Field(default_factory=list)
    support: list[str] = Field(default_factory=list)
    deadline: Optional[Deadline] = None
    span: Optional[Span] = None
    page: Optional[int] = None
    result: Optional[str] = None   # 'Kết quả/Sản phẩm' column where there is one


class Target(BaseModel):
    id: str
    section: str
    indicator: str
    comparator: Comparator
    value: float
    value_max: Optional[float] = None
    unit: str = ""
    year: Optional[int] = None
    lead: list[str] = Field(default_factory=list)
    raw: str = ""
    span: Optional[Span] = None
    page: Optional[int] = None


PlanLevel = Literal["bộ", "tỉnh", "huyện", "xã"]
PlanKind = Literal["comprehensive", "thematic", "other"]


class PlanProfile(BaseModel):
    """What kind of plan this is, read from the document: who issues it (level of government), whether it
    implements a resolution as a whole or one subject of it, and which documents it implements (the
    "Thực hiện …"/"Triển khai …" basis), as distinct from the documents it merely cites."""

    level: Optional[PlanLevel] = None
    kind: PlanKind = "other"
    implements: list[str] = Field(default_factory=list)    # document numbers, as written
    subject: str = ""                                       # the title's subject phrase


class Extraction(BaseModel):
    doc_id: str
    source: str = ""
    document: DocumentInfo
    references: list[Reference] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    text: Optional[str] = None     # canonical text, so spans can be resolved without re-ingesting
    ocr: Optional[OcrInfo] = None  # the document (or some pages) was read by OCR: evidence may be uncertain
    profile: Optional[PlanProfile] = None   # absent in extractions stored before it existed


# ---------------------------------------------------------------- compare


FlagType = Literal[
    "missing_task_group", "missing_task", "missing_target", "weaker_target", "later_deadline",
    "no_owner", "no_deadline", "citation_error", "internal_conflict", "duplicate_item",
    "stale_deadline", "unresolved_parent", "incomplete_tasks", "owner_conflict", "lead_is_partner",
]
Severity = Literal["high", "medium", "low", "info"]


class Evidence(BaseModel):
    doc: str                       # doc_id
    section: Optional[str] = None
    span: Optional[Span] = None
    text: str = ""                 # the evidence text itself (what span covers, or the item's text)
    low_confidence_ocr: bool = False   # the text was read by OCR with low confidence: check the scan


class Candidate(Evidence):
    """A passage of the plan close to a parent item the plan is reported to lack, with its similarity:
    the reviewer reads it to judge "is it really absent?"."""
    score: float                   # similarity to the parent item, 0..1 (the aligner's)
    threshold: float               # the alignment threshold: at or above it the passage would count as the item
    nearest_to: Optional[str] = None   # the parent item it is closest to, where the finding lists several


class Alignment(BaseModel):
    kind: Literal["task", "target", "group"]
    child_id: Optional[str] = None
    parent_id: Optional[str] = None
    child_section: Optional[str] = None
    parent_section: Optional[str] = None
    child_text: str = ""
    parent_text: str = ""
    score: float


class Flag(BaseModel):
    id: str                        # stable fingerprint: survives re-runs of the same inputs
    type: FlagType
    severity: Severity
    message: str                   # one line, Vietnamese
    child: Optional[Evidence] = None
    parent: Optional[Evidence] = None
    score: Optional[float] = None
    confidence: float = 1.0        # how likely a reviewer accepts it (calibrated on judged flags)
    collapsed: bool = False        # low confidence: shown folded, after the others
    candidates: list[Candidate] = Field(default_factory=list)   # missing items: the plan's closest passages


class ComparisonReport(BaseModel):
    child: str                     # child doc_id
    parents: list[str]
    coverage: dict                 # e.g. {"task_groups": {"covered": 6, "total": 7, "ratio": .86, "groups": {...}}, ...}
    alignments: list[Alignment] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
