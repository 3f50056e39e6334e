"""README 'Bringing history in from another tool', walked step by step on an empty database.

Organisation and touchpoints from CSV, the two programs on the admin page, a year of history with
`tandem import history` (four quarterly employee waves) and `tandem import feedback` (twelve months of
customer feedback), then the linkage pipeline and the reports index must see it all. Set-up that the
client or runner must see is committed first (each request and command closes the shared session).
"""
from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import func, select

from surveys.models import Invitation, Program, Response, Team, Wave, utcnow
from surveys.insights.reports.linkage import linkage_analysis

TEAMS = ["NORTH", "SOUTH", "EAST", "WEST", "HUB"]
SMALL = "TINY"  # three people: stored, never shown
QUARTERS = [("2025-Q4", "2025-12-01", "2025-12-14"), ("2026-Q1", "2026-03-02", "2026-03-15"),
            ("2026-Q2", "2026-06-01", "2026-06-14"), ("2026-Q3", "2026-09-01", "2026-09-14")]
MONTHS = [(2025, 12)] + [(2026, m) for m in range(1, 12)]
EX_ITEMS = ["eng_pride", "eng_stay", "prc_serve", "cul_respect", "enps"]


def write(tmp_path, name: str, lines: list[str]) -> str:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def cli(runner, *args: str):
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def files(tmp_path):
    rng = random.Random(11)
    teams = ["team_code,team_name,parent_code,lead_email", "ORG,Organisation,,"]
    teams += [f"{t},{t.title()},ORG," for t in TEAMS + [SMALL]]
    people = ["email,name,team_code,role"]
    people += [f"{t.lower()}{i}@example.com,{t} {i},{t},employee" for t in TEAMS for i in range(8)]
    people += [f"tiny{i}@example.com,Tiny {i},{SMALL},employee" for i in range(3)]
    touchpoints = ["code,name,channel,team_code"] + [f"TP-{t},{t} desk,phone,{t}" for t in TEAMS + [SMALL]]
    history = {}
    for label, opens, _closes in QUARTERS:
        rows = ["team_code,submitted_on," + ",".join(EX_ITEMS)]
        for team in TEAMS + [SMALL]:
            mood = rng.randint(2, 4)
            for _ in range(3 if team == SMALL else 7):
                scores = [min(5, max(1, mood + rng.randint(-1, 1))) for _ in EX_ITEMS[:-1]]
                rows.append(f"{team},{opens}," + ",".join(map(str, scores)) + f",{rng.randint(0, 10)}")
        history[label] = write(tmp_path, f"history-{label}.csv", rows)
    feedback = ["touchpoint,date,csat,nps,ces"]
    for year, month in MONTHS:
        for team in TEAMS:
            for day in range(1, 9):
                feedback.append(f"TP-{team},{year}-{month:02d}-{day * 3:02d},{rng.randint(1, 5)},"
                                f"{rng.randint(0, 10)},{rng.randint(1, 7)}")
    return {"teams": write(tmp_path, "teams.csv", teams), "people": write(tmp_path, "people.csv", people),
            "touchpoints": write(tmp_path, "touchpoints.csv", touchpoints), "history": history,
            "feedback": write(tmp_path, "feedback.csv", feedback)}


def new_program(client, **fields) -> None:
    tomorrow = (utcnow() + dt.timedelta(days=1)).date().isoformat()
    data = {"wave_days": "14", "reminder_days": "5", "first_opens_on": tomorrow, "first_label": "", **fields}
    response = client.post("/admin/programs/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)


def test_a_year_of_history_reaches_the_linkage_report(client, runner, login, db_session, files):
    login("hr_admin")
    db_session.commit()
    # 1. Organisation and touchpoints.
    cli(runner, "import", "org", files["teams"], files["people"])
    cli(runner, "import", "touchpoints", files["touchpoints"])
    # 2. The programs Tandem will run from now on (their first waves open tomorrow).
    new_program(client, code="pulse", name="Quarterly pulse", instrument="template:engagement", cadence="quarterly")
    new_program(client, code="cx", name="Customer feedback", instrument="template:cx", cadence="always_on")
    # 3. A year of employee history, one past wave per quarter, created by the import itself.
    for label, opens, closes in QUARTERS:
        out = cli(runner, "import", "history", "--program", "pulse", "--label", label, "--opens", opens,
                  "--closes", closes, files["history"][label]).output
        assert f"created past wave {label} ({opens} to {closes}, closed, for imported results only)" in out
    # 4. Twelve months of customer feedback: past waves for the months before the program's first wave.
    out = cli(runner, "import", "feedback", "--program", "cx", files["feedback"]).output
    assert "created past wave 2025-12 (2025-12-01 to 2025-12-31" in out
    assert "Imported 480 rows: added 480 responses." in out

    pulse = db_session.scalar(select(Program).where(Program.code == "pulse"))
    pulse_id = pulse.id  # report pages store their cache in a write of their own, which ends the shared test session's read
    past = [w for w in pulse.waves if w.historical]
    assert [w.label for w in past] == [q[0] for q in QUARTERS]
    assert all(w.status == "closed" for w in past)
    assert db_session.scalar(select(func.count()).select_from(Invitation)) == 0  # nobody invited or mailed
    assert db_session.scalar(select(func.count()).select_from(Wave).where(Wave.historical)) == 4 + 12

    # Five teams are below TANDEM_LINKAGE_MIN_TEAMS (10): no correlation is computed, and the page says why.
    few = linkage_analysis(db_session, "pulse", min_group_size=5)
    assert few.too_few_teams and few.teams == len(TEAMS) and few.report.rows == ()
    page = client.get("/reports/linkage?program=pulse").get_data(as_text=True)
    assert "not enough teams to report links without singling a team out" in page and "<td class=\"num\">" not in page
    result = linkage_analysis(db_session, "pulse", min_group_size=5, min_teams=len(TEAMS))
    assert [w.label for w in result.waves] == [q[0] for q in QUARTERS]
    assert result.report.row("engagement", "csat", 0).n == len(TEAMS) * len(QUARTERS)
    assert result.report.row("engagement", "csat", 1).n == len(TEAMS) * (len(QUARTERS) - 1)
    # The small team's rows are stored but hidden from every statistic.
    tiny = db_session.scalar(select(func.count()).select_from(Response).join(Team, Team.id == Response.team_id)
                             .where(Team.code == SMALL))
    assert tiny == 3 * len(QUARTERS)
    assert result.units.suppressed >= len(QUARTERS)

    index = client.get("/reports/").get_data(as_text=True)
    assert all(label in index for label, _o, _c in QUARTERS) and "2026-06" in index
    page = client.get(f"/admin/programs/{pulse_id}").get_data(as_text=True)
    assert "past (imported)" in page and "Add a past wave for imported results" in page
