"""Precision of the flags, from the hand judgments in corpus/flags/judgments.csv.

Each record is one flag that `compare` raised on a corpus plan (corpus/plans) or a wild plan with gold
(../shared/wild), judged by reading the plan and its parents: verdict true (a reviewer wants it) or
false (with the reason). Prints precision per flag type, overall and for high severity, and findings
per plan. With --check, compares the records with the flags the current code raises and lists those
not judged yet (judge them: flag ids change when the comparison changes).

    .venv/bin/python bench/flag_precision.py [--check]
"""
from __future__ import annotations

import argparse
import csv
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
JUDGMENTS = REPO / "corpus" / "flags" / "judgments.csv"
SHARED = REPO.parent / "shared"
WILD_WITH_GOLD = ("09daab284f92e2dd", "0a97eb9c3c536047", "2957e4f4f0e41373", "4e39af96b6891368", "31fb08f34535fce3")


def load(path: Path = JUDGMENTS) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def precision_table(records: list[dict]) -> list[tuple[str, int, int, float]]:
    """(type, judged, true, precision) per flag type, then 'all' and 'high severity'."""
    by_type: dict[str, list[bool]] = defaultdict(list)
    for r in records:
        by_type[r["type"]].append(r["verdict"] == "true")
    rows = [(t, len(v), sum(v), sum(v) / len(v)) for t, v in sorted(by_type.items())]
    every = [r["verdict"] == "true" for r in records]
    high = [r["verdict"] == "true" for r in records if r["severity"] == "high"]
    rows.append(("all", len(every), sum(every), sum(every) / len(every) if every else 0.0))
    rows.append(("high severity", len(high), sum(high), sum(high) / len(high) if high else 0.0))
    return rows


PRIOR, PRIOR_WEIGHT = 0.85, 4     # what a rule is designed for, worth four judged flags


def calibrated_confidence(records: list[dict]) -> dict[str, float]:
    """Base confidence per type: its judged precision shrunk towards the design prior (few judgments
    per type move it little). These are the `confidence` values of compare.yml's `flags`."""
    by_type: dict[str, list[bool]] = defaultdict(list)
    for r in records:
        by_type[r["type"]].append(r["verdict"] == "true")
    return {t: round((sum(v) + PRIOR * PRIOR_WEIGHT) / (len(v) + PRIOR_WEIGHT), 2) for t, v in sorted(by_type.items())}


def findings_per_plan(records: list[dict]) -> dict[str, int]:
    return dict(sorted(Counter(r["doc"] for r in records).items()))


def plan_paths() -> list[Path]:
    corpus = sorted((REPO / "corpus" / "plans").glob("*.txt"))
    return corpus + [SHARED / "wild" / f"{doc}.md" for doc in WILD_WITH_GOLD]


def current_flags() -> dict[str, list]:
    sys.path.insert(0, str(REPO))
    from nlp.compare import compare, load_bundled_parents, resolve_parents
    from nlp.pipeline import extract_file

    parents = load_bundled_parents()
    out = {}
    for path in plan_paths():
        child = extract_file(path, sandboxed=False)
        found, unresolved = resolve_parents(child, parents)
        out[path.stem] = compare(child, found, unresolved=unresolved).flags
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true",
                        help="judge the flags the code raises now: list those without a judgment, and count "
                             "precision over the current flags only (judgments of flags no longer raised set apart)")
    args = parser.parse_args()
    records = load()
    current = current_flags() if args.check else None
    if current is not None:
        raised = {(doc, f.id) for doc, flags in current.items() for f in flags}
        retired = [r for r in records if (r["doc"], r["flag_id"]) not in raised]
        records = [r for r in records if (r["doc"], r["flag_id"]) in raised]
        print(f"{len(retired)} judged flags no longer raised ({sum(r['verdict'] == 'true' for r in retired)} of them true), "
              "left out below\n")
    print("| flag type | judged | true | precision |\n|---|---|---|---|")
    for name, n, ok, p in precision_table(records):
        print(f"| {name} | {n} | {ok} | {p:.2f} |")
    print("\ncalibrated base confidence (compare.yml flags.*.confidence): "
          + ", ".join(f"{t} {c:.2f}" for t, c in calibrated_confidence(records).items()))
    per_plan = findings_per_plan(records)
    print("\nfindings per plan: " + ", ".join(f"{doc[:8]} {n}" for doc, n in per_plan.items()))
    counts = [per_plan.get(p.stem, 0) for p in plan_paths()]
    print(f"median {statistics.median(counts)}, max {max(counts)} over {len(counts)} plans")
    if current is not None:
        judged = {(r["doc"], r["flag_id"]) for r in records}
        missing = [(doc, f.id, f.message[:80]) for doc, flags in current.items() for f in flags if (doc, f.id) not in judged]
        for doc, fid, message in missing:
            print(f"NOT JUDGED {doc} {fid} {message}")
        print(f"{len(missing)} current flags without a judgment")
        return 1 if missing else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
