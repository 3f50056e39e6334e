"""Contact details a customer gives with their feedback ("May we contact you?"), checked and stored once.

Only customer responses (a touchpoint, never an employee invitation) may carry a contact; the row is written
in the same transaction as the response, and a consenting unhappy customer opens a follow-up case at once.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from surveys.errors import ValidationError
from surveys.models import CustomerContact, FollowUpCase, Response, utcnow
from surveys.voice import cases

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]{2,}")
PHONE_CHARS = re.compile(r"[0-9 +()./-]+")
NAME_MAX, EMAIL_MAX, PHONE_MAX = 200, 254, 40
YES, NO = ("yes", "y", "true", "1"), ("no", "n", "false", "0", "")


@dataclass(frozen=True)
class ContactRequest:
    """A checked "contact me" block: name, email and phone (at least one of the last two)."""

    name: str
    email: str
    phone: str
    due_working_days: int = cases.DEFAULT_DUE_WORKING_DAYS


class ContactInvalid(ValidationError):
    """The contact block is wrong; `errors` maps contact_name/contact_email/contact_phone to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())), field=next(iter(errors)))
        self.errors = errors


def check_contact(name: str | None, email: str | None, phone: str | None,
                  due_working_days: int = cases.DEFAULT_DUE_WORKING_DAYS) -> ContactRequest:
    """Check a ticked contact block; raise ContactInvalid naming every bad field."""
    name, email, phone = (" ".join((v or "").split()) for v in (name, email, phone))
    errors: dict[str, str] = {}
    if len(name) > NAME_MAX:
        errors["contact_name"] = f"The name is too long (at most {NAME_MAX} characters)."
    # Messages never repeat the value: import errors are kept in ImportJob.report, which contact retention
    # does not clear (the line and column name the cell).
    if email and len(email) > EMAIL_MAX:
        errors["contact_email"] = f"The email address is too long (at most {EMAIL_MAX} characters)."
    elif email and not EMAIL.fullmatch(email):
        errors["contact_email"] = ("The email address is not an email address such as name@example.com "
                                   "(one @, no spaces, a domain with a dot).")
    digits = sum(c.isdigit() for c in phone)
    if phone and (len(phone) > PHONE_MAX or not PHONE_CHARS.fullmatch(phone) or not 6 <= digits <= 20):
        errors["contact_phone"] = ("The phone number may hold digits, spaces, +, -, ( ) and dots, with 6 to 20 "
                                   "digits, such as +44 20 7946 0000.")
    if not email and not phone and "contact_email" not in errors:
        errors["contact_email"] = "To be contacted, give an email address or a phone number (or untick the box)."
    if errors:
        raise ContactInvalid(errors)
    return ContactRequest(name, email, phone, due_working_days)


def from_form(form: Mapping[str, str], due_working_days: int = cases.DEFAULT_DUE_WORKING_DAYS
              ) -> ContactRequest | None:
    """The contact block of a posted customer form: None when the box is not ticked (the fields are ignored)."""
    if (form.get("contact_consent") or "").strip().lower() not in YES + ("on",):
        return None
    return check_contact(form.get("contact_name"), form.get("contact_email"), form.get("contact_phone"),
                         due_working_days)


def save(session: Session, response: Response, contact: ContactRequest, now: dt.datetime | None = None, *,
         open_case: bool = True) -> int:
    """Store the contact of a just-stored customer response and open its case when due; flushes.

    Refuses an employee response: contact details never sit next to an employee's answers.
    """
    if response.touchpoint_id is None or response.source == "invitation":
        raise ValidationError("Contact details can only be given with customer feedback, never with an "
                              "employee survey.", field="contact_consent")
    session.add(CustomerContact(response_id=response.id, name=contact.name, email=contact.email,
                                phone=contact.phone, consent=True))
    session.flush()
    if not open_case:
        return 0
    return cases.open_cases(session, [response.id], now or utcnow(), contact.due_working_days)


def save_many(session: Session, rows: Iterable[tuple[int, ContactRequest]], now: dt.datetime | None = None) -> int:
    """Store the contacts of just-imported customer responses (one executemany) and open their cases."""
    rows = list(rows)
    if not rows:
        return 0
    session.execute(insert(CustomerContact.__table__), [
        {"response_id": rid, "name": c.name, "email": c.email, "phone": c.phone, "consent": True} for rid, c in rows])
    by_days: dict[int, list[int]] = {}
    for rid, c in rows:
        by_days.setdefault(c.due_working_days, []).append(rid)
    return sum(cases.open_cases(session, ids, now or utcnow(), days) for days, ids in by_days.items())


def contacts_of(session: Session, response_ids: Iterable[int]) -> dict[int, CustomerContact]:
    """The contact rows of these responses, by response id."""
    ids = list(response_ids)
    if not ids:
        return {}
    return {c.response_id: c for c in session.scalars(select(CustomerContact)
                                                      .where(CustomerContact.response_id.in_(ids)))}


def purge(session: Session, now: dt.datetime, days: int) -> int:
    """Erase contact details `days` days after their case closed, or after the feedback when no case opened.

    0 keeps them. An open case keeps its contact however old: the team still has to call. Flushes.
    """
    if days <= 0:
        return 0
    cutoff = now - dt.timedelta(days=days)
    closed_long_ago = select(FollowUpCase.response_id).where(FollowUpCase.status == "closed",
                                                             FollowUpCase.closed_at < cutoff)
    any_case = select(FollowUpCase.response_id)
    old_without_case = select(Response.id).where(Response.submitted_on < cutoff.date(), Response.id.not_in(any_case))
    gone = session.execute(delete(CustomerContact).where(or_(CustomerContact.response_id.in_(closed_long_ago),
                                                             CustomerContact.response_id.in_(old_without_case)))
                           .execution_options(synchronize_session=False)).rowcount
    session.flush()
    return gone or 0


def erase_by_address(session: Session, address: str) -> int:
    """Erase every contact row holding this email address or phone number (a customer's erasure request)."""
    text = " ".join((address or "").split())
    if not text:
        raise ValidationError("Give the customer's email address or phone number.", field="address")
    gone = session.execute(delete(CustomerContact).where(or_(func.lower(CustomerContact.email) == text.lower(),
                                                             CustomerContact.phone == text))
                           .execution_options(synchronize_session=False)).rowcount
    session.flush()
    return gone or 0
