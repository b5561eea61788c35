"""IngestedDocument -> StructuredDocument: the heading tree, typed sections and their items.

A numbered block is a heading when the source marks it (Markdown '#', bold, capitals),
when deeper-numbered blocks follow it, or when it reads like a title and plain paragraphs
follow; otherwise it is a numbered item (a task "1.1. Xây dựng ..."). Numbering kinds nest
in the order they first appear (I. > 1. > 1.1. > a)), as in Vietnamese administrative style.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.ingest.layout import is_table_header_line
from nlp.schema import Block, IngestedDocument, Item, Section, SectionType, Span, StructuredDocument
from nlp.structure.labels import Label, follows, parse_label
from nlp.structure.records import fold_task_records
from nlp.structure.section_types import classify_title, describes_within_tasks, is_closing, is_recipients, is_signature
from nlp.structure.tables import flat_table_items, table_header, table_items

_TITLE_MAX = 130
_INLINE_TITLE = re.compile(r"^(?P<title>[^:]{3,80}):\s+(?P<body>\S.{30,})$", re.S)
_DUTY = re.compile(r"^(?P<who>[^:]{3,120}):\s+(?P<body>\S.{30,})$", re.S)


@dataclass
class _Unit:
    block: Block
    label: Label | None
    strong_heading: bool      # marked as a heading by the source


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.85 * len(letters)


def _title_like(text: str) -> bool:
    return len(text) <= _TITLE_MAX and not text.rstrip().endswith((";", ","))


class _Builder:
    def __init__(self, doc: IngestedDocument):
        self.doc = doc
        self.front = Section(number=None, path="", title="", type=SectionType.FRONT_MATTER, level=0,
                             span=Span(start=0, end=0))
        self.roots: list[Section] = [self.front]
        self.stack: list[tuple[str, Section]] = []     # (label kind, section), outermost first
        self.last_item: Item | None = None

    # -------------------------------------------------------------- sections
    @property
    def current(self) -> Section:
        return self.stack[-1][1] if self.stack else self.roots[-1]

    def _open(self, kind: str, label: str | None, title: str, block: Block, type_: SectionType | None = None) -> Section:
        if kind in ("appendix", "recipients", "signature", "closing") or (kind == "roman" and not self._inside_appendix()):
            self.stack = []
            parent = None
        else:
            while self.stack and self.stack[-1][0] == kind:
                self.stack.pop()
            kinds = [k for k, _ in self.stack]
            if kind in kinds:
                del self.stack[kinds.index(kind):]
            parent = self.stack[-1][1] if self.stack else (self.roots[-1] if self.roots[-1].type != SectionType.FRONT_MATTER else None)
        own_type = classify_title(("phụ lục " if kind == "appendix" else "") + title) if title or kind == "appendix" else None
        if type_ is not None:
            section_type = type_
        elif parent is None:
            section_type = own_type or SectionType.OTHER
        else:
            section_type = parent.type
            if own_type and (own_type in _OVERRIDES or parent.type in (SectionType.OTHER, SectionType.APPENDIX)):
                section_type = own_type
            elif own_type in _DESCRIPTIVE and parent.type in (SectionType.TASKS, SectionType.ORGANISATION) \
                    and describes_within_tasks(title):
                section_type = own_type
        path = self._path(parent, label)
        section = Section(number=label, path=path, title=title, type=section_type,
                          level=(parent.level + 1 if parent else 1), span=Span(start=block.span.start, end=block.span.end),
                          heading_span=block.span, page=block.page)
        if parent is None:
            self.roots.append(section)
            self.stack = [(kind, section)]
        else:
            parent.children.append(section)
            self.stack.append((kind, section))
        self.last_item = None
        return section

    def _inside_appendix(self) -> bool:
        root = self.roots[-1]
        return root.type in (SectionType.APPENDIX, SectionType.APPENDIX_TASKS, SectionType.APPENDIX_TARGETS) \
            and bool(self.stack)

    @staticmethod
    def _path(parent: Section | None, label: str | None) -> str:
        return child_path(parent, label)

    # -------------------------------------------------------------- items
    def add_item(self, item: Item) -> None:
        self.current.items.append(item)
        self.last_item = item

    def follows_open_section(self, label: Label) -> bool:
        """Is ``label`` the next number after an open section of its kind ('3.' while '2.' is open)?"""
        kinds = [k for k, _ in self.stack]
        if label.kind not in kinds:
            return False
        number = self.stack[kinds.index(label.kind)][1].number
        return bool(number) and follows(number, label.text)

    def close_previous_sibling(self, label: Label) -> None:
        """A numbered item right after the section numbered before it is that section's sibling, not
        its child: '2. Sở Tài chính: …' (an item) after the heading '1. Sở Nông nghiệp …' sits at the
        level of 1, as 'c) …' after the heading 'b) …' does."""
        if self.follows_open_section(label):
            del self.stack[[k for k, _ in self.stack].index(label.kind):]
            self.last_item = None

    def add_table(self, groups, block: Block) -> None:
        """Rows of a table; group rows ('I', 'II' ...) open a section of their own."""
        for section_label, title, items in groups:
            if section_label:
                group = self._open("table_group", section_label, title, block)
                if items:       # a group of rows spans its rows, not the whole table
                    group.span = Span(start=items[0].span.start, end=items[-1].span.end)
                    group.heading_span = None
            for item in items:
                self.add_item(item)
        self.last_item = None

    def extend_last_item(self, block: Block) -> None:
        item = self.last_item
        item.text = f"{item.text} {block.text}"
        item.span = Span(start=item.span.start, end=block.span.end)


def child_path(parent: Section | None, label: str | None) -> str:
    """Path of a numbered child: 'III' + '1' -> 'III.1'; '2.1' under '2' replaces it: 'III.2.1'."""
    label = label or ""
    if parent is None:
        return label
    own = parent.number or ""
    if own and label.startswith(own + "."):
        base = parent.path[: len(parent.path) - len(own)].rstrip(".")
        return f"{base}.{label}" if base else label
    return f"{parent.path}.{label}" if parent.path else label


_OVERRIDES = {SectionType.APPENDIX_TARGETS, SectionType.APPENDIX_TASKS}
_DESCRIPTIVE = {SectionType.OBJECTIVES, SectionType.PURPOSE}


def _units(doc: IngestedDocument) -> list[_Unit]:
    units = []
    for block in doc.blocks:
        label = parse_label(block.text) if block.kind != "table" and not block.bullet else None
        strong = block.kind == "heading" or block.bold or _is_upper(block.text)
        units.append(_Unit(block, label, strong))
    return units


def _next_label_is_deeper(units: list[_Unit], i: int, stack_kinds: list[str]) -> bool:
    """Is the next numbered block a child of block ``i`` (a kind not open yet)?"""
    own = units[i].label.kind
    if own in stack_kinds:            # a sibling closes everything below its own level
        stack_kinds = stack_kinds[:stack_kinds.index(own)]
    for unit in units[i + 1:i + 40]:
        if unit.label is None or unit.label.kind == "paren":
            continue
        return unit.label.kind not in stack_kinds and unit.label.kind != own and unit.label.kind != "roman" \
            and unit.label.kind != "appendix"
    return False


def _followed_by_plain_content(units: list[_Unit], i: int) -> bool:
    return i + 1 < len(units) and units[i + 1].label is None and units[i + 1].block.kind != "heading"


def _flat_table_end(units: list[_Unit], start: int) -> int:
    j = start + 1
    while j < len(units):
        text = units[j].block.text
        label = units[j].label
        if (label and label.kind == "appendix") or is_signature(text) or is_recipients(text):
            break
        j += 1
    return j


def build_structure(doc: IngestedDocument) -> StructuredDocument:
    units = _units(doc)
    b = _Builder(doc)
    last_header: tuple[Section, list[str]] | None = None     # (its top-level part, the columns) of the last headed table
    i = 0
    while i < len(units):
        unit = units[i]
        block, label = unit.block, unit.label
        text = block.text

        if block.kind == "table":
            # a headerless table right after a headed one in the same part continues it (cut by an
            # elided row or a page): it reads its columns by that header
            continued = last_header if last_header and last_header[0] is b.roots[-1] else None
            b.add_table(table_items(block, b.current, continued[1] if continued else None), block)
            header = table_header(block)
            if header:
                last_header = (b.roots[-1], header)
            i += 1
            continue

        following = [u.block.text for u in units[i + 1:i + 9]]
        if block.kind == "paragraph" and is_table_header_line(text, following):
            end = _flat_table_end(units, i)
            table_blocks = [u.block for u in units[i:end]]
            b.add_table(flat_table_items(table_blocks, b.current), table_blocks[0])
            i = end
            continue

        if is_recipients(text):
            b._open("recipients", None, text.rstrip(":"), block, SectionType.RECIPIENTS)
            i += 1
            continue
        if not block.bullet and is_signature(text) and (b.roots[-1].type in (SectionType.RECIPIENTS, SectionType.SIGNATURE) or len(text) < 40):
            if b.roots[-1].type != SectionType.SIGNATURE:
                b._open("signature", None, text, block, SectionType.SIGNATURE)
            else:
                b.add_item(Item(kind="paragraph", text=text, span=block.span, page=block.page))
            i += 1
            continue

        if label is not None and label.kind != "paren" and not block.bullet:
            kinds = [k for k, _ in b.stack]
            title = label.rest
            inline = _INLINE_TITLE.match(title) if not unit.strong_heading else None
            heading = (
                label.kind in ("appendix", "roman")
                or unit.strong_heading
                or _next_label_is_deeper(units, i, kinds)
                or (_title_like(title) and _followed_by_plain_content(units, i))
                # the sibling of a heading, over content of its own, is one: '2. Tổ chức tập huấn …' is a
                # heading, '3. Biên soạn tài liệu …; tài liệu hướng dẫn …' then its attribute lines too
                or (b.follows_open_section(label) and _followed_by_plain_content(units, i))
            )
            if unit.strong_heading and label.kind not in ("appendix", "roman") and _is_duty_paragraph(title) \
                    and not _next_label_is_deeper(units, i, kinds):
                # "**3. Các cơ quan, đơn vị thuộc tỉnh:** Căn cứ chức năng ..." is a numbered duty, not a heading
                b.close_previous_sibling(label)
                b.add_item(Item(kind="numbered", text=text, span=block.span, page=block.page, label=label.text))
                i += 1
                continue
            if inline and label.kind not in ("appendix", "roman") and (
                    _looks_like_title(inline.group("title")) or _names_before_a_sentence(inline)):
                section = b._open(label.kind, label.text, inline.group("title").strip(), block)
                body_start = block.span.start + text.index(inline.group("body"))
                b.add_item(Item(kind="paragraph", text=inline.group("body").strip(),
                                span=Span(start=body_start, end=block.span.end), page=block.page))
                section.heading_span = Span(start=block.span.start, end=body_start)
                i += 1
                continue
            if heading:
                if label.kind == "appendix" and len(title) < 8 and i + 1 < len(units) \
                        and units[i + 1].label is None and units[i + 1].strong_heading:
                    title = units[i + 1].block.text     # 'PHỤ LỤC II' / 'DANH MỤC CÁC NHIỆM VỤ ...'
                    b._open(label.kind, label.text, title, block)
                    i += 2
                    continue
                b._open(label.kind, label.text, title or text, block)
                i += 1
                continue
            b.close_previous_sibling(label)
            b.add_item(Item(kind="numbered", text=text, span=block.span, page=block.page, label=label.text))
            i += 1
            continue

        if block.kind == "heading" and b.roots[-1].type == SectionType.FRONT_MATTER:
            b.add_item(Item(kind="paragraph", text=text, span=block.span, page=block.page))
        elif block.bullet:
            b.add_item(Item(kind="bullet", text=text, span=block.span, page=block.page, label=block.bullet))
        elif is_closing(text):
            b._open("closing", None, "", block, SectionType.OTHER)
            b.add_item(Item(kind="paragraph", text=text, span=block.span, page=block.page))
        elif b.last_item is not None and b.last_item.kind == "numbered" and not unit.strong_heading \
                and not b.last_item.text.rstrip().endswith((".", "!", "?", '."', ".”")):
            b.extend_last_item(block)       # a numbered task continued in the next paragraph
        else:
            b.add_item(Item(kind="paragraph", text=text, span=block.span, page=block.page))
        i += 1

    _close_spans(b.roots, len(doc.text))
    b.front.span = Span(start=0, end=b.front.span.end)
    roots = b.roots if (b.front.items or b.front.children) else b.roots[1:]
    structured = StructuredDocument(source=doc.source, format=doc.format, sha256=doc.sha256, text=doc.text,
                                    pages=doc.pages, sections=roots, ocr=doc.ocr)
    return fold_task_records(structured)


def _is_duty_paragraph(text: str) -> bool:
    """A long emphasised-lead paragraph "<who>: <what they do>" (a heading is short, a duty is a sentence)."""
    m = _DUTY.match(text)
    if not m:
        return False
    body = m.group("body").strip()
    return len(body.split()) >= 6 and (len(text) > _TITLE_MAX or body.endswith((".", ";")))


def _names_before_a_sentence(inline: re.Match) -> bool:
    """"3. Giấy khen của Thủ trưởng các cơ quan, đơn vị; Chủ tịch UBND xã, phường: Các Sở, ban, ngành …
    quy định số lượng khen thưởng theo thẩm quyền.": a title listing names (commas, semicolons) before a
    whole sentence; the sentence is the section's content, not part of its title."""
    title, body = inline.group("title"), inline.group("body").strip()
    # "Các cơ quan thông tin, truyền thông của tỉnh: Xây dựng …" names who does it: an owner's duty
    if title.lower().startswith("các ") or len(title.split()) > 20 or re.search(r"\.\s", title):
        return False
    return len(body.split()) >= 8 and body.endswith(".") and body[:1].isupper()


def _looks_like_title(text: str) -> bool:
    """'Phòng Kinh tế xã' or 'Nhiệm vụ trọng tâm' before a colon; not a sentence."""
    return len(text.split()) <= 12 and not re.search(r"[;,.]\s", text)


def _close_spans(sections: list[Section], text_end: int) -> None:
    """A section runs from its heading to the start of the next sibling (or its parent's end)."""
    for idx, section in enumerate(sections):
        end = sections[idx + 1].span.start if idx + 1 < len(sections) else text_end
        ends = [section.span.end] + [it.span.end for it in section.items]
        if section.children:
            _close_spans(section.children, end)
            ends.append(section.children[-1].span.end)
        section.span = Span(start=section.span.start, end=max(ends) if idx + 1 == len(sections) else min(max(ends), end) or end)
