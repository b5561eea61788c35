"""Item roles: is an item of a structured plan a task, a numeric target or something else?

The rule-based extractors decide by section type. Where the heading was not recognised
(``SectionType.OTHER``, common in plans of other provinces) this scikit-learn model decides, and
everywhere it gives a confidence. The model is trained by ``models/item_roles/build.py`` on the
items of the corpus plans (labels derived from the gold) plus hand-labelled items of wild plans;
see ``models/item_roles/MODEL_CARD.md``.

This module holds what training and prediction share: how an item becomes a feature row, the
two fitted transformers the saved pipeline refers to (pickled by reference, so they must stay
importable here), and the lazy wrapper the extract stage calls.
"""
from __future__ import annotations

import math
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import yaml

from nlp.ingest.layout import RESOURCES
from nlp.schema import Item, Section
from nlp.structure.labels import parse_label

ROLES = ("task", "target", "other")
MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "item_roles"
MODEL_PATH = MODEL_DIR / "model.joblib"
CUES_PATH = RESOURCES / "item_role_cues.yml"

# Columns of a feature row, in the order the pipeline's ColumnTransformer expects them.
TEXT_COLUMNS = ("text", "body", "columns")
CATEGORY_COLUMNS = ("kind", "section_type", "label_shape")
COLUMNS = TEXT_COLUMNS + CATEGORY_COLUMNS

_SYLLABLE = re.compile(r"[^\W_]+", re.UNICODE)
_BULLETS = set("-+•*▪–")
_NUMBER_ROLES = {"number", "stt"}


# ---------------------------------------------------------------- feature rows


_LABEL_SHAPES = (
    ("arabic1", re.compile(r"\d{1,3}\.?")),
    ("arabic2", re.compile(r"\d{1,3}\.\d{1,3}\.?")),
    ("arabic3", re.compile(r"\d{1,3}(?:\.\d{1,3}){2,}\.?")),
    ("roman", re.compile(r"[IVXLC]{1,6}\.?")),
    ("letter", re.compile(r"[a-zđ][.)]?")),
    ("paren", re.compile(r"\(\w{1,3}\)")),
    ("appendix", re.compile(r"PL\w*")),
)


def label_shape(label: str | None) -> str:
    """'bullet', 'arabic1'..'arabic3', 'roman', 'letter', 'paren', 'appendix', 'none' or 'other'."""
    if not label:
        return "none"
    if label in _BULLETS:
        return "bullet"
    for shape, pattern in _LABEL_SHAPES:
        if pattern.fullmatch(label):
            return shape
    return "other"


def item_body(item: Item) -> str:
    """The item's statement without its numbering label; for a table row, the cell that says
    what the row is about (task or indicator), else the cells that are not row numbers."""
    if item.kind == "table_row" and item.cells:
        roles = item.roles or []
        for wanted in ("task", "indicator"):
            for cell, role in zip(item.cells, roles):
                if role == wanted and cell.strip():
                    return cell.strip()
        cells = [c for c, r in zip(item.cells, roles + [None] * len(item.cells)) if r not in _NUMBER_ROLES]
        return " | ".join(c for c in cells if c.strip()).strip()
    text = item.text.strip()
    if item.label and item.label not in _BULLETS:
        parsed = parse_label(text)
        if parsed and parsed.rest:
            return parsed.rest.strip()
    return text


def column_roles(item: Item) -> str:
    """What the columns of a table row hold, as words ('indicator lead unit value year'):
    a row of a task table and a row of an indicator table look alike as text, not as columns."""
    if item.kind != "table_row":
        return "prose"
    roles = {r.split(":")[0] for r in (item.roles or []) if r}
    return " ".join(sorted(roles)) or "unknown"


def item_row(item: Item, section: Section) -> dict[str, str]:
    """One feature row: the raw inputs the saved pipeline turns into features."""
    return {
        "text": item.text,
        "body": item_body(item),
        "columns": column_roles(item),
        "kind": item.kind,
        "section_type": section.type.value,
        "label_shape": label_shape(item.label),
    }


# ---------------------------------------------------------------- word segmentation


_SEGMENT_CACHE: dict[str, str] = {}


def underthesea_segment(text: str) -> str:
    """underthesea's word segmentation ('Văn_hóa - Xã_hội chủ_trì'), memoised in
    ``_SEGMENT_CACHE`` (which ``build.py`` fills from and saves to a file)."""
    if text not in _SEGMENT_CACHE:
        from underthesea import word_tokenize   # heavy: only when fitting on new texts

        _SEGMENT_CACHE[text] = word_tokenize(text, format="text")
    return _SEGMENT_CACHE[text]


def syllables(text: str) -> list[str]:
    return _SYLLABLE.findall(text.lower())


class _Transformer:
    """The parts of scikit-learn's estimator protocol a Pipeline step needs (parameters from
    ``__init__``, ``fit_transform``), written out so that importing this module does not import
    scikit-learn (over a second): the model stays lazy until it is first used."""

    def get_params(self, deep: bool = True) -> dict:
        import inspect

        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {name: getattr(self, name) for name in names}

    def set_params(self, **params) -> "_Transformer":
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def fit_transform(self, X, y=None):
        return self.fit(X, y).transform(X)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


class WordSegmenter(_Transformer):
    """Vietnamese word segmentation that is fast at prediction time.

    ``fit`` learns the compound words (two to four syllables) that underthesea finds in the
    training texts; ``transform`` segments any text by greedy longest match over that lexicon.
    Train and test texts go through the same ``transform``, so features cannot drift, and
    predicting needs neither underthesea nor its start-up time. Words the model never saw would
    get no weight anyway: the TF-IDF vocabulary comes from the training texts too.
    """

    def __init__(self, max_syllables: int = 4):
        self.max_syllables = max_syllables

    def fit(self, texts: Iterable[str], y=None) -> "WordSegmenter":
        lexicon: set[str] = set()
        for text in texts:
            for token in underthesea_segment(str(text)).split():
                parts = syllables(token.replace("_", " "))
                if 2 <= len(parts) <= self.max_syllables and "_" in token:
                    lexicon.add(" ".join(parts))
        self.lexicon_ = frozenset(lexicon)
        return self

    def segment(self, text: str) -> str:
        parts = syllables(text)
        out, i = [], 0
        while i < len(parts):
            for n in range(min(self.max_syllables, len(parts) - i), 0, -1):
                candidate = " ".join(parts[i:i + n])
                if n == 1 or candidate in self.lexicon_:
                    out.append(candidate.replace(" ", "_"))
                    i += n
                    break
        return " ".join(out)

    def transform(self, texts: Iterable[str]) -> list[str]:
        return [self.segment(str(t)) for t in texts]


# ---------------------------------------------------------------- cue features


@lru_cache(maxsize=1)
def load_cues(path: Path = CUES_PATH) -> dict[str, list[str]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


_NUMBER = re.compile(r"(?<![\w/.])\d+(?:[.,]\d+)?(?![\w/])")
_YEAR = re.compile(r"^(?:19|20)\d\d$")


class CueFeatures(_Transformer):
    """A few dense features of an item's statement: its length, whether it opens with an
    instruction verb, an agency or a statement formula, whether it carries a percentage, a
    number (not a year) or a comparator, whether it ends with ':' (it introduces a list).

    The cue lexicon is read from ``nlp/resources/item_role_cues.yml`` at fit time and kept in
    the fitted object, so a saved model keeps predicting as it was evaluated.
    """

    FEATURES = ("log_words", "imperative", "agency_subject", "statement", "target_cue",
                "has_percent", "has_number", "ends_colon", "upper_case")

    def __init__(self, cues_path: str | None = None):
        self.cues_path = cues_path

    def fit(self, texts: Iterable[str], y=None) -> "CueFeatures":
        cues = load_cues(Path(self.cues_path)) if self.cues_path else load_cues()
        self.patterns_ = {
            name: "^(?:" + "|".join(cues[key]) + ")" if anchored else "|".join(cues[key])
            for name, key, anchored in (("imperative", "imperative_openers", True),
                                        ("agency_subject", "agency_openers", True),
                                        ("statement", "statement_openers", True),
                                        ("target_cue", "target_cues", False))
        }
        return self

    def _compiled(self) -> dict[str, re.Pattern]:
        if getattr(self, "_regexes", None) is None:
            self._regexes = {k: re.compile(p, re.IGNORECASE) for k, p in self.patterns_.items()}
        return self._regexes

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_regexes", None)      # compiled patterns are rebuilt on first use
        return state

    def row(self, text: str) -> list[float]:
        text = str(text).strip()
        regexes = self._compiled()
        numbers = [n for n in _NUMBER.findall(text) if not _YEAR.match(n)]
        letters = [c for c in text if c.isalpha()]
        return [
            math.log1p(len(text.split())),
            float(bool(regexes["imperative"].match(text))),
            float(bool(regexes["agency_subject"].match(text))),
            float(bool(regexes["statement"].match(text))),
            float(bool(regexes["target_cue"].search(text))),
            float("%" in text),
            float(bool(numbers)),
            float(text.endswith(":")),
            float(len(letters) > 3 and all(c.isupper() for c in letters)),
        ]

    def transform(self, texts: Iterable[str]):
        import numpy as np

        return np.array([self.row(t) for t in texts], dtype=float).reshape(-1, len(self.FEATURES))

    def get_feature_names_out(self, input_features=None):
        import numpy as np

        return np.array(self.FEATURES, dtype=object)


# ---------------------------------------------------------------- the classifier


def frame(rows: Sequence[dict[str, str]]):
    """The DataFrame the pipeline takes (ColumnTransformer selects columns by name)."""
    import pandas as pd

    return pd.DataFrame([{c: r.get(c, "") or "" for c in COLUMNS} for r in rows], columns=list(COLUMNS))


class ItemRoleClassifier:
    """scikit-learn style wrapper around the saved pipeline; loads it on first use.

    >>> clf = default_classifier()
    >>> clf.predict_proba([(item, section)])   # [{'task': .91, 'target': .02, 'other': .07}]
    """

    def __init__(self, path: Path | str = MODEL_PATH):
        self.path = Path(path)
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    import joblib

                    self._model = joblib.load(self.path)
        return self._model

    @property
    def classes_(self) -> list[str]:
        return [str(c) for c in self.model.classes_]

    def predict_proba_rows(self, rows: Sequence[dict[str, str]]) -> list[dict[str, float]]:
        if not rows:
            return []
        probabilities = self.model.predict_proba(frame(rows))
        classes = self.classes_
        return [{c: float(p) for c, p in zip(classes, row)} for row in probabilities]

    def predict_proba(self, items: Sequence[tuple[Item, Section]]) -> list[dict[str, float]]:
        return self.predict_proba_rows([item_row(item, section) for item, section in items])

    def predict(self, items: Sequence[tuple[Item, Section]]) -> list[str]:
        return [max(p, key=p.get) for p in self.predict_proba(items)]


@lru_cache(maxsize=1)
def default_classifier() -> ItemRoleClassifier:
    """The shared classifier of the saved model (nothing is read until it is first used)."""
    return ItemRoleClassifier()
