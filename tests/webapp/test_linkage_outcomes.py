"""Business outcomes in the linkage report: a planted factor-churn relation is found with the right (negative)
sign and worded "lower is better"; an outcome with too few teams says so instead of showing a number; the BH
family grows with the outcomes."""
from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest

from analysis.linkage import linkage_matrix
from analysis.outcomes import attach_outcomes
from demo import build_demo
from surveys.ingestion import import_outcomes
from surveys.insights.reports.linkage import linkage_analysis


def test_attach_outcomes_keeps_metrics_with_enough_teams_and_the_sign():
    rng = np.random.default_rng(3)
    teams, waves = 30, 3
    frame = pd.DataFrame({"unit": np.repeat(np.arange(teams), waves), "wave": np.tile(np.arange(waves), teams)})
    frame["engagement"] = rng.normal(60, 10, len(frame))
    frame["csat"] = 0.5 * frame["engagement"] + rng.normal(0, 5, len(frame))
    churn = frame[["unit", "wave"]].assign(metric="outcome:churn_rate",
                                           value=8 - 0.08 * frame["engagement"] + rng.normal(0, 0.3, len(frame)))
    thin = pd.DataFrame({"unit": [0, 1, 2], "wave": [0, 0, 0], "metric": "outcome:nps_b2b", "value": [1.0, 2.0, 3.0]})
    attached = attach_outcomes(frame, ["engagement"], ["csat"], pd.concat([churn, thin]), min_teams=10)
    assert attached.cx_metrics == ("csat", "outcome:churn_rate") and attached.too_few == {"outcome:nps_b2b": 3}
    assert "outcome:nps_b2b" not in attached.frame.columns
    report = linkage_matrix(attached.frame, ["engagement"], attached.cx_metrics, lags=(0,),
                            labels={"outcome:churn_rate": "churn rate (lower is better)"})
    row = report.row("engagement", "outcome:churn_rate", 0)
    assert row.r < -0.8 and row.linked and "lower churn rate (lower is better)" in row.sentence
    assert report.n_tests == 2  # one BH family over CSAT and churn


@pytest.fixture
def demo(db_session):
    build_demo(db_session, seed=7, teams=40, waves=6)
    # Three teams report a metric of their own: too few to correlate.
    rows = "".join(f"2026-{m:02d},{code},nps_b2b,{30 + i},,B2B NPS,higher\n"
                   for m in (8, 9, 10) for i, code in enumerate(("CARE-01", "CARE-02", "CARE-03")))
    result = import_outcomes(db_session, io.BytesIO(("period,unit,metric,value,n,label,direction\n" + rows).encode()),
                             today=dt.date(2026, 12, 1))
    assert result.ok, result.report_lines()
    db_session.commit()
    return db_session


def test_demo_churn_goes_with_engagement_and_a_thin_metric_is_too_few_teams(demo, client, login):
    result = linkage_analysis(demo, "engagement-pulse", min_group_size=5, with_outcomes=True)
    assert "outcome:churn_rate" in result.units.cx_metrics and result.too_few_outcomes == {"outcome:nps_b2b": 3}
    row = result.report.row("engagement", "outcome:churn_rate", 1)
    assert row.r < 0 and row.ci_high < 0 and row.linked  # planted: higher engagement, lower churn next month
    assert result.report.row("culture", "outcome:churn_rate", 1).linked is False  # the planted null stays null
    plain = linkage_analysis(demo, "engagement-pulse", min_group_size=5)
    assert result.report.n_tests > plain.report.n_tests  # the BH family holds the outcomes too
    login("executive")
    page = client.get("/reports/linkage?program=engagement-pulse").get_data(as_text=True)
    assert "lower churn rate (lower is better) in the following wave" in page
    assert "too few teams" in page and "B2B NPS (higher is better): too few teams (3;" in page
    import json
    data = json.loads(client.get("/reports/linkage.json?program=engagement-pulse").data)
    thin = [f for f in data["figures"] if f["cx_metric"] == "outcome:nps_b2b"]
    assert thin and all(f["value"] is None and f["too_few_teams"] for f in thin)
    drivers = json.loads(client.get("/reports/drivers.json?samples=20").data)
    churn = {f["driver"]: f for f in drivers["figures"] if f["model"] == "outcome:churn_rate" and f.get("driver")}
    assert churn["engagement"]["rank"] == 1 and "churn rate (lower is better)" in churn["engagement"]["sentence"]
    thin_model = [n for n in drivers["notes"] if "Too few teams for team factors and b2b nps" in n]
    assert thin_model
