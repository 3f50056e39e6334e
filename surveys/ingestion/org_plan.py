"""The organisation import's plan: file rows checked against the database, and the changes they make."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.ingestion.cells import by_lower, did_you_mean
from surveys.ingestion.report import Report
from surveys.models import STAFF_ROLES, Person, Team

CHUNK = 1000


@dataclass
class TeamRow:
    line: int
    code: str
    name: str
    parent: str | None
    lead: str | None


@dataclass
class PersonRow:
    line: int
    email: str
    name: str
    team: str | None
    role: str


def chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    """Successive slices of at most `size` items, for bulk statements."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


class OrgPlan:
    """Rows of both files plus what the database holds now (plain tuples, never ORM objects)."""

    def __init__(self, teams: list[TeamRow], people: list[PersonRow], report: Report, *,
                 db_teams: dict, db_people: dict, actor_id: int | None, deactivate_missing: bool):
        self.teams, self.people, self.report = teams, people, report
        self.db_teams, self.db_people = db_teams, db_people
        self.actor_id, self.deactivate_missing = actor_id, deactivate_missing
        self.team_ids = {code: row[0] for code, row in db_teams.items()}
        self.person_ids = {email: row[0] for email, row in db_people.items()}
        self.team_code = {row[0]: code for code, row in db_teams.items()}
        self.person_email = {row[0]: email for email, row in db_people.items()}
        self.changed_teams: set[str] = set()
        self.changed_people: set[str] = set()
        self.to_deactivate: set[int] = set()
        self.staff_without_password: list[str] = []

    @classmethod
    def load(cls, session: Session, teams: list[TeamRow], people: list[PersonRow], report: Report, *,
             actor_id: int | None, deactivate_missing: bool) -> OrgPlan:
        """Read every team and person once (one query each, whatever the file size)."""
        db_teams = {r[1]: (r[0], r[2], r[3], r[4]) for r in session.execute(
            select(Team.id, Team.code, Team.name, Team.parent_id, Team.lead_id))}
        # Keyed by lower-cased email like the file's, in case an older row kept capitals.
        db_people = {r[1].lower(): (r[0], r[2], r[3], r[4], r[5], r[6]) for r in session.execute(
            select(Person.id, Person.email, Person.name, Person.team_id, Person.role, Person.active,
                   Person.password_hash.is_not(None)))}
        return cls(teams, people, report, db_teams=db_teams, db_people=db_people, actor_id=actor_id,
                   deactivate_missing=deactivate_missing)

    def check(self, files: dict[str, str | None]) -> None:
        """Report references to unknown teams or people, cycles, and a change to one's own role.

        `files` names the teams and people files when both are read, so errors say which file.
        """
        known_teams = set(self.db_teams) | {t.code for t in self.teams}
        known_people = set(self.db_people) | {p.email for p in self.people}
        teams_lower = by_lower(known_teams)
        self.report.file = files["teams"]
        self._check_cycles()
        for t in self.teams:
            if t.parent == t.code:
                self.report.error(t.line, "parent_code", f"Team {t.code} cannot be its own parent.")
            elif t.parent and t.parent not in known_teams:
                self.report.error(t.line, "parent_code", f"Unknown parent team '{t.parent}': it is neither in the "
                                                         "database nor in this file."
                                                         f"{did_you_mean(t.parent, teams_lower)}")
            if t.lead and t.lead not in known_people:
                self.report.error(t.line, "lead_email", f"No person with email {t.lead}. Add them first, or import "
                                                        "the people file together with the teams file.")
        self.report.file = files["people"]
        for p in self.people:
            if p.team and p.team not in known_teams:
                self.report.error(p.line, "team_code", f"Unknown team '{p.team}'.{did_you_mean(p.team, teams_lower)}"
                                                       " Import the teams file first or together with this one.")
            current = self.db_people.get(p.email)
            if current and current[0] == self.actor_id and self.actor_id is not None and current[3] != p.role:
                self.report.error(p.line, "role", f"You cannot change your own role ({current[3]} → {p.role}) "
                                                  "by import; ask another HR admin.")

    def _check_cycles(self) -> None:
        parent_of = {code: self.team_code.get(row[2]) for code, row in self.db_teams.items()}
        parent_of.update({t.code: t.parent if t.parent != t.code else None for t in self.teams})  # reported already
        line_of = {t.code: t.line for t in self.teams}
        done: set[str] = set()
        for t in self.teams:
            path: list[str] = []
            on_path: dict[str, int] = {}
            code: str | None = t.code
            while code is not None and code not in done:
                if code in on_path:
                    loop = path[on_path[code]:]
                    first = min(loop, key=lambda c: line_of.get(c, 1 << 60))
                    start = loop.index(first)
                    shown = " → ".join(loop[start:] + loop[:start] + [first])
                    self.report.error(line_of.get(first, t.line), "parent_code",
                                      f"The team hierarchy would loop: {shown}.")
                    break
                on_path[code] = len(path)
                path.append(code)
                code = parent_of.get(code)
            done.update(path)

    def describe(self) -> None:
        """Count and describe creations, updates and deactivations; remember what to write."""
        counts: Counter[str] = Counter()
        file_emails = {p.email for p in self.people}
        for t in self.teams:
            counts["teams " + self._describe_team(t)] += 1
        for p in self.people:
            counts["people " + self._describe_person(p)] += 1
            current = self.db_people.get(p.email)
            has_password = bool(current and current[5])
            if p.role in STAFF_ROLES and not has_password:
                self.staff_without_password.append(p.email)
        if self.deactivate_missing:
            for email, (pid, _name, _team, role, active, _pw) in sorted(self.db_people.items()):
                if active and email not in file_emails and role != "hr_admin" and pid != self.actor_id:
                    self.to_deactivate.add(pid)
                    self.report.change(f"deactivate {email} (not in the file)")
            counts["people deactivated"] = len(self.to_deactivate)
        r = self.report
        r.created = counts["teams created"] + counts["people created"]
        r.updated = counts["teams updated"] + counts["people updated"]
        r.unchanged = counts["teams unchanged"] + counts["people unchanged"]
        r.deactivated = len(self.to_deactivate)
        r.counts.update({k: v for k, v in counts.items() if v})

    def _describe_team(self, t: TeamRow) -> str:
        current = self.db_teams.get(t.code)
        if current is None:
            self.changed_teams.add(t.code)
            extra = (f", parent {t.parent}" if t.parent else "") + (f", lead {t.lead}" if t.lead else "")
            self.report.change(f"line {t.line}: create team {t.code} '{t.name}'{extra}")
            return "created"
        _id, name, parent_id, lead_id = current
        diffs = _diffs(("name", name, t.name), ("parent", self.team_code.get(parent_id), t.parent),
                       ("lead", self.person_email.get(lead_id), t.lead))
        if not diffs:
            return "unchanged"
        self.changed_teams.add(t.code)
        self.report.change(f"line {t.line}: update team {t.code}: {diffs}")
        return "updated"

    def _describe_person(self, p: PersonRow) -> str:
        current = self.db_people.get(p.email)
        if current is None:
            self.report.change(f"line {p.line}: create {p.role} {p.email} '{p.name}'"
                               + (f" in team {p.team}" if p.team else ""))
            return "created"
        _id, name, team_id, role, active, _pw = current
        diffs = _diffs(("name", name, p.name), ("team", self.team_code.get(team_id), p.team), ("role", role, p.role))
        if not active:
            diffs = "reactivate" + (f", {diffs}" if diffs else "")
        if not diffs:
            return "unchanged"
        self.changed_people.add(p.email)
        self.report.change(f"line {p.line}: update {p.email}: {diffs}")
        return "updated"


def _diffs(*fields: tuple[str, object, object]) -> str:
    """'name 'A' → 'B', team — → OPS' for the fields whose value changes."""
    out = []
    for label, old, new in fields:
        if old != new:
            show = (lambda v: f"'{v}'") if label == "name" else (lambda v: v if v is not None else "—")
            out.append(f"{label} {show(old)} → {show(new)}")
    return ", ".join(out)
