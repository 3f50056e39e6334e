"""Label comments: sentiment, learned themes (the stored model) and keyword rules, written in bulk.

A comment is the text of an answer to a text question; customer comments are on responses with a
touchpoint, employee comments on the others. `label_new` runs in the insert transaction of every
response (storage.store_response, the bulk import), so it must stay cheap: one query finds the new
comments (none: done), the model is read from the database once per process per ThemeModel id.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.orm import Session

from surveys.models import Answer, Question, Response
from surveys.models.themes import CommentLabel, CommentTheme, Theme, ThemeModel, ThemeRule

if TYPE_CHECKING:
    from analysis import text as textan

def _text():
    # Late: numpy and the text statistics load on the first comment, not when the insert path is imported.
    from analysis import text

    return text


# Cosine similarity a comment needs with a theme to get it (analysis.text.classify).
THRESHOLD = 0.15
CHUNK = 2000


@dataclass(frozen=True)
class Comment:
    """One comment: its answer's key, audience and text."""

    response_id: int
    question_id: int
    audience: str
    text: str


def comments_query(audience: str | None = None):
    """SELECT response_id, question_id, audience, text of every non-empty comment (optionally one audience)."""
    audience_col = func.coalesce(Response.touchpoint_id * 0, -1)  # 0: customer, -1: employee
    stmt = (select(Answer.response_id, Answer.question_id, audience_col, Answer.text)
            .join(Response, Response.id == Answer.response_id).join(Question, Question.id == Answer.question_id)
            .where(Question.qtype == "text", Answer.text.is_not(None), Answer.text != ""))
    if audience == "customer":
        stmt = stmt.where(Response.touchpoint_id.is_not(None))
    elif audience == "employee":
        stmt = stmt.where(Response.touchpoint_id.is_(None))
    return stmt


def read_comments(session: Session, stmt) -> list[Comment]:
    """The comments a `comments_query` (narrowed further) selects."""
    return [Comment(r, q, "customer" if a == 0 else "employee", t) for r, q, a, t in session.execute(stmt)]


# Statements built once (per audience): building one costs more than running it for a single response.
_BY_IDS: dict[str | None, object] = {}


def load_comments(session: Session, audience: str | None = None, response_ids: Sequence[int] | None = None
                  ) -> list[Comment]:
    """Comments of one audience (or all), optionally only of the given responses."""
    if response_ids is None:
        return read_comments(session, comments_query(audience))
    if audience not in _BY_IDS:
        _BY_IDS[audience] = comments_query(audience).where(Answer.response_id.in_(bindparam("ids", expanding=True)))
    out: list[Comment] = []
    ids = list(response_ids)
    for start in range(0, len(ids), CHUNK):
        out += [Comment(r, q, "customer" if a == 0 else "employee", t)
                for r, q, a, t in session.execute(_BY_IDS[audience], {"ids": ids[start:start + CHUNK]})]
    return out


_STATEMENTS: dict[str, object] = {}


def _stmt(name: str):
    """A per-audience statement (bound parameter :audience), built once per process."""
    if name not in _STATEMENTS:
        # Core (table columns, not mapped attributes): these run in every labelled submission, and an ORM-enabled
        # SELECT costs several times the CPU of the same Core one; they return plain rows either way.
        audience = bindparam("audience")
        models, themes, rules = ThemeModel.__table__.c, Theme.__table__.c, ThemeRule.__table__.c
        _STATEMENTS[name] = {
            "newest": select(models.id, models.created_at).where(models.audience == audience)
            .order_by(models.id.desc()).limit(1),
            "rules": select(rules.theme_id, rules.keyword).join(Theme.__table__, themes.id == rules.theme_id)
            .where(themes.audience == audience, themes.active.is_(True)).order_by(rules.id),
            "components": select(themes.id, themes.component).where(
                themes.audience == audience, themes.active.is_(True), themes.component.is_not(None)),
        }[name]
    return _STATEMENTS[name]


# (ThemeModel id, created_at) -> TextModel: a stored model never changes (a staff edit stores a new one), so a
# process may keep it; only the newest id is read per call. created_at is in the key because an id whose
# transaction rolled back can be given again (SQLite reuses the highest id) to a different model.
_MODELS: dict[tuple, textan.TextModel] = {}
_LOCK = threading.Lock()


def current_model(session: Session, audience: str) -> tuple[int, textan.TextModel] | None:
    """The newest stored model of the audience and its id, or None before the first refresh."""
    newest = session.execute(_stmt("newest"), {"audience": audience}).first()
    if newest is None:
        return None
    key = tuple(newest)
    with _LOCK:
        model = _MODELS.get(key)
    if model is None:
        model = _text().TextModel.from_bytes(session.scalar(select(ThemeModel.payload)
                                                            .where(ThemeModel.id == newest.id)))
        with _LOCK:
            if len(_MODELS) >= 8:  # old models are never used again once a newer one exists
                _MODELS.clear()
            _MODELS[key] = model
    return newest.id, model


def keyword_pattern(keyword: str) -> re.Pattern:
    """The whole word or phrase, case-insensitive; spaces in a phrase match any run of whitespace."""
    words = [re.escape(w) for w in keyword.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def active_rules(session: Session, audience: str) -> list[tuple[int, re.Pattern]]:
    """(theme id, pattern) of every keyword rule on an active theme of the audience."""
    rows = session.execute(_stmt("rules"), {"audience": audience})
    return [(t, keyword_pattern(k)) for t, k in rows]


def component_themes(session: Session, audience: str) -> dict[int, int]:
    """Component index of the current model -> id of the active theme it stands for."""
    return {c: t for t, c in session.execute(_stmt("components"), {"audience": audience})}


def theme_rows(comments: Sequence[Comment], model: textan.TextModel | None, components: dict[int, int],
               rules: list[tuple[int, re.Pattern]]) -> list[dict]:
    """CommentTheme rows for comments of one audience: the model's themes, then every matching rule's."""
    rows: dict[tuple[int, int, int], dict] = {}
    if model is not None and components and comments:
        found = _text().classify(model, [c.text for c in comments], THRESHOLD)
        for c, idx, scores in zip(comments, found.themes, found.scores):
            for i, s in zip(idx, scores):
                if i in components:
                    rows[(c.response_id, c.question_id, components[i])] = {
                        "response_id": c.response_id, "question_id": c.question_id, "theme_id": components[i],
                        "weight": s, "by_rule": False}
    for theme_id, pattern in rules:
        for c in comments:
            if pattern.search(c.text):
                rows[(c.response_id, c.question_id, theme_id)] = {
                    "response_id": c.response_id, "question_id": c.question_id, "theme_id": theme_id,
                    "weight": 1.0, "by_rule": True}
    return list(rows.values())


# Built once: a submission with a comment runs them.
_INSERT_LABELS = insert(CommentLabel.__table__)
_INSERT_THEMES = insert(CommentTheme.__table__)


def write_labels(session: Session, comments: Sequence[Comment], *, sentiment: bool = True) -> int:
    """Label comments (sentiment when asked, themes of their audience); returns how many theme rows were written.

    The comments must have no CommentTheme rows yet (and no CommentLabel when `sentiment`).
    """
    if not comments:
        return 0
    if sentiment:
        scores = _text().sentiment([c.text for c in comments])
        rows = [{"response_id": c.response_id, "question_id": c.question_id, "sentiment": float(s)}
                for c, s in zip(comments, scores)]
        for start in range(0, len(rows), 10 * CHUNK):
            session.execute(_INSERT_LABELS, rows[start:start + 10 * CHUNK])
    written = 0
    for audience in ("customer", "employee"):
        mine = [c for c in comments if c.audience == audience]
        if not mine:
            continue
        current = current_model(session, audience)
        # The components matter only with a model to classify by: before the first refresh, not read at all.
        components = component_themes(session, audience) if current else {}
        themes = theme_rows(mine, current[1] if current else None, components, active_rules(session, audience))
        for start in range(0, len(themes), 10 * CHUNK):
            session.execute(_INSERT_THEMES, themes[start:start + 10 * CHUNK])
        written += len(themes)
    return written


def label_new(session: Session, response_ids: Iterable[int], comments: Sequence[Comment] | None = None) -> int:
    """Label the comments of freshly stored responses and add them to the theme rollups; returns comments labelled.

    Called right after `rollups.add_responses` (which found no labels for them yet), in the same transaction.
    `comments`: the caller's own list of exactly these responses' comments (what `load_comments` would read:
    non-empty texts of text questions), so they are not read back.
    """
    from surveys import rollups  # the rollups package imports the models only; late to keep start-up light

    ids = list(response_ids)
    if comments is None:
        comments = load_comments(session, None, ids) if ids else []
    if not comments:
        return 0
    write_labels(session, comments)
    labelled = sorted({c.response_id for c in comments})
    audiences = {c.audience for c in comments}
    rollups.add_themes(session, labelled, audiences.pop() if len(audiences) == 1 else None)
    return len(comments)


def forget_comments(session: Session, response_ids_select) -> int:
    """Delete every label of the responses a SELECT of ids names and recount the theme rollups; returns labels gone.

    Retention calls it before blanking their texts: a comment no longer kept has no sentiment or theme.
    """
    from surveys.rollups import rebuild_themes

    gone = session.execute(delete(CommentTheme).where(CommentTheme.response_id.in_(response_ids_select))
                           .execution_options(synchronize_session=False)).rowcount
    gone += session.execute(delete(CommentLabel).where(CommentLabel.response_id.in_(response_ids_select))
                            .execution_options(synchronize_session=False)).rowcount
    if gone:
        rebuild_themes(session)
    return gone
