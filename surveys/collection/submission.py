"""Answering a survey: drafts (save and resume) and the single submission of an invitation.

Every answer, from a page POST, a draft or a public form, is checked by surveys/collection/answers.py.
A submission writes a receipt (which invitation was used) and a response (what was said) that share
nothing: the response carries the storage unit frozen when the wave opened (surveys/fieldwork/units.py)
and the day, never the person or the invitation. Drafts are sealed with the link's key (drafts.py): every
function that reads or writes one takes that key, which only the respondent's session holds. Finding an
invitation by its link and opening it for answers is opening.py.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import bindparam
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from surveys.collection import drafts, queue, receipts
from surveys.collection.answers import AnswersInvalid, check_answers, is_blank, normalise_raw, parse_all  # noqa: F401
from surveys.collection.opening import open_invitation
from surveys.collection.paging import invitation_pages
from surveys.collection.storage import store_response
from surveys.errors import AlreadySubmitted, ValidationError
from surveys.models import Invitation, Response, utcnow
from surveys.voice.contacts import ContactRequest


@dataclass(frozen=True)
class PageOutcome:
    """What happened to a page POST: the page to show next, whether the survey was submitted, errors."""

    page: int
    submitted: bool = False
    errors: dict[str | None, str] = field(default_factory=dict)
    # The invitation as loaded for the write, so the view renders or redirects without loading it again.
    invitation: Invitation | None = field(default=None, repr=False, compare=False)


def draft_of(invitation: Invitation, key: bytes) -> tuple[int, dict[str, object]]:
    """The saved page index and answers of an invitation (page 0 and nothing before the first save).

    Raises drafts.DraftUnreadable when another link's key sealed the draft.
    """
    draft = drafts.unseal(key, invitation.id, invitation.draft) if invitation.draft is not None else {}
    return int(draft.get("page", 0)), dict(draft.get("answers") or {})


def save_draft(invitation: Invitation, key: bytes, page: int, answers: dict[str, object]) -> None:
    """Seal and keep a draft (a new dict, so the JSON column is marked dirty)."""
    invitation.draft = drafts.seal(key, invitation.id, {"page": page, "answers": answers})
    invitation.draft_key_id = drafts.key_id(key)


def start(session: Session, invitation_id: int, now: dt.datetime | None = None, *, key: bytes,
          restart: bool = False) -> Invitation:
    """Record that the respondent read the promise and began: an empty draft on page one.

    `restart`: replace a draft this key cannot open (saved through an earlier link) with an empty one.
    """
    invitation = open_invitation(session, invitation_id, now, lock_wave=True)
    if invitation.draft is None or restart:
        try:
            if invitation.draft is not None:
                draft_of(invitation, key)
                return invitation  # readable: nothing to restart
        except drafts.DraftUnreadable:
            pass
        save_draft(invitation, key, 0, {})
        session.flush()
    return invitation


def record_page(session: Session, invitation_id: int, page: int, raw_answers: Mapping[str, object],
                action: str, now: dt.datetime | None = None, *, key: bytes,
                contact: ContactRequest | None = None) -> PageOutcome:
    """Save one page of answers and move ("next", "back", "save") or submit ("submit").

    Valid answers are always kept in the draft, even when others on the page are wrong, so nothing
    typed is lost; moving forward or submitting needs every required answer.
    """
    now = now or utcnow()
    if action not in ("next", "back", "save", "submit"):
        raise ValidationError(f"Unknown form action '{action}'.", field="action")
    invitation = open_invitation(session, invitation_id, now, lock_wave=True)
    pages = invitation_pages(invitation)
    if not 0 <= page < len(pages):
        raise ValidationError("That page does not exist; please reopen your survey link.", field="page")
    questions = pages[page]
    kept, errors = check_answers(questions, raw_answers, require=action in ("next", "submit"))
    _saved_page, answers = draft_of(invitation, key)
    for q in questions:
        answers.pop(q.code, None)
    answers.update(kept)
    target = {"next": page + 1, "back": page - 1}.get(action, page)
    target = min(max(target, 0), len(pages) - 1)
    if errors or action != "submit":
        save_draft(invitation, key, page if errors else target, answers)
        session.flush()
        return PageOutcome(page=page if errors else target, errors=errors, invitation=invitation)
    if page != len(pages) - 1:
        raise ValidationError("Please go through the remaining pages before submitting.", field="page")
    try:
        # The merged answers go straight to the submission, which erases the draft: sealing them into the
        # draft first would be a write (and an encryption) undone in the same transaction.
        submit_invitation(session, invitation_id, now.date(), now=now, opened=invitation, key=key, contact=contact,
                          answers=answers)
    except AnswersInvalid as exc:
        save_draft(invitation, key, exc.page, answers)
        session.flush()
        return PageOutcome(page=exc.page, errors=exc.errors, invitation=invitation)
    return PageOutcome(page=page, submitted=True, invitation=invitation)


def submit_invitation(session: Session, invitation_id: int, today: dt.date | None = None, *, key: bytes,
                      now: dt.datetime | None = None, opened: Invitation | None = None,
                      contact: ContactRequest | None = None,
                      answers: Mapping[str, object] | None = None) -> Response | None:
    """Turn an invitation's draft into one anonymous answer set; a second call raises AlreadySubmitted.

    An employee's answers go to the submission queue and reach `responses` with their team's next batch
    (None is returned); a customer contact link's answers are stored at once (no person to protect).

    Locks the wave FOR SHARE and re-checks it is open, re-validates every answer, writes the receipt
    (its primary key stops a second submission even from a concurrent request), the response and its
    answers, and erases the draft. `opened`: the invitation open_invitation(lock_wave=True) already
    returned in this transaction (record_page), so the checks and the lock are not repeated.
    `contact`: a customer's "contact me" details, stored with the response; refused for an employee.
    `answers`: the draft's answers as record_page just merged them with the last page (not yet sealed).
    """
    now = now or utcnow()
    today = today or now.date()
    invitation = opened or open_invitation(session, invitation_id, now, lock_wave=True)
    if invitation.person_id is not None and contact is not None:
        raise ValidationError("Contact details can only be given with customer feedback, never with an "
                              "employee survey.", field="contact_consent")
    if invitation.person_id is not None:
        # The unit frozen at the opening, never the person's team now: a small team's own id never
        # appears on a response, and moving the person afterwards changes nothing.
        team_id, touchpoint, source = invitation.unit_team_id, None, "invitation"
    else:
        touchpoint = invitation.touchpoint
        team_id, source = touchpoint.team_id, "contact_link"
    if answers is None:
        _page, answers = draft_of(invitation, key)
    try:
        parsed = parse_all(invitation.wave.survey.questions, answers)
    except AnswersInvalid as exc:
        # Send the respondent back to the first page with a problem.
        pages = invitation_pages(invitation)
        exc.page = next((i for i, page in enumerate(pages) if any(q.code in exc.errors for q in page)), 0)
        raise
    employee = invitation.person_id is not None
    # An employee's receipt counts in participation only when its team's batch is released. The receipt's
    # primary key stops a second submission even from a concurrent request: no row comes back then.
    if not receipts.insert(session, invitation.id, released=not employee):
        raise AlreadySubmitted()
    response = None
    if employee:  # held in the queue, released to `responses` in batches (surveys/collection/queue.py)
        queue.hold(session, invitation.wave, team_id, parsed, today, counted=invitation.counted)
    else:
        response = store_response(session, wave=invitation.wave, team_id=team_id, source=source,
                                  parsed=parsed, today=today, touchpoint=touchpoint, contact=contact, now=now)
    # The receipt alone says it was used: no time kept. A Core UPDATE (an ORM flush of it cost more than the rest;
    # the participation rollup's update events watch only the columns that move an invitation, never these).
    session.flush()
    session.execute(_ERASE_DRAFT, {"invitation_id": invitation.id})
    set_committed_value(invitation, "draft", None)
    set_committed_value(invitation, "draft_key_id", None)
    return response


_INVITATIONS = Invitation.__table__
_ERASE_DRAFT = (_INVITATIONS.update().where(_INVITATIONS.c.id == bindparam("invitation_id"))
                .values(draft=None, draft_key_id=None))
