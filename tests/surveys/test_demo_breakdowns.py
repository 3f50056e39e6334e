"""The demo's two planted breakdowns (demo/breakdowns.py): visible in the customer frame, owned by teams weak on
the linked process factor, with their topic in the comments; every other touchpoint exactly as without them."""
from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

import demo
from demo.breakdowns import PLANTED_BREAKDOWNS, SLOW_SLIDE, SUDDEN_DROP

CONFIG = demo.DemoConfig(seed=7)


@pytest.fixture(scope="module")
def data():
    return demo.generate(CONFIG)


def _frame(data) -> pd.DataFrame:
    frame = data.customer.copy()
    frame["code"] = data.org.touchpoints["code"].to_numpy()[frame["touchpoint"]]
    frame["day"] = pd.to_datetime(frame["submitted_on"])
    frame["top2"] = np.where(frame["csat"] >= 4, 100.0, 0.0)
    frame["nps_score"] = np.where(frame["nps"] >= 9, 100.0, np.where(frame["nps"] <= 6, -100.0, 0.0))
    return frame


def _between(frame, code, start, end) -> pd.DataFrame:
    return frame[(frame["code"] == code) & (frame["day"] >= pd.Timestamp(start)) & (frame["day"] < pd.Timestamp(end))]


def test_the_planted_facts_name_real_touchpoints_and_their_owning_teams(data):
    tps = data.org.touchpoints.set_index("code")
    for b in PLANTED_BREAKDOWNS:
        assert data.org.teams.loc[tps.loc[b.touchpoint, "team"], "code"] == b.team
    assert {b.kind for b in PLANTED_BREAKDOWNS} == {"sudden_drop", "slow_slide"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        SUDDEN_DROP.depth = 0  # type: ignore[misc]


def test_the_sudden_drop_falls_sharply_on_its_day_and_stays_down(data):
    frame = _frame(data)
    before = _between(frame, SUDDEN_DROP.touchpoint, "2026-09-01", SUDDEN_DROP.began_on)
    after = _between(frame, SUDDEN_DROP.touchpoint, SUDDEN_DROP.began_on, "2026-11-01")
    first_week = _between(frame, SUDDEN_DROP.touchpoint, SUDDEN_DROP.began_on,
                          SUDDEN_DROP.began_on + dt.timedelta(days=7))
    print("\nsudden drop, CSAT top-two before/after:", before["top2"].mean(), after["top2"].mean(),
          "NPS:", before["nps_score"].mean(), after["nps_score"].mean(), "n:", len(before), len(after))
    assert before["top2"].mean() - after["top2"].mean() >= 20
    assert before["nps_score"].mean() - after["nps_score"].mean() >= 30
    assert len(first_week) >= 35 and before["top2"].mean() - first_week["top2"].mean() >= 20  # seen in a week
    last_week = _between(frame, SUDDEN_DROP.touchpoint, "2026-10-25", "2026-11-01")
    assert before["top2"].mean() - last_week["top2"].mean() >= 20  # still down at the end of the data


def test_the_slow_slide_sinks_month_by_month(data):
    frame = _frame(data)
    code = SLOW_SLIDE.touchpoint
    earlier = _between(frame, code, "2026-05-01", SLOW_SLIDE.began_on)["top2"].mean()
    september = _between(frame, code, "2026-09-01", "2026-10-01")["top2"].mean()
    late_october = _between(frame, code, "2026-10-15", "2026-11-01")["top2"].mean()
    print("\nslow slide, CSAT top-two May-Aug / Sep / late Oct:", earlier, september, late_october)
    assert earlier - late_october >= 10 and earlier >= september >= late_october - 5


def test_the_drop_periods_comments_name_the_topic_with_negative_tone(data):
    frame = _frame(data)
    for b in PLANTED_BREAKDOWNS:
        after = _between(frame, b.touchpoint, b.began_on, "2026-11-01")
        texts = after["comment"].dropna()
        topical = texts[texts.str.lower().str.contains("|".join(b.theme_words))]
        assert len(topical) >= 15, b.touchpoint
        assert (after.loc[topical.index, "csat"] <= 3).all()  # only unhappy customers write about it
        before = _between(frame, b.touchpoint, "2026-05-01", "2026-09-01")["comment"].dropna()
        assert not before.str.lower().str.contains("|".join(b.theme_words)).any()


def test_every_other_touchpoint_is_exactly_what_the_model_draws_without_the_breakdowns(data):
    plain = demo.generate(dataclasses.replace(CONFIG, breakdowns=False))
    planted = [data.org.touchpoints.index[data.org.touchpoints["code"] == b.touchpoint][0]
               for b in PLANTED_BREAKDOWNS]
    boosted = data.customer["touchpoint"].isin(planted) & (pd.to_datetime(data.customer["submitted_on"])
                                                          >= pd.Timestamp("2026-09-01"))
    plain_boosted = plain.customer["touchpoint"].isin(planted) & (pd.to_datetime(plain.customer["submitted_on"])
                                                                 >= pd.Timestamp("2026-09-01"))
    key = ["response_id"]
    pd.testing.assert_frame_equal(data.customer[~boosted].sort_values(key, ignore_index=True),
                                  plain.customer[~plain_boosted].sort_values(key, ignore_index=True))
    pd.testing.assert_frame_equal(data.employee, plain.employee)
    for dim in demo.DIMENSIONS:
        assert data.latents[dim].equals(plain.latents[dim])
    # The other touchpoints keep their 1-2 answers a day; the planted two answer 5-8 times a day from September.
    per_day = data.customer[boosted].groupby(["touchpoint", "submitted_on"]).size()
    assert per_day.between(*demo.breakdowns.PER_DAY).all() and len(per_day) == 2 * 61


def test_the_owning_teams_are_clearly_below_the_organisation_on_process_in_the_latest_waves(data):
    emp = data.employee[data.employee["wave"] >= CONFIG.waves - 1]
    favourable = (((emp["prc_serve"] >= 4).astype(int) + (emp["prc_handoffs"] >= 4) + (emp["prc_rules"] <= 2)) / 3)
    org = favourable.mean()
    codes = data.org.teams["code"]
    for b in PLANTED_BREAKDOWNS:
        team = codes.index[codes == b.team][0]
        mine = favourable[emp["team"] == team]
        print(f"\n{b.team} process {mine.mean():.2f} (n {len(mine)}) vs organisation {org:.2f}")
        assert b.weak_factor == "process" and len(mine) >= 10 and mine.mean() < org - 0.25
        assert (emp[emp["team"] == team].groupby("wave").size() >= 5).all()  # shown, not suppressed


def test_a_build_without_september_and_the_large_set_get_none():
    october_only = demo.DemoConfig(seed=3, teams=40, waves=1)
    assert demo.generate(october_only).customer.equals(
        demo.generate(dataclasses.replace(october_only, breakdowns=False)).customer)
    tiny_large = dataclasses.replace(demo.LARGE, teams=40, waves=2, team_size=(3, 5), cx_total=2000)
    assert demo.generate(tiny_large).customer.equals(
        demo.generate(dataclasses.replace(tiny_large, breakdowns=False)).customer)
