"""The monthly customer rollup: kept by every write path, and read whole months + edge days = every day."""
from __future__ import annotations

import datetime as dt
import math
import random

import pandas as pd
import pytest
from sqlalchemy import select

from surveys import rollups
from surveys.collection import submission
from surveys.insights import datasets
from surveys.insights.datasets import ExWave, period_parts
from surveys.models.rollups import RollupCustomerMonth

CX = [{"code": "csat", "qtype": "likert5", "dimension": "csat"},
      {"code": "nps", "qtype": "scale0_10", "dimension": "nps"},
      {"code": "ces", "qtype": "likert7", "dimension": "ces"}]
D = dt.date


def _waves(*starts: dt.date, end: dt.date) -> list[ExWave]:
    bounds = [*starts, end]
    return [ExWave(i, 1000 + i, f"W{i}", bounds[i], bounds[i + 1], 5) for i in range(len(starts))]


@pytest.fixture
def customers(db_session, make):
    """Random customer answers every few days over ten months at three touchpoints of two teams."""
    rng = random.Random(11)
    teams = [make.team(), make.team()]
    tps = [make.touchpoint(team=teams[0]), make.touchpoint(team=teams[0]), make.touchpoint(team=teams[1])]
    wave = make.wave(make.program(survey=make.survey(audience="customer", questions=CX)),
                     opens_at=dt.datetime(2026, 1, 1), days=365, status="closed")
    csat, nps, ces = wave.survey.questions
    day = D(2026, 1, 1)
    while day < D(2026, 11, 1):
        for _ in range(rng.randint(0, 3)):
            parsed = {csat: (rng.randint(1, 5), None), nps: (rng.randint(0, 10), None)}
            if rng.random() < 0.5:
                parsed[ces] = (rng.randint(1, 7), None)
            tp = rng.choice(tps)
            submission.store_response(db_session, wave=wave, team_id=tp.team_id, source="import", parsed=parsed,
                                      today=day, touchpoint=tp)
        day += dt.timedelta(days=rng.randint(1, 4))
    db_session.flush()
    return teams


def test_store_response_keeps_the_months_and_verify_covers_them(db_session, customers):
    months = db_session.scalars(select(RollupCustomerMonth)).all()
    assert {m.month.day for m in months} == {1} and {m.month.month for m in months} == set(range(1, 11))
    assert {m.team_id for m in months} == {t.id for t in customers}
    assert rollups.verify(db_session) is None
    db_session.execute(RollupCustomerMonth.__table__.update().values(n=RollupCustomerMonth.n + 1))
    assert rollups.verify(db_session).table == "rollup_customer_months"
    rollups.rebuild(db_session)
    assert rollups.verify(db_session) is None


@pytest.mark.parametrize("waves", [
    _waves(D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1), end=D(2026, 4, 1)),          # whole months only
    _waves(D(2026, 1, 15), D(2026, 3, 10), D(2026, 6, 2), end=D(2026, 9, 30)),        # every edge cuts a month
    _waves(D(2026, 2, 3), D(2026, 2, 17), D(2026, 3, 3), end=D(2026, 3, 17)),         # fortnightly, within months
    _waves(D(2025, 12, 20), D(2026, 4, 1), end=D(2026, 12, 5)),                       # beyond the data both sides
    _waves(D(2026, 5, 1), D(2026, 5, 1), end=D(2026, 6, 15)),                         # an empty period
])
def test_whole_months_plus_edge_days_give_the_same_frame_as_every_day(db_session, customers, waves):
    by_month = datasets.team_customer_outcomes(db_session, waves)
    by_day = datasets.team_customer_outcomes(db_session, waves, by_month=False)
    assert len(by_day) > 0
    pd.testing.assert_frame_equal(by_month, by_day, check_exact=False, rtol=1e-12)
    assert by_month["n"].tolist() == by_day["n"].tolist()  # counts exactly


def test_period_parts_cover_each_period_exactly_once():
    waves = _waves(D(2026, 1, 15), D(2026, 3, 1), D(2026, 3, 20), end=D(2026, 5, 31))
    months, days = period_parts(waves)
    assert months == [(D(2026, 2, 1), 0), (D(2026, 4, 1), 2)]  # 1-20 March is no whole month
    assert days == [(D(2026, 1, 15), D(2026, 2, 1), 0), (D(2026, 3, 1), D(2026, 3, 20), 1),
                    (D(2026, 3, 20), D(2026, 4, 1), 2), (D(2026, 5, 1), D(2026, 5, 31), 2)]


def test_the_migration_fills_the_months_from_the_days(tmp_path):
    from alembic import command
    from sqlalchemy import create_engine, text

    from migrations import alembic_config

    url = f"sqlite:///{tmp_path / 'months.db'}"
    command.upgrade(alembic_config(url), "6ad35b4664db")
    engine = create_engine(url)
    days = [("2026-01-31", 1, 7, "csat", 2, 1.0, 0.5), ("2026-01-05", 2, 7, "csat", 3, 2.0, 0.25),
            ("2026-02-01", 1, 7, "csat", 1, 0.0, 1.0), ("2026-01-05", 1, 8, "nps", 4, 3.0, 0.75)]
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO teams (id, code, name) VALUES (7, 'T7', 'Seven'), (8, 'T8', 'Eight')"))
        conn.execute(text("INSERT INTO touchpoints (id, code, name, channel, team_id) "
                          "VALUES (1, 'TP1', 'One', 'web', 7), (2, 'TP2', 'Two', 'web', 8)"))
        conn.execute(text("INSERT INTO rollup_customer_days (day, touchpoint_id, team_id, metric, n, top2, prom) "
                          "VALUES (:d, :tp, :team, :m, :n, :top2, :prom)"),
                     [dict(zip(("d", "tp", "team", "m", "n", "top2", "prom"), row)) for row in days])
    command.upgrade(alembic_config(url), "3e1f0c7b9a21")  # the migration that created the monthly rollup
    with engine.connect() as conn:
        months = conn.execute(text("SELECT month, team_id, metric, n, top2, prom, det FROM rollup_customer_months "
                                   "ORDER BY month, team_id, metric")).all()
    engine.dispose()
    assert [tuple(m) for m in months] == [("2026-01-01", 7, "csat", 5, 3.0, 0.75, 0.0),
                                          ("2026-01-01", 8, "nps", 4, 3.0, 0.75, 0.0),
                                          ("2026-02-01", 7, "csat", 1, 0.0, 1.0, 0.0)]


def test_the_months_by_touchpoint_migration_refills_them_from_the_days_both_ways(tmp_path):
    """e7a9c1b3d5f7: months keep the daily rollup's keys but the day; its downgrade gives month x team x metric."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from migrations import alembic_config

    url = f"sqlite:///{tmp_path / 'months.db'}"
    command.upgrade(alembic_config(url), "d4e6f8a0b2c3")
    engine = create_engine(url)
    days = [("2026-01-31", 1, 7, "csat", "public_link", "", 2, 1.0),
            ("2026-01-05", 1, 7, "csat", "public_link", "", 3, 2.0),
            ("2026-01-05", 1, 7, "csat", "import", "phone", 1, 1.0),
            ("2026-01-09", 2, 7, "csat", "import", "", 4, 3.0),
            ("2026-02-01", 1, 7, "csat", "public_link", "", 1, 0.0)]
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO teams (id, code, name) VALUES (7, 'T7', 'Seven')"))
        conn.execute(text("INSERT INTO touchpoints (id, code, name, channel, team_id) "
                          "VALUES (1, 'TP1', 'One', 'web', 7), (2, 'TP2', 'Two', 'store', 7)"))
        conn.execute(text("INSERT INTO rollup_customer_days (day, touchpoint_id, team_id, metric, source, channel, n, "
                          "top2) VALUES (:d, :tp, :team, :m, :source, :channel, :n, :top2)"),
                     [dict(zip(("d", "tp", "team", "m", "source", "channel", "n", "top2"), row)) for row in days])
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as conn:
        fine = conn.execute(text("SELECT month, touchpoint_id, team_id, metric, source, channel, n, top2 "
                                 "FROM rollup_customer_months ORDER BY 1, 2, 3, 4, 5, 6")).all()
    assert [tuple(m) for m in fine] == [("2026-01-01", 1, 7, "csat", "import", "phone", 1, 1.0),
                                        ("2026-01-01", 1, 7, "csat", "public_link", "", 5, 3.0),
                                        ("2026-01-01", 2, 7, "csat", "import", "", 4, 3.0),
                                        ("2026-02-01", 1, 7, "csat", "public_link", "", 1, 0.0)]
    command.downgrade(alembic_config(url), "d4e6f8a0b2c3")
    with engine.connect() as conn:
        coarse = conn.execute(text("SELECT month, team_id, metric, n, top2 FROM rollup_customer_months "
                                   "ORDER BY 1, 2, 3")).all()
    engine.dispose()
    assert [tuple(m) for m in coarse] == [("2026-01-01", 7, "csat", 10, 7.0), ("2026-02-01", 7, "csat", 1, 0.0)]


def _close(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        (x.kind, x.n, x.scale, x.bounds) == (y.kind, y.n, y.scale, y.bounds)
        and math.isclose(x.s1, y.s1, rel_tol=1e-9, abs_tol=1e-9)
        and math.isclose(x.s2, y.s2, rel_tol=1e-9, abs_tol=1e-9)
        for x, y in ((a[k], b[k]) for k in a))


@pytest.mark.parametrize("extra", [{}, {"touchpoint": True}, {"channel": "web"}, {"team": True}])
def test_whole_months_read_from_the_months_give_the_daily_rollups_sums(db_session, customers, monkeypatch, extra):
    """The customer report's groups (period, touchpoint, channel and origin, team, total) over whole months, with
    and without filters, are the sums the daily rollup gives."""
    from surveys.insights import customer_feedback as cf
    from surveys.models import Touchpoint
    from surveys.models.rollups import RollupCustomerDay

    tp = db_session.scalars(select(Touchpoint).where(Touchpoint.team_id == customers[0].id)).first()
    f = cf.Filters(D(2026, 2, 1), D(2026, 8, 31), touchpoint_id=tp.id if extra.get("touchpoint") else None,
                   channel=extra.get("channel"), team_ids=[customers[1].id] if extra.get("team") else None)
    assert f.whole_months
    from_months = {by: cf.grouped_sums(db_session, f, by) for by in cf.GROUPS}
    breakdown = cf.breakdown_sums(db_session, f)
    monkeypatch.setattr(cf, "_rollup", lambda _f, days=False: RollupCustomerDay)
    from_days = {by: cf.grouped_sums(db_session, f, by) for by in cf.GROUPS}
    assert from_days["total"]  # the filters leave answers to compare
    for by in cf.GROUPS:
        assert _close(from_months[by], from_days[by]), by
    assert all(_close(breakdown[by], from_days[by]) for by in ("period", "touchpoint", "channel", "team"))
    daily_breakdown = cf.breakdown_sums(db_session, f)
    assert all(_close(daily_breakdown[by], breakdown[by]) for by in breakdown)
