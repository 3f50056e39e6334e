"""Which digests a staff member receives: a DigestSubscription row per period chosen.

Nobody is subscribed until they choose (on /digests), except the demo's users, which `tandem demo` subscribes
to the defaults of their role (DEFAULTS), the periods the /digests form suggests to a reader who has
chosen none: executives weekly and monthly, HR weekly, team leads weekly.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from surveys.errors import Forbidden
from surveys.models import Person
from surveys.models.digests import DIGEST_PERIODS, DigestSubscription
from surveys.models.org import STAFF_ROLES

DEFAULTS = {"executive": ("weekly", "monthly"), "hr_admin": ("weekly",), "team_lead": ("weekly",)}


def periods_of(session: Session, person_id: int) -> list[str]:
    """The periods a person receives, in DIGEST_PERIODS order."""
    chosen = set(session.scalars(select(DigestSubscription.period).where(DigestSubscription.person_id == person_id)))
    return [p for p in DIGEST_PERIODS if p in chosen]


def set_periods(session: Session, person: Person, kinds: Iterable[str]) -> list[str]:
    """Replace a staff member's subscriptions with `kinds` (unknown names are ignored); flushes."""
    if person.role not in STAFF_ROLES:
        raise Forbidden("Digests are for team leads, HR and executives.")
    wanted = [p for p in DIGEST_PERIODS if p in set(kinds)]
    session.execute(delete(DigestSubscription).where(DigestSubscription.person_id == person.id))
    session.add_all(DigestSubscription(person_id=person.id, period=p) for p in wanted)
    session.flush()
    return wanted


def subscribe_defaults(session: Session, emails: Iterable[str]) -> int:
    """Subscribe these staff members to their role's default periods; returns how many rows were added."""
    added = 0
    for person in session.scalars(select(Person).where(Person.email.in_(list(emails)))):
        if person.role in DEFAULTS and not periods_of(session, person.id):
            added += len(set_periods(session, person, DEFAULTS[person.role]))
    return added
