"""Root-cause hints of a new alert, stored as JSON in Alert.hints_json for the pages and digests to render.

Shape (every key always present; lists may be empty, numbers may be null)::

    {"factors": [{"factor", "label", "team_value", "org_value", "gap", "low", "high", "n", "linked_r",
                  "unit_name"}],
     "themes": [{"theme_id", "name", "before", "after", "change"}],
     "sentiment": {"before", "after"},
     "verbatims": [{"day", "text", "score"}]}

* factors: the owning team's employee results (latest closed wave of the main employee program) that are
  below the organisation on the EX factors the linkage report ties to the alert's metric (linked forward
  or in reverse), worst gap first. `gap`/`low`/`high` are the team minus the rest of the organisation
  with its 95% interval, as on the team page, and `linked_r` the linkage r. Suppression is the team
  page's: a team held back (below k, or by whole-tree suppression) gives the nearest shown unit's results,
  named in `unit_name`; when no unit can be shown there are no factors. When the linkage report has too
  few teams to correlate, factors below the organisation are listed with `linked_r` null.
* themes: mentions per week at the touchpoint in the drop period (began_on..detected_on) against the 8
  weeks before it, the five that grew most; sentiment: the mean comment sentiment (-1..1) of both periods.
* verbatims: up to three customer comments at the touchpoint in the drop period, the most negative
  first when comments carry a sentiment label, then the newest; `score` is the customer's answer on the
  alert's metric (null for themes or when not answered).
"""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.insights.reports.common import Tree, program_waves, resolve_program
from surveys.insights.reports.linkage import linkage_analysis
from surveys.insights.team_results import results as team_results
from surveys.models import Answer, Question, Response
from surveys.models.themes import ALL_COMMENTS, CommentLabel, RollupThemeDay, Theme

BASE_WEEKS = 8


class _Org:
    """Organisation-wide inputs computed once per scan: the tree, the latest closed waves, the links."""

    def __init__(self, session: Session, min_group_size: int, min_teams: int):
        self.session, self.k = session, min_group_size
        self.tree = Tree(session)
        self.wave = self.prev = None
        self.links: dict[str, dict[str, float]] = {}
        self.any_rows = False
        try:
            program = resolve_program(session, None)
        except Exception:  # no employee program: no factor hints
            return
        waves = program_waves(session, program)
        closed = [i for i, w in enumerate(waves) if w.status == "closed"]
        if not closed:
            return
        self.wave = waves[closed[-1]]
        self.prev = waves[closed[-1] - 1] if closed[-1] > 0 else None
        report = linkage_analysis(session, program.code, min_group_size=min_group_size, min_teams=min_teams).report
        self.any_rows = bool(report.rows)
        for row in report.rows:
            if row.linked or row.reverse_linked:
                best = self.links.setdefault(row.cx_metric, {})
                if abs(row.r) > abs(best.get(row.ex_metric, 0.0)):
                    best[row.ex_metric] = float(row.r)
        self._team_cache: dict[int, list] = {}

    def factors(self, team_id: int, metric: str) -> list[dict]:
        if self.wave is None or team_id not in self.tree.nodes:
            return []
        if team_id not in self._team_cache:
            self._team_cache[team_id] = team_results(self.session, self.tree, team_id, self.wave, self.prev, self.k)
        res = self._team_cache[team_id]
        linked = self.links.get(metric, {})
        out = []
        for row in res.dimensions:
            if row.suppressed or row.org is None or row.org.change is None or row.org.change >= 0:
                continue
            if self.any_rows and row.key not in linked:
                continue
            # The gap is against the rest of the organisation (it minus the unit), so store that value too:
            # team_value - rest_value = gap. org_value (the whole organisation) is kept for older readers.
            out.append({"factor": row.key, "label": row.label, "team_value": row.value,
                        "org_value": row.org.reference, "rest_value": row.org.rest, "gap": row.org.change, "low": row.org.low,
                        "high": row.org.high, "n": row.n, "linked_r": linked.get(row.key),
                        "unit_name": res.shown_name})
        return sorted(out, key=lambda f: f["gap"])


def themes_and_sentiment(session: Session, touchpoint_id: int, began: dt.date, detected: dt.date
                         ) -> tuple[list[dict], dict]:
    """Theme mentions per week and mean sentiment, drop period against the 8 weeks before it."""
    t = RollupThemeDay
    base_start = began - dt.timedelta(weeks=BASE_WEEKS)

    def sums(start, end):
        rows = session.execute(select(t.theme_id, func.sum(t.n), func.sum(t.sentiment_sum))
                               .where(t.touchpoint_id == touchpoint_id, t.day >= start, t.day <= end)
                               .group_by(t.theme_id)).all()
        return {th: (float(n or 0), float(s or 0)) for th, n, s in rows}

    before, after = sums(base_start, began - dt.timedelta(days=1)), sums(began, detected)
    weeks_after = max(((detected - began).days + 1) / 7, 1 / 7)
    names = dict(session.execute(select(Theme.id, Theme.name)).all())
    out = []
    for th in set(before) | set(after):
        if th == ALL_COMMENTS:
            continue
        b = before.get(th, (0.0, 0.0))[0] / BASE_WEEKS
        a = after.get(th, (0.0, 0.0))[0] / weeks_after
        if a > b:
            out.append({"theme_id": th, "name": names.get(th, f"theme {th}"), "before": round(b, 2),
                        "after": round(a, 2), "change": round(a - b, 2)})
    out.sort(key=lambda x: -x["change"])

    def mean(d):
        n, s = d.get(ALL_COMMENTS, (0.0, 0.0))
        return round(s / n, 3) if n else None
    return out[:5], {"before": mean(before), "after": mean(after)}


def verbatims(session: Session, touchpoint_id: int, began: dt.date, detected: dt.date, metric: str) -> list[dict]:
    """Up to three comments at the touchpoint in the drop period, negative sentiment first."""
    r, a, q, lab = Response, Answer, Question, CommentLabel
    stmt = (select(r.id, r.submitted_on, a.text)
            .join(a, a.response_id == r.id).join(q, q.id == a.question_id)
            .outerjoin(lab, (lab.response_id == a.response_id) & (lab.question_id == a.question_id))
            .where(r.touchpoint_id == touchpoint_id, r.submitted_on >= began, r.submitted_on <= detected,
                   a.text.is_not(None), a.text != "")
            .order_by(func.coalesce(lab.sentiment, 2.0), r.submitted_on.desc(), r.id).limit(3))
    rows = session.execute(stmt).all()
    scores = {}
    if rows:
        scores = dict(session.execute(
            select(Answer.response_id, Answer.value).join(Question, Question.id == Answer.question_id)
            .where(Answer.response_id.in_([row[0] for row in rows]), Question.dimension == metric,
                   Answer.value.is_not(None))).all())
    return [{"day": day.isoformat(), "text": text, "score": scores.get(rid)} for rid, day, text in rows]


def build(session: Session, alert, org: _Org | None) -> dict:
    """The hints of one alert (see the module docstring for the shape)."""
    metric = alert.metric
    themes, sentiment = themes_and_sentiment(session, alert.touchpoint_id, alert.began_on, alert.detected_on)
    factors = org.factors(alert.team_id, metric) if org is not None and not metric.startswith("theme:") else []
    return {"factors": factors, "themes": themes, "sentiment": sentiment,
            "verbatims": verbatims(session, alert.touchpoint_id, alert.began_on, alert.detected_on, metric)}


def attach(session: Session, alerts: list, *, min_group_size: int = 5, min_teams: int = 10, **_arrays) -> None:
    """Compute and store the hints of each alert (the organisation's inputs once for all)."""
    org = _Org(session, min_group_size, min_teams) if any(not a.metric.startswith("theme:") for a in alerts) else None
    for alert in alerts:
        alert.hints_json = json.dumps(build(session, alert, org))
