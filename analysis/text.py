"""Sentiment and themes of short comments, offline.

Sentiment is VADER's compound score (Hutto & Gilbert 2014), whose lexicon ships inside the
``vaderSentiment`` package: nothing is downloaded. Themes are learned (:mod:`analysis.text_learning`)
with TF-IDF and non-negative matrix factorisation (scikit-learn) and stored as plain arrays (vocabulary,
idf, components), so any process can classify new comments here without the training data.

Nothing here touches a database: inputs are lists of strings, outputs frozen dataclasses and arrays.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .metrics import SENTIMENT_NEGATIVE_MAX

# VADER's own convention: a compound score at or below -0.05 is negative, at or above 0.05 positive.
NEGATIVE_BELOW = SENTIMENT_NEGATIVE_MAX
# How many of a theme's heaviest terms describe it (its name is made of the first few).
TOP_WORDS = 8
# A comment also gets a second (third...) theme only when it scores at least this share of its best one.
RELATIVE = 0.5


# Service-feedback words VADER's general lexicon lacks or reads otherwise (its -4..+4 scale). "promised"
# is neutral here: in feedback it comes in complaints ("nobody called back as promised"); "sorted" is
# British English for "resolved".
DOMAIN_LEXICON = {
    "unnoticed": -1.5, "freezes": -1.5, "freeze": -1.2, "crashing": -1.8, "crashes": -1.8, "crashed": -1.8,
    "outdated": -1.2, "overcharged": -2.0, "unhelpful": -1.8, "understaffed": -1.5, "short-staffed": -1.5,
    "stretched": -0.8, "late": -0.8, "slow": -1.0, "unresolved": -1.5, "promised": 0.0, "promise": 0.0,
    "sorted": 1.0, "listened": 1.0, "quick": 1.0,
}


@lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(DOMAIN_LEXICON)
    return analyzer


def sentiment(texts) -> np.ndarray:
    """Sentiment of each text, from -1 (very negative) to +1 (very positive).

    Parameters
    ----------
    texts : sequence of str
        The comments; empty or blank texts score 0.

    Returns
    -------
    numpy.ndarray
        One float per text, VADER's compound score in [-1, 1] (its lexicon plus DOMAIN_LEXICON).
    """
    score = _analyzer().polarity_scores
    return np.array([score(t)["compound"] if t and t.strip() else 0.0 for t in texts], dtype=float)


# scikit-learn's English stop words (the Glasgow list) hold words that carry meaning in feedback.
KEPT_WORDS = frozenset({"bill", "call", "system", "amount", "detail", "fire", "interest", "empty", "full", "find",
                        "found", "move", "back", "front", "top", "bottom", "side", "fill", "thin", "thick", "cry"})


@lru_cache(maxsize=1)
def _stop_words() -> tuple[str, ...]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return tuple(sorted(ENGLISH_STOP_WORDS - KEPT_WORDS))


def _vectorizer(min_df=1, vocabulary=None):
    from sklearn.feature_extraction.text import TfidfVectorizer

    # Sublinear tf: a word said twice in one comment is not twice the theme.
    return TfidfVectorizer(stop_words=list(_stop_words()), ngram_range=(1, 2), min_df=min_df, max_df=0.5,
                           sublinear_tf=True, max_features=5000, vocabulary=vocabulary,
                           token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b")


@dataclass(frozen=True, eq=False)
class TextModel:
    """A learned theme model: vocabulary, idf weights and one NMF component (row) per theme.

    Attributes
    ----------
    vocabulary : tuple of str
        The terms (words and two-word phrases), in column order.
    idf : numpy.ndarray
        Inverse document frequency of each term.
    components : numpy.ndarray
        k x len(vocabulary), non-negative: each theme's weight on each term.
    """

    vocabulary: tuple[str, ...]
    idf: np.ndarray
    components: np.ndarray

    @property
    def k(self) -> int:
        """Number of themes."""
        return int(self.components.shape[0])

    def top_words(self, index: int, n: int = TOP_WORDS) -> tuple[str, ...]:
        """The `n` heaviest terms of theme `index`, heaviest first."""
        row = self.components[index]
        order = np.argsort(-row, kind="stable")[:n]
        return tuple(self.vocabulary[i] for i in order if row[i] > 0)

    def to_bytes(self) -> bytes:
        """The model as an .npz archive (numpy.savez), readable by `TextModel.from_bytes`."""
        buf = io.BytesIO()
        np.savez(buf, vocabulary=np.array(self.vocabulary, dtype=str), idf=self.idf, components=self.components)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TextModel:
        """Read a model written by `to_bytes` (no pickled objects are allowed)."""
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            return cls(tuple(str(v) for v in z["vocabulary"]), z["idf"].astype(float), z["components"].astype(float))


@dataclass(frozen=True)
class Classification:
    """Themes of each text: component indices (best first) and their scores; empty when no theme is strong."""

    themes: tuple[tuple[int, ...], ...]
    scores: tuple[tuple[float, ...], ...]


@lru_cache(maxsize=8)
def _analyzer_for(vocabulary: tuple[str, ...]):
    """The tokenizer (lower case, stop words, words and bigrams) and term index of a vocabulary."""
    return _vectorizer().build_analyzer(), {t: i for i, t in enumerate(vocabulary)}


def tfidf(model: TextModel, texts):
    """The TF-IDF matrix of `texts` in the model's vocabulary (sparse, rows L2-normalised).

    The same numbers as scikit-learn's TfidfVectorizer.transform with the model's vocabulary and idf
    (sublinear tf, l2 norm), computed directly: the library's input checks cost milliseconds per call,
    more than the work itself for the one comment of a submission.
    """
    from scipy.sparse import csr_matrix

    analyze, index = _analyzer_for(model.vocabulary)
    indptr, indices, counts = [0], [], []
    for doc in texts:
        row: dict[int, int] = {}
        for term in analyze(doc or ""):
            j = index.get(term)
            if j is not None:
                row[j] = row.get(j, 0) + 1
        indices.extend(sorted(row))
        counts.extend(row[j] for j in sorted(row))
        indptr.append(len(indices))
    cols = np.array(indices, dtype=np.int64)
    data = (1.0 + np.log(np.array(counts, dtype=float))) * model.idf[cols] if cols.size else np.zeros(0)
    ptr = np.array(indptr, dtype=np.int64)
    rows = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=len(ptr) - 1))
    data = data / np.repeat(np.where(norms > 0, norms, 1.0), np.diff(ptr))
    return csr_matrix((data, cols, ptr), shape=(len(ptr) - 1, len(model.vocabulary)))


def classify(model: TextModel, texts, threshold: float = 0.1) -> Classification:
    """Assign each text the themes it is close to.

    Parameters
    ----------
    model : TextModel
        A learned model (from `learn_themes` or `TextModel.from_bytes`).
    texts : sequence of str
        The comments to classify.
    threshold : float
        Minimum cosine similarity between a comment's TF-IDF vector and a theme's component; a comment
        also gets every further theme scoring at least half its best one. None: no theme (a weak match).

    Returns
    -------
    Classification
        Per text, the theme indices (best first) and their scores.
    """
    x = tfidf(model, texts)
    norms = np.linalg.norm(model.components, axis=1)
    h = model.components / np.where(norms > 0, norms, 1.0)[:, None]
    s = np.asarray(x @ h.T)
    n = s.shape[0]
    if n == 0 or s.shape[1] == 0:
        return Classification(((),) * n, ((),) * n)
    best = s.max(axis=1)
    keep = (s >= threshold) & (s >= RELATIVE * best[:, None])
    rows, cols = np.nonzero(keep)
    themes: list[list[int]] = [[] for _ in range(n)]
    for r, c in zip(rows.tolist(), cols.tolist()):
        themes[r].append(c)
    out_t, out_s = [], []
    for r, ts in enumerate(themes):
        ts.sort(key=lambda c: -s[r, c])
        out_t.append(tuple(ts))
        out_s.append(tuple(round(float(s[r, c]), 6) for c in ts))
    return Classification(tuple(out_t), tuple(out_s))
