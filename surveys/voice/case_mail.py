"""Follow-up case mails: the owning team's lead when a case opens, then the department head and the executives
when it is overdue; each (case, level, recipient) claimed once across hosts through a Reminder (kind "case", key
"case:<id>:level:<n>:<person id>"), as alert mails are (surveys/alerts/escalation_mail.py), so one refused address
never re-sends the mail to the others. A person mailed at a lower level (the department head who is also the
owning team's lead) is not mailed again. A worker, like nudge_mail: it commits.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.actions import nudges
from surveys.actions.nudge_mail import MailSettings
from surveys.fieldwork import mailer
from surveys.models import OPEN_CASE_STATUSES, CaseEvent, FollowUpCase, Person, Team
from surveys.org import branding
from surveys.voice.cases import add_working_days

KIND = "case"
LEVEL_WORDS = {0: "the team lead", 1: "the department head", 2: "the executives"}

@dataclass(frozen=True)
class CaseMail:
    """One level's mail of one case to one recipient (id, email, name)."""

    case_id: int
    level: int
    recipient: tuple[int, str, str]
    context: dict = field(hash=False, compare=False)

    @property
    def key(self) -> str:
        return f"case:{self.case_id}:level:{self.level}:{self.recipient[0]}"


@dataclass
class Outcome:
    """What one run did: lead mails sent, escalations sent, mails given back, and why."""

    opened: int = 0
    escalated: int = 0
    failed: int = 0
    problems: list[str] = field(default_factory=list)


def _lead_up(teams: dict[int, tuple[int | None, int | None]], team_id: int | None) -> int | None:
    """The nearest lead from a team up to the root."""
    seen = set()
    while team_id is not None and team_id not in seen:
        seen.add(team_id)
        parent, lead = teams[team_id]
        if lead is not None:
            return lead
        team_id = parent
    return None


def _department(teams: dict[int, tuple[int | None, int | None]], team_id: int) -> int:
    """The team's department: its ancestor directly under a top-level team (or the top-level team itself)."""
    path = [team_id]
    while teams[path[-1]][0] is not None and len(path) < 100:
        path.append(teams[path[-1]][0])
    return path[-2] if len(path) >= 2 else path[-1]


def due_mails(session: Session, now: dt.datetime, executive_days: int) -> list[CaseMail]:
    """Every case mail that should have gone out by `now` (claim() skips those already sent)."""
    cases = session.execute(select(FollowUpCase).where(FollowUpCase.status.in_(OPEN_CASE_STATUSES))
                            .order_by(FollowUpCase.id)).scalars().all()
    if not cases:
        return []
    teams = {tid: (parent, lead) for tid, parent, lead, in session.execute(select(Team.id, Team.parent_id, Team.lead_id))}
    names = dict(session.execute(select(Team.id, Team.name)).all())
    people = {pid: (pid, email, name) for pid, email, name in session.execute(
        select(Person.id, Person.email, Person.name).where(Person.active.is_(True)))}
    executives = tuple(people[pid] for pid in sorted(people) if pid in set(session.scalars(
        select(Person.id).where(Person.role == "executive", Person.active.is_(True)))))
    out = []
    for case in cases:
        context = {"id": case.id, "team": names.get(case.team_id, ""), "touchpoint": case.touchpoint.name,
                   "score_text": f"{'NPS' if case.trigger == 'nps_detractor' else 'CSAT'} {case.score}",
                   "due": f"{case.due_at:%A %d %B %Y %H:%M} UTC", "status": case.status}
        levels = [(0, _lead_up(teams, case.team_id))]
        if now >= case.due_at:
            levels.append((1, _lead_up(teams, _department(teams, case.team_id))))
        if now >= add_working_days(case.due_at, executive_days):
            levels.append((2, None))
        mailed: set[int] = set()  # one person, one mail per case: the head who leads the team is not mailed twice
        for level, person_id in levels:
            recipients = executives if level == 2 else ((people[person_id],) if person_id in people else ())
            for recipient in recipients:
                if recipient[0] not in mailed:
                    mailed.add(recipient[0])
                    out.append(CaseMail(case.id, level, recipient, context))
    return out


def render(mail: CaseMail, base_url: str, brand: branding.Branding, name: str) -> tuple[str, str, str]:
    """(subject, text, html) of one recipient's copy of a case mail."""
    link = f"{base_url.rstrip('/')}/cases/{mail.case_id}"
    context = {"name": name, "brand": brand, "logo_cid": None, "level": mail.level, "case": mail.context,
               "link": link}
    subject = (f"Follow-up case {mail.case_id}: call back a customer ({mail.context['score_text']})" if mail.level == 0
               else f"Overdue follow-up case {mail.case_id} ({mail.context['team']})")
    return (subject, *mailer.render_parts("case_followup", context))


def send_due(session: Session, now: dt.datetime, mail: MailSettings, executive_days: int = 2) -> Outcome:
    """Find the case mails due at `now`, then claim, commit, send and record them one at a time."""
    outcome = Outcome()
    due = due_mails(session, now, executive_days)
    brand = branding.get_branding(session) if due else None
    session.commit()  # ends the read: on SQLite every transaction holds the write lock
    for item in due:
        claim = nudges.Nudge(KIND, item.key, item.recipient[0], item.recipient[1], item.recipient[2], (), now.date())
        won = nudges.claim(session, [claim])
        session.commit()  # the claim is visible to other hosts before anything is sent
        if not won:
            continue
        try:
            smtp = mailer.connect(mail.host, mail.port)
        except OSError as exc:
            _give_back(session, won[0], outcome, f"cannot reach SMTP server {mail.host}:{mail.port}: {exc}")
            break
        try:
            subject, text, html = render(item, mail.base_url, brand, item.recipient[2])
            mailer.send_mail(mail.host, mail.port, mail.sender, item.recipient[1], subject, text, html,
                             connection=smtp)
        except (OSError, *mailer.MESSAGE_ERRORS) as exc:
            _give_back(session, won[0], outcome, f"case {item.case_id} level {item.level} to {item.recipient[1]}: {exc}")
            continue
        finally:
            mailer.close(smtp)
        nudges.mark_sent(session, won[0])
        _record(session, item, now)
        session.commit()
        if item.level == 0:
            outcome.opened += 1
        else:
            outcome.escalated += 1
    return outcome


def _record(session: Session, item: CaseMail, now: dt.datetime) -> None:
    case = session.get(FollowUpCase, item.case_id)
    if case is None:
        return
    who = item.recipient[2]
    if item.level > case.escalation_level:
        case.escalation_level = item.level
    what = "notified" if item.level == 0 else "escalated"
    session.add(CaseEvent(case_id=case.id, actor_id=None, at=now, what=what,
                          detail=f"Mailed {LEVEL_WORDS[item.level]}: {who}"))
    session.flush()


def _give_back(session: Session, claim: nudges.Nudge, outcome: Outcome, reason: str) -> None:
    nudges.release(session, claim)
    session.commit()
    outcome.failed += 1
    outcome.problems.append(f"a follow-up case mail was not sent, will retry on the next tick: {reason}")
