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

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional, Protocol, Sequence

import numpy as np

MODEL_PATH = Path(__file__).resolve().parents[2] / "models" / "line_joins" / "model.joblib"
MODEL_VERSION = 2


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


def boundary_features(lines: Sequence[LineLike], stats: WordStats, width: Optional[int] = None) -> np.ndarray:
    """One row per boundary between lines[i] and lines[i + 1] (len(lines) - 1 rows)."""
    n = len(lines)
    if n < 2:
        return np.zeros((0, len(FEATURES)))
    width = width or typical_width([l.width for l in lines])
    blank_share = sum(l.blank_before for l in lines[1:]) / (n - 1)
    facts = [_facts(line, stats) for line in lines]
    rows = np.zeros((n - 1, len(FEATURES)))
    for i in range(n - 1):
        a, b = facts[i], facts[i + 1]
        rows[i] = (
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
        )
    return rows


# ---------------------------------------------------------------- the model


@dataclass
class JoinModel:
    """Word statistics + a fitted classifier (1 = the boundary is a wrap: join the lines)."""
    stats: WordStats
    classifier: object
    threshold: float = 0.5
    version: int = MODEL_VERSION

    def join_probabilities(self, lines: Sequence[LineLike], width: Optional[int] = None) -> np.ndarray:
        rows = boundary_features(lines, self.stats, width)
        if not len(rows):
            return np.zeros(0)
        with _threadpools().limit(limits=1):    # a few thousand rows: threads cost more than they save
            return self.classifier.predict_proba(rows)[:, 1]


def new_classifier():
    from sklearn.ensemble import HistGradientBoostingClassifier

    categorical = [FEATURES.index(name) for name in CATEGORICAL]
    mask = [i in categorical for i in range(len(FEATURES))]
    # 60 trees: predicting a document's boundaries costs a few milliseconds (150 gave no better LOGO)
    return HistGradientBoostingClassifier(max_iter=60, learning_rate=0.2, max_leaf_nodes=31,
                                          categorical_features=mask, random_state=0)


@lru_cache(maxsize=1)
def _threadpools():
    """Made once: building a controller inspects every loaded library (tens of milliseconds)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@lru_cache(maxsize=1)
def default_model() -> Optional[JoinModel]:
    """The shipped model, loaded on first use; None when the file is missing or of another version."""
    if not MODEL_PATH.exists():
        return None
    import joblib

    model = joblib.load(MODEL_PATH)
    if not isinstance(model, JoinModel) or model.version != MODEL_VERSION:
        return None
    return model
