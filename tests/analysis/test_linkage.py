"""Correlations, Benjamini-Hochberg, power and the linkage matrix."""
import math
import time
from dataclasses import asdict

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analysis.linkage import benjamini_hochberg, correlate, linkage_matrix, min_detectable_r

# R's ?cor.test example (Hollander & Wolfe, 1973, p. 187).
X = [44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1]
Y = [2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8]


def test_pearson_matches_r_cor_test_example():
    # R: t = 1.8411, df = 7, p-value = 0.1082, 95% CI -0.1497426 0.8955795, cor 0.5711816.
    res = correlate(X, Y)
    assert res.r == pytest.approx(0.5711816, abs=1e-7)
    assert res.ci_low == pytest.approx(-0.1497426, abs=1e-7)
    assert res.ci_high == pytest.approx(0.8955795, abs=1e-7)
    assert res.p_value == pytest.approx(0.1082, abs=5e-5)
    assert res.n == 9 and res.method == "pearson"


def test_spearman_r_and_bonett_wright_interval():
    # R's ?cor.test gives rho = 0.6 for the same data. The p-value here is the
    # t approximation (as scipy.stats.spearmanr), not R's exact 0.0968.
    res = correlate(X, Y, method="spearman")
    assert res.r == pytest.approx(0.6)
    assert res.p_value == pytest.approx(stats.spearmanr(X, Y).pvalue)
    se = math.sqrt((1 + 0.6 ** 2 / 2) / (9 - 3))  # Bonett & Wright (2000)
    assert res.ci_low == pytest.approx(math.tanh(math.atanh(0.6) - 1.959964 * se), abs=1e-6)
    assert res.ci_high == pytest.approx(math.tanh(math.atanh(0.6) + 1.959964 * se), abs=1e-6)


def test_correlate_pairwise_complete_and_ties():
    x = [1, 2, 2, 3, None, 5, 6]
    y = [2, 1, 4, 3, 9, np.nan, 7]
    res = correlate(x, y, method="spearman")
    keep = [0, 1, 2, 3, 6]
    assert res.n == 5
    assert res.r == pytest.approx(stats.spearmanr([x[i] for i in keep], [y[i] for i in keep]).statistic)


def test_correlate_edge_cases():
    assert math.isnan(correlate([1, 2], [2, 1]).r)  # n < 3
    three = correlate([1, 2, 3], [1, 3, 2])
    assert not math.isnan(three.r) and math.isnan(three.ci_low)  # n < 4: no interval
    assert math.isnan(correlate([1, 1, 1, 1], [1, 2, 3, 4]).r)  # zero variance
    perfect = correlate([1, 2, 3, 4, 5], [2, 4, 6, 8, 10])
    assert perfect.r == pytest.approx(1.0) and perfect.p_value == pytest.approx(0.0)
    with pytest.raises(ValueError):
        correlate([1, 2, 3], [1, 2])
    with pytest.raises(ValueError):
        correlate(X, Y, method="kendall")
    wide = correlate(X, Y, confidence=0.99)
    assert wide.ci_low < correlate(X, Y).ci_low


def test_benjamini_hochberg_hand_worked_and_against_statsmodels():
    # Sorted 0.005, 0.01, 0.03, 0.04 (m = 4): 0.02, 0.02, 0.04, 0.04 after the step-up minimum.
    assert benjamini_hochberg([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    rng = np.random.default_rng(1)
    p = rng.uniform(size=50) ** 3
    assert benjamini_hochberg(p) == pytest.approx(multipletests(p, method="fdr_bh")[1])


def test_benjamini_hochberg_published_example():
    # Benjamini & Hochberg (1995), section 4: 15 p-values; at FDR 0.05 the
    # procedure rejects the four smallest (p <= 0.0095).
    p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459,
         0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000]
    q = benjamini_hochberg(p)
    assert int((q < 0.05).sum()) == 4
    assert q[3] == pytest.approx(0.0095 * 15 / 4)


def test_benjamini_hochberg_nan_and_bounds():
    q = benjamini_hochberg([0.01, np.nan, 0.02])
    assert math.isnan(q[1]) and q[0] == pytest.approx(0.02) and q[2] == pytest.approx(0.02)
    assert benjamini_hochberg([]).size == 0
    with pytest.raises(ValueError):
        benjamini_hochberg([1.2])


def test_min_detectable_r_matches_statistics_md():
    # README, Statistical definitions: about .59 at 20 units, .39 at 50, .28 at 100 (80% power, alpha .05).
    assert round(min_detectable_r(20), 2) == 0.59
    assert round(min_detectable_r(50), 2) == 0.39
    assert round(min_detectable_r(100), 2) == 0.28
    assert round(min_detectable_r(30), 2) == 0.49
    assert math.isnan(min_detectable_r(3))
    assert min_detectable_r(50, power=0.9) > min_detectable_r(50)


def _units(n_units=120, waves=4, seed=3, effect=0.6):
    """Planted lag-1 link engagement -> csat; 'null_dim' unrelated to anything."""
    rng = np.random.default_rng(seed)
    rows, prev = [], None
    for w in range(1, waves + 1):
        eng = rng.normal(size=n_units)
        csat = rng.normal(size=n_units) + (effect * prev if prev is not None else 0)
        rows.append(pd.DataFrame({"unit": np.arange(n_units), "wave": w, "engagement": eng,
                                  "null_dim": rng.normal(size=n_units), "csat": csat,
                                  "nps": rng.normal(size=n_units)}))
        prev = eng
    return pd.concat(rows, ignore_index=True)


def test_linkage_matrix_finds_planted_lag1_link_and_not_the_null():
    units = _units()
    rep = linkage_matrix(units, ["engagement", "null_dim"], ["csat", "nps"], lags=(0, 1))
    hit = rep.row("engagement", "csat", 1)
    assert hit.linked and hit.r > 0.3 and hit.q_value < 0.05
    assert "following wave" in hit.sentence and "association, not cause" in hit.sentence
    assert not rep.row("null_dim", "csat", 1).linked
    assert not rep.row("engagement", "csat", 1).reverse_linked
    assert len(rep.rows) == 8 and rep.n_tests == 12  # 8 forward + 4 reverse at lag 1


def test_linkage_rows_match_correlate_on_explicit_join():
    units = _units(n_units=60, waves=3)
    units.loc[units.sample(frac=0.1, random_state=0).index, "csat"] = np.nan
    for method in ("pearson", "spearman"):
        rep = linkage_matrix(units, ["engagement"], ["csat"], lags=(1,), method=method)
        row = rep.rows[0]
        a = units[["unit", "wave", "engagement"]]
        b = units[["unit", "wave", "csat"]].assign(wave=lambda d: d.wave - 1)
        j = a.merge(b, on=["unit", "wave"])
        ref = correlate(j["engagement"], j["csat"], method=method)
        assert (row.r, row.ci_low, row.p_value, row.n) == pytest.approx((ref.r, ref.ci_low, ref.p_value, ref.n))
        # Reverse: CX at t with EX at t + 1.
        c = units[["unit", "wave", "csat"]]
        e = units[["unit", "wave", "engagement"]].assign(wave=lambda d: d.wave - 1)
        jr = c.merge(e, on=["unit", "wave"])
        rev = correlate(jr["csat"], jr["engagement"], method=method)
        assert row.reverse_r == pytest.approx(rev.r) and row.reverse_n == rev.n


def test_linkage_q_values_are_one_bh_family():
    rep = linkage_matrix(_units(), ["engagement", "null_dim"], ["csat", "nps"], lags=(0, 1))
    df = rep.to_frame()
    lag0 = df[df.lag == 0]
    # For lag 0 the reverse test is the forward test and is not counted twice.
    assert (lag0.reverse_r == lag0.r).all() and (lag0.reverse_q_value == lag0.q_value).all()
    family = list(df.p_value) + list(df[df.lag == 1].reverse_p_value)
    q = benjamini_hochberg(family)
    assert list(df.q_value) + list(df[df.lag == 1].reverse_q_value) == pytest.approx(list(q))


def test_linkage_disattenuation_and_cap():
    units = _units()
    rel = {"engagement": 0.5, "csat": 0.5, "null_dim": 0.8}
    rep = linkage_matrix(units, ["engagement", "null_dim"], ["csat", "nps"], lags=(1,), reliabilities=rel)
    row = rep.row("engagement", "csat", 1)
    assert row.r_disattenuated == pytest.approx(min(1.0, row.r / 0.5))
    assert row.disattenuation_capped == (abs(row.r / 0.5) > 1)
    assert math.isnan(rep.row("engagement", "nps", 1).r_disattenuated)  # no reliability for nps
    # The interval is corrected by the same factor sqrt(0.5 * 0.5) = 0.5 (Hunter & Schmidt, 2004).
    null_row = rep.row("null_dim", "csat", 1)
    factor = math.sqrt(0.8 * 0.5)
    assert null_row.r_disattenuated_ci_low == pytest.approx(max(-1.0, null_row.ci_low / factor))
    assert null_row.r_disattenuated_ci_high == pytest.approx(min(1.0, null_row.ci_high / factor))
    assert math.isnan(rep.row("engagement", "nps", 1).r_disattenuated_ci_low)
    tiny = linkage_matrix(units, ["engagement"], ["csat"], lags=(1,),
                          reliabilities={"engagement": 0.1, "csat": 0.1}).rows[0]
    assert tiny.r_disattenuated == 1.0 and tiny.disattenuation_capped


def test_linkage_small_n_power_sentence_and_errors():
    units = _units(n_units=10, waves=3, effect=0.0)
    rep = linkage_matrix(units, ["null_dim"], ["nps"], lags=(0,))
    row = rep.rows[0]
    assert row.n == 30 and row.min_detectable_r == pytest.approx(min_detectable_r(30))
    if not row.linked:
        assert "0.49 could be reliably detected" in row.sentence
    few = linkage_matrix(units[units.unit < 1], ["null_dim"], ["nps"], lags=(1,)).rows[0]
    assert math.isnan(few.ci_low) and "Too few" in few.sentence
    for r in rep.rows:
        assert "cause" not in r.sentence.replace("not cause", "")
    with pytest.raises(ValueError):
        linkage_matrix(pd.concat([units, units]), ["null_dim"], ["nps"])
    with pytest.raises(ValueError):
        linkage_matrix(units, ["null_dim"], ["missing"])
    with pytest.raises(ValueError):
        linkage_matrix(units, ["nps"], ["nps"])
    with pytest.raises(ValueError):
        linkage_matrix(units, ["null_dim"], ["nps"], lags=(-1,))


def test_linkage_report_serialises():
    rep = linkage_matrix(_units(n_units=30), ["engagement"], ["csat"], lags=(0, 1))
    d = asdict(rep)
    assert len(d["rows"]) == 2 and isinstance(d["rows"][0]["r"], float)
    assert list(rep.to_frame().columns)[:3] == ["ex_metric", "cx_metric", "lag"]


def test_linkage_speed_target():
    # Contract: 2,000 units x 10 EX x 3 CX x 2 lags in under 2 s (bench/bench_linkage.py
    # reports the median and a baseline; this guards against regressions).
    rng = np.random.default_rng(0)
    n = 2000
    frames = [pd.DataFrame(rng.normal(size=(n, 13)), columns=[f"ex{i}" for i in range(10)] + ["c0", "c1", "c2"])
              .assign(unit=np.arange(n), wave=w) for w in range(1, 4)]
    units = pd.concat(frames, ignore_index=True)
    start = time.perf_counter()
    rep = linkage_matrix(units, [f"ex{i}" for i in range(10)], ["c0", "c1", "c2"], lags=(0, 1))
    assert time.perf_counter() - start < 2.0
    assert len(rep.rows) == 60


def test_linked_verdict_does_not_depend_on_the_displayed_interval_level():
    """README, Statistical definitions: 'Linked' means q < 0.05 and the (95%) interval excludes 0, whatever level is shown."""
    units = _units()
    verdicts = {level: {(r.ex_metric, r.cx_metric, r.lag): r.linked
                        for r in linkage_matrix(units, ["engagement", "null_dim"], ["csat", "nps"],
                                                confidence=level).rows}
                for level in (0.80, 0.95, 0.999)}
    assert verdicts[0.80] == verdicts[0.95] == verdicts[0.999]
