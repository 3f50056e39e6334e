"""Scores from sums (analysis.summaries) against hand-worked values."""
import math

import numpy as np
import pytest

from analysis import summaries
from analysis.summaries import Sums, estimate
from analysis.summaries_many import difference_many, estimate_many


def test_share_is_the_wilson_interval():
    # Hand-worked Wilson interval (Newcombe 1998, method 3): p = 0.8, n = 50, z = 1.96
    # centre = (0.8 + z²/100) / (1 + z²/50) = 0.778594; half = z·√(0.0032 + z²/10000) / 1.076832 = 0.108969
    est = summaries.share(40, 50)
    assert est.value == pytest.approx(80.0)
    assert est.ci_low == pytest.approx(66.9625, abs=1e-3)
    assert est.ci_high == pytest.approx(88.7563, abs=1e-3)
    assert est.n == 50


def test_net_score_uses_the_multinomial_margin():
    # 5 promoters, 3 passives, 2 detractors of 10: NPS 30, SE = 100·√((0.5 + 0.2 − 0.3²)/10) = 24.698
    est = summaries.estimate(Sums("net", 10, 5 - 2, 5 + 2, 100.0))
    assert est.value == pytest.approx(30.0)
    half = 1.959964 * 100 * math.sqrt((0.5 + 0.2 - 0.09) / 10)
    assert est.ci_low == pytest.approx(30 - half, abs=1e-3)
    assert est.ci_high == pytest.approx(30 + half, abs=1e-3)


def test_mean_uses_the_t_interval():
    # 1..5: mean 3, sd 1.5811, t(0.975, 4) = 2.776445 -> half-width 1.9632
    values = [1, 2, 3, 4, 5]
    est = summaries.estimate(Sums("mean", 5, sum(values), sum(v * v for v in values)))
    assert est.value == pytest.approx(3.0)
    assert (est.ci_low, est.ci_high) == pytest.approx((1.0368, 4.9632), abs=1e-4)
    assert est.sd == pytest.approx(1.58114, abs=1e-5)


def test_empty_group_is_nan():
    est = summaries.estimate(Sums("mean", 0, 0, 0))
    assert math.isnan(est.value) and est.n == 0


def test_sums_add_and_subtract_and_refuse_mixing():
    a, b = Sums("mean", 3, 6, 14), Sums("mean", 2, 9, 41)
    assert (a + b) - b == a
    with pytest.raises(ValueError):
        a + Sums("share", 1, 1, 0, 100.0)
    with pytest.raises(ValueError):
        Sums("median", 1, 1)


def test_difference_of_shares_is_newcombe():
    # Newcombe (1998) Table II example (e): 56/70 vs 48/80 -> difference 0.2, interval 0.0524 to 0.3339
    res = summaries.difference(Sums("share", 70, 56, 0, 100.0), Sums("share", 80, 48, 0, 100.0))
    assert res.change == pytest.approx(20.0)
    assert (res.ci_low, res.ci_high) == pytest.approx((5.24, 33.39), abs=0.01)
    assert res.significant


def test_difference_of_means_is_welch():
    # Welch: group 2,4,6 (mean 4, var 4) minus reference 1,2,3 (mean 2, var 1): d = 2, se = √(4/3 + 1/3),
    # df = (5/3)² / ((4/3)²/2 + (1/3)²/2) = 2.9412, t(0.975, 2.9412) = 3.2188 -> 2 ± 4.1554
    g, r = [2, 4, 6], [1, 2, 3]
    res = summaries.difference(Sums("mean", 3, sum(g), sum(v * v for v in g)),
                               Sums("mean", 3, sum(r), sum(v * v for v in r)))
    assert res.change == pytest.approx(2.0)
    assert res.ci_high - res.change == pytest.approx(4.1554, abs=1e-3)
    assert not res.significant


def test_p_value_from_a_symmetric_interval():
    res = summaries.difference(Sums("net", 400, 120, 200, 100.0), Sums("net", 400, 40, 200, 100.0))
    assert res.significant
    assert summaries.p_value(res) < 0.05


def test_a_bounded_mean_keeps_its_interval_inside_the_scale():
    # 0, 0, 100 on a 0-100 index: mean 33.3, t interval -110 to 177 before the cut
    est = summaries.estimate(Sums("mean", 3, 100, 10_000, 1.0, (0.0, 100.0)))
    assert (est.ci_low, est.ci_high) == (0.0, 100.0)
    assert (Sums("mean", 1, 1, 1, 1.0, (1, 7)) + Sums("mean", 1, 2, 4, 1.0, (1, 7))).bounds == (1, 7)


# -- the vectorised counterparts (analysis.summaries_many) against the scalar functions they stand for:
# every field equal to the last bit on a seeded grid of random sums with the edge cases (n of 0, 1 and 2,
# fractional n, shares of 0 and 1, no spread, NaN sums).

SCALES = {"share": (100.0, None), "net": (100.0, None), "mean": (1.0, (1.0, 7.0))}


def _same(x, y) -> bool:
    """Equal to the last bit, NaN equal to NaN, and of the same type."""
    if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
        return True
    return type(x) is type(y) and x == y


def _scalar(call, size: int) -> list:
    """The scalar function's result for each element, None where it refuses the element (ValueError)."""
    out = []
    for i in range(size):
        try:
            out.append(call(i))
        except ValueError:
            out.append(None)
    return out


def _refused_alike(wants: list, many) -> np.ndarray:
    """The vectorised call refuses the whole array when the scalar refuses any element (a fractional n
    at a low confidence can make the Wilson root negative); the elements both accept."""
    keep = np.array([w is not None for w in wants])
    if not keep.all():
        with pytest.raises(ValueError):
            many()
    return keep


def _grid(kind: str, size: int, seed: int):
    """Random sums of one kind that a group of respondents can have, with the edge cases appended."""
    rng = np.random.default_rng(seed)
    n = rng.integers(0, 60, size).astype(float)
    n[: size // 10] = rng.choice([0.0, 1.0, 2.0, 3.0, 0.4, 1.5, 2.5, 7.7, 1000.0], size // 10)
    if kind == "share":
        s1 = rng.random(size) * n  # fractional sums of respondents' shares, and whole counts
        s1[::2] = np.floor(s1[::2])
        s1[rng.random(size) < 0.15] = 0.0
        full = rng.random(size) < 0.15
        s1[full] = n[full]  # a share of 1
        s2 = np.zeros(size)
    elif kind == "net":
        prom = np.floor(rng.random(size) * (n + 1))
        det = np.floor(rng.random(size) * (n - prom + 1))
        s1, s2 = prom - det, prom + det
    else:
        m = 1 + 6 * rng.random(size)
        spread = rng.random(size) * 2 * (rng.random(size) < 0.8)  # some groups all give the same score
        s1, s2 = m * n, (m * m + spread) * n
    s1[-3:], s2[-3:] = np.nan, [np.nan, 0.0, np.nan]
    n[-3:] = [5.0, 5.0, 1.0]
    return n, s1, s2


@pytest.mark.parametrize("confidence", [0.95, 0.9, 0.99])
@pytest.mark.parametrize("kind", ["share", "net", "mean"])
def test_estimate_many_is_the_scalar_estimate(kind, confidence):
    scale, bounds = SCALES[kind]
    n, s1, s2 = _grid(kind, 600, seed=7)
    wants = _scalar(lambda i: estimate(Sums(kind, float(n[i]), float(s1[i]), float(s2[i]), scale, bounds),
                                       confidence), len(n))
    keep = _refused_alike(wants, lambda: estimate_many(kind, n, s1, s2, scale, bounds, confidence))
    many = estimate_many(kind, n[keep], s1[keep], s2[keep], scale, bounds, confidence)
    results = many.results()
    for i, want in enumerate(w for w in wants if w is not None):
        for got in (many.at(i), results[i]):
            for field in ("value", "ci_low", "ci_high", "n", "sd", "kind", "confidence"):
                assert _same(getattr(got, field), getattr(want, field)), (i, field, got, want)


@pytest.mark.parametrize("confidence", [0.95, 0.8])
@pytest.mark.parametrize("kind", ["share", "net", "mean"])
def test_difference_many_is_the_scalar_difference(kind, confidence):
    scale, bounds = SCALES[kind]
    n, s1, s2 = _grid(kind, 600, seed=11)
    rn, r1, r2 = _grid(kind, 600, seed=12)
    if kind == "share":  # NaN shares are refused by both (proportion_change checks its percents)
        s1, r1 = np.nan_to_num(s1), np.nan_to_num(r1)
    wants = _scalar(lambda i: summaries.difference(
        Sums(kind, float(n[i]), float(s1[i]), float(s2[i]), scale, bounds),
        Sums(kind, float(rn[i]), float(r1[i]), float(r2[i]), scale, bounds), confidence), len(n))
    keep = _refused_alike(wants, lambda: difference_many(kind, n, s1, s2, rn, r1, r2, scale, confidence))
    many = difference_many(kind, n[keep], s1[keep], s2[keep], rn[keep], r1[keep], r2[keep], scale, confidence)
    results = many.results()
    for i, want in enumerate(w for w in wants if w is not None):
        for got in (many.at(i), results[i]):
            for field in ("change", "ci_low", "ci_high", "n_before", "n_after", "significant", "method"):
                assert _same(getattr(got, field), getattr(want, field)), (i, field, got, want)


def test_the_grid_reaches_the_edge_cases():
    n, s1, _ = _grid("share", 600, seed=11)
    assert {0.0, 1.0, 2.0, 0.4}.issubset(set(n.tolist()))
    assert ((s1 == 0) & (n > 0)).any() and ((s1 == n) & (n > 0)).any()


def test_many_refuses_what_the_scalar_refuses():
    with pytest.raises(ValueError):
        estimate_many("share", [np.nan], [1.0])
    with pytest.raises(ValueError):
        estimate_many("ratio", [3.0], [1.0])
    with pytest.raises(ValueError):  # a share above 100%: proportion_change refuses it
        difference_many("share", [3.0], [4.0], None, [3.0], [1.0], None, 100.0)
    with pytest.raises(ValueError):
        estimate_many("mean", [3.0], [1.0], [1.0], confidence=1.5)
