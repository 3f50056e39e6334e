"""Response rates while a wave runs: per team for HR, and per wave for a program's page.

Counts are aggregated in SQL. A responded count (and its rate) is shown only where at least the wave's
`min_group_size` people answered. Because each wave's total response count is visible elsewhere, a single
hidden team could be recovered by subtracting the visible teams from it; analysis.privacy.suppress
therefore also hides the smallest visible team whenever exactly one team is hidden, and the totals here
only add up the teams that are shown.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from analysis.privacy import suppress

from .errors import NotFound
from .models import Invitation, Person, Program, Response, SubmissionReceipt, Team, Wave


@dataclass(frozen=True)
class TeamRate:
    """One team's participation; `responded` and `rate` are None when hidden."""

    team: str
    invited: int
    responded: int | None
    rate: float | None
    reason: str | None  # why it is hidden: "small" (below the threshold) or "protects" (complementary)


@dataclass(frozen=True)
class ParticipationReport:
    """Participation of one wave by team; totals cover the visible teams only."""

    wave_id: int
    label: str
    program_id: int
    program: str
    status: str
    min_group_size: int
    teams: tuple[TeamRate, ...]
    invited_all: int
    shown_invited: int
    shown_responded: int
    hidden_teams: int

    @property
    def shown_rate(self) -> float | None:
        """Response rate over the visible teams."""
        return self.shown_responded / self.shown_invited if self.shown_invited else None


@dataclass(frozen=True)
class WaveCount:
    """Invited and responded counts of one wave; `responded` is None below the wave's threshold."""

    invited: int
    responded: int | None


def _responded():
    # The respondent flow records a receipt and/or a submission time; either counts as answered.
    return case((or_(Invitation.submitted_at.is_not(None), SubmissionReceipt.invitation_id.is_not(None)), 1),
                else_=0)


def team_participation(session: Session, wave_id: int) -> ParticipationReport:
    """Invited, responded and rate per team (the invitee's current team) for one wave."""
    wave = session.get(Wave, wave_id)
    if wave is None:
        raise NotFound(f"There is no wave with id {wave_id}.")
    rows = session.execute(
        select(Team.name, func.count(Invitation.id), func.coalesce(func.sum(_responded()), 0))
        .select_from(Invitation)
        .join(Person, Person.id == Invitation.person_id)
        .outerjoin(Team, Team.id == Person.team_id)
        .outerjoin(SubmissionReceipt, SubmissionReceipt.invitation_id == Invitation.id)
        .where(Invitation.wave_id == wave.id)
        .group_by(Team.id, Team.name)
        .order_by(Team.name)
    ).all()
    frame = pd.DataFrame(
        [(name or "(no team)", int(invited), int(responded)) for name, invited, responded in rows],
        columns=["team", "invited", "responded"])
    frame["rate"] = frame["responded"] / frame["invited"].where(frame["invited"] > 0)
    frame["wave"] = wave.id  # all teams are siblings under the wave total
    teams: list[TeamRate] = []
    if len(frame):
        result = suppress(frame, "responded", wave.min_group_size, parent="wave", value_columns=["rate"])
        primary = set(result.suppressed_primary)
        for label, row in result.frame.iterrows():
            hidden = bool(row["suppressed"])
            teams.append(TeamRate(
                team=row["team"], invited=int(row["invited"]),
                responded=None if hidden else int(row["responded"]),
                rate=None if hidden else float(row["rate"]),
                reason=None if not hidden else ("small" if label in primary else "protects")))
    shown = [t for t in teams if t.responded is not None]
    return ParticipationReport(
        wave_id=wave.id, label=wave.label, program_id=wave.program_id, program=wave.program.name, status=wave.status,
        min_group_size=wave.min_group_size, teams=tuple(teams),
        invited_all=sum(t.invited for t in teams), shown_invited=sum(t.invited for t in shown),
        shown_responded=sum(t.responded for t in shown), hidden_teams=len(teams) - len(shown))


def wave_counts(session: Session, program: Program) -> dict[int, WaveCount]:
    """Invited and responded counts for each wave of a program, small responded counts hidden."""
    invited = dict(session.execute(
        select(Invitation.wave_id, func.count(Invitation.id)).join(Wave, Wave.id == Invitation.wave_id)
        .where(Wave.program_id == program.id, Invitation.person_id.is_not(None)).group_by(Invitation.wave_id)
    ).all())
    if program.audience == "employee":
        responded_q = (select(Invitation.wave_id, func.coalesce(func.sum(_responded()), 0))
                       .join(Wave, Wave.id == Invitation.wave_id)
                       .outerjoin(SubmissionReceipt, SubmissionReceipt.invitation_id == Invitation.id)
                       .where(Wave.program_id == program.id).group_by(Invitation.wave_id))
    else:  # customers answer through touchpoint links: count responses
        responded_q = (select(Response.wave_id, func.count()).join(Wave, Wave.id == Response.wave_id)
                       .where(Wave.program_id == program.id).group_by(Response.wave_id))
    responded = {wave_id: int(n) for wave_id, n in session.execute(responded_q).all()}
    out = {}
    for wave_id, k in session.execute(select(Wave.id, Wave.min_group_size).where(Wave.program_id == program.id)):
        n = responded.get(wave_id, 0)
        out[wave_id] = WaveCount(int(invited.get(wave_id, 0)), n if n >= k else None)
    return out
