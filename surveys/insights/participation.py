"""Participation: who has answered, counted one way for every page that shows it.

"Responded" means the invitation's SubmissionReceipt exists and was released from the submission
queue; invitations keep no submission time. Both counts are read from the participation rollup
(RollupParticipation, kept at write time by surveys/rollups/participation.py: per wave and storage
unit, the unit frozen on each invitation when the wave opened, so moving a person afterwards changes
nothing shown), never from `invitations`; `team_counts` is the one reader, and the program page, the
response-rate page and the reports index all build on it (reminders use the raw receipt test through
invitations.submitted()). Imported responses answer no invitation, so they are
counted apart and never enter a response rate.

A count is shown only when it reaches `threshold`: the wave's frozen min_group_size, or the configured
minimum when that is stricter (the reports use the same rule). Because a wave's total is shown on the
program page, a single hidden team could be recovered by subtracting the visible teams from it;
analysis.privacy.suppress therefore hides a further team in that case, every hidden team carries the
same label (a "below the threshold" label would point at the team the other one protects), and the
per-team totals add up only the teams that are shown.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from analysis.privacy import suppress
from surveys.errors import NotFound
from surveys.models import RollupParticipation, RollupResponses, Team, Wave
from surveys.models.rollups import NO_UNIT

HIDDEN_LABEL = "hidden to protect anonymity"


@dataclass(frozen=True)
class TeamCount:
    """Invitations and receipts of one wave for one storage unit (frozen at the opening; None: none)."""

    wave_id: int
    team_id: int | None
    team: str
    invited: int
    responded: int


@dataclass(frozen=True)
class TeamRate:
    """One team's participation as shown; `responded` and `rate` are None when hidden."""

    team: str
    invited: int
    responded: int | None
    rate: float | None
    team_id: int | None = None  # the storage unit (None: invitations with no team)

    @property
    def hidden(self) -> bool:
        """True when the answered count is withheld (for whatever reason: the page never says which)."""
        return self.responded is None


@dataclass(frozen=True)
class ParticipationReport:
    """Participation of one wave by team; the `shown_*` totals cover the visible teams only."""

    wave_id: int
    label: str
    program_id: int
    program: str
    status: str
    min_group_size: int  # the threshold applied: max(wave's frozen minimum, configured minimum)
    teams: tuple[TeamRate, ...]
    invited_all: int
    shown_invited: int
    shown_responded: int
    hidden_teams: int
    imported: int | None  # responses imported from files for this wave (0: none); None when hidden
    audience: str = "employee"
    linked: int | None = None  # customer waves: answers through touchpoint links; None when hidden

    @property
    def shown_rate(self) -> float | None:
        """Response rate over the visible teams."""
        return self.shown_responded / self.shown_invited if self.shown_invited else None


@dataclass(frozen=True)
class WaveCount:
    """Counts of one wave; each count is None below `threshold`.

    Employee waves: `responded` = invitations used. Customer waves: `responded` = answers through
    public and contact links (customers are not invited, so `invited` is 0). `imported` is kept apart.
    """

    invited: int
    responded: int | None
    imported: int | None
    threshold: int

    @property
    def rate(self) -> float | None:
        """Share of invitations used, when both are known."""
        return self.responded / self.invited if self.invited and self.responded is not None else None


def threshold(wave: Wave, floor: int = 0) -> int:
    """The smallest count shown for `wave`: its frozen minimum, raised to `floor` (the configured one)."""
    return max(wave.min_group_size, floor)


def team_counts(session: Session, wave_ids: Collection[int]) -> list[TeamCount]:
    """Invited and responded (released receipts) per wave and team, from the rollup: the one definition."""
    if not wave_ids:
        return []
    p = RollupParticipation
    rows = session.execute(
        select(p.wave_id, p.team_id, Team.name, p.invited, p.responded)
        .outerjoin(Team, Team.id == p.team_id)
        .where(p.wave_id.in_(list(wave_ids)), p.invited > 0)  # a unit whose people were all erased: none
        .order_by(p.wave_id, Team.name)
    ).all()
    return [TeamCount(int(w), None if team_id == NO_UNIT else team_id, name or "(no team)", int(invited),
                      int(responded))
            for w, team_id, name, invited, responded in rows]


def _wave_totals(session: Session, wave_ids: Collection[int]) -> dict[int, tuple[int, int]]:
    """(invited, responded) per wave: team_counts summed in SQL, without the teams' names."""
    if not wave_ids:
        return {}
    p = RollupParticipation
    rows = session.execute(select(p.wave_id, func.sum(p.invited), func.sum(p.responded))
                           .where(p.wave_id.in_(list(wave_ids))).group_by(p.wave_id)).all()
    return {int(w): (int(i), int(r)) for w, i, r in rows}


def response_counts(session: Session, wave_ids: Collection[int]) -> dict[int, tuple[int, int]]:
    """(answered through links, imported) responses per wave, from the rollup kept at write time."""
    if not wave_ids:
        return {}
    r = RollupResponses
    imported = case((r.source == "import", r.n), else_=0)
    rows = session.execute(
        select(r.wave_id, func.sum(r.n), func.coalesce(func.sum(imported), 0))
        .where(r.wave_id.in_(list(wave_ids))).group_by(r.wave_id)).all()
    return {int(w): (int(n) - int(i), int(i)) for w, n, i in rows}


def _shown(n: int, k: int) -> int | None:
    return n if n >= k else None


def _shown_imports(n: int, k: int) -> int | None:
    # No imports at all is a fact about the wave, not about anyone, and saves a puzzling "hidden".
    return 0 if n == 0 else _shown(n, k)


def wave_counts(session: Session, waves: Iterable[Wave], floor: int = 0) -> dict[int, WaveCount]:
    """Invited, responded and imported counts of each wave, counts below its threshold hidden."""
    waves = list(waves)
    ids = [w.id for w in waves]
    totals = _wave_totals(session, ids)
    stored = response_counts(session, ids)
    out = {}
    for wave in waves:
        k = threshold(wave, floor)
        linked, imported = stored.get(wave.id, (0, 0))
        invited, receipts = totals.get(wave.id, (0, 0))
        responded = receipts if wave.program.audience == "employee" else linked
        out[wave.id] = WaveCount(invited, _shown(responded, k), _shown_imports(imported, k), k)
    return out


def _suppressed(counts: list[TeamCount], wave_id: int, k: int) -> pd.DataFrame | None:
    """The teams of one wave with the `suppressed` flag the participation page goes by (None: no teams)."""
    frame = pd.DataFrame([(c.team, c.invited, c.responded, c.team_id) for c in counts],
                         columns=["team", "invited", "responded", "team_id"])
    frame["rate"] = frame["responded"] / frame["invited"].where(frame["invited"] > 0)
    frame["wave"] = wave_id  # all teams are siblings under the wave total
    if not len(frame):
        return None
    return suppress(frame, "responded", k, parent="wave", value_columns=["rate"]).frame


def hidden_team_ids(counts: list[TeamCount], wave_id: int, k: int) -> set[int | None]:
    """Storage units (None: no team) whose count team_participation hides, from one wave's team_counts
    and its threshold; for callers that need only which teams are hidden, not the whole report."""
    result = _suppressed(counts, wave_id, k)
    if result is None:
        return set()
    return {counts[i].team_id for i, hidden in enumerate(result["suppressed"]) if hidden}


def team_participation(session: Session, wave_id: int, floor: int = 0) -> ParticipationReport:
    """Invited, responded and rate per storage unit (frozen when the wave opened) for one wave."""
    wave = session.get(Wave, wave_id)
    if wave is None:
        raise NotFound(f"There is no wave with id {wave_id}.")
    k = threshold(wave, floor)
    teams: list[TeamRate] = []
    result = _suppressed(team_counts(session, [wave.id]), wave.id, k)
    if result is not None:
        for _label, row in result.iterrows():
            hidden = bool(row["suppressed"])
            teams.append(TeamRate(team=row["team"], invited=int(row["invited"]),
                                  responded=None if hidden else int(row["responded"]),
                                  rate=None if hidden else float(row["rate"]),
                                  team_id=None if pd.isna(row["team_id"]) else int(row["team_id"])))
    shown = [t for t in teams if not t.hidden]
    linked, imported = response_counts(session, [wave.id]).get(wave.id, (0, 0))
    return ParticipationReport(
        wave_id=wave.id, label=wave.label, program_id=wave.program_id, program=wave.program.name,
        status=wave.status, min_group_size=k, teams=tuple(teams),
        invited_all=sum(t.invited for t in teams), shown_invited=sum(t.invited for t in shown),
        shown_responded=sum(t.responded for t in shown), hidden_teams=len(teams) - len(shown),
        imported=_shown_imports(imported, k), audience=wave.program.audience,
        linked=_shown(linked, k) if wave.program.audience == "customer" else None)
