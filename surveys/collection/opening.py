"""Opening an invitation for answers: finding it by its link, the wave's window and the respondent's checks.

Every page and every write of an employee or contact link starts here (surveys/collection/submission.py
for drafts and the submission). The wave row is read FOR SHARE before a write, so a close cannot erase
drafts between the check and the write.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from sqlalchemy import bindparam, inspect, or_, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from surveys.collection import drafts
from surveys.errors import AlreadySubmitted, Conflict, NotFound
from surveys.models import Invitation, Question, SubmissionReceipt, Survey, Wave, utcnow
from surveys.tokens import hash_token

INVALID_LINK = ("This link is not valid. If you received a reminder, use the link in the most recent email: "
                "each reminder replaces the earlier link.")
INACTIVE = "This invitation is no longer active. If you think this is a mistake, please contact HR."
NO_TEAM = ("Your answers cannot be recorded yet because you are not assigned to a team. "
           "Please contact HR, then open your link again: your answers so far are kept.")

# What a respondent's write reads with an invitation, joined into one statement instead of a lazy load each;
# the survey's questions follow in one more, only when a page or the submission needs them. A page also shows
# the program (RESPONDENT_LOAD; after a write, load_page). Not the person's team: no respondent page or check
# reads it (the unit shown is the frozen one, membership.unit_of).
WRITE_LOAD = (
    joinedload(Invitation.wave).joinedload(Wave.survey),
    joinedload(Invitation.person),
    joinedload(Invitation.touchpoint),
)
RESPONDENT_LOAD = (joinedload(Invitation.wave).joinedload(Wave.program), *WRITE_LOAD)


class WaveNotOpen(Conflict):
    """The survey round of a link is not collecting answers now; carries the dates to show."""

    def __init__(self, wave: Wave, now: dt.datetime):
        self.opens_at, self.closes_at = wave.opens_at, wave.closes_at
        self.not_yet = wave.status != "closed" and now < wave.closes_at
        if self.not_yet and now < wave.opens_at:
            message = f"This survey opens on {_day(wave.opens_at)} at {wave.opens_at:%H:%M} UTC."
        elif self.not_yet:
            message = "This survey is not open yet. Please try again later."
        elif wave.closes_at <= now:
            message = f"This survey closed on {_day(wave.closes_at)}."
        else:
            message = "This survey has been closed early."
        if not self.not_yet:
            message += " Answers can no longer be given through this link."
        super().__init__(message)


def _day(when: dt.datetime) -> str:
    return f"{when.day} {when:%B %Y}"


def wave_is_open(wave: Wave, now: dt.datetime) -> bool:
    """True while a wave collects answers: status open and now inside its window."""
    return wave.status == "open" and wave.opens_at <= now < wave.closes_at


def ensure_open(wave: Wave, now: dt.datetime) -> None:
    """Raise WaveNotOpen unless the wave collects answers now."""
    if not wave_is_open(wave, now):
        raise WaveNotOpen(wave, now)


def find_invitation(session: Session, token: str, *, kind: str) -> Invitation:
    """The invitation of a link token; `kind` is "employee" or "contact". Raises NotFound otherwise.

    The current link matches token_hash; an earlier link replaced by a reminder still matches while the
    draft it sealed exists (draft_key_id), so answers in progress are not lost to a reminder.
    """
    key_id = drafts.key_id(drafts.key_for(token or ""))
    invitation = session.scalar(select(Invitation)
                                .where(or_(Invitation.token_hash == hash_token(token or ""),
                                           Invitation.draft_key_id == key_id))
                                .options(*RESPONDENT_LOAD).limit(1))
    if invitation is None or (invitation.person_id is None) != (kind == "contact"):
        raise NotFound(INVALID_LINK)
    return invitation


def is_used(session: Session, invitation_id: int) -> bool:
    """True once an invitation has been used to submit: its receipt exists (there is no submission time)."""
    return session.scalar(_USED, {"invitation_id": invitation_id}) is not None


# Built once: building the statement costs more than running it.
_USED = select(SubmissionReceipt.invitation_id).where(SubmissionReceipt.invitation_id == bindparam("invitation_id"))
_WAVES = Wave.__table__
# The wave's status and dates also as plain columns: they are the row's own values even when the wave object was
# already in the session (for the write lock on SQLite, see _share_locked_wave).
_OPENING = (select(Invitation, SubmissionReceipt.invitation_id, _WAVES.c.status, _WAVES.c.opens_at, _WAVES.c.closes_at)
            .join(_WAVES, _WAVES.c.id == Invitation.wave_id)
            .outerjoin(SubmissionReceipt, SubmissionReceipt.invitation_id == Invitation.id)
            .where(Invitation.id == bindparam("invitation_id")))
_OPENING_WRITE = _OPENING.options(*WRITE_LOAD)  # lock_wave: a write, which never shows the program
_OPENING = _OPENING.options(*RESPONDENT_LOAD)
_WAVE_STATE = (select(_WAVES.c.status, _WAVES.c.opens_at, _WAVES.c.closes_at)
               .where(_WAVES.c.id == bindparam("wave_id")).with_for_update(read=True))


def open_invitation(session: Session, invitation_id: int, now: dt.datetime | None = None, *,
                    lock_wave: bool = False) -> Invitation:
    """Load an invitation someone is answering; refuse a used one, a closed wave or a person without team.

    Callers about to write (a draft or a submission) pass lock_wave=True: the wave row is then read
    FOR SHARE, so close_wave (FOR UPDATE) cannot erase drafts between this check and the write, and a
    close that committed first is seen here.
    """
    # One statement for the invitation, what a page needs with it and whether its receipt exists.
    found = session.execute(_OPENING_WRITE if lock_wave else _OPENING, {"invitation_id": invitation_id}).first()
    if found is None:
        raise NotFound(INVALID_LINK)
    invitation, receipt, *state = found
    if receipt is not None:
        raise AlreadySubmitted()
    load_questions(session, invitation.wave.survey)
    wave = _share_locked_wave(session, invitation.wave, state) if lock_wave else invitation.wave
    ensure_open(wave, now or utcnow())
    _check_person(invitation)
    return invitation


def load_page(invitation: Invitation) -> Invitation:
    """Load what a page shows of an invitation opened for a write (its program), in the caller's transaction:
    before the commit, when a page is shown after the write."""
    _program = invitation.wave.program  # the attribute access is the load (lazy, one SELECT); nothing else to do
    return invitation


def load_questions(session: Session, survey: Survey) -> None:
    """Load a survey's questions unless loaded: one statement built once, where the lazy load builds its
    criteria again on every call (it cost more than the rest of the invitation's loading)."""
    if "questions" in inspect(survey).unloaded:
        set_committed_value(survey, "questions", list(session.scalars(_QUESTIONS, {"survey_id": survey.id})))


_QUESTIONS = select(Question).where(Question.survey_id == bindparam("survey_id")).order_by(Question.position)


@dataclass(frozen=True, eq=False)  # hashed by identity, as a mapped Question is (answers are keyed by question)
class QuestionRow:
    """A question's columns read without the ORM, for a write that only reads them (answers.parse_all, storage)."""

    id: int
    survey_id: int
    code: str
    text: str
    qtype: str
    dimension: str | None
    reverse_keyed: bool
    required: bool
    position: int
    choices: list[str] | None
    scale_min: int | None
    scale_max: int | None


def questions_of(session: Session, survey_id: int) -> list[QuestionRow]:
    """A survey's questions in order, as plain rows: without loading the survey or mapping a Question each."""
    return [QuestionRow(*row) for row in session.execute(_QUESTION_ROWS, {"survey_id": survey_id})]


_QUESTION_COLUMNS = Question.__table__.c
_QUESTION_ROWS = (select(*(_QUESTION_COLUMNS[f.name] for f in fields(QuestionRow)))
                  .where(_QUESTION_COLUMNS.survey_id == bindparam("survey_id")).order_by(_QUESTION_COLUMNS.position))


def _share_locked_wave(session: Session, wave: Wave, state: list) -> Wave:
    # Re-read the status and dates under the lock even though the wave is loaded, because the lock may
    # have waited for a close_wave that committed meanwhile; only these columns, so the survey and
    # questions loaded with the wave stay loaded. SQLite ignores FOR SHARE; its writers are serialised
    # by BEGIN IMMEDIATE instead (surveys/db.py), and every read of a transaction there sees the same
    # snapshot: a second read would return the `state` the opening statement read in this transaction.
    # Prebuilt Core (session.refresh builds a statement per call); set as loaded, so the wave is not made dirty.
    row = state if session.get_bind().dialect.name == "sqlite" else \
        session.execute(_WAVE_STATE, {"wave_id": wave.id}).one()
    for name, value in zip(("status", "opens_at", "closes_at"), row):
        set_committed_value(wave, name, value)
    return wave


def _check_person(invitation: Invitation) -> None:
    # People who left (deactivated) no longer speak for a team; people without a team cannot be counted.
    if invitation.person_id is None:
        return
    if not invitation.person.active:
        raise Conflict(INACTIVE)
    if invitation.person.team_id is None or invitation.unit_team_id is None:
        raise Conflict(NO_TEAM)
