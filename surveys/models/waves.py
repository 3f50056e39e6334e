"""Programs run an instrument on a cadence; waves are its rounds; invitations are single-use links."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.errors import Conflict, ValidationError
from surveys.models.base import Base, in_list, utcnow
from surveys.models.instruments import AUDIENCES, Survey
from surveys.models.org import Person, Team, Touchpoint

CADENCES = ("monthly", "quarterly", "custom", "always_on")
WAVE_STATUSES = ("draft", "open", "closed")

program_teams = Table(
    "program_teams",
    Base.metadata,
    Column("program_id", ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
)


class Program(Base):
    __tablename__ = "programs"
    __table_args__ = (
        CheckConstraint(in_list("audience", AUDIENCES), name="audience"),
        CheckConstraint(in_list("cadence", CADENCES), name="cadence"),
        CheckConstraint("reminder_days >= 0", name="reminder_days"),
        CheckConstraint("wave_days >= 1", name="wave_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # What respondents see; the name and code above are internal and never shown to them.
    public_title: Mapped[str | None] = mapped_column(String(200))
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="RESTRICT"), index=True)
    audience: Mapped[str] = mapped_column(String(20))
    cadence: Mapped[str] = mapped_column(String(20))
    wave_days: Mapped[int] = mapped_column(Integer, default=14, server_default="14")
    reminder_days: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Employee programs: when a wave closes, mail every invitee a link to "What you told us" (opt-out).
    share_results: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    survey: Mapped[Survey] = relationship()
    # Employee programs target teams (and their descendants); empty means the whole organisation.
    teams: Mapped[list[Team]] = relationship(secondary=program_teams)
    waves: Mapped[list[Wave]] = relationship(back_populates="program", order_by="Wave.opens_at")

    @property
    def respondent_title(self) -> str:
        """The public title, or else the instrument's title: never the internal name or code."""
        return (self.public_title or "").strip() or self.survey.title

    def __repr__(self) -> str:
        return f"<Program {self.code}>"


class Wave(Base):
    __tablename__ = "waves"
    __table_args__ = (
        UniqueConstraint("program_id", "label"),
        CheckConstraint(in_list("status", WAVE_STATUSES), name="status"),
        CheckConstraint("closes_at > opens_at", name="window"),
        CheckConstraint("min_group_size >= 3", name="min_group_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    # The instrument version this wave asks; answers stay tied to it even after edits.
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="RESTRICT"), index=True)
    label: Mapped[str] = mapped_column(String(60))
    opens_at: Mapped[dt.datetime] = mapped_column(DateTime)
    closes_at: Mapped[dt.datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="draft", server_default="draft")
    # Anonymity thresholds are frozen when the wave opens so a later setting change cannot reveal it.
    min_group_size: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    min_comment_group_size: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    # A past round of another tool, created closed to hold imported results: it never opened, invited or
    # mailed anyone, and the scheduler ignores it. Only such a wave (or a closed one that invited nobody)
    # takes imported employee rows.
    historical: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    program: Mapped[Program] = relationship(back_populates="waves")
    survey: Mapped[Survey] = relationship()

    def __repr__(self) -> str:
        return f"<Wave {self.label} {self.status}>"

    # Guarded transitions: draft -> open -> closed, or a new draft straight to closed as a historical wave;
    # never back. Callers load the row FOR UPDATE so two processes cannot both pass a guard
    # (see surveys/fieldwork/scheduling.py).
    def record_past(self, now: dt.datetime, min_group_size: int, min_comment_group_size: int) -> None:
        """Close a new draft wave whose window has ended as a historical wave, freezing its thresholds."""
        if self.status != "draft":
            raise Conflict(f"Wave {self.label} is already {self.status}; only a new wave can hold imported "
                           "past results.")
        if self.closes_at > now:
            raise ValidationError(f"A past wave must be over by today; wave {self.label} closes "
                                  f"{self.closes_at:%Y-%m-%d %H:%M} UTC.", field="closes_at")
        self.status = "closed"
        self.historical = True
        self.min_group_size = min_group_size
        self.min_comment_group_size = max(min_comment_group_size, min_group_size)

    def open(self, now: dt.datetime, min_group_size: int, min_comment_group_size: int) -> None:
        """Open a draft wave now, freezing the anonymity thresholds into it."""
        self.check_can_open(now)
        self.opens_at = min(self.opens_at, now)  # opened early: the window starts now
        self.status = "open"
        self.min_group_size = min_group_size
        self.min_comment_group_size = max(min_comment_group_size, min_group_size)

    def check_can_open(self, now: dt.datetime) -> None:
        """Raise the Conflict `open` would raise now, changing nothing."""
        if self.status != "draft":
            raise Conflict(f"Wave {self.label} is already {self.status}; only a draft wave can be opened.")
        if now >= self.closes_at:
            raise Conflict(f"Wave {self.label} was due to close at {self.closes_at:%Y-%m-%d %H:%M} UTC, "
                           "which has passed; extend it before opening it.")

    def close(self, now: dt.datetime) -> None:
        """Close an open wave; closing before its end moves the end to now."""
        if self.status == "draft":
            raise Conflict(f"Wave {self.label} has not opened yet, so there is nothing to close.")
        if self.status == "closed":
            raise Conflict(f"Wave {self.label} is already closed.")
        if now < self.closes_at:
            self.closes_at = max(now, self.opens_at + dt.timedelta(seconds=1))
        self.status = "closed"

    def extend(self, new_closes_at: dt.datetime, now: dt.datetime) -> None:
        """Move the closing time of a draft or open wave later."""
        if self.status == "closed":
            raise Conflict(f"Wave {self.label} has closed; a closed wave cannot be reopened.")
        if new_closes_at <= self.closes_at:
            raise ValidationError(f"The new closing time must be after the current one "
                                  f"({self.closes_at:%Y-%m-%d %H:%M} UTC).", field="closes_at")
        if new_closes_at <= now:
            raise ValidationError("The new closing time must be in the future.", field="closes_at")
        self.closes_at = new_closes_at


class Invitation(Base):
    """A single-use link. Only the SHA-256 of the token is stored."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("wave_id", "person_id"),
        # A link belongs either to an employee or to a customer contact at a touchpoint.
        CheckConstraint("(person_id IS NULL) <> (touchpoint_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoints.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The "What you told us" mail after the wave closed (claimed like reminders, sent once).
    results_sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Deliberately no submission time: next to person_id it would name the author of a response that
    # is alone on its team and day. Whether the link was used is the SubmissionReceipt below, undated.
    # Save-and-resume: answers in progress, sealed with AES-GCM under a key derived from the link's token,
    # which the server never stores (surveys/collection/drafts.py); erased at submission and at the close.
    draft: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    # SHA-256 of the key that sealed the draft: a reminder replaces token_hash, so the earlier link is
    # found by its key instead, and only while it holds the draft (answers in progress are not lost).
    draft_key_id: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    # The storage unit frozen when the wave opened: the person's team, or the ancestor it is pooled with
    # until the group reaches the wave's minimum (surveys/fieldwork/units.py). Responses carry this team.
    unit_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    # Frozen with the unit: whether this invitee counted towards the unit's size (an established account
    # and membership). The submission queue releases a unit's answers only once k *counted* people have
    # answered, so planted accounts whose answers the planter knows can never make up a batch.
    counted: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    wave: Mapped[Wave] = relationship()
    person: Mapped[Person | None] = relationship()
    touchpoint: Mapped[Touchpoint | None] = relationship()


class WaveTeam(Base):
    """One team's membership as frozen when a wave opened: its storage unit and who counted.

    `eligible`: invitees who had been in the team and had an account for the whole membership period
    before the opening (only they count towards a group's size); `joined`: the other invitees (new
    accounts or people moved in during the period), which executives are told about.
    """

    __tablename__ = "wave_teams"

    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    unit_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    eligible: Mapped[int] = mapped_column(Integer)
    joined: Mapped[int] = mapped_column(Integer)


class SubmissionReceipt(Base):
    """Proof that an invitation was used. Its primary key makes a second submission impossible.

    It records only the invitation, never when, nor which response was created from it. "Submitted"
    everywhere in Tandem means: a receipt exists. `released` turns true when the answers of the
    invitee's team are released from the submission queue; only released receipts are counted.
    """

    __tablename__ = "submission_receipts"

    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), primary_key=True
    )
    released: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

