"""Learned join/break decision between two physical lines of a hard-wrapped text export.

A PDF exported to text or Markdown breaks every line at the page width. Whether a line ends its
paragraph or was only wrapped is read from the document's own line-length profile (a line that
stops well short of the typical width, with room left for the next line's first word, was ended;
a first line may be short because of its indent), from punctuation, from the words at the break
(a paragraph does not end on "của", "với", "các") and from the markers of the next line (a
number label or a bullet usually opens a block, but "2026" / "- 2030" is a wrapped range).

``boundary_features`` turns consecutive lines into one row of numbers per boundary;
``JoinModel`` (a scikit-learn gradient-boosted classifier plus word statistics learned from
clean paragraphs) gives the probability that the boundary is a wrap. The model is trained
self-supervised on paragraphs wrapped at varied widths by models/line_joins/build.py and loaded
lazily by ``default_model()``; without the model file the reader keeps its rules.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional, Protocol, Sequence

MODEL_PATH = Path(__file__).resolve().parents[2] / "models" / "line_joins" / "model.json"
MODEL_VERSION = 3


class LineLike(Protocol):
    """What the features read of a physical line (text_reader._Line has these)."""
    text: str                 # Markdown marks and bullet removed
    bullet: Optional[str]
    width: int                # physical width, marks and bullet included
    blank_before: bool
    bold: bool
    open_emphasis: bool       # an emphasis mark opened on this line (or before) is still open at its end


# ---------------------------------------------------------------- character and label classes

_LAST_CLASSES = ("lower", "upper", "digit", ".", ";", ":", ",", "close", "dash", "other")
_FIRST_CLASSES = ("lower", "upper", "digit", "open", "quote", "punct", "other")
_LABELS = ("none", "bullet", "arabic", "arabic_multi", "letter", "roman", "part", "paren_number")

_LABEL_PATTERNS = (
    ("arabic_multi", re.compile(r"^\d{1,3}(?:\.\d{1,3}){1,4}\.?(?:\s|$)")),
    ("arabic", re.compile(r"^\d{1,3}[.)](?:\s|$)")),
    ("paren_number", re.compile(r"^\(\d{1,3}\)\s")),
    ("letter", re.compile(r"^\(?[a-zđ]\)\s")),
    ("roman", re.compile(r"^[IVXLC]{1,6}(?:\.|\s*[-–—])(?:\s|$)")),
    ("part", re.compile(r"^(?:Điều|Chương|Mục|Phần|PHẦN|CHƯƠNG|MỤC|Phụ lục|PHỤ LỤC)\s+[0-9IVXLC]+\b")),
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _last_class(text: str) -> int:
    t = text.rstrip()
    if not t:
        return _LAST_CLASSES.index("other")
    ch = t[-1]
    if ch.isalpha():
        return _LAST_CLASSES.index("lower" if ch.islower() else "upper")
    if ch.isdigit():
        return _LAST_CLASSES.index("digit")
    if ch in ".!?…":
        return _LAST_CLASSES.index(".")
    if ch in ";:,":
        return _LAST_CLASSES.index(ch)
    if ch in ")]”\"'»":
        return _LAST_CLASSES.index("close")
    if ch in "-–—/":
        return _LAST_CLASSES.index("dash")
    return _LAST_CLASSES.index("other")


def _first_class(line: LineLike) -> int:
    t = line.text.lstrip()
    if line.bullet is not None or not t:
        return _FIRST_CLASSES.index("punct")
    ch = t[0]
    if ch.isalpha():
        return _FIRST_CLASSES.index("lower" if ch.islower() else "upper")
    if ch.isdigit():
        return _FIRST_CLASSES.index("digit")
    if ch in "([":
        return _FIRST_CLASSES.index("open")
    if ch in "“\"'«":
        return _FIRST_CLASSES.index("quote")
    return _FIRST_CLASSES.index("punct") if not ch.isalnum() else _FIRST_CLASSES.index("other")


_LABEL_FIRST = frozenset("0123456789(abcdefghijklmnopqrstuvwxyzđIVXLCĐMP")     # what a label can open with


def label_kind(line: LineLike) -> int:
    if line.bullet is not None:
        return _LABELS.index("bullet")
    if line.text[:1] not in _LABEL_FIRST:
        return 0
    for name, pattern in _LABEL_PATTERNS:
        if pattern.match(line.text):
            return _LABELS.index(name)
    return _LABELS.index("none")


def _is_upper(text: str) -> bool:
    head = text[:160]                  # headings are short; long lines are prose
    letters = sum(map(str.isalpha, head))
    return letters >= 3 and sum(map(str.isupper, head)) >= 0.85 * letters


def words_of(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _ends_sentence(text: str) -> bool:
    t = text.rstrip(" *)”\"'")
    return bool(t) and t[-1] in ".;:!?…"


# ---------------------------------------------------------------- word statistics


@dataclass
class WordStats:
    """How often a word ends / opens a paragraph, against how often it occurs (log-odds, smoothed).

    Learned from clean paragraphs: "của", "và", "các" almost never end one; "Sở", "Tổ chức" often
    open one."""
    end_logit: dict
    start_logit: dict
    end_default: float
    start_default: float

    @classmethod
    def fit(cls, paragraphs: Iterable[str], smoothing: float = 20.0, min_count: int = 3) -> "WordStats":
        total, ends, starts = Counter(), Counter(), Counter()
        n_par = n_words = 0
        for text in paragraphs:
            ws = words_of(text)
            if not ws:
                continue
            n_par += 1
            n_words += len(ws)
            total.update(ws)
            ends[ws[-1]] += 1
            starts[ws[0]] += 1
        base = max(n_par, 1) / max(n_words, 1)

        def logits(events: Counter) -> dict:
            out = {}
            for w, n in total.items():
                if n >= min_count:
                    rate = (events[w] + smoothing * base) / (n + smoothing)
                    out[w] = math.log(rate / (1 - rate + 1e-9) + 1e-9)
            return out

        default = math.log(base / (1 - base))
        return cls(logits(ends), logits(starts), default, default)

    def end(self, text: str) -> float:
        ws = words_of(text)
        return self.end_logit.get(ws[-1], self.end_default) if ws else self.end_default

    def start(self, text: str) -> float:
        ws = words_of(text)
        return self.start_logit.get(ws[0], self.start_default) if ws else self.start_default


# ---------------------------------------------------------------- features

FEATURES = (
    "this_width", "next_width", "previous_width", "room_for_next_word", "blank_between", "blank_share",
    "after_blank", "this_last_char", "next_first_char", "this_label", "next_label", "this_end_word",
    "next_start_word", "this_upper", "next_upper", "this_bold", "next_bold", "emphasis_open",
    "this_words", "next_ends_sentence", "this_is_label_only", "next_marker_then_digit",
)
CATEGORICAL = ("this_last_char", "next_first_char", "this_label", "next_label")


def typical_width(widths: Sequence[int]) -> int:
    """Width of a full line: the 90th percentile of lines longer than 20 characters."""
    long = sorted(w for w in widths if w > 20)
    if len(long) < 5:
        return max(list(widths) + [80])
    return long[int(len(long) * 0.9)]


def _first_word_width(line: LineLike) -> int:
    head = (line.bullet + " ") if line.bullet else ""
    return len((head + line.text).split(" ", 1)[0]) if line.text or head else 0


@dataclass(frozen=True)
class _LineFacts:
    """What the features read of one line, computed once per line."""
    width: int
    blank_before: bool
    last_class: int
    first_class: int
    label: int
    end_word: float
    start_word: float
    upper: bool
    bold: bool
    open_emphasis: bool
    words: int
    ends_sentence: bool
    first_word_width: int
    marker_then_digit: bool


def _facts(line: LineLike, stats: WordStats) -> _LineFacts:
    words = words_of(line.text)
    label = label_kind(line)
    return _LineFacts(
        width=line.width, blank_before=line.blank_before, last_class=_last_class(line.text),
        first_class=_first_class(line), label=label,
        end_word=stats.end_logit.get(words[-1], stats.end_default) if words else stats.end_default,
        start_word=stats.start_logit.get(words[0], stats.start_default) if words else stats.start_default,
        upper=_is_upper(line.text), bold=line.bold, open_emphasis=line.open_emphasis,
        words=len(line.text.split()), ends_sentence=_ends_sentence(line.text),
        first_word_width=_first_word_width(line),
        marker_then_digit=line.bullet is not None and line.text[:1].isdigit(),
    )


def _raw_row(facts: Sequence[_LineFacts], i: int, width: int, blank_share: float) -> list[float]:
    """The FEATURES of the boundary between facts[i] and facts[i + 1]."""
    a, b = facts[i], facts[i + 1]
    return [
        a.width / width,
        b.width / width,
        facts[i - 1].width / width if i else 0.0,
        (width - a.width - 1 - b.first_word_width) / width,
        float(b.blank_before),
        blank_share,
        float(a.blank_before or i == 0),
        a.last_class,
        b.first_class,
        a.label,
        b.label,
        a.end_word,
        b.start_word,
        float(a.upper),
        float(b.upper),
        float(a.bold),
        float(b.bold),
        float(a.open_emphasis),
        min(a.words, 30),
        float(b.ends_sentence),
        float(a.label != 0 and a.words <= 1),
        float(b.marker_then_digit),     # '- 2030': a range, not a bullet
    ]


_CATEGORY_SIZES = {"this_last_char": len(_LAST_CLASSES), "next_first_char": len(_FIRST_CLASSES),
                   "this_label": len(_LABELS), "next_label": len(_LABELS)}
COLUMNS = tuple(col for name in FEATURES for col in
                ([f"{name}={k}" for k in range(_CATEGORY_SIZES[name])] if name in CATEGORICAL else [name]))


def design_row(raw: list[float]) -> list[float]:
    """Categorical features one-hot: the trees then need only numeric splits (see TreeEnsemble)."""
    out: list[float] = []
    for name, value in zip(FEATURES, raw):
        if name in _CATEGORY_SIZES:
            onehot = [0.0] * _CATEGORY_SIZES[name]
            onehot[int(value)] = 1.0
            out.extend(onehot)
        else:
            out.append(float(value))
    return out


class DocumentJoins:
    """Join probabilities of one document's line boundaries, computed only for the boundaries the
    reader asks about (most are decided by its rules first)."""

    def __init__(self, model: "JoinModel", lines: Sequence[LineLike], width: Optional[int] = None):
        self.model = model
        self.lines = lines
        self.width = width or typical_width([l.width for l in lines])
        self.blank_share = sum(l.blank_before for l in lines[1:]) / max(len(lines) - 1, 1)
        self._facts: dict[int, _LineFacts] = {}
        self._before: dict[int, Optional[float]] = {}
        self._index = {id(line): i for i, line in enumerate(lines)}

    def _fact(self, i: int) -> _LineFacts:
        if i not in self._facts:
            self._facts[i] = _facts(self.lines[i], self.model.stats)
        return self._facts[i]

    def row(self, i: int) -> list[float]:
        """Design row of the boundary between lines[i] and lines[i + 1]."""
        window = [self._fact(k) for k in range(max(i - 1, 0), i + 2)]     # previous, this, next
        return design_row(_raw_row(window, 1 if i else 0, self.width, self.blank_share))

    def before(self, line: LineLike) -> Optional[float]:
        """Probability that the break before ``line`` is a wrap (None for the first line)."""
        i = self._index.get(id(line))
        if not i:
            return None
        if i not in self._before:
            self._before[i] = self.model.ensemble.probability(self.row(i - 1))
        return self._before[i]


def boundary_features(lines: Sequence[LineLike], stats: WordStats, width: Optional[int] = None):
    """Design matrix (numpy) of every boundary, for training: len(lines) - 1 rows of COLUMNS."""
    import numpy as np

    n = len(lines)
    if n < 2:
        return np.zeros((0, len(COLUMNS)))
    width = width or typical_width([l.width for l in lines])
    blank_share = sum(l.blank_before for l in lines[1:]) / (n - 1)
    facts = [_facts(line, stats) for line in lines]
    return np.array([design_row(_raw_row(facts, i, width, blank_share)) for i in range(n - 1)])


# ---------------------------------------------------------------- the model


@dataclass
class TreeEnsemble:
    """Gradient-boosted trees as plain lists, walked in Python: predicting needs neither
    scikit-learn nor numpy, so a sandboxed reader process starts fast. Exported from a fitted
    ``HistGradientBoostingClassifier`` by ``from_sklearn`` (numeric splits only)."""
    baseline: float
    trees: list          # each: [feature, threshold, left, right, value] lists, leaf where left == -1

    @classmethod
    def from_sklearn(cls, classifier) -> "TreeEnsemble":
        trees = []
        for (predictor,) in classifier._predictors:
            nodes = predictor.nodes
            leaf = nodes["is_leaf"].astype(bool)
            trees.append([nodes["feature_idx"].tolist(), nodes["num_threshold"].tolist(),
                          [-1 if leaf[k] else int(v) for k, v in enumerate(nodes["left"])],
                          nodes["right"].tolist(), nodes["value"].tolist()])
        return cls(float(classifier._baseline_prediction.ravel()[0]), trees)

    def probability(self, row: list[float]) -> float:
        raw = self.baseline
        for feature, threshold, left, right, value in self.trees:
            node = 0
            while left[node] != -1:
                node = left[node] if row[feature[node]] <= threshold[node] else right[node]
            raw += value[node]
        return 1.0 / (1.0 + math.exp(-raw))


@dataclass
class JoinModel:
    """Word statistics + boosted trees (probability 1 = the boundary is a wrap: join the lines)."""
    stats: WordStats
    ensemble: TreeEnsemble
    threshold: float = 0.5
    version: int = MODEL_VERSION

    def for_document(self, lines: Sequence[LineLike], width: Optional[int] = None) -> DocumentJoins:
        return DocumentJoins(self, lines, width)

    def join_probabilities(self, lines: Sequence[LineLike], width: Optional[int] = None) -> list[float]:
        joins = self.for_document(lines, width)
        return [self.ensemble.probability(joins.row(i)) for i in range(len(lines) - 1)]

    def to_json(self) -> dict:
        return {"version": self.version, "threshold": self.threshold, "columns": list(COLUMNS),
                "stats": {"end_logit": self.stats.end_logit, "start_logit": self.stats.start_logit,
                          "end_default": self.stats.end_default, "start_default": self.stats.start_default},
                "baseline": self.ensemble.baseline, "trees": self.ensemble.trees}

    @classmethod
    def from_json(cls, data: dict) -> "JoinModel":
        return cls(WordStats(**data["stats"]), TreeEnsemble(data["baseline"], data["trees"]),
                   data["threshold"], data["version"])


def new_classifier():
    from sklearn.ensemble import HistGradientBoostingClassifier

    # 60 trees of 31 leaves: a boundary costs a few microseconds to walk in Python
    return HistGradientBoostingClassifier(max_iter=60, learning_rate=0.2, max_leaf_nodes=31, random_state=0)


@lru_cache(maxsize=1)
def default_model() -> Optional[JoinModel]:
    """The shipped model, loaded on first use; None when the file is missing or of another version
    or other columns (the reader then keeps its rules)."""
    if not MODEL_PATH.exists():
        return None
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    if data.get("version") != MODEL_VERSION or data.get("columns") != list(COLUMNS):
        return None
    return JoinModel.from_json(data)
