"""Markdown exports that end each paragraph with a blank line and hard-wrap inside it (most wild plans):
a plain line with no blank line before it continues its paragraph, whatever its first word."""
from __future__ import annotations

from pathlib import Path

import pytest

from nlp.ingest.text_reader import read_text

WILD = Path(__file__).resolve().parents[2] / ".." / "shared" / "wild"


def blocks_of(name: str) -> list[str]:
    path = WILD / name
    return [b.text for b in read_text(path.read_bytes(), name, "markdown").blocks]


@pytest.mark.parametrize("name, paragraph", [
    # 5d99697f14bcf68a (Cần Thơ): '+ Báo cáo kết quả thực hiện' / 'Chương trình, kết quả xử lý …' was cut in two
    ("5d99697f14bcf68a.md", "Báo cáo kết quả thực hiện Chương trình, kết quả xử lý các vướng mắc"),
    ("5d99697f14bcf68a.md", "Tổng hợp tình hình thực hiện Chương trình: Tiến độ thực hiện các mục tiêu"),
    ("5d99697f14bcf68a.md", "Đánh giá công tác quản lý Chương trình trong năm thực hiện gồm:"),
    # 86367f2ddb2225cd: '3. Trong quá trình thực hiện' / 'Kế hoạch này, nếu có khó khăn …'
    ("86367f2ddb2225cd.md", "3. Trong quá trình thực hiện Kế hoạch này, nếu có khó khăn"),
    # 6a406c1f9dfed9c3 (Lai Châu): a value cut after its first word
    ("6a406c1f9dfed9c3.md", "Thời gian thực hiện: Quý IV năm 2025 và các năm tiếp theo."),
])
def test_regression_wrap_before_a_capitalised_word_in_blank_line_paragraphs(name, paragraph):
    assert any(text.startswith(paragraph) for text in blocks_of(name)), paragraph


def test_blank_line_paragraphs_keep_their_own_breaks():
    """The rule joins only lines without a blank line before them: list items and paragraphs stay apart."""
    texts = blocks_of("5d99697f14bcf68a.md")
    assert "Tình hình huy động, phân bổ và sử dụng nguồn vốn." in texts
    assert "Tồn tại, vướng mắc phát sinh và nguyên nhân." in texts
    assert any(t.startswith("Nội dung theo dõi") and len(t) < 30 for t in texts)


def test_regression_bold_heading_then_blank_line_then_its_text_are_two_blocks():
    """2f6f80b9 (II.3): "**3. Xây dựng các văn bản quy" / "phạm pháp luật … Luật Việc làm**", a blank line,
    "Sở, ban, ngành thuộc Ủy ban" / "nhân dân Thành phố có trách nhiệm …": the line-join model joined the text
    to its heading, so the duty lost its owner (the sentence no longer opened with it)."""
    path = Path(__file__).resolve().parents[2].parent / "shared" / "wild" / "2f6f80b9918e52de.md"
    blocks = [b.text for b in read_text(path.read_bytes(), path.name, "markdown").blocks]
    assert "3. Xây dựng các văn bản quy phạm pháp luật quy định chi tiết các nội dung được giao trong Luật Việc làm" in blocks
    assert any(b.startswith("Sở, ban, ngành thuộc Ủy ban nhân dân Thành phố có trách nhiệm") for b in blocks)
