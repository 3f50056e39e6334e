"""Action plans kept in spreadsheets (`team_code,title,metric,start,due,status,owner_email`, optionally
`description,target,visibility`), brought in as actions of one or several teams.

Re-importing is safe: a row whose title, teams and start date match an action already in Tandem (from any
source) is that action, and it is left as Tandem has it (the file may be older than the changes made since
in Tandem); the report names it and any field where the file differs. Baselines stay empty: a spreadsheet
does not say which wave a value came from.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.actions import history
from surveys.errors import ValidationError
from surveys.goals.metrics import METRICS, metric_info
from surveys.ingestion import cells
from surveys.ingestion.csvio import CsvSource
from surveys.ingestion.history import lock_file, record_import
from surveys.ingestion.report import ImportResult, Report, RowCheck
from surveys.models import STAFF_ROLES, VISIBILITIES, Action, Person, Team, action_teams, utcnow
from surveys.org.accounts import normalise_email

REQUIRED_COLUMNS = ("team_code", "title", "metric", "start", "due", "status", "owner_email")
OPTIONAL_COLUMNS = ("description", "target", "visibility")
ACTION_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
ALIASES = {"team": "team_code", "teams": "team_code", "team_codes": "team_code", "owner": "owner_email",
           "owner_e_mail": "owner_email", "starts_on": "start", "start_date": "start", "due_on": "due",
           "due_date": "due"}
TEAM_SEPARATORS = re.compile(r"[;|]")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d{1,2}")
STATUS_WORDS = {"planned": "planned", "in progress": "in_progress", "in_progress": "in_progress",
                "in-progress": "in_progress", "done": "done", "abandoned": "abandoned"}
MAX_TITLE = 200
MAX_DESCRIPTION = 5000
FORMULA_START = ("=", "+", "-", "@")
ABANDONED_REASON = "Abandoned before it was imported (the file gave no reason)."
# Serialises action imports on PostgreSQL (SQLite runs one writer at a time anyway), so two imports of
# overlapping files cannot both create the same action.
LOCK_KEY = hashlib.sha256(b"tandem import actions").hexdigest()


@dataclass(frozen=True)
class ActionRow:
    """One valid row of the file."""

    line: int
    team_ids: tuple[int, ...]
    team_codes: tuple[str, ...]
    title: str
    metric: str
    starts_on: dt.date
    due_on: dt.date
    status: str
    owner_id: int
    owner_email: str
    description: str
    target: float | None
    visibility: str

    @property
    def key(self) -> tuple:
        return same_action_key(self.title, self.team_ids, self.starts_on)


def same_action_key(title: str, team_ids, starts_on: dt.date | None) -> tuple:
    """What makes two actions the same: title (case and spacing aside), set of teams, start date."""
    return " ".join(title.split()).casefold(), frozenset(team_ids), starts_on


def _canonical(raw: str) -> str | None:
    name = re.sub(r"[\s\-]+", "_", raw.strip().lower())
    name = ALIASES.get(name, name)
    return name if name in ACTION_COLUMNS else None


def _text(raw: str, what: str, limit: int, notes: list[str]) -> str:
    """Free text kept as written; a leading quote that only defused a formula (as Tandem's exports write) is
    dropped, and formula-like text is stored as text: it is never evaluated, and exports defuse it again."""
    if raw.startswith("'") and raw[1:].startswith(FORMULA_START):
        raw = raw[1:]
    if raw.startswith(FORMULA_START):
        notes.append(what)
    if len(raw) > limit:
        raise cells.CellError(f"The {what} is longer than {limit:,} characters.")
    return raw


def _metric(raw: str) -> str:
    """A metric key or its label, case-insensitive: 'process', 'Process', 'eNPS', 'outcome:churn'."""
    by_label = {m.label.casefold(): m.key for m in METRICS.values()}
    value = raw.strip()
    if not value:
        raise cells.CellError(f"The metric is blank; use one of {', '.join(METRICS)}.")
    if value.casefold() in by_label:
        return by_label[value.casefold()]
    try:
        return metric_info(value).key
    except KeyError as exc:
        raise cells.CellError(exc.args[0]) from None


def _status(raw: str) -> str:
    value = STATUS_WORDS.get(" ".join(raw.lower().split()))
    if value is None:
        shown = f"'{raw}'" if raw else "A blank value"
        raise cells.CellError(f"{shown} is not a valid status; use one of planned, in progress, done, abandoned.")
    return value


def _target(raw: str, metric: str | None) -> float | None:
    if not raw:
        return None
    if DECIMAL_COMMA.fullmatch(raw):  # 7,5 as a spreadsheet in a comma-decimal locale writes it
        raw = raw.replace(",", ".")
    value = float(raw) if NUMBER.fullmatch(raw) else None  # stricter than float(): no 1_000, nan, inf, 1e3
    if value is None or not math.isfinite(value):
        raise cells.CellError(f"'{raw[:50]}' is not a number; write the target as e.g. 75 or 7.5.")
    problem = metric_info(metric).check(value) if metric else None
    if problem:
        raise cells.CellError(problem)
    return value


def import_actions(session: Session, file_obj, *, dry_run: bool = False, actor_id: int | None = None,
                   now: dt.datetime | None = None) -> ImportResult:
    """Check every row, then create the actions not in Tandem yet (all or nothing); flushes only when valid."""
    now = now or utcnow()
    source = file_obj if isinstance(file_obj, CsvSource) else CsvSource(file_obj)
    report = Report("actions", dry_run)
    if source.read_header(report, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS,
                          canonical=_canonical) is None:
        return report.result()
    if not dry_run:
        lock_file(session, LOCK_KEY)
    rows = _check_rows(session, source, report)
    existing = _existing(session)
    new: list[ActionRow] = []
    for row in rows:
        match = existing.get(row.key)
        if match is None:
            new.append(row)
            report.change(f"line {row.line}: create action '{row.title}' for {', '.join(row.team_codes)} "
                          f"({row.status.replace('_', ' ')}, due {row.due_on})")
            continue
        report.unchanged += 1
        diffs = _differences(match, row)
        differ = f"; the file differs in {', '.join(diffs)}, Tandem keeps its own" if diffs else ""
        report.change(f"line {row.line}: skip: already in Tandem as action {match.id} '{match.title}'{differ}")
    report.created = len(new)
    if report.unchanged:
        report.note("Rows matching an action already in Tandem (same title, teams and start) were skipped, not "
                    "updated: change those actions in Tandem.")
    if new:
        report.note("Imported actions have no baseline: record progress in Tandem; their measured effect still "
                    "comes from the waves before and after their start.")
    if report.error_count or dry_run:
        return report.result()
    _create(session, new, actor_id, source.name, now)
    record_import(session, actor_id, "actions", "action", None, rows=report.rows, filename=source.name,
                  sha256=source.sha256, summary=report.result().summary())
    session.flush()
    return report.result()


def _check_rows(session: Session, source: CsvSource, report: Report) -> list[ActionRow]:
    """Every valid row; each problem is reported with its line and column."""
    team_ids = dict(session.execute(select(Team.code, Team.id)).all())
    team_lower = cells.by_lower(team_ids)
    people = {email.lower(): (pid, role, active) for pid, email, role, active in session.execute(
        select(Person.id, Person.email, Person.role, Person.active))}
    seen: dict[tuple, int] = {}
    formula_lines: list[int] = []
    rows: list[ActionRow] = []
    for line, raw in source.rows(report):
        report.rows += 1
        check = RowCheck(report, line)
        codes = _team_codes(check, raw["team_code"], team_ids, team_lower)
        notes: list[str] = []
        title = check.cell("title", _text, raw["title"], "title", MAX_TITLE, notes)
        if title is not None and not title:
            check.fail("title", "The title is blank.")
        metric = check.cell("metric", _metric, raw["metric"])
        start = check.cell("start", cells.iso_date, raw["start"])
        due = check.cell("due", cells.iso_date, raw["due"])
        if start and due and due < start:
            check.fail("due", f"The due date {due} is before the start {start}.")
        status = check.cell("status", _status, raw["status"])
        owner = _owner(check, raw["owner_email"], people)
        description = check.cell("description", _text, raw.get("description", ""), "description",
                                 MAX_DESCRIPTION, notes)
        target = check.cell("target", _target, raw.get("target", ""), metric)
        visibility = raw.get("visibility", "") or "leaders"
        visibility = check.cell("visibility", cells.choice, visibility, VISIBILITIES, "visibility")
        if notes:
            formula_lines.append(line)
        if not check.ok:
            continue
        row = ActionRow(line, tuple(team_ids[c] for c in codes), tuple(codes), title, metric, start, due, status,
                        owner[0], owner[1], description, target, visibility)
        if row.key in seen:
            check.fail(None, f"This is the same action as line {seen[row.key]} (same title, teams and start).")
            continue
        seen[row.key] = line
        rows.append(row)
    if formula_lines:
        shown = ", ".join(map(str, formula_lines[:10])) + (" ..." if len(formula_lines) > 10 else "")
        report.note(f"Some text starts with =, +, - or @ (line {shown}); it is kept as text, never run as a "
                    "formula, and Tandem's CSV exports defuse it.")
    return rows


def _team_codes(check: RowCheck, raw: str, team_ids: dict, team_lower: dict) -> list[str]:
    codes = [c.strip() for c in TEAM_SEPARATORS.split(raw) if c.strip()]
    if not codes:
        check.fail("team_code", "The team code is blank; give one team, or several separated by ';'.")
    for code in codes:
        if code not in team_ids:
            check.fail("team_code", f"Unknown team '{code}'.{cells.did_you_mean(code, team_lower)} Import the "
                       "organisation first.")
    if len(set(codes)) != len(codes):
        check.fail("team_code", "A team is named twice.")
    return sorted(set(codes))


def _owner(check: RowCheck, raw: str, people: dict) -> tuple[int, str] | None:
    try:
        email = normalise_email(raw)
    except ValidationError as exc:
        check.fail("owner_email", exc.message if raw else "The owner's email is blank.")
        return None
    found = people.get(email)
    if found is None:
        check.fail("owner_email", f"Nobody has the email '{email}'; the owner must be a staff user.")
        return None
    person_id, role, active = found
    if not active:
        check.fail("owner_email", f"{email} is deactivated; choose an active staff user as owner.")
    elif role not in STAFF_ROLES:
        check.fail("owner_email", f"{email} is an employee without sign-in; the owner must be a team lead, HR "
                                  "admin or executive.")
    return person_id, email


@dataclass(frozen=True)
class _Existing:
    id: int
    title: str
    metric: str
    due_on: dt.date | None
    status: str
    owner_id: int | None
    target: float | None
    visibility: str


def _existing(session: Session) -> dict[tuple, _Existing]:
    """Every action in Tandem by what makes it the same action (plain tuples, no ORM objects)."""
    teams: dict[int, set[int]] = {}
    for action_id, team_id in session.execute(select(action_teams.c.action_id, action_teams.c.team_id)):
        teams.setdefault(action_id, set()).add(team_id)
    found = {}
    for r in session.execute(select(Action.id, Action.title, Action.metric, Action.due_on, Action.status,
                                    Action.owner_id, Action.target, Action.visibility, Action.starts_on)):
        found[same_action_key(r.title, teams.get(r.id, ()), r.starts_on)] = _Existing(*r[:8])
    return found


def _differences(old: _Existing, row: ActionRow) -> list[str]:
    pairs = (("metric", old.metric, row.metric), ("due", old.due_on, row.due_on), ("status", old.status, row.status),
             ("owner", old.owner_id, row.owner_id), ("target", old.target, row.target),
             ("visibility", old.visibility, row.visibility))
    return [name for name, a, b in pairs if a != b]


def _create(session: Session, rows: list[ActionRow], actor_id: int | None, filename: str | None,
            now: dt.datetime) -> None:
    teams = {t.id: t for t in session.scalars(select(Team).where(Team.id.in_({i for r in rows for i in r.team_ids})))}
    where = f" from {filename}" if filename else ""
    for row in rows:
        action = Action(title=row.title, description=row.description, metric=row.metric, target=row.target,
                        starts_on=row.starts_on, due_on=row.due_on, status=row.status, owner_id=row.owner_id,
                        visibility=row.visibility, source="import", created_by_id=actor_id, created_at=now,
                        abandon_reason=ABANDONED_REASON if row.status == "abandoned" else None,
                        teams=[teams[i] for i in row.team_ids])
        session.add(action)
        history.record(session, action, actor_id, "created",
                       f"imported{where}, line {row.line}: {row.status.replace('_', ' ')}, owner {row.owner_email}",
                       at=now)
