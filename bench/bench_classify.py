"""Benchmark: classifying 100,000 generated comments with a learned theme model.

Generates 100,000 short comments with a fixed seed from phrase banks on eight topics (queues, bills,
staff, refunds, app, delivery, parking, cleanliness) with filler words, learns themes from them
(``analysis.text_learning.learn_themes``, automatic k), then times, in the same run:

- ``analysis.text.classify`` of all 100,000 comments (TF-IDF in the model's vocabulary, cosine with
  every theme, the themes per comment), and ``analysis.text.sentiment`` of them (VADER);
- baseline: scikit-learn's ``TfidfVectorizer.transform`` of the same texts alone, with the model's
  vocabulary and idf (the cheapest way to turn the texts into the same matrix).

Figure: median seconds of ``classify``; ratio = classify / baseline (target <= 2x: the theme scoring
and the per-comment lists should cost less than the tokenising both do). Sentiment is reported with the
same baseline and no target. Run from the repository root::

    python bench/bench_classify.py
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_reports import Row, table  # noqa: E402

from analysis import text, text_learning  # noqa: E402

N, RUNS, TARGET = 100_000, 3, 2.0
TOPICS = (
    ("the queue was long", "waited forty minutes", "long wait at the counter", "the line barely moved"),
    ("the bill was wrong", "price higher than quoted", "unexpected charges on my bill", "billing is confusing"),
    ("friendly staff", "the staff were helpful", "kind and patient staff", "staff went out of their way"),
    ("refund took weeks", "still waiting for my refund", "the refund process is slow", "refund was refused"),
    ("the app keeps crashing", "cannot log in to the app", "app update broke everything", "app is slow"),
    ("delivery was late", "parcel arrived damaged", "courier never came", "delivery slot missed"),
    ("no parking spaces", "parking is expensive", "car park was full", "parking was easy"),
    ("the store was dirty", "toilets were not clean", "spotless and tidy", "floor was sticky"),
)
FILLER = ("today", "again", "honestly", "as usual", "this time", "I think", "really", "to be fair", "")


def corpus(n: int = N, seed: int = 2026) -> list[str]:
    """`n` comments, each one or two topic phrases with filler, reproducible from `seed`."""
    rng = np.random.default_rng(seed)
    topic = rng.integers(0, len(TOPICS), size=(n, 2))
    phrase = rng.integers(0, 4, size=(n, 2))
    second = rng.random(n) < 0.3
    fill = rng.integers(0, len(FILLER), size=n)
    out = []
    for i in range(n):
        parts = [TOPICS[topic[i, 0]][phrase[i, 0]]]
        if second[i]:
            parts.append(TOPICS[topic[i, 1]][phrase[i, 1]])
        out.append(f"{' and '.join(parts)} {FILLER[fill[i]]}".strip().capitalize() + ".")
    return out


def _median(fn, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure(n: int = N) -> tuple[list[str], list[Row]]:
    """Learn on the generated comments, then time classify, sentiment and the TF-IDF baseline."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = corpus(n)
    t = time.perf_counter()
    learned = text_learning.learn_themes(texts, seed=1)
    learn = time.perf_counter() - t
    model = learned.model
    vec = TfidfVectorizer(stop_words=list(text._stop_words()), ngram_range=(1, 2), sublinear_tf=True,
                          token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b",
                          vocabulary={w: i for i, w in enumerate(model.vocabulary)})
    vec.idf_ = model.idf
    baseline = _median(lambda: vec.transform(texts))
    found = text.classify(model, texts[:1000])  # warm the analyzer cache before timing
    classify = _median(lambda: text.classify(model, texts))
    sentiment = _median(lambda: text.sentiment(texts), runs=1)
    found = text.classify(model, texts)
    none = sum(1 for ts in found.themes if not ts)
    context = [f"data: {n:,} generated comments on {len(TOPICS)} topics; learned k={model.k} in {learn:.1f} s "
               f"(trained on {learned.n_trained:,}); {none:,} comments got no theme",
               "themes: " + " | ".join(t.name for t in learned.themes)]
    rows = [Row(f"classify {n:,} comments", classify, baseline, f"<= {TARGET:.0f}x", classify <= TARGET * baseline),
            Row(f"sentiment {n:,} comments (VADER)", sentiment, baseline, "", None)]
    return context, rows


def main() -> int:
    context, rows = measure()
    for line in context:
        print(line)
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
