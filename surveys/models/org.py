"""Organisation: teams (a hierarchy), people and the touchpoints teams own."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.models.base import Base, in_list, utcnow

ROLES = ("employee", "team_lead", "hr_admin", "executive")
STAFF_ROLES = ("team_lead", "hr_admin", "executive")
CHANNELS = ("web", "phone", "store", "chat", "email", "social", "other")


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="RESTRICT"), index=True)
    # use_alter breaks the teams <-> people cycle so both tables can be created and dropped.
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", use_alter=True, ondelete="SET NULL"), index=True
    )

    parent: Mapped[Team | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Team]] = relationship(back_populates="parent")
    lead: Mapped[Person | None] = relationship(foreign_keys=[lead_id], post_update=True)
    members: Mapped[list[Person]] = relationship(back_populates="team", foreign_keys="Person.team_id")
    touchpoints: Mapped[list[Touchpoint]] = relationship(back_populates="team")

    def __repr__(self) -> str:
        return f"<Team {self.code}>"


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (CheckConstraint(in_list("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="employee", server_default="employee")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Staff log in with a password; employees only ever use single-use survey links.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Frozen membership (surveys/fieldwork/units.py): a person counts towards a team's group size only when
    # both are older than the membership period before a wave opens. NULL reads as "just now" (fail-safe):
    # a row written without them never helps a small team pass the threshold.
    created_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=utcnow)
    # When the person joined their current team; every service that changes team_id sets it.
    team_since: Mapped[dt.datetime | None] = mapped_column(DateTime, default=utcnow)

    team: Mapped[Team | None] = relationship(back_populates="members", foreign_keys=[team_id])

    @property
    def is_staff(self) -> bool:
        """True for roles that may log in."""
        return self.role in STAFF_ROLES

    def __repr__(self) -> str:
        return f"<Person {self.email} {self.role}>"


class Touchpoint(Base):
    __tablename__ = "touchpoints"
    __table_args__ = (CheckConstraint(in_list("channel", CHANNELS), name="channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="RESTRICT"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    team: Mapped[Team] = relationship(back_populates="touchpoints")

    def __repr__(self) -> str:
        return f"<Touchpoint {self.code}>"
