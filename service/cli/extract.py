"""`python -m service extract FILE... --out DIR`: one extraction JSON per input (../shared/gold/SCHEMA.md)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from service.cli.errors import describe_error



def add_parser(sub) -> None:
    p = sub.add_parser("extract", help="extract references, tasks, targets to JSON (one file per input)")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--out", type=Path, required=True, help="output directory: OUT/<file stem>.json")
    p.add_argument("--no-sandbox", action="store_true", help="parse in-process (trusted files only; faster)")
    p.add_argument("--no-text", action="store_true", help="leave the canonical text out of the JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    from nlp.pipeline import extract_file

    args.out.mkdir(parents=True, exist_ok=True)
    failures = 0
    for path in args.files:
        try:
            extraction = extract_file(path, sandboxed=not args.no_sandbox)
        except Exception as exc:  # noqa: BLE001 - one bad file never stops the batch: report it, go on
            failures += 1
            code, message = describe_error(exc)
            print(f"{path}: lỗi [{code}] {message}", file=sys.stderr)
            continue
        if args.no_text:
            extraction.text = None
        target = args.out / f"{path.stem}.json"
        target.write_text(json.dumps(extraction.model_dump(mode="json"), ensure_ascii=False, indent=1), encoding="utf-8")
        kind = "kế hoạch" if extraction.document.is_plan else "không phải kế hoạch"
        print(f"{path.name}: {kind}; {len(extraction.references)} văn bản dẫn chiếu, {len(extraction.tasks)} nhiệm vụ, "
              f"{len(extraction.targets)} chỉ tiêu -> {target}")
    return 1 if failures and failures == len(args.files) else 0
