"""rounding.round_list is Python's round, bit for bit (sign of zero included), on random numbers, on numbers
at and next to every half-way point, and on the values reports round (percents, p-values, weights)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from surveys.insights.rounding import round_list


def _python(values, digits):
    return [round(x, digits) if math.isfinite(x) else None for x in values]


def _same(got, want) -> bool:
    return all((g is None and w is None) or (g is not None and w is not None and g == w
                                               and math.copysign(1, g) == math.copysign(1, w))
               for g, w in zip(got, want)) and len(got) == len(want)


@pytest.mark.parametrize("digits", [1, 2, 3, 4])
def test_round_list_is_pythons_round(digits):
    rng = np.random.default_rng(digits)
    halves = (np.arange(-20_000, 20_000) + 0.5) / 10 ** digits  # every half-way point near the values shown
    values = np.concatenate([
        rng.uniform(-100, 100, 100_000), rng.uniform(0, 1, 50_000), rng.normal(0, 1e-3, 10_000),
        np.round(rng.uniform(-100, 100, 50_000), digits + 1), halves, np.nextafter(halves, np.inf),
        np.nextafter(halves, -np.inf),
        [0.0, -0.0, 0.25, -0.25, 2.675, 1.005, 0.125, -0.04, 1e12, -1e12, 2.0 ** 52, np.nan, np.inf, -np.inf]])
    values = values.tolist()
    assert _same(round_list(values, digits), _python(values, digits))


def test_round_list_of_nothing():
    assert round_list([], 1) == []
    assert round_list(np.array([np.nan]), 1) == [None]
