"""`python -m service parse FILE [--json]`: the section tree of a plan."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from nlp.errors import PlangapError
from service.cli.errors import describe_error

from nlp.schema import Section, StructuredDocument


def add_parser(sub) -> None:
    p = sub.add_parser("parse", help="print the section tree of a plan (PDF, DOCX, Markdown, text)")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true", help="JSON with spans instead of the tree")
    p.add_argument("--no-sandbox", action="store_true", help="parse in-process (trusted files only)")
    p.set_defaults(func=run)


def _print_tree(section: Section, depth: int, out) -> None:
    kinds: dict[str, int] = {}
    for item in section.items:
        kinds[item.kind] = kinds.get(item.kind, 0) + 1
    counts = ", ".join(f"{v} {k}" for k, v in sorted(kinds.items())) or "0 items"
    label = section.path or "-"
    out.write(f"{'  ' * depth}{label:<10} [{section.type.value}] {section.title[:70]}  ({counts})\n")
    for child in section.children:
        _print_tree(child, depth + 1, out)


def render_tree(doc: StructuredDocument) -> str:
    import io

    buf = io.StringIO()
    buf.write(f"{doc.source}: {doc.format}, {len(doc.text)} chars" + (f", {doc.pages} pages" if doc.pages else "") + "\n")
    for root in doc.sections:
        _print_tree(root, 0, buf)
    return buf.getvalue()


def run(args) -> int:
    from nlp.pipeline import read_input_file, structure_bytes

    try:
        doc = structure_bytes(read_input_file(args.file), args.file.name, sandboxed=not args.no_sandbox)
    except (PlangapError, OSError) as exc:
        code, message = describe_error(exc)
        print(f"Lỗi [{code}]: {message}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(doc.model_dump(exclude={"text"}), ensure_ascii=False, indent=1))
    else:
        sys.stdout.write(render_tree(doc))
    return 0
