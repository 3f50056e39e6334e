"""Action-plan import: row-by-row checks, all or nothing, several teams, re-import skips, BOM and formulas."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from surveys.ingestion import import_actions
from surveys.models import Action, ActionEvent, AuditEvent

HEADER = "team_code,title,metric,start,due,status,owner_email\n"
NOW = dt.datetime(2026, 11, 30, 9, 0)


@pytest.fixture
def org(make):
    ops, sales = make.team(code="OPS"), make.team(code="SALES")
    lead = make.staff(role="team_lead", team=ops, email="lead@example.com")
    make.person(team=ops, email="ana@example.com")  # an employee: cannot own an action
    make.staff(role="hr_admin", email="gone@example.com", active=False)
    return ops, sales, lead


def run(db_session, text: str, header: str = HEADER, encoding: str = "utf-8", **kwargs):
    return import_actions(db_session, io.BytesIO((header + text).encode(encoding)), now=NOW, **kwargs)


def actions(db_session) -> list[Action]:
    return list(db_session.scalars(select(Action).order_by(Action.id)))


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def test_valid_file_creates_actions_with_teams_history_and_no_baseline(db_session, org):
    ops, sales, lead = org
    header = HEADER.rstrip("\n") + ",description,target,visibility\n"
    result = run(db_session, "OPS;SALES,Weekly stand-up,Process,2026-01-05,2026-03-31,in progress,Lead@Example.com,"
                             "Talk about blockers,75,published\n"
                             "OPS,Fix onboarding,enps,2026-02-01,2026-02-01,planned,lead@example.com,,,\n",
                 header=header, actor_id=lead.id)
    assert result.ok, result.report_lines()
    assert (result.rows, result.created, result.unchanged) == (2, 2, 0)
    first, second = actions(db_session)
    assert [t.code for t in first.teams] == ["OPS", "SALES"]
    assert (first.metric, first.status, first.owner_id, first.target, first.visibility, first.source) == \
        ("process", "in_progress", lead.id, 75.0, "published", "import")
    assert (first.starts_on, first.due_on, first.description) == (dt.date(2026, 1, 5), dt.date(2026, 3, 31),
                                                                 "Talk about blockers")
    assert first.baseline is None and first.baseline_n is None and first.created_by_id == lead.id
    assert (second.metric, second.visibility, second.target) == ("enps", "leaders", None)
    (event,) = first.events
    assert event.what == "created" and "line 2" in event.detail and event.actor_id == lead.id
    assert first.updated_at == NOW
    assert db_session.scalar(select(AuditEvent.action).where(AuditEvent.action == "import.actions")) == "import.actions"
    assert any("no baseline" in n for n in result.notes)


def test_every_bad_cell_is_named_by_line_and_column_and_nothing_is_written(db_session, org):
    result = run(db_session,
                 "NOPE,A,process,2026-01-05,2026-03-31,planned,lead@example.com\n"       # unknown team
                 "ops,B,process,2026-01-05,2026-03-31,planned,lead@example.com\n"        # wrong case
                 "OPS,C,happiness,2026-01-05,2026-03-31,planned,lead@example.com\n"      # unknown metric
                 "OPS,D,process,05/01/2026,2026-02-30,planned,lead@example.com\n"        # bad dates
                 "OPS,E,process,2026-03-31,2026-01-05,planned,lead@example.com\n"        # due before start
                 "OPS,F,process,2026-01-05,2026-03-31,started,lead@example.com\n"        # bad status
                 "OPS,G,process,2026-01-05,2026-03-31,planned,nobody@example.com\n"      # unknown owner
                 "OPS,H,process,2026-01-05,2026-03-31,planned,ana@example.com\n"         # not staff
                 "OPS,I,process,2026-01-05,2026-03-31,planned,gone@example.com\n"        # deactivated
                 "OPS,,process,2026-01-05,2026-03-31,planned,lead@example.com\n"         # blank title
                 "OPS,K,process,2026-01-05,2026-03-31,planned,lead@example.com\n")       # fine
    errors = [str(e) for e in result.errors]
    assert errors == [
        "line 2, column team_code: Unknown team 'NOPE'. Import the organisation first.",
        "line 3, column team_code: Unknown team 'ops'. Did you mean 'OPS'? Import the organisation first.",
        "line 4, column metric: Unknown metric 'happiness'. Choose one of engagement, culture, people, process, "
        "technology, enps, csat, nps, ces, or outcome:<name> for an imported business outcome.",
        "line 5, column start: '05/01/2026' is not a date in the format YYYY-MM-DD (e.g. 2026-03-04).",
        "line 5, column due: '2026-02-30' is not a real date.",
        "line 6, column due: The due date 2026-01-05 is before the start 2026-03-31.",
        "line 7, column status: 'started' is not a valid status; use one of planned, in progress, done, abandoned.",
        "line 8, column owner_email: Nobody has the email 'nobody@example.com'; the owner must be a staff user.",
        "line 9, column owner_email: ana@example.com is an employee without sign-in; the owner must be a team "
        "lead, HR admin or executive.",
        "line 10, column owner_email: gone@example.com is deactivated; choose an active staff user as owner.",
        "line 11, column title: The title is blank.",
    ]
    assert result.summary().startswith("Rejected: 11 problems in 10 lines. Nothing was imported")
    assert count(db_session, Action) == 0 and count(db_session, ActionEvent) == 0


def test_target_outside_the_metric_range_and_bad_visibility(db_session, org):
    header = HEADER.rstrip("\n") + ",target,visibility\n"
    result = run(db_session, "OPS,A,process,2026-01-05,2026-03-31,done,lead@example.com,120,\n"
                             "OPS,B,ces,2026-01-05,2026-03-31,done,lead@example.com,lots,everyone\n"
                             "OPS,C,ces,2026-01-05,2026-03-31,done,lead@example.com,\"1,000\",\n"
                             "OPS,D,enps,2026-01-05,2026-03-31,done,lead@example.com,nan,\n", header=header)
    assert [str(e) for e in result.errors] == [
        "line 2, column target: Process runs from 0 to 100; 120 is outside that range.",
        "line 3, column target: 'lots' is not a number; write the target as e.g. 75 or 7.5.",
        "line 3, column visibility: 'everyone' is not a valid visibility; use one of leaders, published.",
        "line 4, column target: '1,000' is not a number; write the target as e.g. 75 or 7.5.",
        "line 5, column target: 'nan' is not a number; write the target as e.g. 75 or 7.5.",
    ]
    fine = run(db_session, "OPS,E,ces,2026-01-05,2026-03-31,done,lead@example.com,\"5,5\",\n"
                           "OPS,F,enps,2026-01-05,2026-03-31,done,lead@example.com,-10,\n", header=header)
    assert fine.ok and [a.target for a in actions(db_session)] == [5.5, -10.0]


def test_statuses_and_metric_labels_are_read_case_insensitively(db_session, org):
    rows = "".join(f"OPS,T{i},{metric},2026-01-05,2026-03-31,{status},lead@example.com\n"
                   for i, (metric, status) in enumerate([("eNPS", "Planned"), ("CSAT", "In Progress"),
                                                         ("ENGAGEMENT", "in_progress"), ("ces", "DONE"),
                                                         ("outcome:churn", "abandoned")]))
    result = run(db_session, rows)
    assert result.ok, result.report_lines()
    got = [(a.metric, a.status) for a in actions(db_session)]
    assert got == [("enps", "planned"), ("csat", "in_progress"), ("engagement", "in_progress"), ("ces", "done"),
                   ("outcome:churn", "abandoned")]
    assert actions(db_session)[-1].abandon_reason


def test_reimporting_the_same_file_skips_every_row_and_says_which(db_session, org):
    text = ("OPS;SALES,Weekly stand-up,process,2026-01-05,2026-03-31,planned,lead@example.com\n"
            "SALES,Call back unhappy customers,csat,2026-01-05,2026-03-31,planned,lead@example.com\n")
    assert run(db_session, text).created == 2
    first = actions(db_session)[0]
    first.status = "done"  # changed in Tandem since: the old file must not undo it
    db_session.flush()
    again = run(db_session, text.replace("SALES;OPS", "x").replace("OPS;SALES,Weekly", "SALES;OPS,weekly  "))
    assert again.ok and (again.created, again.unchanged) == (0, 2)
    assert again.changes[0] == (f"line 2: skip: already in Tandem as action {first.id} 'Weekly stand-up'; the file "
                                "differs in status, Tandem keeps its own")
    assert again.changes[1].startswith("line 3: skip: already in Tandem as action")
    assert "differs" not in again.changes[1]
    assert count(db_session, Action) == 2 and actions(db_session)[0].status == "done"
    assert "skipped, not updated" in " ".join(again.notes)
    # Another start date or another set of teams is another action.
    other = run(db_session, "OPS,Weekly stand-up,process,2026-01-05,2026-03-31,planned,lead@example.com\n"
                            "OPS;SALES,Weekly stand-up,process,2026-04-01,2026-06-30,planned,lead@example.com\n")
    assert other.created == 2


def test_the_same_action_twice_in_one_file_is_refused(db_session, org):
    result = run(db_session, "OPS;SALES,Stand-up,process,2026-01-05,2026-03-31,planned,lead@example.com\n"
                             "SALES;OPS,STAND-UP,process,2026-01-05,2026-04-30,planned,lead@example.com\n")
    assert [str(e) for e in result.errors] == [
        "line 3: This is the same action as line 2 (same title, teams and start)."]
    assert count(db_session, Action) == 0


def test_dry_run_reports_what_would_happen_and_writes_nothing(db_session, org):
    result = run(db_session, "OPS,Stand-up,process,2026-01-05,2026-03-31,planned,lead@example.com\n", dry_run=True)
    assert result.ok and result.dry_run and result.created == 1
    assert result.changes == ("line 2: create action 'Stand-up' for OPS (planned, due 2026-03-31)",)
    assert result.summary().startswith("Check only, nothing was changed: 1 row is valid; importing would create 1")
    assert count(db_session, Action) == 0


def test_bom_semicolons_windows_lines_and_header_aliases(db_session, org):
    body = ("\ufeffTeams;Title;Metric;Start date;Due date;Status;Owner\r\n"
            "\"OPS;SALES\";Café des équipes;Process;2026-01-05;2026-03-31;planned;lead@example.com\r\n")
    result = import_actions(db_session, io.BytesIO(body.encode("utf-8")), now=NOW)
    assert result.ok, result.report_lines()
    (action,) = actions(db_session)
    assert action.title == "Café des équipes" and [t.code for t in action.teams] == ["OPS", "SALES"]
    assert any("';' as delimiter" in n for n in result.notes)


def test_latin1_file_is_refused_naming_the_line(db_session, org):
    result = run(db_session, "OPS,Café,process,2026-01-05,2026-03-31,planned,lead@example.com\n", encoding="latin-1")
    assert [str(e) for e in result.errors] == [
        "line 2: This line is not valid UTF-8 (byte 0xE9); save the file as UTF-8 (in Excel: 'CSV UTF-8')."]
    assert count(db_session, Action) == 0


def test_malformed_csv_is_refused_as_a_whole(db_session, org):
    result = run(db_session, "OPS,Stand-up,process,2026-01-05,2026-03-31,planned\n"
                             "OPS,\"Unclosed,process,2026-01-05,2026-03-31,planned,lead@example.com\n")
    assert not result.ok
    assert str(result.errors[0]) == "line 2: This line has 6 values but the header has 7 columns."
    missing = run(db_session, "OPS,x\n", header="team_code,title\n")
    assert "Missing columns metric, start, due, status, owner_email" in str(missing.errors[0])
    assert count(db_session, Action) == 0


def test_formula_like_cells_stay_text_and_a_defusing_quote_is_dropped(db_session, org):
    header = HEADER.rstrip("\n") + ",description\n"
    result = run(db_session, "OPS,=HYPERLINK(\"http://x\"),process,2026-01-05,2026-03-31,planned,lead@example.com,"
                             "'@SUM(A1)\n"
                             "=OPS,Stand-up,process,2026-01-05,2026-03-31,planned,lead@example.com,\n", header=header)
    assert [str(e) for e in result.errors] == [
        "line 3, column team_code: Unknown team '=OPS'. Import the organisation first."]
    result = run(db_session, "OPS,=HYPERLINK(\"http://x\"),process,2026-01-05,2026-03-31,planned,lead@example.com,"
                             "'@SUM(A1)\n", header=header)
    assert result.ok
    (action,) = actions(db_session)
    assert (action.title, action.description) == ('=HYPERLINK("http://x")', "@SUM(A1)")
    assert any("never run as a formula" in n for n in result.notes)


def test_a_bad_row_among_good_ones_imports_nothing(db_session, org):
    good = "".join(f"OPS,Action {i},process,2026-01-05,2026-03-31,planned,lead@example.com\n" for i in range(20))
    result = run(db_session, good + "OPS,Broken,process,2026-01-05,2026-03-31,planned,nobody@example.com\n")
    assert not result.ok and result.rows == 21 and result.error_count == 1
    assert count(db_session, Action) == 0 and count(db_session, ActionEvent) == 0
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "import.actions")) == 0
