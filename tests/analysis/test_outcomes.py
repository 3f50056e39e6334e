"""analysis.outcomes against hand-worked values: n-weighted means and sums, change, units without double counting."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis.outcomes import aggregation, change, combine, top_value, unit_values


def test_combine_weighted_mean_plain_mean_and_sum():
    # (2*100 + 5*300) / 400 = 4.25
    assert combine([2.0, 5.0], [100, 300], "mean").value == pytest.approx(4.25)
    assert combine([2.0, 5.0], [100, 300], "mean").n == 400
    plain = combine([2.0, 5.0], [100, None], "mean")  # a part without n: plain mean, no total n
    assert (plain.value, plain.n, plain.weighted) == (3.5, None, False)
    assert combine([4.0, 6.0], [None, None], "sum").value == 10.0
    assert combine([], [], "sum") is None
    with pytest.raises(ValueError):
        combine([1.0], [1], "median")


def test_aggregation_and_change_direction():
    assert (aggregation("%"), aggregation("EUR"), aggregation("")) == ("mean", "sum", "sum")
    lower = change(3.5, 4.25, higher_is_better=False)
    assert (lower.change, round(lower.relative, 2), lower.better) == (-0.75, -17.65, True)
    assert change(10, 2, higher_is_better=False).better is False
    assert change(5, None, True).change is None and change(2, 2, True).better is None


def test_unit_values_prefer_own_rows_and_never_count_twice():
    parents = {1: None, 2: 1, 3: 1, 4: 1}  # DEPT 1 > teams 2, 3, 4
    rows = pd.DataFrame([(2, None, 4.0, None), (3, 31, 1.0, None), (3, 32, 2.0, None), (1, None, 100.0, None)],
                        columns=["team_id", "touchpoint_id", "value", "n"]).astype(object)
    values = unit_values(rows, parents, "sum")
    assert values[3].value == 3.0 and values[2].value == 4.0 and 4 not in values
    assert values[1].value == 100.0  # the department's own row, not 4 + 3
    assert top_value(values, parents, "sum").value == 100.0
    assert top_value(values, parents, "sum", teams={2, 3}).value == 7.0
    derived = unit_values(rows[rows["team_id"] != 1], parents, "sum")
    assert derived[1].value == 7.0 and derived[1].parts == 2
