"""Organisation import: teams (`team_code,team_name,parent_code,lead_email`) and people
(`email,name,team_code,role`), alone or together, as an idempotent upsert that never deletes."""
from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from surveys import audit
from surveys.errors import ValidationError
from surveys.ingestion import cells
from surveys.ingestion.csvio import CsvSource
from surveys.ingestion.history import record_import
from surveys.ingestion.org_plan import OrgPlan, PersonRow, TeamRow, chunks
from surveys.ingestion.report import ImportResult, Report, RowCheck
from surveys.models import ROLES, Person, Team, utcnow
from surveys.org import staff_sessions
from surveys.org.accounts import normalise_email, record_move

TEAM_COLUMNS = ("team_code", "team_name", "parent_code", "lead_email")
PEOPLE_COLUMNS = ("email", "name", "team_code", "role")
PASSWORD_HINT = "set one with `tandem user set-password EMAIL`"


def org_file_kind(source: CsvSource) -> str | None:
    """'teams' or 'people' from the header line, None when it looks like neither."""
    line = source.first_line().replace(";", ",").replace("\t", ",")
    names = {n.strip().strip('"').lower() for n in line.split(",")}
    if names & {"team_name", "parent_code", "lead_email"}:
        return "teams"
    if "email" in names:
        return "people"
    return None


def import_org_files(session: Session, files: list, *, expected: str | None = None, dry_run: bool = False,
                     deactivate_missing: bool = False, actor_id: int | None = None) -> ImportResult:
    """Import one or two organisation files, telling teams from people by their header.

    The one rule for the CLI and the upload page: every file is sorted by its own header, a file that
    is neither kind is refused, and so are two files of one kind. `expected` ('teams' or 'people') is
    the kind the user chose for the first file (the upload page asks): a first file whose header says
    the other kind is refused, and a header that says neither is read as the chosen kind (the second
    file as the other), so the report names the columns it lacks.
    """
    if not files or len(files) > 2:
        raise ValidationError("Give one organisation file, or two: a teams file and a people file.", field="file")
    found: dict[str, CsvSource] = {}
    for position, f in enumerate(files):
        source = f if isinstance(f, CsvSource) else CsvSource(f)
        kind = org_file_kind(source)
        label = source.name or "the file"
        field = "file" if position == 0 else "other_file"
        if kind is None and expected is not None:
            # The user said what the file is: read it as that, so the report names the missing columns.
            kind = expected if position == 0 else ("people" if expected == "teams" else "teams")
        if kind is None:
            raise ValidationError(
                f"{label} is neither a teams file (header {','.join(TEAM_COLUMNS)}) nor a people file "
                f"(header {','.join(PEOPLE_COLUMNS)}).", field=field)
        if position == 0 and expected is not None and kind != expected:
            header = ",".join(TEAM_COLUMNS if kind == "teams" else PEOPLE_COLUMNS)
            raise ValidationError(f"{label} looks like a {kind} file (header {header}); choose "
                                  f"'Organisation: {kind}' or another file.", field=field)
        if kind in found:
            raise ValidationError(f"Both files are {kind} files; give one teams file and one people file.",
                                  field=field)
        found[kind] = source
    return import_org(session, teams=found.get("teams"), people=found.get("people"), dry_run=dry_run,
                      deactivate_missing=deactivate_missing, actor_id=actor_id)


def import_org_teams(session: Session, file_obj, *, dry_run: bool = False, actor_id: int | None = None) -> ImportResult:
    """Import a teams file alone (leads must already exist as people)."""
    return import_org(session, teams=file_obj, dry_run=dry_run, actor_id=actor_id)


def import_org_people(session: Session, file_obj, *, dry_run: bool = False, deactivate_missing: bool = False,
                      actor_id: int | None = None) -> ImportResult:
    """Import a people file alone (teams must already exist)."""
    return import_org(session, people=file_obj, dry_run=dry_run, deactivate_missing=deactivate_missing,
                      actor_id=actor_id)


def import_org(session: Session, *, teams=None, people=None, dry_run: bool = False,
               deactivate_missing: bool = False, actor_id: int | None = None) -> ImportResult:
    """Check both files completely, then upsert teams and people in one go; flushes only when valid."""
    teams, people = _source(teams), _source(people)
    report = Report("org", dry_run)
    if teams is None and people is None:
        raise ValidationError("Give a teams file, a people file, or both.", field="file")
    if deactivate_missing and people is None:
        raise ValidationError("Deactivating missing people needs a people file.", field="deactivate_missing")
    both = teams is not None and people is not None
    labels = {"teams": (teams.name or "teams file") if both else None,
              "people": (people.name or "people file") if both else None}
    report.file = labels["teams"]
    team_rows = _read_teams(teams, report) if teams else []
    report.file = labels["people"]
    person_rows = _read_people(people, report) if people else []
    if any(s and s.header is None for s in (teams, people)):
        return report.result()
    plan = OrgPlan.load(session, team_rows, person_rows, report, actor_id=actor_id,
                        deactivate_missing=deactivate_missing)
    plan.check(labels)
    report.file = None
    if report.error_count:
        return report.result()
    plan.describe()
    if plan.staff_without_password:
        shown = ", ".join(plan.staff_without_password[:5])
        more = len(plan.staff_without_password) - 5
        report.note(f"{len(plan.staff_without_password)} staff account(s) have no password and cannot sign in "
                    f"until one is set ({PASSWORD_HINT}): {shown}{f' and {more} more' if more > 0 else ''}.")
    were = "would be" if dry_run else "were"
    if deactivate_missing:
        report.note(f"Active people missing from the file {were} deactivated, except HR admins and the person "
                    "importing.")
    elif people:
        report.note(f"People missing from the file {were} left as they are (deactivate them with "
                    "--deactivate-missing, or the option on the upload page).")
    if not dry_run:
        _apply(session, plan)
        ended = _end_sessions(session, plan, actor_id)
        _audit_roles(session, plan, actor_id, ended)
        record_import(session, actor_id, "org", "organisation", None, rows=report.rows,
                      filename=" + ".join(s.name for s in (teams, people) if s and s.name) or None,
                      sha256=[s.sha256 for s in (teams, people) if s],
                      summary=report.result().summary())
        session.flush()
        session.expire_all()  # bulk statements bypass the identity map
    return report.result()


def _source(f) -> CsvSource | None:
    return None if f is None else f if isinstance(f, CsvSource) else CsvSource(f)


def _read_teams(source: CsvSource, report: Report) -> list[TeamRow]:
    if source.read_header(report, required=TEAM_COLUMNS) is None:
        return []
    rows, seen = [], {}
    for line, row in source.rows(report):
        report.rows += 1
        check = RowCheck(report, line)
        code = check.cell("team_code", cells.code, row["team_code"], "team code")
        name = check.cell("team_name", cells.name, row["team_name"], "team name")
        parent = row["parent_code"] and check.cell("parent_code", cells.code, row["parent_code"], "parent code")
        lead = row["lead_email"] and check.cell("lead_email", _email, row["lead_email"])
        if code in seen:
            check.fail("team_code", f"Team code '{code}' already appears on line {seen[code]}.")
        elif code:
            seen[code] = line
        if check.ok:
            rows.append(TeamRow(line, code, name, parent or None, lead or None))
    return rows


def _read_people(source: CsvSource, report: Report) -> list[PersonRow]:
    if source.read_header(report, required=PEOPLE_COLUMNS) is None:
        return []
    rows, seen = [], {}
    for line, row in source.rows(report):
        report.rows += 1
        check = RowCheck(report, line)
        email = check.cell("email", _email, row["email"])
        name = check.cell("name", cells.name, row["name"])
        team = row["team_code"] and check.cell("team_code", cells.code, row["team_code"], "team code")
        role = check.cell("role", cells.choice, row["role"], ROLES, "role")
        if email in seen:
            check.fail("email", f"{email} already appears on line {seen[email]}.")
        elif email:
            seen[email] = line
        if check.ok:
            rows.append(PersonRow(line, email, name, team or None, role))
    return rows


def _email(raw: str) -> str:
    if not raw:
        raise cells.CellError("The email is blank.")
    try:
        return normalise_email(raw)
    except ValidationError as exc:
        raise cells.CellError(exc.message) from None


def _apply(session: Session, plan: OrgPlan) -> None:
    """Write the plan with bulk statements: new teams, then people, then every team's parent and lead.

    A new person, or one whose team changes, starts a membership period now (created_at, team_since):
    they do not count towards a team's size in a wave opening within TANDEM_MEMBERSHIP_DAYS, and each
    such change is in the audit trail.
    """
    session.flush()
    now = utcnow()
    new_teams = [{"code": t.code, "name": t.name} for t in plan.teams if t.code not in plan.team_ids]
    for chunk in chunks(new_teams):
        session.execute(insert(Team), chunk)
    team_ids = dict(session.execute(select(Team.code, Team.id)).all())
    new_people, changed_people, moved_people, moves = [], [], [], []
    team_code = {tid: code for code, tid in team_ids.items()}
    for p in plan.people:
        values = {"name": p.name, "team_id": team_ids[p.team] if p.team else None, "role": p.role, "active": True}
        if p.email in plan.person_ids:
            if p.email in plan.changed_people:
                pid, old_team = plan.person_ids[p.email], plan.db_people[p.email][2]
                if old_team != values["team_id"]:
                    moved_people.append({"id": pid, **values, "team_since": now})
                    moves.append((pid, team_code.get(old_team), p.team))
                else:
                    changed_people.append({"id": pid, **values})
        else:
            new_people.append({"email": p.email, **values, "created_at": now, "team_since": now})
    for chunk in chunks(new_people):
        session.execute(insert(Person), chunk)
    for rows in (changed_people, moved_people):
        for chunk in chunks(rows):
            session.execute(update(Person), chunk)
    if new_people:
        emails = [p["email"] for p in new_people if p["team_id"] is not None]
        for chunk in chunks(emails):
            for pid, team_id in session.execute(select(Person.id, Person.team_id).where(Person.email.in_(chunk))):
                moves.append((pid, None, team_code.get(team_id), True))
    for move in moves:
        pid, before, after, *new = move
        record_move(session, plan.actor_id, pid, before, after, now, new_account=bool(new))
    person_ids = plan.person_ids
    if new_people and any(t.lead for t in plan.teams):
        person_ids = {email.lower(): pid for email, pid in session.execute(select(Person.email, Person.id))}
    changed_teams = [{"id": team_ids[t.code], "name": t.name, "parent_id": team_ids[t.parent] if t.parent else None,
                      "lead_id": person_ids[t.lead] if t.lead else None}
                     for t in plan.teams if t.code in plan.changed_teams]
    for chunk in chunks(changed_teams):
        session.execute(update(Team), chunk)
    for chunk in chunks(sorted(plan.to_deactivate)):
        session.execute(update(Person).where(Person.id.in_(chunk)).values(active=False)
                        .execution_options(synchronize_session=False))


def _end_sessions(session: Session, plan: OrgPlan, actor_id: int | None) -> dict[int, int]:
    """End the staff sessions of everyone whose role changes or who is deactivated, as a role change
    made anywhere else does; one audit event per deactivation. Returns {person id: sessions ended}."""
    changed = {current[0] for p in plan.people
               if (current := plan.db_people.get(p.email)) is not None and current[3] != p.role}
    ended = staff_sessions.end_all_of(session, changed | plan.to_deactivate)
    for pid in sorted(plan.to_deactivate):
        audit.record(session, actor_id, "person.deactivate", "person", pid, source="import",
                     sessions=ended.get(pid, 0))
    return ended


def _audit_roles(session: Session, plan: OrgPlan, actor_id: int | None, ended: dict[int, int]) -> None:
    """One event per role change (with the sessions it ended), and per new staff member, naming ids and
    roles (never an email)."""
    new_staff = {p.email: p.role for p in plan.people if p.email not in plan.person_ids and p.role != "employee"}
    ids = {}
    if new_staff:
        ids = dict(session.execute(select(Person.email, Person.id).where(Person.email.in_(new_staff))).all())
    for p in plan.people:
        current = plan.db_people.get(p.email)
        if current is not None and current[3] != p.role:
            audit.record(session, actor_id, "person.role", "person", current[0], before=current[3], after=p.role,
                         source="import", sessions=ended.get(current[0], 0))
        elif current is None and p.email in ids:
            audit.record(session, actor_id, "person.role", "person", ids[p.email], before=None, after=p.role,
                         source="import")


__all__ = ["PEOPLE_COLUMNS", "TEAM_COLUMNS", "import_org", "import_org_files", "import_org_people",
           "import_org_teams", "org_file_kind"]
