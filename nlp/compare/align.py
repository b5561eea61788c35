"""Alignment of child items to parent items: TF-IDF over segmented words plus character n-grams.

``Aligner`` follows the scikit-learn estimator conventions: parameters stored by ``__init__``,
``fit(parent_texts)`` learns the vocabularies and parent vectors (attributes ending in ``_``) and
returns self; ``score`` gives the child x parent similarity matrix, ``assign`` the best parent of
each child with its score (None below the threshold).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Optional, Sequence

import numpy as np

from nlp.compare.config import settings

# Old and new placement of the tone mark on 'oa', 'oe', 'uy' (hoá/hóa, thuỷ/thủy): one spelling.
_TONE_MOVES = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}


@lru_cache(maxsize=1)
def _abbreviation_pattern():
    table = settings()["abbreviations"]
    keys = sorted(table, key=len, reverse=True)
    pattern = re.compile(r"(?<![\wĐđ])(" + "|".join(re.escape(k) for k in keys) + r")(?![\wĐđ])")
    return pattern, table


@lru_cache(maxsize=100_000)
def normalise_text(text: str) -> str:
    """NFC, abbreviations written out, one tone-mark spelling, lowercase, single spaces."""
    text = unicodedata.normalize("NFC", text or "")
    pattern, table = _abbreviation_pattern()
    text = pattern.sub(lambda m: table[m.group(1)], text)
    text = text.lower()
    for old, new in _TONE_MOVES.items():
        # "qu" is one consonant: "quý" keeps its spelling (regression: quý became qúy)
        text = re.sub(rf"(?<!q){old}", new, text) if old.startswith("u") else text.replace(old, new)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=50_000)
def segment(text: str) -> str:
    """underthesea word segmentation ('khoa_học công_nghệ'), cached: the same texts recur across runs."""
    from underthesea import word_tokenize

    return word_tokenize(normalise_text(text), format="text")


_WORD_TOKEN = r"(?u)[^\s,.;:()\[\]\"“”'’/\-–—…+!?]+"


class Aligner:
    def __init__(self, word_weight: Optional[float] = None, char_ngram_range: Optional[tuple[int, int]] = None,
                 threshold: float = 0.3):
        self.word_weight = word_weight
        self.char_ngram_range = char_ngram_range
        self.threshold = threshold

    def _params(self) -> tuple[float, tuple[int, int]]:
        conf = settings()["aligner"]
        weight = conf["word_weight"] if self.word_weight is None else self.word_weight
        ngrams = tuple(conf["char_ngram_range"]) if self.char_ngram_range is None else tuple(self.char_ngram_range)
        return float(weight), ngrams

    def fit(self, parent_texts: Sequence[str]) -> "Aligner":
        from sklearn.feature_extraction.text import TfidfVectorizer

        weight, ngrams = self._params()
        texts = list(parent_texts)
        self.n_parents_ = len(texts)
        if not texts:
            return self
        self.word_vectorizer_ = TfidfVectorizer(token_pattern=_WORD_TOKEN, sublinear_tf=True, lowercase=False)
        self.char_vectorizer_ = TfidfVectorizer(analyzer="char_wb", ngram_range=ngrams, sublinear_tf=True, lowercase=False)
        self.parent_words_ = self.word_vectorizer_.fit_transform([segment(t) for t in texts])
        self.parent_chars_ = self.char_vectorizer_.fit_transform([normalise_text(t) for t in texts])
        return self

    def score(self, child_texts: Sequence[str]) -> np.ndarray:
        """Similarity in [0, 1] of every child text to every parent text (rows: children)."""
        texts = list(child_texts)
        if not texts or not getattr(self, "n_parents_", 0):
            return np.zeros((len(texts), getattr(self, "n_parents_", 0)))
        weight, _ = self._params()
        words = self.word_vectorizer_.transform([segment(t) for t in texts])
        chars = self.char_vectorizer_.transform([normalise_text(t) for t in texts])
        sim = weight * (words @ self.parent_words_.T).toarray() + (1 - weight) * (chars @ self.parent_chars_.T).toarray()
        return np.clip(sim, 0.0, 1.0)

    def assign(self, child_texts: Sequence[str]) -> list[tuple[Optional[int], float]]:
        """Best parent index of each child and its score; index None where the score is below threshold."""
        sim = self.score(child_texts)
        out = []
        for row in sim:
            if row.size == 0:
                out.append((None, 0.0))
                continue
            best = int(row.argmax())
            out.append((best if row[best] >= self.threshold else None, float(row[best])))
        return out


@lru_cache(maxsize=256)
def fitted_aligner(parent_texts: tuple[str, ...]) -> Aligner:
    """An Aligner fitted on these parent texts, shared: the bundled parents are the same for
    every child, so their vocabularies are learned once per process, not once per comparison."""
    return Aligner().fit(parent_texts)


def self_similarity(texts: Sequence[str]) -> np.ndarray:
    """Pairwise similarity of the items of one document (duplicates, conflicts): the vectors the fit
    made are the items' own, so they are compared as they are (segmenting and analysing them a second
    time to score them was half the comparison's time)."""
    if not texts:
        return np.zeros((0, 0))
    aligner = Aligner().fit(texts)
    weight, _ = aligner._params()
    words, chars = aligner.parent_words_, aligner.parent_chars_
    sim = weight * (words @ words.T).toarray() + (1 - weight) * (chars @ chars.T).toarray()
    return np.clip(sim, 0.0, 1.0)
