"""Employees' open-text answers for the comments report: which groups are large enough to show, and a
random sample of their comments.

A comment is an answer's text on an employee response. Comments are shown by *comment group*: a team
whose respondents in the wave reach the comment threshold is a group of its own; a smaller team is
pooled with its parent (and further up until the pool is large enough; a root that stays too small is
never shown). A unit's comments are those of the groups whose home lies in its subtree, so the
difference between any two views is a union of whole groups, each at or above the threshold: picking a
small team, or a department and then one of its teams, never isolates a small team's comments.
"""
from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.models import Answer, Question, Response, RollupResponses

MAX_SAMPLE = 500


@dataclass(frozen=True)
class CommentGroups:
    """Comment groups of one wave: each home team, its member teams and its respondents."""

    members: dict[int, tuple[int, ...]]  # home team id -> teams pooled into it (itself first)
    size: dict[int, int]  # home team id -> respondents

    def homes_in(self, team_ids: Collection[int]) -> list[int]:
        """The groups whose home is one of `team_ids` (a unit's subtree)."""
        wanted = set(team_ids)
        return [h for h in self.members if h in wanted]

    def teams_of(self, homes: Collection[int]) -> set[int]:
        """Every team whose comments the given groups show."""
        return {t for h in homes for t in self.members[h]}


def respondents(session: Session, wave_id: int) -> dict[int, int]:
    """Respondents per team in the wave, from the responses rollup."""
    r = RollupResponses
    return {t: int(n) for t, n in session.execute(
        select(r.team_id, func.sum(r.n)).where(r.wave_id == wave_id).group_by(r.team_id))}


def comment_groups(tree, counts: dict[int, int], k: int) -> CommentGroups:
    """Pool teams below `k` respondents into their parent, bottom up, until each pool reaches `k`."""
    members: dict[int, tuple[int, ...]] = {}
    size: dict[int, int] = {}
    pool: dict[int, list[int]] = {}
    pool_n: dict[int, int] = {}
    for tid in reversed(tree.order):  # children before their parents
        teams = [tid] + [t for c in tree.children[tid] if c.id in pool for t in pool.pop(c.id)]
        n = counts.get(tid, 0) + sum(pool_n.pop(c.id, 0) for c in tree.children[tid])
        if n >= k:
            members[tid], size[tid] = tuple(teams), n
        else:
            pool[tid], pool_n[tid] = teams, n  # handed to the parent; a root's leftover is never shown
    return CommentGroups(members, size)


def _where(wave_id: int, team_ids: Collection[int], q: str | None) -> list:
    where = [Response.wave_id == wave_id, Response.touchpoint_id.is_(None), Response.team_id.in_(list(team_ids)),
             Answer.text.is_not(None), Answer.text != ""]
    if q:
        where.append(func.lower(Answer.text).contains(q.lower(), autoescape=True))
    return where


def counts_per_team(session: Session, wave_id: int, team_ids: Collection[int], q: str | None) -> dict[int, int]:
    """Comments (matching `q`) per team of the wave, among `team_ids`."""
    if not team_ids:
        return {}
    stmt = (select(Response.team_id, func.count()).join(Answer, Answer.response_id == Response.id)
            .where(*_where(wave_id, team_ids, q)).group_by(Response.team_id))
    return {t: int(n) for t, n in session.execute(stmt)}


@dataclass(frozen=True)
class QuestionComments:
    """One open question: how many comments match, and a random sample of their texts."""

    question: str
    total: int
    texts: tuple[str, ...]


def sample(session: Session, wave_id: int, team_ids: Collection[int], q: str | None, limit: int
           ) -> list[QuestionComments]:
    """Per open question, the count of matching comments and up to `limit` of them in random order.

    The database picks the sample (ORDER BY random(), a fresh order every request) and Python shuffles
    it again, so the order says nothing about ids, teams or when an answer was given.
    """
    if not team_ids:
        return []
    where = _where(wave_id, team_ids, q)
    base = select(Question.id, Question.text).join(Answer, Answer.question_id == Question.id) \
        .join(Response, Response.id == Answer.response_id).where(*where)
    totals = {qid: (qtext, n) for qid, qtext, n in session.execute(
        base.add_columns(func.count()).group_by(Question.id, Question.text, Question.position)
        .order_by(Question.position))}
    picked = {qid: list(session.scalars(
        select(Answer.text).join(Response, Response.id == Answer.response_id)
        .where(*where, Answer.question_id == qid).order_by(func.random()).limit(min(limit, MAX_SAMPLE))))
        for qid in totals}  # one query per open question: a survey has a few at most
    rng = secrets.SystemRandom()
    out = []
    for qid, (qtext, n) in totals.items():
        texts = picked.get(qid, [])
        rng.shuffle(texts)
        out.append(QuestionComments(qtext, n, tuple(texts)))
    return out
