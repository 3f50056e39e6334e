"""Small factories for tests: each returns a flushed model instance with sensible defaults."""
from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy.orm import Session

from surveys import rollups
from surveys.collection import drafts, queue
from surveys.instruments import question_types
from surveys.models import Invitation, Person, Program, Question, Response, Survey, Team, Touchpoint, Wave
from surveys.org.accounts import hash_password
from surveys.tokens import new_token

_seq = itertools.count(1)
# People made by the factory are long-standing members unless a test says otherwise (joined=...), so
# waves opened in tests pool only the teams that are small, not every team with new accounts.
ESTABLISHED = dt.datetime(2020, 1, 1)
# Service-level tests seal drafts with this key; through the web the key comes from the link's token.
DRAFT_KEY = drafts.key_for("a test link")


class Factories:
    def __init__(self, session: Session):
        self.session = session

    def _add(self, obj):
        self.session.add(obj)
        self.session.flush()
        return obj

    def team(self, code: str | None = None, name: str | None = None, parent: Team | None = None) -> Team:
        n = next(_seq)
        return self._add(Team(code=code or f"T{n:04d}", name=name or f"Team {n}", parent=parent))

    def person(self, role: str = "employee", team: Team | None = None, email: str | None = None,
               password: str | None = None, active: bool = True, joined: dt.datetime = ESTABLISHED) -> Person:
        n = next(_seq)
        return self._add(Person(email=email or f"person{n}@example.com", name=f"Person {n}", role=role,
                                team=team, active=active, created_at=joined, team_since=joined,
                                password_hash=hash_password(password) if password else None))

    def staff(self, role: str = "hr_admin", password: str = "correct-horse-battery", **kwargs) -> Person:
        return self.person(role=role, password=password, **kwargs)

    def touchpoint(self, team: Team | None = None, code: str | None = None, channel: str = "web") -> Touchpoint:
        n = next(_seq)
        return self._add(Touchpoint(code=code or f"TP{n:04d}", name=f"Touchpoint {n}", channel=channel,
                                    team=team or self.team()))

    def survey(self, audience: str = "employee", questions: list[dict] | None = None,
               code: str | None = None) -> Survey:
        n = next(_seq)
        survey = Survey(code=code or f"S{n}", title=f"Survey {n}", audience=audience, status="active")
        specs = questions or [
            {"code": "eng1", "qtype": "likert5", "dimension": "engagement"},
            {"code": "enps", "qtype": "scale0_10", "dimension": "enps"},
            {"code": "comment", "qtype": "text", "dimension": "comment", "required": False},
        ]
        for pos, spec in enumerate(specs):
            lo, hi = question_types.bounds_for(spec["qtype"], spec.get("choices"))
            survey.questions.append(Question(
                code=spec["code"], text=spec.get("text", spec["code"]), qtype=spec["qtype"],
                dimension=spec.get("dimension"), reverse_keyed=spec.get("reverse_keyed", False),
                required=spec.get("required", True), position=pos, choices=spec.get("choices"),
                scale_min=lo, scale_max=hi))
        return self._add(survey)

    def program(self, survey: Survey | None = None, audience: str = "employee", cadence: str = "monthly",
                code: str | None = None) -> Program:
        n = next(_seq)
        survey = survey or self.survey(audience=audience)
        return self._add(Program(code=code or f"P{n}", name=f"Program {n}", survey=survey,
                                 audience=survey.audience, cadence=cadence))

    def wave(self, program: Program | None = None, status: str = "open", label: str | None = None,
             opens_at: dt.datetime | None = None, days: int = 14) -> Wave:
        program = program or self.program()
        opens_at = opens_at or dt.datetime(2026, 1, 1)
        return self._add(Wave(program=program, survey=program.survey, label=label or f"W{next(_seq)}",
                              opens_at=opens_at, closes_at=opens_at + dt.timedelta(days=days), status=status))

    def invitation(self, wave: Wave | None = None, person: Person | None = None) -> tuple[Invitation, str]:
        """An invitation and its plain token (only the hash is stored)."""
        token, token_hash = new_token()
        person = person or self.person()
        # As if the wave had opened with the person's team as its own storage unit.
        inv = Invitation(wave=wave or self.wave(), person=person, token_hash=token_hash, unit_team_id=person.team_id)
        return self._add(inv), token

    def responses(self, wave: Wave, team: Team, n: int, source: str = "import",
                  day: dt.date = dt.date(2026, 1, 2)) -> list[Response]:
        """`n` responses without answers, counted in the rollups as every write path does."""
        rows = [Response(wave_id=wave.id, team_id=team.id, source=source, submitted_on=day) for _ in range(n)]
        self.session.add_all(rows)
        self.session.flush()
        rollups.add_responses(self.session, [r.id for r in rows])
        return rows

    def peers(self, wave: Wave, team: Team, n: int) -> None:
        """`n` other counted respondents of `team` in the submission queue (no answers), so a batch can form."""
        for _ in range(n):
            queue.hold(self.session, wave, team.id, {}, wave.opens_at.date())
