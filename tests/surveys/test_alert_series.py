"""The scan's daily arrays, summed in SQL from hand-written rollup rows: sources, channels and a day on which
the touchpoint changed owner add up; NPS is promoters minus detractors; days and touchpoints land where they
belong; rows outside the period or of an unknown touchpoint are left out."""
from __future__ import annotations

import datetime as dt

import numpy as np

from surveys.alerts import series
from surveys.models.rollups import RollupCustomerDay

FIRST = dt.date(2026, 2, 27)  # the period crosses the end of February


def _row(session, day, tp, team, metric, source="public_link", channel="", **sums):
    session.add(RollupCustomerDay(day=day, touchpoint_id=tp.id, team_id=team.id, metric=metric, source=source,
                                  channel=channel, **sums))


def test_customer_arrays_add_up_the_rollup_rows(db_session, make):
    tp, quiet, gone = make.touchpoint(code="TP-A"), make.touchpoint(code="TP-B"), make.touchpoint(code="TP-C")
    other_team = make.team(code="NEW-OWNER")
    march_1 = dt.date(2026, 3, 1)
    _row(db_session, FIRST, tp, tp.team, "csat", n=4, top2=3.0, top2_sq=3.0)
    _row(db_session, FIRST, tp, tp.team, "csat", source="import", channel="phone", n=2, top2=0.5, top2_sq=0.25)
    _row(db_session, march_1, tp, tp.team, "nps", n=5, prom=3.0, det=1.5, net_sq=3.25)
    _row(db_session, march_1, tp, other_team, "nps", n=2, prom=0.0, det=2.0, net_sq=2.0)  # the new owner's day
    _row(db_session, march_1, quiet, quiet.team, "ces", n=3, mean=14.0, mean_sq=66.0)
    _row(db_session, FIRST - dt.timedelta(days=1), tp, tp.team, "csat", n=9, top2=9.0)  # before the period
    _row(db_session, dt.date(2026, 3, 3), tp, tp.team, "csat", n=9, top2=9.0)  # after it
    _row(db_session, march_1, gone, gone.team, "csat", n=7, top2=7.0)  # not asked for
    _row(db_session, march_1, tp, tp.team, "effort_other", n=7, mean=7.0)  # not a scanned metric
    db_session.flush()

    arrays = series.customer_arrays(db_session, FIRST, dt.date(2026, 3, 2), [quiet.id, tp.id])

    assert arrays.days == 4 and arrays.first == FIRST
    assert arrays.touchpoint_ids.tolist() == sorted([tp.id, quiet.id])
    row = {int(t): k for k, t in enumerate(arrays.touchpoint_ids)}
    n, s1, s2 = arrays.data["csat"]
    assert n[row[tp.id]].tolist() == [6, 0, 0, 0]
    assert s1[row[tp.id]].tolist() == [3.5, 0, 0, 0]
    assert s2[row[tp.id]].tolist() == [3.5, 0, 0, 0]  # a share's second sum is its first (the "share" kind)
    n, s1, s2 = arrays.data["nps"]
    assert n[row[tp.id]].tolist() == [0, 0, 7, 0]  # 28 February 2026 sits between
    assert s1[row[tp.id]].tolist() == [0, 0, -0.5, 0]  # (3 - 1.5) + (0 - 2)
    assert s2[row[tp.id]].tolist() == [0, 0, 5.25, 0]
    n, s1, s2 = arrays.data["ces"]
    assert n[row[quiet.id]].tolist() == [0, 0, 3, 0] and s1[row[quiet.id]][2] == 14.0 and s2[row[quiet.id]][2] == 66.0
    assert not np.any(n[row[tp.id]]) and not np.any(arrays.data["csat"][0][row[quiet.id]])


def test_customer_arrays_of_an_empty_period_are_zeros(db_session, make):
    tp = make.touchpoint(code="TP-A")
    arrays = series.customer_arrays(db_session, FIRST, FIRST + dt.timedelta(days=6), [tp.id])
    assert all(not np.any(a) for sums in arrays.data.values() for a in sums)
    assert arrays.data["csat"][0].shape == (1, 7)
