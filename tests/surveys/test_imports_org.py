"""Organisation import: teams and people, idempotent upsert, hierarchy checks, all or nothing."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from surveys.errors import ValidationError
from surveys.ingestion import import_org, import_org_files, import_org_people, import_org_teams
from surveys.models import AuditEvent, Person, Team

TEAMS = "team_code,team_name,parent_code,lead_email\n"
PEOPLE = "email,name,team_code,role\n"


def f(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode())


def reasons(result) -> list[str]:
    return [str(e) for e in result.errors]


def team(db_session, code) -> Team:
    return db_session.scalar(select(Team).where(Team.code == code))


def person(db_session, email) -> Person:
    return db_session.scalar(select(Person).where(Person.email == email))


def n_teams(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Team))


def test_parents_may_come_after_children_and_rerun_changes_nothing(db_session):
    text = TEAMS + "OPS-N,Operations North,OPS,\nOPS,Operations,,\nOPS-S,Operations South,OPS,\n"
    result = import_org_teams(db_session, f(text))
    assert result.ok, reasons(result)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert team(db_session, "OPS-N").parent.code == "OPS"
    assert team(db_session, "OPS").parent is None
    again = import_org_teams(db_session, f(text))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert again.changes == ()


def test_changed_names_and_parents_are_updated(db_session, make):
    root, other = make.team(code="ROOT"), make.team(code="OTHER")
    make.team(code="OPS", name="Ops", parent=root)
    result = import_org_teams(db_session, f(TEAMS + "OPS,Operations,OTHER,\n"))
    assert (result.created, result.updated) == (0, 1)
    assert result.changes == ("line 2: update team OPS: name 'Ops' → 'Operations', parent ROOT → OTHER",)
    ops = team(db_session, "OPS")
    assert (ops.name, ops.parent_id) == ("Operations", other.id)
    assert db_session.scalar(select(AuditEvent.action).where(AuditEvent.action == "import.org")) == "import.org"


def test_cycle_in_the_hierarchy_is_rejected(db_session, make):
    make.team(code="C")
    result = import_org_teams(db_session, f(TEAMS + "A,Alpha,B,\nB,Beta,C,\nC,Gamma,A,\n"))
    assert reasons(result) == ["line 2, column parent_code: The team hierarchy would loop: A → B → C → A."]
    assert team(db_session, "A") is None


def test_cycle_through_existing_team_and_self_parent(db_session, make):
    a = make.team(code="A")
    make.team(code="B", parent=a)
    result = import_org_teams(db_session, f(TEAMS + "A,Alpha,B,\nS,Self,S,\n"))
    assert reasons(result) == [
        "line 2, column parent_code: The team hierarchy would loop: A → B → A.",
        "line 3, column parent_code: Team S cannot be its own parent.",
    ]


def test_unknown_parent_duplicate_code_and_blank_name(db_session):
    result = import_org_teams(db_session, f(TEAMS + "A,Alpha,ZZ,\nA,Again,,\nB,,,\n"))
    assert reasons(result) == [
        "line 2, column parent_code: Unknown parent team 'ZZ': it is neither in the database nor in this file.",
        "line 3, column team_code: Team code 'A' already appears on line 2.",
        "line 4, column team_name: The team name is blank.",
    ]
    assert n_teams(db_session) == 0


def test_lead_must_exist_or_come_in_the_people_file(db_session):
    teams = TEAMS + "OPS,Operations,,lead@example.com\n"
    alone = import_org_teams(db_session, f(teams))
    assert "No person with email lead@example.com" in reasons(alone)[0]
    together = import_org(db_session, teams=f(teams), people=f(PEOPLE + "Lead@Example.com,Lee,OPS,team_lead\n"))
    assert together.ok, reasons(together)
    ops = team(db_session, "OPS")
    assert ops.lead.email == "lead@example.com" and ops.lead.team_id == ops.id
    assert together.counts == {"teams created": 1, "people created": 1}


def test_people_are_created_and_updated_and_rerun_is_idempotent(db_session, make):
    make.team(code="OPS")
    make.team(code="SALES")
    make.person(email="old@example.com", team=None)
    text = PEOPLE + "ana@example.com,Ana,OPS,employee\nold@example.com,Old Timer,SALES,team_lead\n"
    result = import_org_people(db_session, f(text))
    assert result.ok, reasons(result)
    assert (result.created, result.updated) == (1, 1)
    old = person(db_session, "old@example.com")
    assert (old.name, old.team.code, old.role) == ("Old Timer", "SALES", "team_lead")
    assert person(db_session, "ana@example.com").team.code == "OPS"
    assert (import_org_people(db_session, f(text)).unchanged) == 2


def test_staff_without_password_are_named_in_a_note(db_session, make):
    make.team(code="OPS")
    result = import_org_people(db_session, f(PEOPLE + "boss@example.com,Boss,OPS,executive\n"))
    assert any("cannot sign in" in n and "boss@example.com" in n for n in result.notes)
    assert person(db_session, "boss@example.com").password_hash is None


def test_people_errors_are_all_reported_and_nothing_is_written(db_session, make):
    make.team(code="OPS")
    text = PEOPLE + ("good@example.com,Good,OPS,employee\nnot-an-email,X,OPS,employee\n"
                     "b@example.com,B,NOPE,employee\nc@example.com,C,OPS,boss\nGOOD@example.com,Dup,OPS,employee\n")
    result = import_org_people(db_session, f(text))
    assert reasons(result) == [
        "line 3, column email: 'not-an-email' is not a valid email address.",
        "line 4, column team_code: Unknown team 'NOPE'. Import the teams file first or together with this one.",
        "line 5, column role: 'boss' is not a valid role; use one of employee, team_lead, hr_admin, executive.",
        "line 6, column email: good@example.com already appears on line 2.",
    ]
    assert person(db_session, "good@example.com") is None


def test_dry_run_reports_changes_and_writes_nothing(db_session, make):
    events = db_session.scalar(select(func.count()).select_from(AuditEvent))  # other tests' committed ones stay
    make.team(code="OPS", name="Ops")
    result = import_org(db_session, teams=f(TEAMS + "OPS,Operations,,\nNEW,New,OPS,\n"),
                        people=f(PEOPLE + "a@example.com,A,NEW,employee\n"), dry_run=True)
    assert result.ok and result.dry_run
    assert (result.created, result.updated) == (2, 1)
    assert "would create 2" in result.summary()
    assert team(db_session, "OPS").name == "Ops" and team(db_session, "NEW") is None
    assert person(db_session, "a@example.com") is None
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_deactivate_missing_spares_hr_admins_and_the_actor(db_session, make):
    ops = make.team(code="OPS")
    gone = make.person(email="gone@example.com", team=ops)
    admin = make.person(email="admin@example.com", role="hr_admin")
    me = make.person(email="me@example.com", role="executive")
    result = import_org_people(db_session, f(PEOPLE + "stay@example.com,Stay,OPS,employee\n"),
                               deactivate_missing=True, actor_id=me.id)
    assert result.deactivated == 1 and "deactivate gone@example.com (not in the file)" in result.changes
    db_session.refresh(gone), db_session.refresh(admin), db_session.refresh(me)
    assert (gone.active, admin.active, me.active) == (False, True, True)
    back = import_org_people(db_session, f(PEOPLE + "gone@example.com,Person,OPS,employee\n"))
    assert back.updated == 1 and "reactivate" in back.changes[0]
    assert person(db_session, "gone@example.com").active


def test_deactivate_missing_needs_a_people_file(db_session):
    with pytest.raises(ValidationError, match="needs a people file"):
        import_org(db_session, teams=f(TEAMS), deactivate_missing=True)


def test_own_role_cannot_be_changed_by_import(db_session, make):
    me = make.person(email="me@example.com", role="hr_admin")
    result = import_org_people(db_session, f(PEOPLE + "me@example.com,Me,,employee\n"), actor_id=me.id)
    assert "You cannot change your own role" in reasons(result)[0]


def test_files_are_told_apart_by_header(db_session):
    result = import_org_files(db_session, [f(PEOPLE + "a@example.com,A,OPS,employee\n"),
                                           f(TEAMS + "OPS,Operations,,a@example.com\n")])
    assert result.ok, reasons(result)
    assert team(db_session, "OPS").lead.email == "a@example.com"
    with pytest.raises(ValidationError, match="neither a teams file"):
        import_org_files(db_session, [f("code,name,channel,team_code\n")])
    with pytest.raises(ValidationError, match="Both files are teams files"):
        import_org_files(db_session, [f(TEAMS), f(TEAMS)])


def test_blank_lead_and_parent_clear_them(db_session, make):
    root = make.team(code="ROOT")
    lead = make.person(email="lead@example.com")
    ops = make.team(code="OPS", name="Operations", parent=root)
    ops.lead = lead
    db_session.flush()
    result = import_org_teams(db_session, f(TEAMS + "OPS,Operations,,\n"))
    assert result.changes == ("line 2: update team OPS: parent ROOT → —, lead lead@example.com → —",)
    db_session.refresh(ops)
    assert ops.parent_id is None and ops.lead_id is None


def test_with_two_files_each_error_names_its_file(db_session):
    teams, people = f(TEAMS + "OPS,Operations,NOPE,\n"), f(PEOPLE + "a@example.com,A,OPS,boss\n")
    teams.name, people.name = "teams.csv", "people.csv"
    result = import_org(db_session, teams=teams, people=people)
    assert reasons(result) == [
        "people.csv line 2, column role: 'boss' is not a valid role; use one of employee, team_lead, hr_admin, "
        "executive.",
        "teams.csv line 2, column parent_code: Unknown parent team 'NOPE': it is neither in the database nor in "
        "this file.",
    ]


def test_codes_are_case_sensitive_but_near_misses_get_a_hint(db_session, make):
    make.team(code="OPS")
    result = import_org_people(db_session, f(PEOPLE + "a@example.com,A,ops,employee\n"))
    assert reasons(result) == ["line 2, column team_code: Unknown team 'ops'. Did you mean 'OPS'? Import the teams "
                               "file first or together with this one."]


def test_role_changes_are_audited_by_id_without_addresses(db_session, make):
    make.team(code="OPS")
    ann = make.person(email="ann@example.com")
    result = import_org_people(db_session, f(PEOPLE + "ann@example.com,Ann,OPS,team_lead\n"
                                             "new@example.com,New,OPS,executive\nemp@example.com,Emp,OPS,employee\n"))
    assert result.ok, result.errors
    new = db_session.scalar(select(Person.id).where(Person.email == "new@example.com"))
    events = list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == "person.role")
                                     .order_by(AuditEvent.seq)))
    assert [(e.entity_id, e.detail["before"], e.detail["after"]) for e in events] == [
        (ann.id, "employee", "team_lead"), (new, None, "executive")]
    details = str([e.detail for e in db_session.scalars(select(AuditEvent))])
    assert "@example.com" not in details
