#!/usr/bin/env python
"""OCR figures (a script, not a test): scans made from the corpus PDFs, read back by the pipeline.

    .venv/bin/python bench/ocr_bench.py [--plans 000,003] [--dpi 200,300]

For each plan (default: two of the gold plans) the PDF rendering (tests/fixtures/docgen.py) is
'scanned' (tests/fixtures/scangen.py: rendered at DPI, grey, turned ±1.5°, speckled, JPEG quality 60,
a red round stamp on the last page) and ingested, which OCRs every page. Prints per plan and DPI:
  - character error rate of the OCR'd text against the text layer of the same PDF (edit distance
    over the page texts, white space collapsed; headers and page numbers removed on both sides);
  - extraction F1 (tasks, lead) of the scan against the gold, and of the text PDF, and their ratio;
  - seconds per page, and where they went (rendering, clean-up: grey/deskew/ruling, Tesseract).
Also called by bench/benchmark.py (``make bench``).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "fixtures"))

SHARED = REPO / ".." / "shared"
DEFAULT_PLANS = ("000", "003")


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, bit-parallel (Myers 1999 / Hyyrö 2003): one pass over ``b`` with
    len(a)-bit integers, fast enough for whole pages in pure Python."""
    if not a:
        return len(b)
    if not b:
        return len(a)
    m = len(a)
    full = (1 << m) - 1
    top = 1 << (m - 1)
    peq: dict[str, int] = {}
    for i, ch in enumerate(a):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    pv, mv, score = full, 0, m
    for ch in b:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = ((((eq & pv) + pv) & full) ^ pv) | eq
        ph = (mv | ~(xh | pv)) & full
        mh = pv & xh
        if ph & top:
            score += 1
        elif mh & top:
            score -= 1
        ph = ((ph << 1) | 1) & full
        mh = (mh << 1) & full
        pv = (mh | ~(xv | ph)) & full
        mv = ph & xv
    return score


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def page_texts(doc) -> dict[int, str]:
    pages: dict[int, list[str]] = {}
    for block in doc.blocks:
        pages.setdefault(block.page, []).append(block.text)
    return {page: _collapse(" ".join(texts)) for page, texts in pages.items()}


def _scorer():
    spec = importlib.util.spec_from_file_location("plangap_gold_scorer", SHARED / "eval" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _f1(extraction, gold_path: Path) -> dict:
    if not gold_path.exists():
        return {}
    score = _scorer()
    tallies = {field: score.Tally() for field in score.FIELDS}
    score.score_doc(json.loads(gold_path.read_text(encoding="utf-8")), json.loads(extraction.model_dump_json()),
                    tallies)
    return {field: tallies[field].prf()[2] for field in ("tasks", "lead")}


def measure(plans: list[str], dpis: list[int]) -> list[dict]:
    import docgen
    import scangen
    from nlp.ingest.pdf_reader import read_pdf
    from nlp.pipeline import extract_structured
    from nlp.structure import build_structure

    results = []
    for prefix in plans:
        path = next((REPO / "corpus" / "plans").glob(f"{prefix}*.txt"))
        gold = SHARED / "gold" / (path.stem + ".json")
        pdf = docgen.plan_to_pdf(docgen.plan_blocks(path))
        text_doc = read_pdf(pdf, path.stem + ".pdf")
        text_f1 = _f1(extract_structured(build_structure(text_doc)), gold)
        reference = page_texts(text_doc)
        for dpi in dpis:
            scan = scangen.scan_pdf(pdf, scangen.ScanStyle(dpi=dpi))
            events: list[dict] = []
            started = time.perf_counter()
            doc = read_pdf(scan, path.stem + "_scan.pdf", progress=events.append)
            seconds = time.perf_counter() - started
            got = page_texts(doc)
            errors = sum(edit_distance(reference.get(p, ""), got.get(p, "")) for p in reference)
            chars = sum(len(t) for t in reference.values())
            scan_f1 = _f1(extract_structured(build_structure(doc)), gold)
            parts = events[-1].get("seconds", {}) if events else {}
            results.append({
                "plan": path.stem[:3], "dpi": dpi, "pages": doc.pages, "cer": errors / max(chars, 1),
                "confidence": doc.ocr.mean_confidence if doc.ocr else None,
                "s_per_page": seconds / doc.pages, "parts": {k: v / doc.pages for k, v in parts.items()},
                "tasks_f1": scan_f1.get("tasks"), "lead_f1": scan_f1.get("lead"),
                "text_tasks_f1": text_f1.get("tasks"), "text_lead_f1": text_f1.get("lead"),
            })
    return results


def rows(results: list[dict]) -> list[list]:
    def ratio(a, b):
        return f"{a / b:.2f}" if a is not None and b else "–"

    out = []
    for r in results:
        parts = ", ".join(f"{k} {v:.2f}" for k, v in sorted(r["parts"].items(), key=lambda kv: -kv[1]))
        out.append([r["plan"], r["dpi"], r["pages"], f"{100 * r['cer']:.2f} %", f"{r['confidence']:.3f}",
                    f"{r['tasks_f1']:.3f} / {r['text_tasks_f1']:.3f} ({ratio(r['tasks_f1'], r['text_tasks_f1'])})"
                    if r["tasks_f1"] is not None else "–",
                    f"{r['lead_f1']:.3f} / {r['text_lead_f1']:.3f} ({ratio(r['lead_f1'], r['text_lead_f1'])})"
                    if r["lead_f1"] is not None else "–",
                    f"{r['s_per_page']:.1f}", parts])
    return out


HEADER = ["plan", "dpi", "pages", "CER vs text layer", "mean OCR confidence", "tasks F1 scan / text (ratio)",
          "lead F1 scan / text (ratio)", "s/page", "s/page by part"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plans", default=",".join(DEFAULT_PLANS))
    parser.add_argument("--dpi", default="200,300")
    args = parser.parse_args(argv)
    results = measure(args.plans.split(","), [int(d) for d in args.dpi.split(",")])
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "|".join("---" for _ in HEADER) + "|")
    for row in rows(results):
        print("| " + " | ".join(str(c) for c in row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
