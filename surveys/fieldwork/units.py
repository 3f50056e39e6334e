"""Storage units, frozen when a wave opens: which team each invitee's response will carry.

Only *eligible* invitees count towards a group's size: people whose account and whose membership of
their team both began at least the membership period (TANDEM_MEMBERSHIP_DAYS, default 30) before the
opening. Four accounts imported yesterday, or a person moved in last week, make no team reportable.

A team with at least k eligible invitees (the wave's frozen min_group_size) is its own unit. A smaller
team is pooled with its parent for storage: walking the tree from the leaves, a team's pending group is
its own eligible members plus those of the children pooled into it; it becomes a unit once that reaches
k, otherwise it passes the whole group up. A department head alone in the department's team is pooled
the same way. At a root the pending group stays there; if it is still below k the root absorbs its
smallest units until it reaches k (the root pools everything when it must), so no response carries a
unit smaller than k unless the whole tree is.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import Person, Team

DEFAULT_MEMBERSHIP_DAYS = 30


@dataclass(frozen=True)
class TeamMembership:
    """One team's invitees at the opening: `eligible` count towards size, `joined` (recent) do not."""

    team_id: int
    unit_team_id: int
    eligible: int
    joined: int


def is_eligible(created_at: dt.datetime | None, team_since: dt.datetime | None, cutoff: dt.datetime) -> bool:
    """True when account and team membership both began by `cutoff`; unknown (NULL) reads as recent."""
    return created_at is not None and team_since is not None and created_at <= cutoff and team_since <= cutoff


def cutoff_for(opens_at: dt.datetime, membership_days: int) -> dt.datetime:
    """The latest start of account and membership that counts for a wave opening at `opens_at`."""
    return opens_at - dt.timedelta(days=membership_days)


def plan_units(session: Session, person_ids: list[int], opens_at: dt.datetime, k: int,
               membership_days: int = DEFAULT_MEMBERSHIP_DAYS
               ) -> tuple[dict[int, int], list[TeamMembership], set[int]]:
    """({person id: unit team id}, per-team memberships, ids of the invitees who count towards a group's
    size) for the invitees of a wave opening at `opens_at`."""
    cutoff = cutoff_for(opens_at, membership_days)
    team_of: dict[int, int] = {}
    counted: set[int] = set()
    eligible: dict[int, int] = defaultdict(int)
    joined: dict[int, int] = defaultdict(int)
    wanted = set(person_ids)
    rows = session.execute(select(Person.id, Person.team_id, Person.created_at, Person.team_since)
                           .where(Person.team_id.is_not(None)))
    for pid, team_id, created_at, team_since in rows:
        if pid not in wanted:
            continue
        team_of[pid] = team_id
        if is_eligible(created_at, team_since, cutoff):
            eligible[team_id] += 1
            counted.add(pid)
        else:
            joined[team_id] += 1
    parent_of = dict(session.execute(select(Team.id, Team.parent_id)).all())
    unit = pool(parent_of, eligible, k, populated=set(team_of.values()))
    teams = sorted(set(team_of.values()))
    memberships = [TeamMembership(t, unit[t], eligible.get(t, 0), joined.get(t, 0)) for t in teams]
    return {pid: unit[t] for pid, t in team_of.items()}, memberships, counted


def pool(parent_of: dict[int, int | None], eligible: dict[int, int], k: int,
         populated: set[int] | None = None) -> dict[int, int]:
    """{team id: unit team id} for every team in `parent_of`, pooling teams below k with their parents.

    `populated`: teams with invitees (default: those with eligible members); a root unit holding none of
    them carries no response, so it needs no members absorbed.
    """
    populated = {t for t, n in eligible.items() if n} if populated is None else populated
    children: dict[int | None, list[int]] = defaultdict(list)
    for team, parent in parent_of.items():
        children[parent if parent in parent_of else None].append(team)
    unit: dict[int, int] = {}
    for root in sorted(children[None]):
        order = _post_order(root, children)
        pending: dict[int, int] = {}
        passed_up: dict[int, list[int]] = defaultdict(list)  # teams whose group waits at this team
        sizes: dict[int, int] = {}  # unit -> eligible members pooled into it
        for team in order:
            group = [team] + passed_up.pop(team, [])
            size = eligible.get(team, 0) + sum(pending.pop(c, 0) for c in children.get(team, []))
            if size >= k or team == root:
                for member in group:
                    unit[member] = team
                sizes[team] = sizes.get(team, 0) + size
            else:
                parent = parent_of[team]
                passed_up[parent].extend(group)
                pending[team] = size
        if any(unit.get(t) == root for t in populated):
            _absorb_into_root(root, unit, sizes, k)
    return unit


def _post_order(root: int, children: dict[int | None, list[int]]) -> list[int]:
    """Teams under `root`, every child before its parent (iterative: no recursion limit on deep trees)."""
    out, stack = [], [(root, False)]
    while stack:
        team, done = stack.pop()
        if done:
            out.append(team)
            continue
        stack.append((team, True))
        stack.extend((c, False) for c in sorted(children.get(team, []), reverse=True))
    return out


def _absorb_into_root(root: int, unit: dict[int, int], sizes: dict[int, int], k: int) -> None:
    """While the root's own unit is below k, merge the smallest other unit of its tree into it."""
    while sizes.get(root, 0) < k:
        others = sorted((size, u) for u, size in sizes.items() if u != root)
        if not others:
            return  # the whole tree is below k: its cells are hidden wherever they are shown
        size, smallest = others[0]
        for team, u in unit.items():
            if u == smallest:
                unit[team] = root
        sizes[root] = sizes.get(root, 0) + size
        del sizes[smallest]
