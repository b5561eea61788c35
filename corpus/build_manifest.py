"""Rebuild corpus/manifest.yml from the bundled plans: `python corpus/build_manifest.py`.

The manifest records, per plan: id, file, title, issuing body, level (trung ương / tỉnh /
thành phố / xã / phường), locality, date and the documents it cites — read by our own
extractor, then checked by hand (fields the text leaves blank stay null).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from nlp.pipeline import extract_file  # noqa: E402


def locality(issuer: str | None) -> str | None:
    m = re.search(r"\b(phường|xã|thành phố|tỉnh)\s+(.+)$", issuer or "")
    return m.group(2).strip() if m else None


def main() -> None:
    entries = []
    for path in sorted((HERE / "plans").glob("*.txt")):
        ex = extract_file(path, sandboxed=False)
        doc = ex.document
        entries.append({
            "id": ex.doc_id,
            "file": f"plans/{path.name}",
            "title": doc.title,
            "number": doc.number,
            "issuer": doc.issuer,
            "level": doc.level,
            "locality": locality(doc.issuer),
            "date": doc.issued,
            "cites": [{"number": r.number, "date": r.date, "issuer": r.issuer} for r in ex.references],
        })
    (HERE / "manifest.yml").write_text(
        "# Bundled plans (rebuilt by corpus/build_manifest.py, then checked by hand)\n"
        + yaml.safe_dump({"plans": entries}, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")


if __name__ == "__main__":
    main()
