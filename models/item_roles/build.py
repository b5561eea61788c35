#!/usr/bin/env python3
"""Rebuild the item-role dataset and train the item-role classifier.

    .venv/bin/python models/item_roles/build.py              # dataset (when ../shared is there) + train
    .venv/bin/python models/item_roles/build.py --out /tmp/m --docs 000_d8b9d199b3bc2332,002_239490791d981bc8

Steps:
1. Dataset. Every item of the five corpus plans (corpus/plans/*.txt through read_text +
   build_structure) gets a role derived from the gold (../shared/gold): ``task`` when it matches a
   gold task by the scorer's rule (F1 of word sets >= 0.6, ../shared/eval/score.py), ``target``
   when it holds a gold target (its raw text, or its indicator and value), else ``other``.
   Written to data/items.jsonl. Without ../shared the committed items.jsonl is used as is.
   data/wild_items.jsonl holds hand-labelled items of wild plans (other provinces' phrasing).
2. Leave-one-document-out evaluation: each corpus plan and each wild document in turn is held
   out, the pipeline is fitted on the others and predicts the held-out items, once with their
   real section types and once with the section type hidden ('other', as for headings the rules
   do not recognise). Per-class precision/recall/F1 -> metrics.json.
3. The pipeline is fitted on all items and saved as model.joblib; MODEL_CARD.md is rewritten.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
if str(REPO) not in sys.path:          # run as a script from anywhere
    sys.path.insert(0, str(REPO))

from nlp.extract import item_roles as ir  # noqa: E402
from nlp.schema import SectionType  # noqa: E402

SHARED = REPO / ".." / "shared"
CORPUS_DIR = REPO / "corpus" / "plans"
GOLD_DIR = SHARED / "gold"
DATA_DIR = HERE / "data"
ITEMS_FILE = DATA_DIR / "items.jsonl"
WILD_FILE = DATA_DIR / "wild_items.jsonl"
SEGMENTS_FILE = DATA_DIR / "segmentations.json"

TASK_MATCH = 0.6          # the scorer's task rule
INDICATOR_MATCH = 0.3     # the scorer's target rule (words of the indicator)
DEFAULT_C = 4.0
HIDDEN_TYPE = SectionType.OTHER.value


# ---------------------------------------------------------------- gold matching (the scorer's rules)


def fold(text: str) -> str:
    """As ../shared/eval/score.py: lowercase, no diacritics (đ -> d), letters and digits only."""
    text = unicodedata.normalize("NFD", (text or "").lower()).replace("đ", "d")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return re.sub(r"[^0-9a-z]+", " ", text).strip()


def words(text: str) -> set[str]:
    return set(fold(text).split())


def overlap(a: str, b: str) -> float:
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return 0.0
    return 2 * len(wa & wb) / (len(wa) + len(wb))


def _value_texts(value) -> set[str]:
    """How a gold value may be written: 60 -> {'60'}, 3.5 -> {'3 5'} (after fold)."""
    if value is None:
        return set()
    number = float(value)
    forms = {f"{number:g}".replace(".", " ")}
    if number == int(number):
        forms.add(str(int(number)))
    return forms


def _section_fits(gold_section: str, path: str, label: str | None) -> bool:
    """Gold sections are heading paths ('III.2.1.a') or row addresses ('PL2.I.7')."""
    if not gold_section:
        return False
    addresses = {path, f"{path}.{label}" if label else path}
    return gold_section in addresses or gold_section.startswith(path + ".") and bool(path)


def target_match(item_text: str, path: str, label: str | None, target: dict) -> bool:
    text = f" {fold(item_text)} "
    raw = fold(target.get("raw", ""))
    has_raw = bool(raw) and f" {raw} " in text
    has_value = any(f" {v} " in text for v in _value_texts(target.get("value")))
    about = overlap(target.get("indicator", ""), item_text) >= INDICATOR_MATCH
    if _section_fits(target.get("section", ""), path, label):
        # a bare figure ('10%' -> '10') is found in dates too: then the indicator must match as well
        return (has_raw and (len(raw.split()) >= 2 or about)) or (has_value and about)
    return has_raw and about and len(raw.split()) >= 3       # a long raw phrase found elsewhere


def task_pairs(items: list, gold_tasks: list[dict]) -> dict[int, float]:
    """Item index -> overlap for the items the scorer would pair with a gold task: pairs scoring
    >= 0.6, best first, each gold task and each item used once (as score.py's greedy_match).
    One-to-one matters: a 'Căn cứ Kế hoạch ...' line shares many words with the task that
    carries that plan out, but the task's own item scores higher and takes the gold task."""
    pairs = []
    for j, item in enumerate(items):
        candidates = (item.text, ir.item_body(item))
        for i, task in enumerate(gold_tasks):
            score = max(overlap(task["text"], c) for c in candidates)
            if score >= TASK_MATCH:
                pairs.append((score, i, j))
    pairs.sort(reverse=True)
    used_gold, matched = set(), {}
    for score, i, j in pairs:
        if i not in used_gold and j not in matched:
            used_gold.add(i)
            matched[j] = score
    return matched


def gold_roles(placed: list[tuple], gold: dict) -> list[str]:
    """Role of each (item, section path) of one document against its gold."""
    tasks = task_pairs([item for item, _ in placed], gold.get("tasks", []))
    roles = []
    for j, (item, path) in enumerate(placed):
        if j in tasks:
            roles.append("task")
        elif any(target_match(item.text, path, item.label, t) for t in gold.get("targets", [])):
            roles.append("target")
        else:
            roles.append("other")
    return roles


# ---------------------------------------------------------------- dataset


def read_plan(path: Path):
    from nlp.ingest.text_reader import read_text
    from nlp.structure import build_structure

    return build_structure(read_text(path.read_bytes(), path.name))


def gold_sources(corpus_dir: Path = CORPUS_DIR, gold_dir: Path = GOLD_DIR) -> list[tuple[str, Path]]:
    """(source kind, path) of every document with gold: the corpus plans bundled in corpus/plans and
    the wild plans annotated in ../shared/gold, read in place from ../shared/wild."""
    out = []
    for gold_file in sorted(gold_dir.glob("*.json")):
        corpus_plan = corpus_dir / f"{gold_file.stem}.txt"
        wild_plan = SHARED / "wild" / f"{gold_file.stem}.md"
        if corpus_plan.exists():
            out.append(("corpus", corpus_plan))
        elif wild_plan.exists():
            out.append(("gold-wild", wild_plan))
    return out


def corpus_rows(corpus_dir: Path = CORPUS_DIR, gold_dir: Path = GOLD_DIR) -> list[dict]:
    """Every item of every document with gold, its role from the gold. Items of wild documents keep
    their text cut to 240 characters (the documents are read in place, never copied)."""
    rows = []
    for source, plan in gold_sources(corpus_dir, gold_dir):
        gold = json.loads((gold_dir / f"{plan.stem}.json").read_text(encoding="utf-8"))
        doc = read_plan(plan)
        placed = [(item, section, index) for section in doc.walk() for index, item in enumerate(section.items)]
        roles = gold_roles([(item, section.path) for item, section, _ in placed], gold)
        for (item, section, index), role in zip(placed, roles):
            row = {"doc": plan.stem, "source": source, "path": section.path, "index": index,
                   **ir.item_row(item, section), "label": item.label, "role": role}
            if source != "corpus":
                row = {k: (v[:240] if isinstance(v, str) and k in ("text", "body") else v) for k, v in row.items()}
            rows.append(row)
    return rows


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def wild_rows(path: Path = WILD_FILE) -> list[dict]:
    """Hand-labelled items of wild plans (other provinces' phrasing and tables), read from
    ../shared/wild and labelled by reading; the file keeps each item's feature columns as the
    structure stage gave them and its text cut to 240 characters."""
    return read_jsonl(path)


# ---------------------------------------------------------------- the pipeline


def make_pipeline(C: float = DEFAULT_C):
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    words_ = Pipeline([
        ("segment", ir.WordSegmenter()),
        ("tfidf", TfidfVectorizer(token_pattern=r"[^\s]+", ngram_range=(1, 2), min_df=2, sublinear_tf=True)),
    ])
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                            lowercase=True, max_features=30000)
    features = ColumnTransformer([
        ("words", words_, "body"),
        ("chars", chars, "text"),
        ("columns", CountVectorizer(token_pattern=r"[^ ]+", binary=True), "columns"),
        ("categories", OneHotEncoder(handle_unknown="ignore"), list(ir.CATEGORY_COLUMNS)),
        ("cues", ir.CueFeatures(), "body"),
    ])
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000)
    return Pipeline([("features", features), ("model", model)])


def with_hidden_types(rows: list[dict]) -> list[dict]:
    """Each row plus a copy whose section type is hidden, so the model also learns to decide
    from the text alone (what it must do under headings the rules did not recognise)."""
    hidden = [{**r, "section_type": HIDDEN_TYPE} for r in rows if r["section_type"] != HIDDEN_TYPE]
    return rows + hidden


def fit(rows: list[dict], C: float = DEFAULT_C):
    from threadpoolctl import threadpool_limits

    training = with_hidden_types(rows)
    pipeline = make_pipeline(C)
    with threadpool_limits(1):      # BLAS threads fight each other on small problems: 10x slower
        pipeline.fit(ir.frame(training), [r["role"] for r in training])
    return pipeline


# ---------------------------------------------------------------- evaluation


def class_report(y_true: list[str], y_pred: list[str]) -> dict:
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    labels = list(ir.ROLES)
    p, r, f, n = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    report = {lab: {"precision": round(float(p[i]), 3), "recall": round(float(r[i]), 3),
                    "f1": round(float(f[i]), 3), "support": int(n[i])} for i, lab in enumerate(labels)}
    report["macro_f1"] = round(float(sum(f) / len(f)), 3)
    report["accuracy"] = round(sum(a == b for a, b in zip(y_true, y_pred)) / max(len(y_true), 1), 3)
    report["confusion"] = {"labels": labels,
                           "matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist()}
    return report


THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)


def threshold_table(truth: list[str], probabilities: list[dict[str, float]]) -> dict:
    """For each role and threshold t: precision and recall of 'role when P(role) >= t' - what
    the extract stage gets if it accepts the classifier's call only above t."""
    table = {}
    for role in ("task", "target"):
        table[role] = {}
        for t in THRESHOLDS:
            chosen = [y for y, p in zip(truth, probabilities) if p[role] >= t]
            hits = sum(y == role for y in chosen)
            total = sum(y == role for y in truth)
            table[role][str(t)] = {"precision": round(hits / len(chosen), 3) if chosen else None,
                                   "recall": round(hits / total, 3) if total else None, "accepted": len(chosen)}
    return table


def leave_one_document_out(rows: list[dict], C: float = DEFAULT_C) -> dict:
    """Fit on all documents but one, predict the held-out one; never a held-out item in training.
    Each held-out item is predicted twice: with its real section type and with it hidden."""
    docs = sorted({r["doc"] for r in rows})
    tested, known, hidden, hidden_proba, per_doc = [], [], [], [], {}
    for doc in docs:
        train = [r for r in rows if r["doc"] != doc]
        test = [r for r in rows if r["doc"] == doc]
        if len({r["role"] for r in train}) < 2:
            continue
        model = fit(train, C)
        classes = [str(c) for c in model.classes_]
        pred_known = [str(c) for c in model.predict(ir.frame(test))]
        proba = model.predict_proba(ir.frame([{**r, "section_type": HIDDEN_TYPE} for r in test]))
        proba = [{c: float(v) for c, v in zip(classes, row)} for row in proba]
        pred_hidden = [max(p, key=p.get) for p in proba]
        y = [r["role"] for r in test]
        tested += test
        known += pred_known
        hidden += pred_hidden
        hidden_proba += [{role: p.get(role, 0.0) for role in ir.ROLES} for p in proba]
        per_doc[doc] = {"items": len(test), "accuracy": round(sum(a == b for a, b in zip(y, pred_known)) / len(y), 3),
                        "accuracy_hidden_type": round(sum(a == b for a, b in zip(y, pred_hidden)) / len(y), 3)}
    truth = [r["role"] for r in tested]
    by_source = {}
    for source in sorted({r["source"] for r in tested}):
        idx = [i for i, r in enumerate(tested) if r["source"] == source]
        by_source[source] = {
            "section_type_known": class_report([truth[i] for i in idx], [known[i] for i in idx]),
            "section_type_hidden": class_report([truth[i] for i in idx], [hidden[i] for i in idx]),
        }
    return {"section_type_known": class_report(truth, known),
            "section_type_hidden": class_report(truth, hidden),
            "by_source": by_source,
            "thresholds_hidden": threshold_table(truth, hidden_proba),
            "per_document": per_doc}


# ---------------------------------------------------------------- reporting


def print_report(name: str, report: dict) -> None:
    print(f"\n{name}: accuracy {report['accuracy']:.3f}, macro-F1 {report['macro_f1']:.3f}")
    print(f"  {'role':<8} {'P':>6} {'R':>6} {'F1':>6} {'n':>5}")
    for role in ir.ROLES:
        m = report[role]
        print(f"  {role:<8} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['support']:5d}")


def markdown_table(report: dict) -> str:
    lines = ["| role | precision | recall | F1 | items |", "|---|---|---|---|---|"]
    for role in ir.ROLES:
        m = report[role]
        lines.append(f"| {role} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |")
    lines.append(f"| macro | | | {report['macro_f1']:.3f} | accuracy {report['accuracy']:.3f} |")
    return "\n".join(lines)


def threshold_markdown(table: dict) -> str:
    lines = ["| role | t | precision | recall | items accepted |", "|---|---|---|---|---|"]
    for role, rows in table.items():
        for t, m in rows.items():
            lines.append(f"| {role} | {t} | {m['precision']} | {m['recall']} | {m['accepted']} |")
    return "\n".join(lines)


def write_model_card(path: Path, metrics: dict) -> None:
    """MODEL_CARD.md from MODEL_CARD.template.md and this build's figures."""
    template = (HERE / "MODEL_CARD.template.md").read_text(encoding="utf-8")
    lodo = metrics.get("lodo") or {}
    missing = "(not evaluated in this build)"

    def table(report: dict | None) -> str:
        return markdown_table(report) if report else missing

    by_source = lodo.get("by_source", {})
    per_doc = "\n".join(
        f"| {doc} | {m['items']} | {m['accuracy']:.3f} | {m['accuracy_hidden_type']:.3f} |"
        for doc, m in lodo.get("per_document", {}).items())
    fields = {
        "items": metrics["items"], "documents": metrics["documents"], "C": metrics["C"],
        "labels": "\n".join(f"| {k.split('/')[0]} | {k.split('/')[1]} | {v} |" for k, v in metrics["labels"].items()),
        "lodo_known": table(lodo.get("section_type_known")),
        "lodo_hidden": table(lodo.get("section_type_hidden")),
        "corpus_known": table(by_source.get("corpus", {}).get("section_type_known")),
        "corpus_hidden": table(by_source.get("corpus", {}).get("section_type_hidden")),
        "wild_known": table(by_source.get("wild", {}).get("section_type_known")),
        "wild_hidden": table(by_source.get("wild", {}).get("section_type_hidden")),
        "thresholds": threshold_markdown(lodo["thresholds_hidden"]) if lodo else missing,
        "per_document": per_doc or "| " + missing + " | | | |",
        "train_accuracy": metrics["train_accuracy"], "sklearn": metrics["sklearn"],
    }
    path.write_text(template.format(**fields), encoding="utf-8")


def load_segment_cache(path: Path) -> None:
    if path.exists():
        ir._SEGMENT_CACHE.update(json.loads(path.read_text(encoding="utf-8")))


def save_segment_cache(path: Path, texts: set[str]) -> None:
    kept = {t: ir._SEGMENT_CACHE[t] for t in sorted(texts) if t in ir._SEGMENT_CACHE}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(kept, ensure_ascii=False, indent=0), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=HERE, help="where model.joblib, metrics.json, MODEL_CARD.md go")
    ap.add_argument("--docs", default="", help="comma-separated doc ids to use (default: all)")
    ap.add_argument("--C", type=float, default=DEFAULT_C, help="inverse regularisation of the logistic regression")
    ap.add_argument("--no-eval", action="store_true", help="skip the leave-one-document-out evaluation")
    ap.add_argument("--keep-data", action="store_true",
                    help="train on the committed data/items.jsonl, do not rebuild it from corpus + gold")
    args = ap.parse_args(argv)
    started = time.time()

    owns_repo_files = args.out.resolve() == HERE.resolve() and not args.docs   # else: a trial build
    load_segment_cache(SEGMENTS_FILE)
    if GOLD_DIR.is_dir() and CORPUS_DIR.is_dir() and not args.keep_data:
        corpus = corpus_rows()
        if owns_repo_files:
            write_jsonl(ITEMS_FILE, corpus)
        print(f"dataset rebuilt from corpus + gold: {len(corpus)} items"
              + (f" -> {ITEMS_FILE.relative_to(REPO)}" if owns_repo_files else ""))
    else:
        corpus = read_jsonl(ITEMS_FILE)
        print(f"using the committed dataset ({len(corpus)} items)")
    rows = corpus + wild_rows()
    if args.docs:
        wanted = set(args.docs.split(","))
        rows = [r for r in rows if r["doc"] in wanted]
    if not rows:
        print("no items to train on", file=sys.stderr)
        return 1
    counts = Counter((r["source"], r["role"]) for r in rows)
    print("items:", ", ".join(f"{s}/{role}={n}" for (s, role), n in sorted(counts.items())))

    metrics: dict = {"C": args.C, "items": len(rows), "documents": len({r["doc"] for r in rows}),
                     "labels": {f"{s}/{role}": n for (s, role), n in sorted(counts.items())}}
    if not args.no_eval:
        lodo = leave_one_document_out(rows, args.C)
        metrics["lodo"] = lodo
        print_report("LODO, section types known", lodo["section_type_known"])
        print_report("LODO, section types hidden", lodo["section_type_hidden"])
        for source, reports in lodo["by_source"].items():
            print_report(f"LODO, {source} items only, section types known", reports["section_type_known"])
            print_report(f"LODO, {source} items only, section types hidden", reports["section_type_hidden"])
        print("\nsection types hidden, accept a role only when P(role) >= t:")
        for role, rows_ in lodo["thresholds_hidden"].items():
            print("  " + role + ": " + "; ".join(f"t={t} P={m['precision']} R={m['recall']}" for t, m in rows_.items()))

    model = fit(rows, args.C)
    if owns_repo_files:
        save_segment_cache(SEGMENTS_FILE, {str(r["body"]) for r in rows})
    train_pred = list(model.predict(ir.frame(rows)))
    metrics["train_accuracy"] = round(sum(a == r["role"] for a, r in zip(train_pred, rows)) / len(rows), 3)

    import joblib
    import sklearn

    metrics["sklearn"] = sklearn.__version__
    args.out.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, args.out / "model.joblib", compress=3)
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_model_card(args.out / "MODEL_CARD.md", metrics)
    print(f"\nsaved {args.out / 'model.joblib'} (train accuracy {metrics['train_accuracy']:.3f}) "
          f"in {time.time() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
