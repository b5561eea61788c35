"""`python -m service compare CHILD [--parent P ...] [--corpus DIR] --out FILE`

CHILD and P are plan files (PDF/DOCX/MD/TXT, extracted with nlp.pipeline.extract_file), extraction
JSON files (our Extraction format) or, for P, parent renderings (*.yml). Without --parent the parents
are resolved from the child's citations among the bundled parents and the documents in --corpus DIR.
The output format follows the extension of --out: .json .html .md .csv .xlsx.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nlp.schema import Extraction

EXTRACTION_SUFFIXES = {".json"}
PLAN_SUFFIXES = {".pdf", ".docx", ".md", ".txt", ".markdown"}


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("compare", help="đối chiếu kế hoạch với văn bản cấp trên",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("child", help="plan file or extraction JSON")
    parser.add_argument("--parent", action="append", default=[], help="parent document (overrides resolution); repeatable")
    parser.add_argument("--corpus", help="folder of documents that may be parents (plans or extraction JSON)")
    parser.add_argument("--text", help="canonical text of CHILD when it is an extraction JSON without text")
    parser.add_argument("--out", required=True, help="output file: .json .html .md .csv .xlsx")
    parser.set_defaults(func=run)


def load_document(path: str | Path) -> Extraction:
    from nlp.compare.parents import load_parent_yaml

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in EXTRACTION_SUFFIXES:
        return Extraction.model_validate_json(path.read_text(encoding="utf-8"))
    if suffix in (".yml", ".yaml"):
        return load_parent_yaml(path)
    from nlp.pipeline import extract_file

    return extract_file(path)


def corpus_documents(directory: str | Path) -> list[Extraction]:
    """The candidate parents of a folder; one that cannot be read is reported and left out."""
    from service.cli.errors import describe_error

    files = sorted(p for p in Path(directory).iterdir()
                   if p.is_file() and p.suffix.lower() in EXTRACTION_SUFFIXES | PLAN_SUFFIXES | {".yml", ".yaml"})
    documents = []
    for path in files:
        try:
            documents.append(load_document(path))
        except Exception as exc:  # noqa: BLE001 - one bad file never stops the comparison
            code, message = describe_error(exc)
            print(f"{path}: bỏ qua, lỗi [{code}] {message}", file=sys.stderr)
    return documents


def run(args: argparse.Namespace) -> int:
    from nlp.compare import compare, load_bundled_parents, resolve_parents
    from service.reports import FORMATS, render_report

    out = Path(args.out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        print(f"compare: --out must end in one of {', '.join('.' + f for f in FORMATS)}", file=sys.stderr)
        return 2
    child = load_document(args.child)
    if args.text:
        child.text = Path(args.text).read_text(encoding="utf-8")
    if args.parent:
        parents, unresolved = [load_document(p) for p in args.parent], []
    else:
        available = load_bundled_parents() + (corpus_documents(args.corpus) if args.corpus else [])
        available = [doc for doc in available if doc.doc_id != child.doc_id]
        parents, unresolved = resolve_parents(child, available)
    report = compare(child, parents, unresolved=unresolved)
    rendered = render_report(report, fmt, child_text=child.text)
    if isinstance(rendered, bytes):
        out.write_bytes(rendered)
    else:
        out.write_text(rendered, encoding="utf-8")
    cov = report.coverage["task_groups"]
    print(f"{report.child}: {len(report.flags)} cảnh báo; nhóm nhiệm vụ {cov['covered']}/{cov['total']}; "
          f"cấp trên: {', '.join(report.parents) or '-'} -> {out}")
    return 0
