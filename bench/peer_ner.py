"""Peer comparison for agencies: underthesea NER against our AgencyMatcher on the gold agencies.

    .venv/bin/python bench/peer_ner.py [GOLD_DIR]     (default: ../shared/gold)

Every lead and supporting agency of every gold task is looked for twice:

- in context: each reader runs on the task's text, and the agency counts as found when one of the
  entities it returns matches it (folded word overlap >= 0.75 after abbreviation expansion, the rule
  of ../shared/eval/score.py). Agencies the gold takes from a heading or a table cell are not in the
  task text: neither reader can find those, the comparison stays fair.
- by name: each distinct gold agency name, written in a plain sentence ("Giao <name> chủ trì thực
  hiện nhiệm vụ."), must come back as an entity matching it.

underthesea ``ner()`` entities are its B-/I- spans of any type (ORG, LOC, PER, MISC).
``compare_agencies(gold_dir)`` returns the counts as a dict for the combined bench script.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from nlp.extract.agencies import default_matcher  # noqa: E402

DEFAULT_GOLD = REPO / ".." / "shared" / "gold"
SCORER = REPO / ".." / "shared" / "eval"


def _scorer():
    if str(SCORER) not in sys.path:
        sys.path.insert(0, str(SCORER))
    import score
    return score


def gold_agencies(gold_dir: Path) -> list[dict]:
    """(doc, task, role, agency, text) of every gold lead and supporting agency."""
    rows = []
    for path in sorted(Path(gold_dir).glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for task in doc.get("tasks", []):
            for role in ("lead", "support"):
                for agency in task.get(role) or []:
                    rows.append({"doc": doc.get("doc_id", path.stem), "task": task.get("id"), "role": role,
                                 "agency": agency, "text": task.get("text", "")})
    return rows


def underthesea_entities(text: str) -> list[str]:
    from underthesea import ner   # the peer, imported only here

    entities, current = [], []
    for token, _pos, _chunk, tag in ner(text):
        if tag.startswith("B-"):
            if current:
                entities.append(" ".join(current))
            current = [token]
        elif tag.startswith("I-") and current:
            current.append(token)
        else:
            if current:
                entities.append(" ".join(current))
            current = []
    if current:
        entities.append(" ".join(current))
    return entities


def matcher_entities(text: str) -> list[str]:
    return [m.name for m in default_matcher().find(text)]


def _found(agency: str, entities: list[str]) -> bool:
    score = _scorer()
    return any(score.overlap(score.agency_text(agency), score.agency_text(e)) >= score.AGENCY_MATCH
               for e in entities)


def compare_agencies(gold_dir: Path | str = DEFAULT_GOLD) -> dict:
    """Recall of each reader, in context and by name, and the misses of each."""
    rows = gold_agencies(Path(gold_dir))
    readers = {"underthesea": underthesea_entities, "ours": matcher_entities}
    in_context = {name: 0 for name in readers}
    cache: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        for name, read in readers.items():
            key = (name, row["text"])
            if key not in cache:
                cache[key] = read(row["text"])
            row[name] = _found(row["agency"], cache[key])
            in_context[name] += row[name]
    names = sorted({r["agency"] for r in rows})
    by_name = {name: 0 for name in readers}
    by_name_misses: dict[str, list[str]] = {name: [] for name in readers}
    for agency in names:
        sentence = f"Giao {agency} chủ trì thực hiện nhiệm vụ."
        for name, read in readers.items():
            if _found(agency, read(sentence)):
                by_name[name] += 1
            else:
                by_name_misses[name].append(agency)
    return {
        "in_context": {"total": len(rows), **in_context},
        "by_name": {"total": len(names), **by_name},
        "by_name_misses": by_name_misses,
        "rows": rows,
    }


def main(argv: list[str]) -> int:
    gold_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_GOLD
    result = compare_agencies(gold_dir)
    ctx, nm = result["in_context"], result["by_name"]
    print(f"{'reader':<14}{'in context':>16}{'by name':>16}")
    for name in ("underthesea", "ours"):
        print(f"{name:<14}{ctx[name]:>6} / {ctx['total']:<6}{nm[name]:>8} / {nm['total']:<6}")
    print("\nnames AgencyMatcher misses:", result["by_name_misses"]["ours"] or "none")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
