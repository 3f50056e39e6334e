"""A value and its interval against a target, on hand-worked cases."""
from __future__ import annotations

import math

from analysis.targets import against_target


def test_value_above_target_with_the_interval_including_it_is_not_yet_met():
    # 72 (68 to 76) against 70: 2 points above, but 68 < 70 so the interval still includes the target.
    check = against_target(72.0, 68.0, 76.0, 70.0)
    assert (check.distance, check.status) == (2.0, "at_target")


def test_interval_clearing_the_target_is_met():
    # 80 (77 to 83) against 75: the low end 77 is above 75.
    check = against_target(80.0, 77.0, 83.0, 75.0)
    assert (check.distance, check.status) == (5.0, "met")


def test_low_end_exactly_at_the_target_counts_as_met():
    assert against_target(74.0, 70.0, 78.0, 70.0).status == "met"


def test_below_target_says_whether_the_interval_reaches_it():
    near = against_target(66.0, 61.0, 71.0, 70.0)  # 71 >= 70: the shortfall may be sampling error
    far = against_target(50.0, 45.0, 55.0, 70.0)
    assert (near.status, near.distance, near.interval_reaches_target) == ("below", -4.0, True)
    assert (far.status, far.distance, far.interval_reaches_target) == ("below", -20.0, False)


def test_net_scores_and_means_work_the_same_way():
    # eNPS -5 (-20 to 10) against 0; CES 5.62 (5.41 to 5.83) against 5.5 with two decimals.
    assert against_target(-5.0, -20.0, 10.0, 0.0).distance == -5.0
    ces = against_target(5.62, 5.41, 5.83, 5.5, digits=2)
    assert (ces.status, ces.distance) == ("at_target", 0.12)


def test_no_value():
    assert against_target(None, None, None, 70.0).status == "no_value"
    assert against_target(math.nan, None, None, 70.0).distance is None
    assert against_target(72.0, None, None, 70.0).status == "at_target"  # no interval: no claim beyond it
