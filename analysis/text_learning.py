"""Learning themes from short comments: TF-IDF and NMF, the number of themes, and names from top words.

The model learned here (:class:`analysis.text.TextModel`) is plain arrays; :func:`analysis.text.classify`
labels new comments with it. Nothing here touches a database: inputs are lists of strings, outputs frozen
dataclasses and arrays.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .text import TextModel, _vectorizer

# Training on more comments than this adds little to the themes and costs time: a seeded sample is used.
MAX_TRAIN = 20_000
# Automatic k: the candidates tried, and what makes a candidate acceptable (see learn_themes).
AUTO_K = range(3, 13)
AUTO_SAMPLE = 5_000
DISTINCT_OVERLAP = 0.2
MIN_SHARE = 0.02


@dataclass(frozen=True)
class Theme:
    """One learned theme: its component index, top words and a name made of them."""

    index: int
    words: tuple[str, ...]
    name: str


@dataclass(frozen=True, eq=False)
class LearnedThemes:
    """The result of `learn_themes`: the model, its themes, and on how many comments it was learned."""

    model: TextModel
    themes: tuple[Theme, ...]
    n_documents: int
    n_trained: int
    k_tried: tuple[int, ...] = field(default=())


def theme_name(words, n: int = 3) -> str:
    """A readable name from top words: the first `n` terms, skipping words already inside a chosen phrase.

    Parameters
    ----------
    words : sequence of str
        A theme's terms, heaviest first (see ``TextModel.top_words``).
    n : int
        How many terms the name holds at most.

    Returns
    -------
    str
        The chosen terms joined by ", ".
    """
    chosen: list[str] = []
    for w in words:
        parts = set(w.split())
        if any(parts <= set(c.split()) or set(c.split()) <= parts for c in chosen):
            continue
        chosen.append(w)
        if len(chosen) == n:
            break
    return ", ".join(chosen)


def _overlap(a, b) -> float:
    a, b = set(a), set(b)
    return len(a & b) / len(a | b) if a | b else 0.0


def fit_nmf(x, k: int, seed: int):
    """NMF with `k` components of a TF-IDF matrix: (document weights, components), seeded.

    Parameters
    ----------
    x : scipy.sparse matrix
        Documents x terms, non-negative.
    k : int
        Number of components.
    seed : int
        Seeds the initialisation (nndsvda) so the same input gives the same result.

    Returns
    -------
    tuple of numpy.ndarray
        W (documents x k) and H (k x terms).
    """
    from sklearn.decomposition import NMF

    nmf = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=400, tol=1e-4)
    w = nmf.fit_transform(x)
    return w, nmf.components_


def _acceptable(model: TextModel, w: np.ndarray) -> bool:
    """Distinct themes (top words overlap little) that each lead a fair share of comments."""
    tops = [model.top_words(i, 10) for i in range(model.k)]
    if any(_overlap(tops[i], tops[j]) > DISTINCT_OVERLAP for i in range(len(tops)) for j in range(i)):
        return False
    has = w.max(axis=1) > 0
    if not has.any():
        return False
    lead = np.bincount(w[has].argmax(axis=1), minlength=model.k) / has.sum()
    return bool(lead.min() >= MIN_SHARE)


def learn_themes(texts, k: int | None = None, seed: int = 0, min_df: int | None = None) -> LearnedThemes:
    """Learn themes from comments with TF-IDF (English stop words, words and bigrams) and NMF.

    Parameters
    ----------
    texts : sequence of str
        The comments (blank ones are ignored).
    k : int, optional
        Number of themes. None chooses it: the largest k in 3..12 whose themes are distinct (top-10
        word overlap, Jaccard, at most 0.2) and each lead at least 2% of the comments (judged on a
        seeded sample of at most 5,000 comments); 3 if none is.
    seed : int
        Seeds the training sample and NMF's initialisation: the same texts and seed give the same model.
    min_df : int, optional
        Minimum number of comments a term must appear in; default 2, or 1 for fewer than 50 comments.

    Returns
    -------
    LearnedThemes
        The model (serialisable with ``model.to_bytes()``) and the themes named by their top words.

    Raises
    ------
    ValueError
        When the comments hold too few distinct words to learn `k` themes.
    """
    docs = [t for t in texts if t and t.strip()]
    rng = np.random.default_rng(seed)
    train = docs if len(docs) <= MAX_TRAIN else [docs[i] for i in np.sort(rng.choice(len(docs), MAX_TRAIN, False))]
    if min_df is None:
        min_df = 1 if len(train) < 50 else 2
    vec = _vectorizer(min_df=min_df)
    try:
        x = vec.fit_transform(train)
    except ValueError as exc:
        raise ValueError(f"The comments hold too few distinct words to learn themes ({exc}).") from None
    vocabulary = tuple(vec.get_feature_names_out())
    if k is not None and (k < 1 or k > min(x.shape)):
        raise ValueError(f"Cannot learn {k} themes from {len(train)} comments with {len(vocabulary)} terms.")
    tried: list[int] = []
    if k is None:
        # k is chosen on a seeded sample of at most AUTO_SAMPLE comments (ten fits), then fitted once on all.
        sample = x if x.shape[0] <= AUTO_SAMPLE else x[np.sort(rng.choice(x.shape[0], AUTO_SAMPLE, False))]
        k = min(3, min(x.shape))
        for cand in AUTO_K:
            if cand > min(sample.shape):
                break
            tried.append(cand)
            w, h = fit_nmf(sample, cand, seed)
            if _acceptable(TextModel(vocabulary, vec.idf_.copy(), h), w):
                k = cand
    model = TextModel(vocabulary, vec.idf_.copy(), fit_nmf(x, k, seed)[1])
    themes = tuple(Theme(i, model.top_words(i), theme_name(model.top_words(i))) for i in range(model.k))
    return LearnedThemes(model, themes, len(docs), len(train), tuple(tried))


def match_overlap(old_words, new_words) -> float:
    """Jaccard overlap of two themes' top words (0: nothing shared, 1: the same words).

    Parameters
    ----------
    old_words, new_words : iterable of str
        The two themes' top words.

    Returns
    -------
    float
        Shared words over all words of the two; 0 when both are empty.
    """
    return _overlap(old_words, new_words)
