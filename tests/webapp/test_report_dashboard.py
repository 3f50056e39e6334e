"""Dashboard report: employee figures with their change between waves, customer windows per channel,
the same numbers on the page, in CSV, JSON and `tandem report dashboard`, and a team lead's subtree only."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlalchemy import select

from surveys.collection import submission
from surveys.insights.figures import ParamError
from surveys.insights.reports import dashboard
from surveys.insights.reports._customer import trailing, weeks
from surveys.insights.reports.params import ReportParams, ReportSettings, Scope
from surveys.models import Team

EX = [{"code": "e1", "qtype": "likert5", "dimension": "engagement"},
      {"code": "enps", "qtype": "scale0_10", "dimension": "enps"}]
CX = [{"code": "sat", "qtype": "likert5", "dimension": "csat"}]
AS_OF = "2026-03-31"


@pytest.fixture
def org(db_session, make):
    """DEPT with teams A and B; two closed waves (A: 2 then 4 of 6 favourable); customer answers at A's
    web touchpoint and B's phone touchpoint around the 30-day edge before 31 March 2026."""
    dept = make.team(code="DEPT", name="Department")
    a, b = make.team(code="A", name="Alpha", parent=dept), make.team(code="B", name="Beta", parent=dept)
    program = make.program(survey=make.survey(questions=EX), code="EX")
    for month, favourable in ((1, 2), (2, 4)):
        wave = make.wave(program, opens_at=dt.datetime(2026, month, 1), days=10, status="closed", label=f"W{month}")
        e1, enps = wave.survey.questions
        for team in (a, b):
            for i in range(6):
                value = 5 if i < favourable else 2
                submission.store_response(db_session, wave=wave, team_id=team.id, source="import",
                                          parsed={e1: (value, None), enps: (9 if i < 3 else 5, None)},
                                          today=dt.date(2026, month, 3))
    web, phone = make.touchpoint(team=a, channel="web"), make.touchpoint(team=b, channel="phone")
    cx_wave = make.wave(make.program(survey=make.survey(audience="customer", questions=CX)),
                        opens_at=dt.datetime(2026, 1, 1), days=120, status="open")
    sat = cx_wave.survey.questions[0]

    def answer(tp, team, value, day):
        submission.store_response(db_session, wave=cx_wave, team_id=team.id, source="import",
                                  parsed={sat: (value, None)}, today=day, touchpoint=tp)

    for value in (5, 5, 4, 4, 4, 4, 2, 1):  # 6 of 8 satisfied, inside the last 30 days (2 to 31 March)
        answer(web, a, value, dt.date(2026, 3, 10))
    for _ in range(5):
        answer(web, a, 5, dt.date(2026, 2, 10))
    answer(web, a, 1, dt.date(2026, 3, 1))  # 1 March is the 31st day back: the 30 days before
    for value in (5, 1, 1):
        answer(phone, b, value, dt.date(2026, 3, 12))
    db_session.commit()
    return dept, a, b


def _build(db_session, scope=Scope(None), **options):
    unit = options.pop("unit", None)
    return dashboard.build(db_session, ReportParams(unit=unit, options={"as_of": AS_OF, **options}), scope,
                           ReportSettings())


def _fig(report, metric, period=None, channel=None):
    return next(f for f in report.figures if f.metric == metric and (period is None or f.period == period)
                and (channel is None or f.get("channel") == channel))


def test_windows_are_the_days_up_to_as_of_and_the_days_before():
    cur, before = trailing(dt.date(2026, 3, 31), 30)
    assert cur == (dt.date(2026, 3, 2), dt.date(2026, 4, 1)) and before == (dt.date(2026, 1, 31), dt.date(2026, 3, 2))
    bins = weeks(trailing(dt.date(2026, 3, 31), 90)[0])
    assert len(bins) == 13 and bins[0] == (dt.date(2026, 1, 1), dt.date(2026, 1, 7)) and bins[-1][0] == dt.date(2026, 3, 25)


def test_engagement_change_and_its_welch_interval_by_hand(db_session, org):
    rep = _build(db_session, unit="A")
    f = _fig(rep, "engagement")
    # Respondents score 100 or 0: W1 2 of 6 (33.3), W2 4 of 6 (66.7); each wave's variance
    # (2*66.67^2 + 4*33.33^2)/5 = 2666.7, se = sqrt(2*2666.7/6) = 29.81; equal n and variances give
    # Welch df = 10 and t(0.975, 10) = 2.228 (published t table): 33.33 -/+ 2.228*29.81 = -33.1 .. 99.8.
    assert (f.value, f.n, f.period) == (66.7, 6, "W2")
    assert (f.get("change"), f.get("change_low"), f.get("change_high")) == (33.3, -33.1, 99.8)
    assert f.get("significant") is False and f.get("previous") == "W1"
    enps = _fig(rep, "enps")  # three 9s, three 5s both waves: eNPS 50 - 50 = 0, no change
    assert (enps.value, enps.get("change")) == (0.0, 0.0)
    assert _fig(rep, "response_rate").suppressed  # nobody invited: nothing to show
    assert any("independent samples" in n for n in rep.notes)


def test_customer_30_days_by_hand(db_session, org):
    rep = _build(db_session, unit="A")
    f = _fig(rep, "csat", "30d", "web")
    # 6 of 8 satisfied = 75%; Wilson 95% for 6/8 (z = 1.96): centre (0.75 + 1.9208/8)/(1 + 3.8416/8) = 0.6689,
    # half-width 1.96*sqrt(0.75*0.25/8 + 3.8416/256)/1.4802 = 0.2596 -> 40.9 to 92.9.
    assert (f.value, f.n, f.ci_low, f.ci_high) == (75.0, 8, 40.9, 92.9)
    before = _fig(rep, "csat", "30d", "all")
    assert before.value == 75.0 and before.get("previous") == "2026-01-31/2026-03-01"
    # The 30 days before hold 5 satisfied of 6 (the answer of 1 March counts there): change 75 - 83.3.
    assert before.get("change") == -8.3
    ninety = _fig(rep, "csat", "90d", "all")  # January to March: whole months, read from the monthly rollup
    assert (ninety.value, ninety.n) == (round(100 * 11 / 14, 1), 14)


def test_a_lone_hidden_channel_takes_a_sibling_with_it(db_session, org):
    rep = _build(db_session)
    total, web, phone = (_fig(rep, "csat", "30d", ch) for ch in ("all", "web", "phone"))
    assert total.n == 11 and total.value == round(100 * 7 / 11, 1)
    assert phone.suppressed and web.suppressed  # 3 phone answers; web would give them away beside the total
    assert _fig(rep, "csat", "90d", "all").n == 17 and _fig(rep, "csat", "90d", "web").suppressed
    weekly = [f for f in rep.figures if f.get("window") == "week" and f.metric == "csat"]
    assert len(weekly) == 13 and all(f.suppressed or f.n >= 5 for f in weekly)


def test_organisation_and_department_sum_their_teams(db_session, org):
    dept = _fig(_build(db_session, unit="DEPT"), "engagement")
    assert (dept.value, dept.n) == (66.7, 12)
    org_rep = _build(db_session)
    assert _fig(org_rep, "engagement").n == 12
    assert any("fewer than the 10 needed" in n for n in org_rep.notes)  # two teams: no links reported


def test_team_lead_gets_their_subtree_and_no_links(db_session, org):
    _dept, a, _b = org
    rep = _build(db_session, scope=Scope(frozenset({a.id})))
    assert {f.unit for f in rep.figures} == {"A"}
    assert not any(f.metric.startswith("link:") for f in rep.figures)
    assert not any("links" in n for n in rep.notes)
    with pytest.raises(ParamError) as err:
        _build(db_session, scope=Scope(frozenset({a.id})), unit="B")
    assert err.value.param == "unit"


@pytest.mark.parametrize("value", ["31/03/2026", "yesterday", "0001-01-01"])
def test_bad_as_of_names_the_option(db_session, org, value):
    with pytest.raises(ParamError) as err:
        _build(db_session, as_of=value)
    assert err.value.param == "as_of"


def test_page_csv_json_and_cli_agree(client, login, runner, db_session, org):
    login("executive")
    page = client.get(f"/reports/dashboard?as_of={AS_OF}&unit=A")
    assert page.status_code == 200 and b"Alpha" in page.data and b"-33.1" in page.data and b"vega-spec" in page.data
    data = json.loads(client.get(f"/reports/dashboard.json?as_of={AS_OF}&unit=A").data)
    rows = list(csv.DictReader(io.StringIO(client.get(f"/reports/dashboard.csv?as_of={AS_OF}&unit=A")
                                           .get_data(as_text=True))))
    cli = runner.invoke(args=["report", "dashboard", "--format", "json", "--unit", "A", "--option", f"as_of={AS_OF}"])
    assert cli.exit_code == 0, cli.output
    assert json.loads(cli.output)["figures"] == data["figures"]
    assert len(rows) == len(data["figures"])
    for row, fig in zip(rows, data["figures"]):
        assert row["metric"] == fig["metric"] and row["value"] == ("" if fig["value"] is None else str(fig["value"]))
        assert row["change_low"] == ("" if fig.get("change_low") is None else str(fig["change_low"]))
    assert data["parameters"]["as_of"] == AS_OF
    bad = client.get("/reports/dashboard?as_of=soon")
    assert bad.status_code == 400 and b"as_of" in bad.data
    assert client.get("/reports/dashboard.json?as_of=soon").status_code == 400


def test_team_lead_page_shows_only_their_subtree(client, login, db_session, org):
    _dept, a, _b = org
    lead = login("team_lead", team=a)
    a.lead_id = lead.id
    db_session.commit()
    data = json.loads(client.get(f"/reports/dashboard.json?as_of={AS_OF}").data)
    assert {f["unit"] for f in data["figures"]} == {"A"}
    assert client.get(f"/reports/dashboard?as_of={AS_OF}").status_code == 200
    assert client.get("/reports/dashboard?unit=B").status_code == 400


def test_the_strongest_links_in_plain_sentences(db_session, make):
    """Six teams whose CSAT rises with engagement in both waves: the dashboard names the link, with
    r equal to the plain Pearson correlation of the 12 team-waves."""
    import numpy as np

    program = make.program(survey=make.survey(questions=EX), code="LNK")
    cx_wave = make.wave(make.program(survey=make.survey(audience="customer", questions=CX)),
                        opens_at=dt.datetime(2026, 1, 1), days=90, status="open")
    sat = cx_wave.survey.questions[0]
    engaged, satisfied = [1, 2, 3, 4, 5, 6], [1, 2, 4, 3, 5, 6]
    waves = [make.wave(program, opens_at=dt.datetime(2026, m, 1), days=10, status="closed", label=f"L{m}")
             for m in (1, 2)]
    for t in range(6):
        team = make.team(code=f"T{t}")
        tp = make.touchpoint(team=team)
        for wave in waves:
            e1, enps = wave.survey.questions
            month = wave.opens_at.month
            for i in range(6):
                submission.store_response(db_session, wave=wave, team_id=team.id, source="import",
                                          parsed={e1: (5 if i < engaged[t] else 1, None), enps: (i + 4, None)},
                                          today=dt.date(2026, month, 3))
                submission.store_response(db_session, wave=cx_wave, team_id=team.id, source="import",
                                          parsed={sat: (5 if i < satisfied[t] else 1, None)},
                                          today=dt.date(2026, month, 5), touchpoint=tp)
    db_session.commit()
    rep = dashboard.build(db_session, ReportParams(program="LNK", options={"as_of": "2026-02-28"}), Scope(None),
                          ReportSettings(linkage_min_teams=4))
    links = [f for f in rep.figures if f.metric.startswith("link:")]
    assert links and links[0].metric == "link:engagement>csat" and links[0].period == "same wave"
    r = np.corrcoef(np.array(engaged * 2) / 6, np.array(satisfied * 2) / 6)[0, 1]
    assert links[0].value == round(r, 2) and links[0].n == 12
    assert links[0].get("q_value") < 0.05 and "Teams with higher engagement had higher CSAT" in links[0].get("finding")
    assert len(links) <= 3 and [f.get("q_value") for f in links] == sorted(f.get("q_value") for f in links)
    t0 = db_session.scalar(select(Team.id).where(Team.code == "T0"))
    lead = dashboard.build(db_session, ReportParams(program="LNK", options={"as_of": "2026-02-28"}),
                           Scope(frozenset({t0})), ReportSettings(linkage_min_teams=4))
    assert not any(f.metric.startswith("link:") for f in lead.figures)


def test_response_rate_and_the_participation_pages_hidden_teams(db_session, make, org):
    """W2: A 8 of 10 answered, B 3 of 10; the participation page hides B and then A beside the total,
    so the dashboard hides A too, while the department (11 of 20) shows with its change from W1 (14 of 20)."""
    from surveys.models import SubmissionReceipt, Wave

    _dept, a, b = org
    for label, answered in (("W1", {a: 6, b: 8}), ("W2", {a: 8, b: 3})):
        wave = db_session.scalar(select(Wave).where(Wave.label == label))
        for team, n in answered.items():
            for i in range(10):
                inv, _token = make.invitation(wave, make.person(team=team))
                db_session.flush()
                if i < n:
                    db_session.add(SubmissionReceipt(invitation_id=inv.id))
    db_session.commit()
    assert _fig(_build(db_session, unit="A"), "response_rate").suppressed
    rate = _fig(_build(db_session, unit="DEPT"), "response_rate")
    assert (rate.value, rate.n, rate.get("change"), rate.get("previous")) == (55.0, 20, -15.0, "W1")
