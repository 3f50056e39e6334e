"""analysis.text and text_learning: sentiment, themes learned with TF-IDF + NMF, classification, model bytes."""
from __future__ import annotations

import numpy as np
import pytest

from analysis import text, text_figures, text_learning
from tests.analysis.text_corpus import CORPUS

TOPICS = {"wait": {"wait", "queue", "long"}, "price": {"price", "bill"}, "staff": {"friendly", "staff", "helpful"}}


@pytest.fixture(scope="module")
def learned():
    return text_learning.learn_themes(CORPUS, k=3, seed=1)


def _topic_of(theme) -> str:
    # The topic whose known words fill most of the theme's top three words.
    top = set(" ".join(theme.words[:3]).split())
    return max(TOPICS, key=lambda t: len(TOPICS[t] & top))


def test_clearly_positive_and_negative_sentences_score_on_the_right_side():
    scores = text.sentiment(["The staff were wonderful, kind and helpful.", "Great service, thank you!",
                             "Terrible service, rude staff and an awful wait.", "I am very angry about the bill.",
                             "", "The form has three pages."])
    assert scores[0] > 0.5 and scores[1] > 0.5
    assert scores[2] < -0.5 and scores[3] < -0.3
    assert scores[4] == 0.0 and abs(scores[5]) < 0.05  # blank and neutral
    assert np.all((scores >= -1) & (scores <= 1))


def test_three_known_topics_come_back_as_three_themes_named_by_their_words(learned):
    assert learned.model.k == 3 and learned.n_documents == len(CORPUS)
    topics = [_topic_of(t) for t in learned.themes]
    assert sorted(topics) == ["price", "staff", "wait"]
    for theme, topic in zip(learned.themes, topics):
        assert set(" ".join(theme.words[:3]).split()) & TOPICS[topic]
        assert theme.name == ", ".join(theme.name.split(", ")) and theme.name.split(", ")[0] == theme.words[0]


def test_new_sentences_land_on_the_right_theme_and_weak_ones_on_none(learned):
    index = {_topic_of(t): t.index for t in learned.themes}
    found = text.classify(learned.model, ["I waited in a very long queue", "The bill price was wrong",
                                          "Such friendly staff", "Parking outside was fine"], threshold=0.1)
    assert found.themes[0][0] == index["wait"]
    assert found.themes[1][0] == index["price"]
    assert found.themes[2][0] == index["staff"]
    assert found.themes[3] == ()  # no known word: no theme
    assert all(s >= 0.1 for scores in found.scores for s in scores)


def test_automatic_k_is_deterministic_with_a_seed_and_finds_the_three_topics():
    a = text_learning.learn_themes(CORPUS, seed=3)
    b = text_learning.learn_themes(CORPUS, seed=3)
    assert [t.words for t in a.themes] == [t.words for t in b.themes]
    assert np.array_equal(a.model.components, b.model.components)
    assert {_topic_of(t) for t in a.themes} == {"wait", "price", "staff"}


def test_a_model_round_trips_through_bytes(learned):
    data = learned.model.to_bytes()
    back = text.TextModel.from_bytes(data)
    assert back.vocabulary == learned.model.vocabulary
    assert np.array_equal(back.idf, learned.model.idf) and np.array_equal(back.components, learned.model.components)
    sentences = ["long queue", "price on the bill", "friendly staff"]
    assert text.classify(back, sentences) == text.classify(learned.model, sentences)


def test_too_few_words_is_a_clear_error():
    with pytest.raises(ValueError, match="too few distinct words"):
        text_learning.learn_themes(["the", "a", "and"], k=2)


def test_sentiment_summary_matches_a_hand_worked_wilson_interval():
    # 4 negative of 10: p = 0.4, z = 1.96; centre = (0.4 + 0.19208) / 1.38416 = 0.42776,
    # half = 1.96 * sqrt(0.024 + 0.0096040) / 1.38416 = 0.25957 -> (0.1682, 0.6873).
    s = text_figures.summarise_sentiment(10, -3.0, 4)
    assert s.mean == pytest.approx(-0.3) and s.negative_share == pytest.approx(0.4)
    assert s.low == pytest.approx(0.1682, abs=1e-4) and s.high == pytest.approx(0.6873, abs=1e-4)
    assert text_figures.summarise_sentiment(0, 0.0, 0).mean is None


def test_theme_names_skip_words_already_in_a_chosen_phrase():
    assert text_learning.theme_name(["long wait", "wait", "long", "queue", "door"]) == "long wait, queue, door"


def test_tfidf_equals_scikit_learns_transform_with_the_same_vocabulary_and_idf(learned):
    from sklearn.feature_extraction.text import TfidfVectorizer

    model = learned.model
    vec = TfidfVectorizer(stop_words=list(text._stop_words()), ngram_range=(1, 2), sublinear_tf=True,
                          token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b",
                          vocabulary={t: i for i, t in enumerate(model.vocabulary)})
    vec.idf_ = model.idf
    docs = CORPUS + ["", "nothing known here", "queue queue queue bill", "Friendly staff, long wait"]
    assert np.allclose(text.tfidf(model, docs).toarray(), vec.transform(docs).toarray())


def test_weekly_volume_sums_days_into_monday_weeks():
    import datetime as dt

    import pandas as pd

    daily = pd.DataFrame({"day": [dt.date(2026, 11, 2), dt.date(2026, 11, 8), dt.date(2026, 11, 9)],
                          "theme_id": [1, 1, 1], "n": [2, 3, 1], "sentiment_sum": [1.0, -2.0, 0.5],
                          "negative": [0, 2, 0]})
    weeks = text_figures.weekly_volume(daily)
    assert weeks["week"].tolist() == ["2026-11-02", "2026-11-09"]  # Monday 2 Nov to Sunday 8 Nov is one week
    assert weeks["n"].tolist() == [5, 1] and weeks["mean_sentiment"].tolist() == pytest.approx([-0.2, 0.5])
