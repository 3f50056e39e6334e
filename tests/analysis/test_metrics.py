"""The metric vocabulary (analysis.metrics): the one definition the SQL rollups and the statistics share."""
from analysis import metrics


def test_favourable_is_the_top_two_points_or_the_bottom_two_when_reverse_keyed():
    # 5-point agreement: 4-5 favourable; 7-point: 6-7; reverse-keyed 5-point: 1-2 (README, Scores).
    assert [v for v in range(1, 6) if metrics.is_favourable(v, 1, 5)] == [4, 5]
    assert [v for v in range(1, 8) if metrics.is_favourable(v, 1, 7)] == [6, 7]
    assert [v for v in range(1, 6) if metrics.is_favourable(v, 1, 5, reverse=True)] == [1, 2]


def test_promoters_and_detractors_follow_reichheld():
    # Reichheld (2003): promoters 9-10, passives 7-8, detractors 0-6.
    assert [v for v in range(11) if metrics.is_promoter(v)] == [9, 10]
    assert [v for v in range(11) if metrics.is_detractor(v)] == list(range(7))
    assert [v for v in range(11) if not metrics.is_promoter(v) and not metrics.is_detractor(v)] == [7, 8]
