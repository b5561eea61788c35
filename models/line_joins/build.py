#!/usr/bin/env python3
"""Train the join/break classifier of hard-wrapped text exports (nlp/ingest/line_joins.py).

    .venv/bin/python models/line_joins/build.py            # LOGO evaluation + model.json + MODEL_CARD.md
    .venv/bin/python models/line_joins/build.py --no-eval  # fit and save only

Self-supervised: no hand labels. Clean paragraphs are taken from
- the corpus plans (../shared/corpus/*.txt, paragraphs as the reader rebuilds them),
- the parents (../shared/parents/*.md, one paragraph a line),
- wild documents without gold (../shared/wild/*.md): unwrapped exports give one paragraph a line;
  wrapped exports that separate paragraphs by blank lines give one paragraph a blank-separated
  chunk (chunks holding a table, a list or more than 25 lines are skipped).
The five wild documents that have gold are never trained on.
Each document's paragraphs are wrapped ``REPLICATES`` times, each time as one export would do it:
a page width between 55 and 110 characters, a narrower first line (indent) or not, a ragged
right margin or not, blank lines between paragraphs / between every line / nowhere, and Markdown
emphasis ('**I. MỤC ĐÍCH, YÊU CẦU**', '**1. **100% ...', '*Đơn vị phối hợp: *Sở ...') or none.
Every boundary between two lines is labelled join (same paragraph) or break.

Evaluation: leave-one-document-out on the wrapped paragraphs, and a check on real wrapping:
wild exports whose paragraphs are blank-separated are read with their blank lines hidden, the
blank lines being the truth; the reader's former rules are scored the same way.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from nlp.ingest import line_joins as lj  # noqa: E402
from nlp.ingest import text_reader as tr  # noqa: E402
from nlp.ingest.normalize import normalize_text, strip_markdown_emphasis  # noqa: E402

SHARED = REPO / ".." / "shared"
GOLD = SHARED / "gold"
REPLICATES = 3
MAX_CHUNK_LINES = 25
DASH_BREAK = 0.3
SEED = 57


# ---------------------------------------------------------------- clean paragraphs


def _gold_ids() -> set[str]:
    return {p.stem for p in GOLD.glob("*.json")}


def _reader_paragraphs(path: Path) -> list[str]:
    doc = tr.read_text(path.read_bytes(), path.name, "markdown" if path.suffix == ".md" else "text")
    out = []
    for block in doc.blocks:
        if block.kind == "table":
            continue
        text = f"{block.bullet} {block.text}" if block.bullet else block.text
        out.append(f"**{text}**" if block.bold else text)
    return out


_TABLE_LINE = re.compile(r"^\s*\|")
_INNER_BLOCK = re.compile(r"^\s*(?:[-+•]\s|\d{1,2}[.)]\s|[a-zđ]\)\s)")


def _wild_paragraphs(path: Path) -> list[str]:
    """Paragraphs of a wild export: each line of an unwrapped one; blank-separated chunks of a
    wrapped one whose paragraphs are blank-separated; nothing otherwise."""
    raw = normalize_text(path.read_text(encoding="utf-8")).split("\n")
    nonblank = [l.strip() for l in raw if l.strip()]
    if len(nonblank) < 10:
        return []
    width = lj.typical_width([len(l) for l in nonblank])
    if width > 150:
        return [l for l in nonblank if not _TABLE_LINE.match(l) and len(l) > 1]
    gaps = sum(1 for a, b in zip(raw, raw[1:]) if a.strip() and not b.strip())
    if gaps < 0.1 * len(nonblank):
        return []
    return [" ".join(chunk.split("\n")) for chunk in "\n".join(_prose_chunks(raw)).split("\n\n") if chunk.strip()]


def source_documents() -> dict[str, list[str]]:
    """name -> clean paragraphs (raw Markdown strings, one line each)."""
    docs: dict[str, list[str]] = {}
    for path in sorted((SHARED / "corpus").glob("*.txt")):
        docs[f"corpus/{path.stem}"] = _reader_paragraphs(path)
    for path in sorted((SHARED / "parents").glob("*.md")):
        if path.name != "README.md":
            docs[f"parents/{path.stem}"] = [l.strip().lstrip("#").strip() for l in path.read_text().split("\n")
                                            if l.strip() and not _TABLE_LINE.match(l) and not l.startswith("<!--")]
    gold = _gold_ids()
    for path in sorted((SHARED / "wild").glob("*.md")):
        if path.stem not in gold and path.name != "README.md":
            paragraphs = _wild_paragraphs(path)
            if len(paragraphs) >= 5:
                docs[f"wild/{path.stem}"] = paragraphs
    return {k: [p for p in v if p.strip()] for k, v in docs.items() if v}


# ---------------------------------------------------------------- wrapping as an export does


_LABEL_HEAD = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*\.|[a-zđ]\)|[IVX]{1,5}\.)\s+(\S.*)$")
_FIELD_HEAD = re.compile(r"^([^:*]{4,45}:)\s+(\S.*)$")


def _decorate(paragraph: str, rng: random.Random, markdown: bool) -> str:
    """Emphasis as the Markdown exports write it, or none at all for a text export."""
    plain = strip_markdown_emphasis(paragraph)
    if not markdown:
        return plain
    if paragraph.startswith("**") and paragraph.endswith("**"):
        return paragraph
    label = _LABEL_HEAD.match(plain)
    if label and rng.random() < 0.3:
        return f"**{label.group(1)} **{label.group(2)}"
    field = _FIELD_HEAD.match(plain)
    if field and rng.random() < 0.3:
        return f"*{field.group(1)} *{field.group(2)}"
    if plain.isupper() and rng.random() < 0.7:
        return f"**{plain}**"
    return paragraph


def wrap_document(paragraphs: list[str], rng: random.Random) -> tuple[list[str], list[int]]:
    """Paragraphs -> physical lines (blank lines included) and the paragraph of each line (-1: blank)."""
    width = rng.randint(55, 110)
    ragged = rng.choice([0, 4, 12, 20])        # text layers of PDFs: proportional fonts, ragged counts
    blanks = rng.choice(["paragraphs", "paragraphs", "none", "every_line"])
    # Markdown exports of HTML shorten a first line by its indent (up to 50 characters); text layers
    # of PDFs, which put a blank line after every line, keep only a few spaces (stripped)
    indent = rng.choice([0, 0, rng.randint(8, 50)]) if blanks != "every_line" else rng.randint(0, 8)
    # real exports are not regular: a list without blank lines, a blank line left out or put in
    missing_blank, stray_blank = rng.choice([0.0, 0.03, 0.1]), rng.choice([0.0, 0.0, 0.02])
    markdown = rng.random() < 0.6
    lines: list[str] = []
    owner: list[int] = []
    for p_index, paragraph in enumerate(paragraphs):
        words = _decorate(paragraph, rng, markdown).split()
        if not words:
            continue
        if lines and blanks in ("paragraphs", "every_line") and rng.random() >= missing_blank:
            lines.append("")
            owner.append(-1)
        limit = width - indent - rng.randint(0, ragged)
        current = words[0]
        for word in words[1:]:
            # exports often break before the dash of a range or a compound ('2026' / '- 2030'):
            # made more frequent than chance so the model sees such a line is not a bullet
            dash_break = word in ("-", "–") and len(current) > 15 and rng.random() < DASH_BREAK
            if len(current) + 1 + len(word) <= limit and not dash_break:
                current += " " + word
                continue
            lines.append(current)
            owner.append(p_index)
            if blanks == "every_line" and rng.random() >= missing_blank or rng.random() < stray_blank:
                lines.append("")
                owner.append(-1)
            current = word
            limit = width - rng.randint(0, ragged)
        lines.append(current)
        owner.append(p_index)
    return lines, owner


def labelled_boundaries(raw_lines: list[str], owner: list[int]) -> tuple[list, np.ndarray]:
    """Scanned lines and the label of each boundary (1 = join)."""
    lines = [l for l in tr.scan_lines(raw_lines) if l.table_cells is None]
    labels = np.array([int(owner[a.index] == owner[b.index]) for a, b in zip(lines, lines[1:])])
    return lines, labels


_WRAPPED: dict = {}


def wrapped(name: str, paragraphs: list[str], replicate_seed: int) -> list[tuple[list, np.ndarray]]:
    """The document wrapped REPLICATES times (cached: the folds of the evaluation reuse it)."""
    key = (name, replicate_seed)
    if key not in _WRAPPED:
        out = []
        for r in range(REPLICATES):
            rng = random.Random(f"{SEED}/{name}/{replicate_seed}/{r}")
            lines, labels = labelled_boundaries(*wrap_document(paragraphs, rng))
            if len(lines) >= 2:
                out.append((lines, labels))
        _WRAPPED[key] = out
    return _WRAPPED[key]


_ROWS: dict = {}
_END, _START = lj.COLUMNS.index("this_end_word"), lj.COLUMNS.index("next_start_word")


def document_rows(name: str, paragraphs: list[str], stats: lj.WordStats, replicate_seed: int):
    """Feature rows and labels of the wrapped document. Only the two word-statistic columns
    depend on the fold's statistics: the rest is computed once and reused."""
    key = (name, replicate_seed)
    if key not in _ROWS:
        parts = wrapped(name, paragraphs, replicate_seed)
        if not parts:
            _ROWS[key] = (np.zeros((0, len(lj.COLUMNS))), np.zeros(0), [])
        else:
            _ROWS[key] = (np.vstack([lj.boundary_features(lines, stats) for lines, _ in parts]),
                          np.concatenate([labels for _, labels in parts]),
                          [(a.text, b.text) for lines, _ in parts for a, b in zip(lines, lines[1:])])
    rows, labels, pairs = _ROWS[key]
    rows = rows.copy()
    for i, (a, b) in enumerate(pairs):
        rows[i, _END], rows[i, _START] = stats.end(a), stats.start(b)
    return rows, labels


def fit_model(docs: dict[str, list[str]]):
    """(JoinModel with the trees exported to plain lists, the fitted scikit-learn classifier)."""
    from threadpoolctl import threadpool_limits

    stats = lj.WordStats.fit(p for ps in docs.values() for p in ps)
    parts = [document_rows(name, ps, stats, 0) for name, ps in docs.items()]
    x = np.vstack([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    with threadpool_limits(1):       # one thread: many threads on a shared machine are 10x slower
        classifier = lj.new_classifier().fit(x, y)
    model = lj.JoinModel(stats=stats, ensemble=lj.TreeEnsemble.from_sklearn(classifier))
    sample = x[:: max(len(x) // 500, 1)]
    exported = np.array([model.ensemble.probability(list(row)) for row in sample])
    assert np.allclose(exported, classifier.predict_proba(sample)[:, 1], atol=1e-6), "tree export differs"
    return model, classifier


# ---------------------------------------------------------------- evaluation


def scores(truth: np.ndarray, joined: np.ndarray) -> dict:
    """Precision/recall/F1 of breaks (paragraph ends: the decisions that matter) and accuracy."""
    truth_break, pred_break = truth == 0, joined == 0
    tp = int(np.sum(truth_break & pred_break))
    p = tp / max(int(pred_break.sum()), 1)
    r = tp / max(int(truth_break.sum()), 1)
    return {"boundaries": int(len(truth)), "breaks": int(truth_break.sum()), "accuracy": float(np.mean(truth == joined)),
            "break_precision": p, "break_recall": r, "break_f1": 2 * p * r / (p + r) if p + r else 0.0}


def reader_decisions(lines: list, model: lj.JoinModel | None = None) -> np.ndarray:
    """The reader's decisions boundary by boundary, as read_text takes them: its rules alone
    (``model`` None, the reader before the model) or its rules asking the model."""
    width = tr._typical_width(lines)
    joins = model.for_document(lines) if model is not None else None
    pending: list = []
    joined = []
    for i, line in enumerate(lines):
        if pending and tr._continues(pending[-1], line, width, joins):
            pending[-1].lines.append(line)
            joined.append(1)
            continue
        if i:
            joined.append(0)
        kind = "heading" if line.heading_level is not None else "list_item" if line.bullet else "paragraph"
        pending.append(tr._PendingBlock(kind, [line]))
    return np.array(joined)


def _prose_chunks(raw: list[str]) -> list[str]:
    """The blank-separated chunks that are prose (as ``_wild_paragraphs`` keeps them), blank lines
    between: a layout table (letterhead, recipients, signature) or a list written without blank
    lines would make the blank-line truth wrong."""
    out, chunk = [], []
    for line in raw + [""]:
        if line.strip():
            chunk.append(line.strip())
            continue
        if chunk and len(chunk) <= MAX_CHUNK_LINES and not any(_TABLE_LINE.match(l) or l == "|" for l in chunk) \
                and not any(_INNER_BLOCK.match(l) for l in chunk[1:]):
            out.extend(chunk + [""])
        chunk = []
    return out


def real_wrapping(path: Path, hide_blanks: bool = True) -> tuple[list, np.ndarray] | None:
    """A wild export whose paragraphs are blank-separated; truth = the blank lines, hidden or not."""
    raw = normalize_text(path.read_text(encoding="utf-8")).split("\n")
    nonblank = [l for l in raw if l.strip()]
    gaps = sum(1 for a, b in zip(raw, raw[1:]) if a.strip() and not b.strip())
    if len(nonblank) < 30 or gaps < 0.15 * len(nonblank) or lj.typical_width([len(l) for l in nonblank]) > 150:
        return None
    lines = [l for l in tr.scan_lines(_prose_chunks(raw)) if l.table_cells is None]
    truth = np.array([int(not b.blank_before) for b in lines[1:]])
    for line in lines if hide_blanks else ():
        line.blank_before = False
    return lines, truth


def evaluate(docs: dict[str, list[str]]) -> dict:
    started = time.time()
    synthetic_truth, synthetic_pred = [], []
    real = {key: ([], []) for key in REAL_KEYS}
    per_real = {}
    wild_dir = SHARED / "wild"
    for name in docs:
        train = {k: v for k, v in docs.items() if k != name}
        model, classifier = fit_model(train)
        x, y = document_rows(name, docs[name], model.stats, 1)
        if len(y):
            synthetic_truth.append(y)
            synthetic_pred.append((classifier.predict_proba(x)[:, 1] >= model.threshold).astype(int))
        if name.startswith("wild/"):
            _check_real(wild_dir / f"{name[5:]}.md", model, real, per_real)
        print(f"  {name}: {time.time() - started:.0f}s", file=sys.stderr)
    full, _ = fit_model(docs)
    for gold_id in sorted(_gold_ids()):
        path = wild_dir / f"{gold_id}.md"
        if path.exists():
            _check_real(path, full, real, per_real, held_out_gold=True)
    return {
        "synthetic_leave_one_document_out": scores(np.concatenate(synthetic_truth), np.concatenate(synthetic_pred)),
        "real_wild_blank_lines_hidden": {k: scores(np.concatenate(t), np.concatenate(p)) for k, (t, p) in real.items()},
        "real_per_document": per_real,
        "documents": len(docs),
        "seconds": round(time.time() - started),
    }


REAL_KEYS = ("hidden/rules", "hidden/model_alone", "hidden/reader", "kept/rules", "kept/reader")


def _check_real(path: Path, model: lj.JoinModel, real: dict, per_real: dict, held_out_gold: bool = False) -> None:
    found = {hide: real_wrapping(path, hide) for hide in (True, False)}
    if not found[True]:
        return
    decisions = {}
    for hide, setting in ((True, "hidden"), (False, "kept")):
        lines, truth = found[hide]
        decisions[f"{setting}/rules"] = reader_decisions(lines)
        decisions[f"{setting}/reader"] = reader_decisions(lines, model)
        if hide:
            decisions["hidden/model_alone"] = (np.array(model.join_probabilities(lines)) >= model.threshold).astype(int)
        for key in [k for k in decisions if k.startswith(setting)]:
            real[key][0].append(truth)
            real[key][1].append(decisions[key])
    truth = found[True][1]
    per_real[path.stem] = {"gold": held_out_gold, "boundaries": int(len(truth)),
                           **{key: scores(truth, decisions[key])["break_f1"] for key in ("hidden/rules", "hidden/reader")}}


# ---------------------------------------------------------------- card


def write_card(metrics: dict, docs: dict[str, list[str]]) -> None:
    template = (HERE / "MODEL_CARD.template.md").read_text(encoding="utf-8")
    syn = metrics["synthetic_leave_one_document_out"]
    real = metrics["real_wild_blank_lines_hidden"]
    kinds = {}
    for name, ps in docs.items():
        kind = name.split("/")[0]
        kinds.setdefault(kind, [0, 0])
        kinds[kind][0] += 1
        kinds[kind][1] += len(ps)
    source_rows = "\n".join(f"| {k} | {d} | {p} |" for k, (d, p) in sorted(kinds.items()))

    def row(label: str, s: dict) -> str:
        return (f"| {label} | {s['boundaries']} | {s['breaks']} | {s['accuracy']:.3f} | {s['break_precision']:.3f} "
                f"| {s['break_recall']:.3f} | {s['break_f1']:.3f} |")

    per_doc = "\n".join(f"| {name}{' (gold, never trained on)' if v['gold'] else ''} | {v['boundaries']} "
                        f"| {v['hidden/rules']:.3f} | {v['hidden/reader']:.3f} |"
                        for name, v in sorted(metrics["real_per_document"].items()))
    labels = {"hidden/rules": "real, blank lines hidden: reader's former rules",
              "hidden/model_alone": "real, blank lines hidden: model alone (p ≥ 0.5)",
              "hidden/reader": "real, blank lines hidden: reader (rules + model)",
              "kept/rules": "real, blank lines kept: reader's former rules",
              "kept/reader": "real, blank lines kept: reader (rules + model)"}
    card = template.format(
        sources=source_rows, documents=metrics["documents"], replicates=REPLICATES,
        synthetic=row("wrapped paragraphs, leave-one-document-out", syn),
        real="\n".join(row(labels[key], real[key]) for key in REAL_KEYS),
        per_doc=per_doc, features=", ".join(lj.FEATURES), seconds=metrics["seconds"],
    )
    (HERE / "MODEL_CARD.md").write_text(card, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-eval", action="store_true", help="fit and save without the LOGO evaluation")
    parser.add_argument("--card-only", action="store_true", help="rewrite MODEL_CARD.md from metrics.json")
    args = parser.parse_args(argv)
    if args.card_only:
        tr.default_join_model = lambda: None
        write_card(json.loads((HERE / "metrics.json").read_text()), source_documents())
        return 0

    # the corpus paragraphs are read by the reader's rules alone, so that the data do not depend
    # on the model being rebuilt
    tr.default_join_model = lambda: None
    docs = source_documents()
    print(f"{len(docs)} documents, {sum(len(v) for v in docs.values())} paragraphs", file=sys.stderr)
    model, _ = fit_model(docs)
    (HERE / "model.json").write_text(json.dumps(model.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n",
                                     encoding="utf-8")
    if not args.no_eval:
        metrics = evaluate(docs)
        (HERE / "metrics.json").write_text(json.dumps(metrics, indent=1, ensure_ascii=False) + "\n")
        write_card(metrics, docs)
        print(json.dumps({k: v for k, v in metrics.items() if k != "real_per_document"}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
