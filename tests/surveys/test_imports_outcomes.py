"""Business-outcome import: periods, units (team or touchpoint), metrics, each bad row kind, dry run, re-import."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from surveys.ingestion import import_outcomes
from surveys.models import AuditEvent
from surveys.models.voice import Outcome, OutcomeMetric

HEADER = "period,unit,metric,value,n\n"
TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def org(make):
    ops, sales = make.team(code="OPS"), make.team(code="SALES")
    web = make.touchpoint(team=sales, code="WEB")
    return ops, sales, web


def run(db_session, text: str, header: str = HEADER, **kwargs):
    return import_outcomes(db_session, io.BytesIO((header + text).encode()), today=TODAY, **kwargs)


def outcomes(db_session) -> list[Outcome]:
    return list(db_session.scalars(select(Outcome).order_by(Outcome.id)))


def test_good_file_stores_each_period_kind_and_attributes_touchpoints_to_their_team(db_session, org):
    ops, sales, web = org
    result = run(db_session, "2026-03,OPS,churn_rate,3.2,1450\n"
                             "2026-Q1,WEB,complaints,12,\n"
                             "2025,SALES,revenue,\"1250000,5\",\n"
                             "2026-10-01..2026-10-15,OPS,retention,91.5,800\n"
                             "2025-12-15..2026-01-14,OPS,repeat_rate,20,\n")
    assert result.ok, result.report_lines()
    assert (result.rows, result.created, result.updated, result.unchanged) == (5, 5, 0, 0)
    churn, complaints, revenue, retention, repeat = outcomes(db_session)
    assert repeat.period_label == "20251215/20260114"
    assert (churn.period_start, churn.period_end, churn.period_label) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31),
                                                                          "2026-03")
    assert (churn.team_id, churn.touchpoint_id, churn.unit_key, churn.value, churn.n) == \
        (ops.id, None, f"team:{ops.id}", 3.2, 1450)
    assert (complaints.period_start, complaints.period_end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert (complaints.team_id, complaints.touchpoint_id, complaints.unit_key, complaints.n) == \
        (sales.id, web.id, f"touchpoint:{web.id}", None)
    assert (revenue.period_start, revenue.period_end, revenue.value) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31),
                                                                         1250000.5)
    assert retention.period_label == "2026-10-01/10-15"  # stored as an ISO 8601 interval (at most 20 characters)
    metrics = {m.name: (m.label, m.higher_is_better, m.unit) for m in db_session.scalars(select(OutcomeMetric))}
    assert metrics == {"churn_rate": ("Churn rate", False, "%"), "complaints": ("Complaints", False, ""),
                       "revenue": ("Revenue", True, ""), "retention": ("Retention", True, "%"),
                       "repeat_rate": ("Repeat purchase rate", True, "%")}
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "import.outcomes"))
    assert event.detail["rows"] == 5 and event.detail["replaced"] == 0


def test_each_bad_row_kind_is_named_and_nothing_is_stored(db_session, org):
    result = run(db_session, "2026-03,NOPE,churn_rate,3.2,100\n"      # unknown unit
                             "2026-13,OPS,churn_rate,3.2,100\n"       # bad period
                             "March 2026,OPS,churn_rate,3.2,100\n"    # bad period format
                             "2026-04,OPS,churn_rate,high,100\n"      # value not a number
                             "2026-12,OPS,churn_rate,3.2,100\n"       # future period (not over)
                             "2026-05,OPS,churn_rate,3.2,-4\n"        # n negative
                             "2026-06,ops,churn_rate,3.2,100\n"       # wrong case
                             "2026-07,OPS,nps_b2b,31,\n"              # new metric without direction
                             "2026-08,OPS,churn_rate,140,\n"          # a rate above 100%
                             "2026-09,OPS,churn_rate,3.1,10\n"
                             "2026-09,OPS,churn_rate,3.3,10\n")       # the same figure twice
    assert [str(e) for e in result.errors] == [
        "line 2, column unit: Unknown unit 'NOPE': no team or touchpoint has this code. Import the organisation "
        "and touchpoints first.",
        "line 3, column period: '2026-13' is not a month (months run 01 to 12); write 2026-03 (a month), 2026-Q1 "
        "(a quarter), 2026 (a year) or 2026-03-01..2026-03-31 (days).",
        "line 4, column period: 'March 2026' is not a period; write 2026-03 (a month), 2026-Q1 (a quarter), 2026 "
        "(a year) or 2026-03-01..2026-03-31 (days).",
        "line 5, column value: 'high' is not a number; write the value as e.g. 3.2 or 1250 (no thousands "
        "separators or units).",
        "line 6, column period: The period 2026-12 ends on 2026-12-31, after today (2026-12-01); only periods "
        "that are over can be imported.",
        "line 7, column n: n is -4; it counts customers or accounts, so it cannot be negative.",
        "line 8, column unit: Unknown unit 'ops': no team or touchpoint has this code. Did you mean 'OPS'? "
        "Import the organisation and touchpoints first.",
        "line 9, column direction: 'nps_b2b' is a new metric: say whether higher or lower is better in a "
        "direction column (higher or lower), and give it a label.",
        "line 10, column value: 140 is not a percentage from 0 to 100 (churn_rate is a rate in %).",
        "line 12: The same period, unit and metric as line 11; give each figure once.",
    ]
    assert not result.ok and "Nothing was imported" in result.summary()
    assert outcomes(db_session) == [] and db_session.scalar(select(func.count()).select_from(OutcomeMetric)) == 0


def test_dry_run_checks_and_changes_nothing(db_session, org):
    # Counted before and after: audit events can never be deleted, so other tests' may already be there.
    audited = db_session.scalar(select(func.count()).select_from(AuditEvent))
    result = run(db_session, "2026-03,OPS,churn_rate,3.2,1450\n", dry_run=True)
    assert result.ok and result.dry_run and result.created == 1
    assert result.summary() == ("Check only, nothing was changed: 1 row is valid; importing would create 1, update 0, "
                                "leave 0 unchanged.")
    assert outcomes(db_session) == []
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)) == audited


def test_reimport_replaces_the_value_and_says_so(db_session, org):
    ops, _sales, _web = org
    assert run(db_session, "2026-03,OPS,churn_rate,3.2,1450\n2026-03,WEB,complaints,4,\n").ok
    again = run(db_session, "2026-03,OPS,churn_rate,2.9,1500\n2026-03,WEB,complaints,4,\n")
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert "line 2: replace churn_rate 2026-03 OPS: 3.2 → 2.9, n 1450 → 1500" in again.changes
    churn = db_session.scalar(select(Outcome).where(Outcome.metric == "churn_rate"))
    assert (churn.value, churn.n) == (2.9, 1500)
    assert db_session.scalar(select(func.count()).select_from(Outcome)) == 2
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "import.outcomes")
                                .order_by(AuditEvent.id)).all()
    assert [e.detail["replaced"] for e in events] == [0, 1]


def test_new_metric_with_label_and_direction_and_fraction_hint(db_session, org):
    header = "period,unit,metric,value,n,label,direction,unit_of_measure\n"
    result = run(db_session, "2026-03,OPS,nps_b2b,31,,B2B NPS,higher,points\n"
                             "2026-04,OPS,nps_b2b,33,,,,\n"
                             "2026-03,OPS,churn_rate,0.03,,,,\n", header=header)
    assert result.ok, result.report_lines()
    metric = db_session.get(OutcomeMetric, "nps_b2b")
    assert (metric.label, metric.higher_is_better, metric.unit) == ("B2B NPS", True, "points")
    assert any("rates are read in percent" in n for n in result.notes)
    clash = run(db_session, "2026-05,OPS,nps_b2b,31,,B2B NPS,higher,\n2026-06,OPS,nps_b2b,31,,B2B NPS,lower,\n",
                header=header)
    assert [str(e) for e in clash.errors] == [
        "line 3, column metric: The label, direction or unit of measure of nps_b2b differs from line 2; give them "
        "once, or the same on every line."]


def test_code_of_both_a_team_and_a_touchpoint_needs_a_prefix(db_session, make, org):
    _ops, sales, _web = org
    make.touchpoint(team=sales, code="OPS")
    result = run(db_session, "2026-03,OPS,complaints,2,\n")
    assert [str(e) for e in result.errors] == [
        "line 2, column unit: 'OPS' is both a team and a touchpoint code; write team:OPS or touchpoint:OPS."]
    assert run(db_session, "2026-03,touchpoint:OPS,complaints,2,\n").ok
    assert outcomes(db_session)[0].touchpoint_id is not None
