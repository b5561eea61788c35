"""Peer comparison for deadlines: dateparser against our grammar on the gold's dated deadlines.

    .venv/bin/python bench/peer_dates.py [GOLD_DIR]     (default: ../shared/gold)

For every gold task whose deadline is dated (type date or period, with a due date) it reads the
raw text with ``dateparser.parse(raw, languages=["vi"])`` -- as shipped, and once more with
``PREFER_DAY_OF_MONTH="last"``, its best setting for "due at the end of the period" -- and with
``nlp.extract.deadlines.normalize_deadline(raw)``, and prints them side by side. Both are told the
plan's issue date (dateparser's ``RELATIVE_BASE``, our ``plan_date``): a day written without its
year ("từ ngày 15/11 đến ngày 15/12") takes the plan's year. dateparser is
right when its date is the gold due date; ours when type and due are both the gold's (what
../shared/eval/score.py scores). ``compare_dates(gold_dir)`` returns the same as a dict for the
combined bench script.
"""
from __future__ import annotations

import json
import sys
import warnings
from datetime import date, datetime
from pathlib import Path
from typing import Optional

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from nlp.extract.deadlines import normalize_deadline  # noqa: E402

DEFAULT_GOLD = REPO / ".." / "shared" / "gold"
PEER_SETTINGS = {
    "dateparser": None,
    "dateparser_last_day": {"PREFER_DAY_OF_MONTH": "last"},
}


def gold_dated_deadlines(gold_dir: Path) -> list[dict]:
    """(doc, task id, raw, type, due) of every gold deadline that has a due date."""
    rows = []
    for path in sorted(Path(gold_dir).glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        issued = (doc.get("document") or {}).get("issued")
        for task in doc.get("tasks", []):
            d = task.get("deadline")
            if d and d.get("type") in ("date", "period") and d.get("due"):
                rows.append({"doc": doc.get("doc_id", path.stem), "task": task.get("id"),
                             "raw": d["raw"], "type": d["type"], "due": d["due"], "issued": issued})
    return rows


def _dateparser(raw: str, settings: Optional[dict]) -> Optional[str]:
    import dateparser   # the peer; a dev dependency, imported only here

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = dateparser.parse(raw, languages=["vi"], settings=settings)
    return parsed.date().isoformat() if parsed else None


def compare_dates(gold_dir: Path | str = DEFAULT_GOLD) -> dict:
    """Counts right/total for each reader and the row-by-row table."""
    rows = []
    counts = {name: 0 for name in [*PEER_SETTINGS, "ours"]}
    for g in gold_dated_deadlines(Path(gold_dir)):
        row = dict(g)
        # a day without its year ("từ ngày 15/11 đến ngày 15/12") takes the plan's year: both
        # readers are told the plan's issue date
        plan_date = date.fromisoformat(g["issued"]) if g["issued"] else None
        base = {"RELATIVE_BASE": datetime.combine(plan_date, datetime.min.time())} if plan_date else {}
        for name, settings in PEER_SETTINGS.items():
            row[name] = _dateparser(g["raw"], {**(settings or {}), **base} or None)
            counts[name] += int(row[name] == g["due"])
        ours = normalize_deadline(g["raw"], plan_date=plan_date)
        row["ours_type"] = ours.type if ours else None
        row["ours"] = ours.due if ours else None
        counts["ours"] += int(ours is not None and (ours.type, ours.due) == (g["type"], g["due"]))
        rows.append(row)
    total = len(rows)
    return {
        "total": total,
        "right": counts,
        "accuracy": {k: round(v / total, 4) if total else None for k, v in counts.items()},
        "rows": rows,
    }


def format_table(result: dict) -> str:
    header = f"{'raw':<42} {'gold due':<11} {'dateparser':<11} {'dp (last)':<11} {'ours':<11}"
    lines = [header, "-" * len(header)]
    for r in result["rows"]:
        lines.append(f"{r['raw'][:42]:<42} {r['due']:<11} {str(r['dateparser']):<11} "
                     f"{str(r['dateparser_last_day']):<11} {str(r['ours']):<11}")
    lines.append("-" * len(header))
    total = result["total"]
    for name, right in result["right"].items():
        lines.append(f"{name:<22} {right}/{total} right")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    gold_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_GOLD
    print(format_table(compare_dates(gold_dir)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
