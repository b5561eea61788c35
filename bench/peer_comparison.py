"""Peer comparison on the development gold: off-the-shelf Vietnamese tools vs plangap.

    .venv/bin/python bench/peer_comparison.py [GOLD_DIR]

Prints, side by side, underthesea's NER against our AgencyMatcher on the gold agencies, and
dateparser against our deadline grammar on the gold's dated deadlines.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from peer_dates import DEFAULT_GOLD, compare_dates, format_table  # noqa: E402
from peer_ner import compare_agencies  # noqa: E402


def main(argv: list[str]) -> int:
    gold = Path(argv[0]) if argv else DEFAULT_GOLD
    agencies = compare_agencies(gold)
    dates = compare_dates(gold)
    print("== Agencies (gold lead/support agencies of the tasks)")
    print(f"{'measure':<58} {'underthesea ner':>16} {'plangap':>9}")
    ctx, names = agencies["in_context"], agencies["by_name"]
    print(f"{'found in the task text itself (of ' + str(ctx['total']) + ')':<58} {ctx['underthesea']:>16} {ctx['ours']:>9}")
    print(f"{'distinct gold names, one per sentence (of ' + str(names['total']) + ')':<58} "
          f"{names['underthesea']:>16} {names['ours']:>9}")
    print("(most gold owners sit in headings or table cells, not in the task text; plangap reads them there:"
          " see the lead/support F1 of score.py)")
    print()
    print("== Dated deadlines (gold tasks with a due date)")
    print(format_table(dates))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
