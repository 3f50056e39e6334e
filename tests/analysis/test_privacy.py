"""Small-cell suppression and complementary suppression (property-based)."""
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.privacy import hidden_in_tree, suppress

K = 5


def test_primary_suppression_hides_values_and_counts():
    df = pd.DataFrame({"team": ["a", "b", "c"], "n": [3, 8, 12], "score": [55.0, 70.0, 81.0]})
    res = suppress(df, "n", 5)
    assert list(res.frame["suppressed"]) == [True, False, False]
    assert math.isnan(res.frame.loc[0, "score"]) and math.isnan(res.frame.loc[0, "n"])
    assert res.frame.loc[0, "team"] == "a"  # labels stay
    assert res.suppressed_primary == (0,) and res.suppressed_complementary == ()
    assert df.loc[0, "score"] == 55.0  # input untouched


def test_complementary_hides_smallest_visible_sibling():
    # Parent P (count 30, visible) has children a=3 (hidden), b=9, c=18: a = 30 - 9 - 18
    # would give a away, so b (the smallest visible sibling) is hidden too.
    df = pd.DataFrame({"id": ["P", "a", "b", "c"], "parent": [None, "P", "P", "P"],
                       "n": [30, 3, 9, 18], "score": [70.0, 50.0, 60.0, 80.0]})
    res = suppress(df, "n", 5, parent="parent", id_column="id")
    assert list(res.frame["suppressed"]) == [False, True, True, False]
    assert res.suppressed_primary == (1,) and res.suppressed_complementary == (2,)


def test_single_child_hides_parent_or_reports_it():
    df = pd.DataFrame({"id": ["P", "a"], "parent": [None, "P"], "n": [7, 3], "score": [1.0, 2.0]})
    res = suppress(df, "n", 5, parent="parent", id_column="id")
    assert list(res.frame["suppressed"]) == [True, True]
    # Without id_column the parent is not in the frame: the caller is told to hide it.
    res = suppress(df.iloc[[1]], "n", 5, parent="parent")
    assert res.parents_to_hide == ("P",)


def test_a_hidden_zero_cannot_be_recovered_by_subtraction():
    # Review finding: teams a=6, b=0 (hidden), c=7 under a visible total of 13 gave b = 13 - 6 - 7 = 0,
    # i.e. "nobody in b answered". One more cell must be hidden; and because a reader may take b's 0 as
    # known, a then stands alone as a non-zero unknown, so c is hidden as well.
    df = pd.DataFrame({"id": ["P", "a", "b", "c"], "parent": [None, "P", "P", "P"],
                       "n": [13, 6, 0, 7], "score": [1.0, 2.0, np.nan, 3.0]})
    res = suppress(df, "n", 5, parent="parent", id_column="id")
    assert list(res.frame["suppressed"]) == [False, True, True, True]


def test_zero_count_siblings_give_no_protection():
    df = pd.DataFrame({"id": ["P", "a", "b", "c"], "parent": [None, "P", "P", "P"],
                       "n": [20, 3, 0, 17], "score": [1.0, 2.0, np.nan, 3.0]})
    res = suppress(df, "n", 5, parent="parent", id_column="id")
    assert res.frame.loc[3, "suppressed"]  # c hidden although b (empty) is hidden too


def test_hidden_parent_with_visible_children_gets_a_child_hidden():
    # P is hidden to protect its sibling s (both under G); P = 6 + 8 would be
    # recoverable from its visible children, so one of them is hidden.
    df = pd.DataFrame({"id": ["G", "P", "s", "x", "y"], "parent": [None, "G", "G", "P", "P"],
                       "n": [40, 14, 2, 6, 8], "score": [1.0] * 5})
    res = suppress(df, "n", 5, parent="parent", id_column="id")
    hidden = dict(zip(df["id"], res.frame["suppressed"]))
    assert hidden["s"] and hidden["P"] and (hidden["x"] or hidden["y"])


def test_errors_and_missing_counts():
    df = pd.DataFrame({"n": [np.nan, 10], "score": [1.0, 2.0]})
    assert list(suppress(df, "n", 5).frame["suppressed"]) == [True, False]
    with pytest.raises(ValueError):
        suppress(df, "n", 0)
    with pytest.raises(ValueError):
        suppress(df, "count", 5)


@st.composite
def trees(draw):
    size = draw(st.integers(min_value=1, max_value=25))
    parents = [None] + [draw(st.integers(min_value=0, max_value=i - 1)) for i in range(1, size)]
    own = [draw(st.integers(min_value=0, max_value=12)) for _ in range(size)]
    return parents, own


def _frame(parents, own):
    total = list(own)
    for i in range(len(parents) - 1, 0, -1):  # children have larger ids than parents
        total[parents[i]] += total[i]
    return pd.DataFrame({"id": range(len(parents)), "parent": parents, "own": own,
                         "n": total, "score": np.linspace(0, 100, len(parents))})


@settings(max_examples=300, deadline=None)
@given(trees(), st.integers(min_value=1, max_value=10))
def test_no_small_cell_visible_and_none_recoverable(tree, k):
    parents, own = tree
    df = _frame(parents, own)
    res = suppress(df, "n", k, parent="parent", id_column="id", value_columns=["score"])
    hidden = res.frame["suppressed"].to_numpy()
    n = df["n"].to_numpy()
    # 1. No visible cell is below k.
    assert (n[~hidden] >= k).all()
    assert res.frame.loc[hidden, "score"].isna().all() and res.frame.loc[hidden, "n"].isna().all()
    # 2. Nothing is recoverable by one subtraction, even for an attacker who knows every
    #    parent's own (direct) members: in each family (parent + children), the hidden
    #    cells with people in them are never exactly one.
    for p in range(len(parents)):
        kids = [i for i, q in enumerate(parents) if q == p]
        if not kids:
            continue
        if not hidden[p]:
            recovered = n[p] - own[p] - sum(n[i] for i in kids if not hidden[i])
            for i in kids:
                if hidden[i] and n[i] > 0:
                    assert recovered != n[i] or sum(hidden[j] and n[j] > 0 for j in kids) > 1
                    assert sum(hidden[j] and n[j] > 0 for j in kids) >= 2
        elif n[p] > 0 and not any(hidden[i] for i in kids):
            pytest.fail(f"hidden parent {p} equals own members + its visible children")


@settings(max_examples=300, deadline=None)
@given(trees(), st.integers(min_value=1, max_value=10))
def test_hidden_in_tree_decides_as_suppress(tree, k):
    # The frame-free form the heatmap calls per column must hide exactly the cells suppress hides.
    parents, own = tree
    df = _frame(parents, own)
    res = suppress(df, "n", k, parent="parent", id_column="id")
    mask = hidden_in_tree(list(range(len(parents))), parents, df["n"].tolist(), k)
    assert mask.tolist() == res.frame["suppressed"].tolist()


def test_linkable_units_need_a_visible_employee_and_customer_cell():
    from analysis.privacy import linkable_units

    frame = pd.DataFrame({"unit": [1, 1, 2, 3, 3], "wave": [0, 1, 0, 0, 1],
                          "engagement": [70.0, None, 60.0, None, None], "csat": [None, 80.0, None, 75.0, 70.0]})
    # Unit 1 has both (in different waves), unit 2 no customer cell, unit 3 no employee cell.
    assert linkable_units(frame, ["engagement"], ["csat"]) == 1
    assert linkable_units(frame.iloc[0:0], ["engagement"], ["csat"]) == 0
