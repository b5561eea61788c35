"""Alignment quality on the hand-labelled sample corpus/alignment/labels.csv.

Each row pairs a child item (a task row or a target of a corpus plan, read from the gold annotations
in ../shared/gold) with a parent item of the bundled parents, labelled 1 (the child item carries that
parent item) or 0. The aligner scores every pair exactly as `compare` does (fitted on all bundled
parent items of that kind); a pair is predicted aligned when its score reaches the threshold.

    .venv/bin/python bench/alignment_eval.py [--shared ../shared]

Prints precision / recall / F1 at the configured thresholds (nlp/resources/compare.yml), the
threshold with the best F1, the calibrated one (lowest threshold within 0.03 F1 of the best) and a
small sweep; the "best-parent-only" columns also require the parent to be the child's top match.
"""
from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def load_pairs(labels: Path) -> list[dict]:
    with labels.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def child_item(gold: dict, kind: str, section: str, snippet: str):
    from nlp.schema import Target, Task

    if kind == "task":
        for t in gold["tasks"]:
            if t["section"] == section:
                return Task(**t)
    else:
        for t in gold["targets"]:
            if t["section"] == section and t["indicator"].startswith(snippet[:25]):
                return Target(**t)
    raise KeyError(f"{kind} {section} {snippet!r} not in gold {gold['doc_id']}")


def score_pairs(pairs: list[dict], shared: Path) -> list[tuple[float, int, bool]]:
    """(score, label, is the child's best-scoring parent) per pair."""
    from nlp.compare import load_bundled_parents
    from nlp.compare.context import target_similarity, task_similarity

    parents = load_bundled_parents()
    items = {"task": [(p.doc_id, t) for p in parents for t in p.tasks],
             "target": [(p.doc_id, t) for p in parents for t in p.targets]}
    golds = {}
    out = []
    for kind in ("task", "target"):
        rows = [r for r in pairs if r["kind"] == kind]
        children = []
        for r in rows:
            gold = golds.setdefault(r["child_doc"], json.loads((shared / "gold" / f"{r['child_doc']}.json").read_text(encoding="utf-8")))
            children.append(child_item(gold, kind, r["child_section"], r["child_snippet"]))
        parent_items = [t for _, t in items[kind]]
        sim = (task_similarity if kind == "task" else target_similarity)(children, parent_items)
        index = {(doc, t.id): j for j, (doc, t) in enumerate(items[kind])}
        for i, r in enumerate(rows):
            j = index[(r["parent_doc"], r["parent_id"])]
            out.append((kind, float(sim[i, j]), int(r["label"]), int(sim[i].argmax()) == j))
    return out


def prf(scored, kind: str, threshold: float, top1: bool = False) -> tuple[float, float, float, int]:
    tp = fp = fn = 0
    for k, score, label, best in scored:
        if k != kind:
            continue
        predicted = score >= threshold and (best or not top1)
        tp += predicted and label == 1
        fp += predicted and label == 0
        fn += (not predicted) and label == 1
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, sum(1 for k, *_ in scored if k == kind)


def main() -> None:
    from nlp.compare.config import threshold

    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=str(REPO / ".." / "shared"))
    parser.add_argument("--labels", default=str(REPO / "corpus" / "alignment" / "labels.csv"))
    args = parser.parse_args()
    scored = score_pairs(load_pairs(Path(args.labels)), Path(args.shared))
    sweep = [round(0.20 + 0.05 * k, 2) for k in range(11)]
    for kind in ("task", "target"):
        configured = threshold(kind)
        n = sum(1 for k, *_ in scored if k == kind)
        positives = sum(1 for k, _, label, _ in scored if k == kind and label)
        print(f"== {kind} pairs: {n} ({positives} positive)")
        p, r, f, _ = prf(scored, kind, configured)
        print(f"configured threshold {configured:.2f}: precision {p:.3f} recall {r:.3f} F1 {f:.3f}")
        best = max(sweep, key=lambda t: (prf(scored, kind, t)[2], -t))
        p, r, f, _ = prf(scored, kind, best)
        print(f"best-F1 threshold     {best:.2f}: precision {p:.3f} recall {r:.3f} F1 {f:.3f}")
        # calibration rule: the lowest threshold whose F1 is within 0.03 of the best (a missed match
        # becomes a false missing_task / missing_target flag, so recall is favoured among near-ties)
        calibrated = min(t for t in sweep if prf(scored, kind, t)[2] >= f - 0.03)
        p, r, f, _ = prf(scored, kind, calibrated)
        print(f"calibrated threshold  {calibrated:.2f}: precision {p:.3f} recall {r:.3f} F1 {f:.3f}")
        print("threshold  P      R      F1    | best-parent-only P R F1")
        for t in sweep:
            p, r, f, _ = prf(scored, kind, t)
            p1, r1, f1, _ = prf(scored, kind, t, top1=True)
            print(f"  {t:.2f}    {p:.3f}  {r:.3f}  {f:.3f} | {p1:.3f} {r1:.3f} {f1:.3f}")


if __name__ == "__main__":
    main()
