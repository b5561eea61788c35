"""Task records: an instruction and the attribute lines written under it, folded into one item.

Plans often write a task as an instruction followed by labelled lines::

    - Thường xuyên rà soát, kiện toàn đội ngũ ...
    Đơn vị chủ trì thực hiện: Các Sở, ngành, đơn vị, UBND cấp xã.
    Đơn vị phối hợp: Sở Nội vụ, Sở Tư pháp.
    Thời gian thực hiện: Thường xuyên.

or as "- Nội dung: …" + "- Cơ quan thực hiện: Sở X chủ trì, phối hợp với …". Read line by line,
the labelled lines look like tasks of their own and the instruction loses its owner and date.
This pass (run after the heading tree is built) removes the attribute lines from the section and
gives their values to the instructions they describe, as ``cells``/``roles``/``cell_spans`` — the
same shape as a row of a task table, so extraction reads both alike.

Which instructions an attribute block describes (SCHEMA.md, "owners written above their duties"):
the instructions written since the previous block in the same section; a block that comes before
any instruction describes the instructions that follow it, up to the next block.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml

from nlp.ingest.layout import RESOURCES
from nlp.schema import Item, Section, SectionType, Span, StructuredDocument

TASK_ROLE = "task"


@dataclass(frozen=True)
class Attribute:
    role: str            # task | lead | support | deadline | product
    label: str           # as written: "Đơn vị chủ trì thực hiện"
    value: str
    span: Span | None    # where the value sits in the canonical text


@lru_cache(maxsize=1)
def _lexicon() -> dict:
    data = yaml.safe_load((RESOURCES / "task_records.yml").read_text(encoding="utf-8"))
    data["_fields"] = [(role, re.compile("(?:" + "|".join(patterns) + ")", re.IGNORECASE))
                       for role, patterns in data["fields"].items()]
    data["_skip_sections"] = {SectionType(t) for t in data["not_task_sections"]}
    return data


# "- *Đơn vị chủ trì thực hiện: *Các Sở ..." -> label, value (emphasis and bullet glyphs around them)
_LABELLED = re.compile(r"^[\s*_]*(?:[-+•–][\s*_]*)?(?P<label>[^:*]{3,80}?)[\s*_]*:[\s*_]*(?P<value>.*)$", re.S)


def attribute_role(label: str) -> str | None:
    """'Đơn vị chủ trì thực hiện' -> 'lead'; 'Thời hạn hoàn thành' -> 'deadline'; a sentence -> None."""
    lex = _lexicon()
    label = " ".join(label.replace("*", " ").split()).lower()
    if not label or len(label.split()) > lex["max_label_words"]:
        return None
    for role, pattern in lex["_fields"]:
        if pattern.fullmatch(label):
            return role
    return None


def parse_attribute(item: Item) -> Attribute | None:
    """The attribute an item states ("Thời gian thực hiện: Quý IV/2025"), or None."""
    if item.kind == "table_row":
        return None
    m = _LABELLED.match(item.text)
    if not m:
        return None
    label = _clean_value(m.group("label"))
    role = attribute_role(label)
    if role is None:
        return None
    value = _clean_value(m.group("value"))
    start = item.span.start + m.start("value")
    return Attribute(role, label, value, Span(start=start, end=item.span.end) if value else None)


# a labelled attribute written after the instruction's last sentence: "… năm 2026. Thời gian: Quý IV/2025."
_INLINE_LABEL = re.compile(r"(?<=[.;])[\s*_]+(?P<label>[^:.;*]{3,60}?)[\s*_]*:[\s*_]*")


def split_inline_attributes(item: Item) -> tuple[Item, list[Attribute]]:
    """An instruction whose attribute lines were run into it ("…. Đơn vị chủ trì: Sở X. Thời gian:
    2026") -> the instruction alone and those attributes."""
    if item.kind == "table_row":
        return item, []
    cuts = [m for m in _INLINE_LABEL.finditer(item.text) if attribute_role(m.group("label")) not in (None, TASK_ROLE)]
    if not cuts:
        return item, []
    attributes = []
    for k, m in enumerate(cuts):
        end = cuts[k + 1].start() if k + 1 < len(cuts) else len(item.text)
        raw = item.text[m.end():end]
        value = _clean_value(raw)
        if value:
            attributes.append(Attribute(attribute_role(m.group("label")), _clean_value(m.group("label")), value,
                                        Span(start=item.span.start + m.end(), end=item.span.start + end)))
    head = item.text[:cuts[0].start()].rstrip()
    trimmed = item.model_copy(update={"text": head, "span": Span(start=item.span.start, end=item.span.start + len(head))})
    return trimmed, attributes


def _clean_value(value: str) -> str:
    return " ".join(value.replace("**", " ").replace("*", " ").split()).strip()


def _ends_open(value: str) -> bool:
    """A value cut by a line wrap: it ends on a word, not on punctuation."""
    return bool(value) and value[-1].isalnum()


def _continuation(item: Item) -> bool:
    """A paragraph that only carries on the previous line ('Sở, ngành, đơn vị, UBND cấp xã.')."""
    return item.kind == "paragraph" and len(item.text) < 300 and parse_attribute(item) is None


def _sub_bullets(items: list[Item], start: int, own_label: str | None) -> int:
    """How many items from ``start`` are sub-bullets ('+' under a '-' attribute line)."""
    n = 0
    for item in items[start:]:
        if item.kind != "bullet" or item.label == own_label or parse_attribute(item) is not None:
            break
        n += 1
    return n


# A sub-bullet of "Cơ quan thực hiện:" that gives a body a duty of its own ("+ Sở Xây dựng đăng tải thông
# điệp … trên bảng quang báo …" after "+ Sở Văn hóa và Thể thao chủ trì, phối hợp với …") is a task, not
# one more owner: a long line that neither leads nor partners.
_OWNER_WORDS = re.compile(r"\b(?:chủ trì|phối hợp|thực hiện|tham gia)\b", re.IGNORECASE)
_DUTY_LINE_WORDS = 10


def _owner_parts(parts: list[Item]) -> list[Item]:
    """The sub-bullets of an owner field up to the first that states a duty of its own."""
    for k, part in enumerate(parts[1:], 1):
        if len(part.text.split()) >= _DUTY_LINE_WORDS and not _OWNER_WORDS.search(part.text):
            return parts[:k]
    return parts


def _attach(item: Item, attribute: Attribute) -> None:
    if item.roles is None:
        item.cells, item.roles, item.cell_spans, item.header = [item.text], [TASK_ROLE], [item.span], [""]
    if attribute.role in item.roles:
        return          # the nearest statement of a role wins
    item.cells.append(attribute.value)
    item.roles.append(attribute.role)
    item.cell_spans.append(attribute.span)
    item.header.append(attribute.label)


def _as_instruction(item: Item, attribute: Attribute) -> Item:
    """'Nội dung: Triển khai …' -> an item whose text is the instruction itself."""
    span = attribute.span or item.span
    return item.model_copy(update={"text": attribute.value, "span": span, "cells": [attribute.value],
                                   "roles": [TASK_ROLE], "cell_spans": [span], "header": [attribute.label]})


def _is_sub_bullet_of(item: Item, parent: Item) -> bool:
    """'+ Nội dung: …' written under '- Nghị định …' (another list glyph, one level down)."""
    return item.kind == "bullet" and parent.kind in ("bullet", "numbered") and not parent.roles \
        and (parent.kind == "numbered" or item.label != parent.label)


def _fold_items(items: list[Item]) -> tuple[list[Item], list[Attribute]]:
    """The section's items with attribute lines folded in, and the attributes no instruction took
    (a block under a heading with no instruction of its own describes the heading)."""
    out: list[Item] = []
    group: list[Item] = []          # instructions since the last attribute block
    forward: list[Attribute] = []   # a block written before any instruction
    in_block = False
    i = 0
    while i < len(items):
        item = items[i]
        attribute = parse_attribute(item)
        if attribute is None:
            if in_block:
                group, in_block = [], False
            item, inline = split_inline_attributes(item)
            if item.kind != "table_row":
                for a in inline + forward:
                    _attach(item, a)
                group.append(item)
            out.append(item)
            if inline:
                in_block = True
            i += 1
            continue

        consumed = 1
        value = attribute.value
        if not value:
            subs = _sub_bullets(items, i + 1, item.label)
            if attribute.role == TASK_ROLE or not subs:
                i += 1              # "Nội dung:" then its instructions as sub-bullets: they stay items
                if in_block:
                    group, in_block = [], False
                continue
            parts = _owner_parts(items[i + 1:i + 1 + subs]) if attribute.role == "lead" else items[i + 1:i + 1 + subs]
            subs = len(parts)
            value = "; ".join(_clean_value(p.text).rstrip(" .;") for p in parts)
            attribute = Attribute(attribute.role, attribute.label, value,
                                  Span(start=parts[0].span.start, end=parts[-1].span.end))
            consumed += subs
        elif _ends_open(value) and i + 1 < len(items) and _continuation(items[i + 1]):
            nxt = items[i + 1]
            attribute = Attribute(attribute.role, attribute.label, f"{value} {_clean_value(nxt.text)}",
                                  Span(start=attribute.span.start, end=nxt.span.end))
            consumed += 1

        if attribute.role == TASK_ROLE:
            if in_block:
                group, in_block = [], False
            if group and out and out[-1] is group[-1] and _is_sub_bullet_of(item, out[-1]):
                # "- Nghị định quy định chi tiết …" + "+ Nội dung: quy định …": one task, named then described
                named = out[-1]
                attribute = Attribute(TASK_ROLE, attribute.label, f"{named.text.rstrip(' .:;')}: {attribute.value}",
                                      Span(start=named.span.start, end=(attribute.span or item.span).end))
                instruction = _as_instruction(named, attribute)
                group[-1] = out[-1] = instruction
                i += consumed
                continue
            instruction = _as_instruction(item, attribute)
            group.append(instruction)
            out.append(instruction)
        else:
            if group:
                if not in_block:
                    forward = []
                for member in group:
                    _attach(member, attribute)
            else:
                forward.append(attribute)
            in_block = True
        i += consumed
    return out, ([] if any(is_record(item) for item in out) else forward)


def fold_task_records(doc: StructuredDocument) -> StructuredDocument:
    """Fold attribute lines into the instructions they describe, in every section (in place)."""
    for section in doc.walk():
        if any(parse_attribute(item) or split_inline_attributes(item)[1] for item in section.items):
            section.items, unclaimed = _fold_items(section.items)
            if unclaimed and section.title and section.heading_span is not None:
                section.items.insert(0, _heading_record(section, unclaimed))
    return doc


def _heading_record(section: Section, attributes: list[Attribute]) -> Item:
    """'4. Phối hợp kiểm tra việc thi hành Luật' + 'Cơ quan chủ trì: …' + 'Thời gian: …' with no
    instruction under the heading: the heading is the instruction."""
    item = Item(kind="paragraph", text=section.title, span=section.heading_span, page=section.page)
    for attribute in attributes:
        _attach(item, attribute)
    return item


def is_record(item: Item) -> bool:
    """An item that this pass gave attribute values (or that a 'Nội dung:' label marks)."""
    return item.kind != "table_row" and bool(item.roles) and item.roles[0] == TASK_ROLE


def record_makes_task(item: Item, section: Section) -> bool:
    """An instruction with an owner or a 'Nội dung' label is a task wherever it is written (an
    activity list under a topical heading), except in parts of a plan that hold no tasks. A
    record with only a time line is a task only where its section holds tasks (a plan-wide
    'Thời gian thực hiện' is not a task's deadline)."""
    if not is_record(item) or section.type in _lexicon()["_skip_sections"]:
        return False
    labelled = bool(item.header and item.header[0])
    return labelled or any(role in ("lead", "support") for role in item.roles)
