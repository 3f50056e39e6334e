"""Cronbach's alpha and the Feldt interval."""
import io
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.reliability import cronbach_alpha

# pingouin's "cronbach_wide_missing" data set (binary, 12 x 11, from
# real-statistics.com), reproduced from pingouin's documentation.
PINGOUIN_WIDE_MISSING = """Q1,Q2,Q3,Q4,Q5,Q6,Q7,Q8,Q9,Q10,Q11
1.0,1,1.0,1,1.0,1,1,1,1.0,1,1
1.0,1,1.0,1,1.0,1,1,1,0.0,1,0
,0,1.0,1,,1,1,1,1.0,0,0
1.0,1,1.0,0,1.0,1,0,1,1.0,0,0
1.0,1,1.0,1,1.0,0,0,0,1.0,0,0
0.0,1,,0,1.0,1,1,1,0.0,0,0
1.0,1,1.0,1,0.0,0,1,0,0.0,0,0
1.0,1,1.0,1,1.0,0,0,0,0.0,0,0
0.0,1,0.0,1,1.0,0,0,0,0.0,1,0
1.0,0,0.0,1,0.0,1,0,0,,0,0
1.0,1,1.0,0,0.0,0,0,0,0.0,0,0
1.0,0,0.0,1,0.0,0,0,0,0.0,0,0
"""


def _data():
    return pd.read_csv(io.StringIO(PINGOUIN_WIDE_MISSING))


def test_alpha_listwise_matches_psych_complete_obs():
    # pingouin docs: "In R: psych::alpha(data, use='complete.obs')" -> alpha 0.801695.
    res = cronbach_alpha(_data())
    assert res.alpha == pytest.approx(0.801695, abs=1e-6)
    assert (res.n_items, res.n_respondents) == (11, 9)
    # Our Feldt interval uses the 9 complete respondents (df1 = 8, df2 = 80).
    # pingouin prints [0.581, 0.933] here because it plugs in n = 12 rows
    # before deletion; we check the formula by hand instead.
    f_hi, f_lo = stats.f.isf(0.025, 8, 80), stats.f.isf(0.975, 8, 80)
    assert res.ci_low == pytest.approx(1 - (1 - res.alpha) * f_hi)
    assert res.ci_high == pytest.approx(1 - (1 - res.alpha) * f_lo)


def test_alpha_and_feldt_interval_match_pingouin_on_complete_data():
    # pingouin docs: cronbach_alpha(data.fillna(data.median())) -> (0.738019, [0.447, 0.911]).
    data = _data()
    res = cronbach_alpha(data.fillna(data.median()))
    assert res.alpha == pytest.approx(0.738019, abs=1e-6)
    assert round(res.ci_low, 3) == 0.447
    assert round(res.ci_high, 3) == 0.911


def test_alpha_hand_worked_three_items():
    # Items (rows = people): item variances 1, 1, 1 (ddof 1); totals 3, 6, 9 with variance 9.
    # alpha = 3/2 * (1 - 3/9) = 1.0.
    items = np.array([[1, 1, 1], [2, 2, 2], [3, 3, 3]])
    assert cronbach_alpha(items).alpha == pytest.approx(1.0)
    # Two items: (2, 4, 3, 5) variance 5/3, (3, 3, 5, 5) variance 4/3; totals
    # 5, 7, 8, 10 variance 13/3. alpha = 2 * (1 - 3 / (13/3)) = 8/13.
    items = np.array([[2, 3], [4, 3], [3, 5], [5, 5]])
    assert cronbach_alpha(items).alpha == pytest.approx(8 / 13)


def test_alpha_confidence_level_changes_width():
    data = _data().fillna(0)
    wide, narrow = cronbach_alpha(data, 0.99), cronbach_alpha(data, 0.80)
    assert wide.ci_low < narrow.ci_low < narrow.ci_high < wide.ci_high


def test_alpha_edge_cases():
    with pytest.raises(ValueError):
        cronbach_alpha(np.ones((5, 1)))
    one = cronbach_alpha(np.array([[1, 2], [np.nan, 3]]))
    assert one.n_respondents == 1 and math.isnan(one.alpha)
    flat = cronbach_alpha(np.full((4, 3), 3.0))
    assert math.isnan(flat.alpha)
    two = cronbach_alpha(np.array([[1, 2], [3, 3]]))
    assert not math.isnan(two.alpha) and math.isnan(two.ci_low)
    assert cronbach_alpha(_data()).below(0.9) and not cronbach_alpha(_data()).below(0.7)
