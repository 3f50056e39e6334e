"""Outcomes per team and wave on arrays (analysis.outcome_waves) give the figures the former loop over
periods gave (kept here as the oracle): own figures first, touchpoints combined, periods averaged."""
from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest

from analysis.outcome_waves import OUT_COLUMNS, team_wave_values
from analysis.outcomes import combine, unit_values

D = dt.date


def _oracle(rows, waves, hows) -> pd.DataFrame:
    """surveys.insights.outcomes.team_wave_outcomes as it was until 1 December 2026, on plain rows."""
    buckets: dict = {}
    for metric, start, end, team_id, tp_id, value, n in rows:
        middle = start + (end - start) / 2
        wave = next((i for i, first, after in waves if first <= middle < after), None)
        if wave is not None and metric in hows:
            buckets.setdefault((metric, wave, start, end), []).append((team_id, tp_id, value, n))
    per_period: dict = {}
    for (metric, wave, _start, _end), found in buckets.items():
        frame = pd.DataFrame(found, columns=["team_id", "touchpoint_id", "value", "n"]).astype(object)
        values = unit_values(frame, {t: None for t in frame["team_id"]}, hows[metric], with_children=False)
        for team, v in values.items():
            per_period.setdefault((metric, wave, team), []).append(v)
    out = []
    for (metric, wave, team), found in per_period.items():
        both = combine([v.value for v in found], [v.n for v in found] if hows[metric] == "mean" else
                       [None] * len(found), "mean")
        out.append((team, wave, metric, both.value, both.n))
    return pd.DataFrame(out, columns=OUT_COLUMNS)


def _world(seed: int):
    rng = random.Random(seed)
    starts = [D(2026, 1, 1) + dt.timedelta(days=30 * i + rng.randint(0, 5)) for i in range(6)]
    waves = [(i, starts[i], starts[i + 1]) for i in range(5)]
    hows = {"churn": "mean", "complaints": "sum", "nps_rate": "mean"}
    rows = []
    for metric in [*hows, "unknown"]:
        for month in range(1, 8):
            first = D(2026, month, 1)
            periods = [(first, D(2026, month + 1, 1))]
            if month % 3 == 1 and rng.random() < 0.5:  # a quarter beside the months
                periods.append((first, D(2026, month + 3, 1) if month + 3 <= 12 else D(2027, 1, 1)))
            for start, end in periods:
                for team in range(1, 9):
                    kind = rng.random()
                    n = lambda: rng.choice([None, 0, rng.randint(1, 400)])  # noqa: E731
                    if kind < 0.3:
                        rows.append((metric, start, end, team, None, round(rng.uniform(0, 50), 3), n()))
                    if kind > 0.2:
                        for tp in range(rng.randint(1, 3)):
                            value = rng.choice([round(rng.uniform(0, 50), 3), float("nan")]) \
                                if rng.random() < 0.1 else round(rng.uniform(0, 50), 3)
                            rows.append((metric, start, end, team, 100 * team + tp, value, n()))
    return rows, waves, hows


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["metric", "wave", "unit"]).reset_index(drop=True)


@pytest.mark.parametrize("seed", range(12))
def test_the_arrays_give_the_loops_figures(seed):
    rows, waves, hows = _world(seed)
    want = _sorted(_oracle(rows, waves, hows))
    got = _sorted(team_wave_values(rows, waves, hows))
    assert len(got) == len(want) > 50
    assert (got[["unit", "wave", "metric"]].to_numpy() == want[["unit", "wave", "metric"]].to_numpy()).all()
    assert got["value"].tolist() == want["value"].tolist()  # summed in the same order: the same bits
    assert [None if pd.isna(n) else int(n) for n in got["n"]] == [None if pd.isna(n) else int(n) for n in want["n"]]


def test_hand_worked_figures():
    waves = [(0, D(2026, 1, 1), D(2026, 3, 1))]
    # Team 1, January: its touchpoints weighted by n, (10 * 100 + 20 * 300) / 400 = 17.5; February: its own
    # figure; the wave: the months weighted by n. Team 2 (a sum): January 4 + 6, February 2; the wave: their
    # mean, with no n (January had a part without one). March's middle day is after the wave.
    rows = [("churn", D(2026, 1, 1), D(2026, 2, 1), 1, 11, 10.0, 100),
            ("churn", D(2026, 1, 1), D(2026, 2, 1), 1, 12, 20.0, 300),
            ("churn", D(2026, 2, 1), D(2026, 3, 1), 1, None, 30.0, 100),
            ("complaints", D(2026, 1, 1), D(2026, 2, 1), 2, 21, 4.0, None),
            ("complaints", D(2026, 1, 1), D(2026, 2, 1), 2, 22, 6.0, 5),
            ("complaints", D(2026, 2, 1), D(2026, 3, 1), 2, 21, 2.0, 5),
            ("churn", D(2026, 3, 1), D(2026, 4, 1), 1, None, 99.0, 1)]
    got = team_wave_values(rows, waves, {"churn": "mean", "complaints": "sum"})
    records = [{**r, "n": None if pd.isna(r["n"]) else int(r["n"])} for r in got.to_dict("records")]
    assert records == [
        {"unit": 1, "wave": 0, "metric": "churn", "value": (17.5 * 400 + 30.0 * 100) / 500, "n": 500},
        {"unit": 2, "wave": 0, "metric": "complaints", "value": 6.0, "n": None}]


def test_nothing_to_combine():
    assert list(team_wave_values([], [(0, D(2026, 1, 1), D(2026, 2, 1))], {"churn": "mean"}).columns) == OUT_COLUMNS
    only_others = [("nps_rate", D(2026, 1, 1), D(2026, 2, 1), 1, None, 5.0, 10)]
    assert team_wave_values(only_others, [(0, D(2026, 1, 1), D(2026, 2, 1))], {"churn": "mean"}).empty
