"""Read side of /voice: every customer interaction (surveyed or imported) in one filtered, paged list.

Filters, counts and the page are SQL (LIMIT/OFFSET on the newest first); only one page of rows is read, then
its scores, comments, themes, sentiment and (for HR and executives) contacts in one query each.
A customer response is one with a touchpoint: employee responses never carry one.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from analysis.metrics import DETRACTOR_MAX, PROMOTER_MIN
from surveys.insights.voice_filters import (
    SENTIMENTS, VoiceFilters, parse_filters,  # noqa: F401 - parse_filters re-exported for the views
)
from surveys.models import (
    Answer, CommentLabel, CommentTheme, CustomerContact, Question, Response, Team, Theme, Touchpoint,
)

PER_PAGE = 50


class VoiceRow(NamedTuple):
    """One customer interaction as the list shows it (the export writes the same cells without building one:
    surveys/insights/voice_export.py; tests/surveys/test_voice_export.py holds the two to each other)."""

    response_id: int
    day: dt.date
    channel: str
    origin: str  # surveyed or imported
    touchpoint: str
    touchpoint_name: str
    team: str
    scores: dict[str, int]
    comment: str
    themes: tuple[str, ...]
    sentiment: float | None
    contact: tuple[str, str, str] | None = None  # (name, email, phone), only for HR and executives


@dataclass(frozen=True)
class VoicePage:
    """One page of the list, the total matching and the counts per channel and origin."""

    rows: list[VoiceRow]
    total: int
    page: int
    per_page: int
    by_channel: dict[str, int] = field(default_factory=dict)
    by_origin: dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def channel_of():
    """The response's channel, or its touchpoint's when it was stored without one."""
    return func.coalesce(func.nullif(Response.channel, ""), Touchpoint.channel)


def _score_exists(session: Session, metric: str, low: int | None, high: int | None):
    # The metric's question ids, read once: the EXISTS then probes the answers' primary key alone.
    ids = list(session.scalars(select(Question.id).where(Question.dimension == metric)))
    terms = [Answer.response_id == Response.id, Answer.question_id.in_(ids), Answer.value.is_not(None)]
    if low is not None:
        terms.append(Answer.value >= low)
    if high is not None:
        terms.append(Answer.value <= high)
    return select(Answer.response_id).where(*terms).exists()


BAND_RANGES = {"detractor": ("nps", 0, DETRACTOR_MAX), "passive": ("nps", DETRACTOR_MAX + 1, PROMOTER_MIN - 1),
               "promoter": ("nps", PROMOTER_MIN, 10), "unhappy": ("csat", None, 2)}


def filter_terms(session: Session, f: VoiceFilters) -> list:
    """The WHERE terms of the filters, on Response alone (the counts then read one covering index)."""
    where = [Response.touchpoint_id.is_not(None), Response.submitted_on >= f.start, Response.submitted_on <= f.end]
    if f.channel:  # the response's channel; a response stored without one takes its touchpoint's
        where.append(or_(Response.channel == f.channel, and_(
            Response.channel.is_(None), Response.touchpoint_id.in_(select(Touchpoint.id)
                                                                   .where(Touchpoint.channel == f.channel)))))
    if f.touchpoint_id is not None:
        where.append(Response.touchpoint_id == f.touchpoint_id)
    if f.team_ids is not None:
        where.append(Response.team_id.in_(sorted(f.team_ids)))
    if f.origin:
        where.append(Response.source == "import" if f.origin == "imported" else Response.source != "import")
    if f.band:
        where.append(_score_exists(session, *BAND_RANGES[f.band]))
    if f.metric:
        where.append(_score_exists(session, f.metric, f.low, f.high))
    if f.theme_id is not None:
        where.append(select(CommentTheme.response_id).where(CommentTheme.response_id == Response.id,
                                                            CommentTheme.theme_id == f.theme_id).exists())
    if f.sentiment:
        low, high = SENTIMENTS[f.sentiment]
        mean = (select(func.avg(CommentLabel.sentiment)).where(CommentLabel.response_id == Response.id)
                .scalar_subquery())
        where += [mean >= low, mean < high] if high < 1 else [mean >= low]
    if f.text:
        pattern = "%" + f.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(select(Answer.response_id).where(Answer.response_id == Response.id,
                                                      Answer.text.ilike(pattern, escape="\\")).exists())
    return where


def voice_page(session: Session, f: VoiceFilters, *, with_contacts: bool, per_page: int = PER_PAGE) -> VoicePage:
    """The filtered list's page `f.page` (newest first), its total and counts per channel and origin."""
    where = filter_terms(session, f)
    counts = session.execute(select(Response.channel, Response.source, func.count())
                             .where(*where).group_by(Response.channel, Response.source)).all()
    by_channel: dict[str, int] = {}
    by_origin: dict[str, int] = {}
    for channel, src, n in counts:
        by_channel[channel or ""] = by_channel.get(channel or "", 0) + n
        key = "imported" if src == "import" else "surveyed"
        by_origin[key] = by_origin.get(key, 0) + n
    total = sum(by_channel.values())
    rows = _rows(session, where, per_page, (f.page - 1) * per_page, with_contacts)
    return VoicePage(rows, total, f.page, per_page, by_channel, by_origin)


def _rows(session: Session, where: list, limit: int, offset: int, with_contacts: bool) -> list[VoiceRow]:
    stmt = (select(Response.id, Response.submitted_on, channel_of(), Response.source, Touchpoint.code,
                   Touchpoint.name, Team.name)
            .select_from(Response).join(Touchpoint, Touchpoint.id == Response.touchpoint_id)
            .join(Team, Team.id == Response.team_id).where(*where)
            .order_by(Response.submitted_on.desc(), Response.id.desc()).limit(limit).offset(offset))
    base = session.execute(stmt).all()
    return _decorate(session, base, with_contacts)


def _decorate(session: Session, base, with_contacts: bool) -> list[VoiceRow]:
    ids = [r[0] for r in base]
    if not ids:
        return []
    scores: dict[int, dict[str, int]] = {}
    comments: dict[int, list[str]] = {}
    for rid, dim, value, text in session.execute(
            select(Answer.response_id, Question.dimension, Answer.value, Answer.text)
            .join(Question, Question.id == Answer.question_id).where(Answer.response_id.in_(ids))
            .order_by(Question.position)):
        if value is not None and dim in ("csat", "nps", "ces"):
            scores.setdefault(rid, {})[dim] = value
        if text:
            comments.setdefault(rid, []).append(text)
    themes: dict[int, list[str]] = {}
    for rid, name in session.execute(select(CommentTheme.response_id, Theme.name)
                                     .join(Theme, Theme.id == CommentTheme.theme_id)
                                     .where(CommentTheme.response_id.in_(ids)).order_by(Theme.name)):
        if name not in themes.setdefault(rid, []):
            themes[rid].append(name)
    sentiment = dict(session.execute(select(CommentLabel.response_id, func.avg(CommentLabel.sentiment))
                                     .where(CommentLabel.response_id.in_(ids)).group_by(CommentLabel.response_id)).all())
    contacts = {}
    if with_contacts:
        contacts = {c.response_id: (c.name, c.email, c.phone) for c in session.scalars(
            select(CustomerContact).where(CustomerContact.response_id.in_(ids), CustomerContact.consent))}
    return [VoiceRow(rid, day, channel or "", "imported" if source == "import" else "surveyed", code, name, team,
                     scores.get(rid, {}), "\n".join(comments.get(rid, [])), tuple(themes.get(rid, [])),
                     None if sentiment.get(rid) is None else float(sentiment[rid]), contacts.get(rid))
            for rid, day, channel, source, code, name, team in base]


def filter_choices(session: Session) -> dict:
    """What the filter form offers: touchpoints, teams owning one, active customer themes, whether sentiment exists."""
    touchpoints = session.execute(select(Touchpoint.code, Touchpoint.name).order_by(Touchpoint.name)).all()
    teams = session.execute(select(Team.code, Team.name).where(Team.id.in_(select(Touchpoint.team_id)))
                            .order_by(Team.name)).all()
    themes = session.execute(select(Theme.id, Theme.name).where(Theme.audience == "customer", Theme.active)
                             .order_by(Theme.name)).all()
    labelled = session.scalar(select(CommentLabel.response_id).limit(1)) is not None
    return {"touchpoints": touchpoints, "teams": teams, "themes": themes, "sentiment": labelled}


def latest_day(session: Session) -> dt.date | None:
    """The newest day with customer feedback, or None."""
    return session.scalar(select(func.max(Response.submitted_on)).where(Response.touchpoint_id.is_not(None)))


def departments(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the departments: teams directly under a top-level team."""
    parent = aliased(Team)
    return session.execute(select(Team.code, Team.name).join(parent, Team.parent_id == parent.id)
                           .where(parent.parent_id.is_(None)).order_by(Team.name)).all()
