"""What staff do to themes: rename, merge, split, deactivate, keyword rules and manual themes (audited).

An edit that changes what the model assigns (merge, split) stores a new ThemeModel, so every host's
cached model is replaced on its next comment; every edit recounts the theme rollups from the labels.
"""
from __future__ import annotations

import numpy as np
from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.orm import Session

from surveys import audit
from surveys.errors import NotFound, ValidationError
from surveys.models import Answer
from surveys.models.base import utcnow
from surveys.models.themes import CommentTheme, Theme, ThemeModel, ThemeRule
from surveys.rollups import rebuild_themes
from surveys.themes.labels import (Comment, active_rules, comments_query, component_themes, current_model,
                                   keyword_pattern, load_comments, read_comments, theme_rows)
from surveys.themes.refresh import relabel, store_model

MAX_NAME = 120


def get_theme(session: Session, theme_id: int) -> Theme:
    """The theme, or NotFound naming the id."""
    theme = session.get(Theme, theme_id)
    if theme is None:
        raise NotFound(f"There is no theme {theme_id}.")
    return theme


def _name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Give the theme a name.", "name")
    if len(name) > MAX_NAME:
        raise ValidationError(f"A theme name has at most {MAX_NAME} characters, not {len(name)}.", "name")
    return name


def rename(session: Session, theme_id: int, name: str, actor_id: int | None = None) -> Theme:
    """Give a theme a staff name, kept across refreshes while the theme comes back."""
    theme = get_theme(session, theme_id)
    old, theme.name, theme.renamed, theme.updated_at = theme.name, _name(name), True, utcnow()
    audit.record(session, actor_id, "themes.rename", "themes", theme.id, before=old, after=theme.name)
    session.flush()
    return theme


def _model_with(session: Session, audience: str, components: np.ndarray):
    from analysis.text import TextModel

    model_id, model = current_model(session, audience)
    new = TextModel(model.vocabulary, model.idf, components)
    return store_model(session, audience, new, session.get(ThemeModel, model_id).n_comments)


def merge(session: Session, theme_id: int, into_id: int, actor_id: int | None = None) -> Theme:
    """Merge theme A into B: A's comments and rules become B's, A is deleted, the model learns B = A + B."""
    a, b = get_theme(session, theme_id), get_theme(session, into_id)
    if a.id == b.id:
        raise ValidationError("A theme cannot be merged into itself.", "into")
    if a.audience != b.audience:
        raise ValidationError(f"Theme {a.id} is a {a.audience} theme and {b.id} a {b.audience} theme; only themes of "
                              "one audience can be merged.", "into")
    # Comments of A that B lacks get B (by rule if A's label was), then every label of A goes.
    mine = session.execute(select(CommentTheme.response_id, CommentTheme.question_id, CommentTheme.weight,
                                  CommentTheme.by_rule).where(CommentTheme.theme_id == a.id)).all()
    theirs = set(session.execute(select(CommentTheme.response_id, CommentTheme.question_id)
                                 .where(CommentTheme.theme_id == b.id)).all())
    rows = [{"response_id": r, "question_id": q, "theme_id": b.id, "weight": w, "by_rule": br}
            for r, q, w, br in mine if (r, q) not in theirs]
    if rows:
        session.execute(insert(CommentTheme.__table__), rows)
    session.execute(delete(CommentTheme).where(CommentTheme.theme_id == a.id))
    for rule in list(a.rules):
        if not any(r.keyword.lower() == rule.keyword.lower() for r in b.rules):
            b.rules.append(ThemeRule(keyword=rule.keyword))
    if a.component is not None:
        _id, model = current_model(session, a.audience)
        comps = model.components.copy()
        norm = lambda v: v / (np.linalg.norm(v) or 1.0)  # noqa: E731 - each theme counts alike in the sum
        if b.component is None:
            b.component = a.component
        else:
            comps[b.component] = norm(comps[b.component]) + norm(comps[a.component])
            keep = [i for i in range(comps.shape[0]) if i != a.component]
            for t in session.scalars(select(Theme).where(Theme.audience == a.audience,
                                                         Theme.component > a.component)):
                t.component -= 1
            comps = comps[keep]
            _model_with(session, a.audience, comps)
        a.component = None
    detail = {"merged": a.name, "into": b.name, "comments": len(mine)}
    session.delete(a)
    b.updated_at = utcnow()
    session.flush()
    rebuild_themes(session)
    audit.record(session, actor_id, "themes.merge", "themes", b.id, merged_id=theme_id, **detail)
    session.flush()
    return b


def split(session: Session, theme_id: int, actor_id: int | None = None, seed: int = 11) -> tuple[Theme, Theme]:
    """Split a learned theme in two: NMF with k=2 on its comments, in the model's vocabulary; relabel."""
    from analysis.text import tfidf
    from analysis.text_learning import fit_nmf, theme_name

    theme = get_theme(session, theme_id)
    if theme.component is None:
        raise ValidationError(f"Theme {theme.id} was made by hand; only learned themes can be split.", "theme")
    ids = select(CommentTheme.response_id).where(CommentTheme.theme_id == theme.id)
    keys = set(session.execute(select(CommentTheme.response_id, CommentTheme.question_id)
                               .where(CommentTheme.theme_id == theme.id)).all())
    comments = [c for c in load_comments(session, theme.audience, list(session.scalars(ids)))
                if (c.response_id, c.question_id) in keys]
    _id, model = current_model(session, theme.audience)
    x = tfidf(model, [c.text for c in comments])
    if x.shape[0] < 4 or x.nnz == 0:
        raise ValidationError(f"Theme {theme.id} has {len(comments)} comments; at least 4 are needed to split it.",
                              "theme")
    _w, h = fit_nmf(x, 2, seed)
    comps = np.vstack([model.components, h[1:2]])
    comps[theme.component] = h[0]
    new_model = _model_with(session, theme.audience, comps)
    from analysis.text import TextModel

    m = TextModel.from_bytes(new_model.payload)
    before = theme.name
    words0, words1 = m.top_words(theme.component), m.top_words(comps.shape[0] - 1)
    theme.words, theme.name, theme.renamed, theme.updated_at = ",".join(words0), theme_name(words0), False, utcnow()
    other = Theme(audience=theme.audience, name=theme_name(words1) or f"{before} (2)", words=",".join(words1),
                  source="learned", component=comps.shape[0] - 1)
    session.add(other)
    session.flush()
    relabel(session, theme.audience)
    audit.record(session, actor_id, "themes.split", "themes", theme.id, before=before, into=[theme.name, other.name],
                 new_theme_id=other.id)
    session.flush()
    return theme, other


def set_active(session: Session, theme_id: int, active: bool, actor_id: int | None = None) -> Theme:
    """Deactivate a theme (its labels go, nothing new gets it) or activate it again (comments relabelled)."""
    theme = get_theme(session, theme_id)
    if theme.active == active:
        return theme
    theme.active, theme.updated_at = active, utcnow()
    session.flush()
    if active:
        relabel(session, theme.audience)
    else:
        session.execute(delete(CommentTheme).where(CommentTheme.theme_id == theme.id))
        rebuild_themes(session)
    audit.record(session, actor_id, "themes.activate" if active else "themes.deactivate", "themes", theme.id,
                 name=theme.name)
    session.flush()
    return theme


def _keyword(keyword: str) -> str:
    keyword = " ".join((keyword or "").split())
    if not keyword or not any(ch.isalnum() for ch in keyword):
        raise ValidationError("Give a keyword or phrase with at least one letter or digit.", "keyword")
    if len(keyword) > MAX_NAME:
        raise ValidationError(f"A keyword has at most {MAX_NAME} characters, not {len(keyword)}.", "keyword")
    return keyword


def _matching(session: Session, audience: str, keyword: str) -> list[Comment]:
    # The database narrows by the first word (LIKE), the whole-word pattern decides.
    first = keyword.split()[0].lower()
    pattern = keyword_pattern(keyword)
    stmt = comments_query(audience).where(func.lower(Answer.text).contains(first, autoescape=True))
    return [c for c in read_comments(session, stmt) if pattern.search(c.text)]


def add_rule(session: Session, theme_id: int, keyword: str, actor_id: int | None = None) -> ThemeRule:
    """Add a keyword rule and give the theme, by rule, to every existing comment containing it."""
    theme = get_theme(session, theme_id)
    keyword = _keyword(keyword)
    if any(r.keyword.lower() == keyword.lower() for r in theme.rules):
        raise ValidationError(f"Theme {theme.id} already has the rule '{keyword}'.", "keyword")
    rule = ThemeRule(keyword=keyword)
    theme.rules.append(rule)
    session.flush()
    matches = _matching(session, theme.audience, keyword) if theme.active else []
    have = set(session.execute(select(CommentTheme.response_id, CommentTheme.question_id)
                               .where(CommentTheme.theme_id == theme.id)).all())
    new = [{"response_id": c.response_id, "question_id": c.question_id, "theme_id": theme.id, "weight": 1.0,
            "by_rule": True} for c in matches if (c.response_id, c.question_id) not in have]
    if new:
        session.execute(insert(CommentTheme.__table__), new)
    for c in matches:
        if (c.response_id, c.question_id) in have:
            session.execute(update(CommentTheme).where(and_(
                CommentTheme.response_id == c.response_id, CommentTheme.question_id == c.question_id,
                CommentTheme.theme_id == theme.id)).values(by_rule=True, weight=1.0))
    rebuild_themes(session)
    audit.record(session, actor_id, "themes.rule_add", "themes", theme.id, keyword=keyword, comments=len(matches))
    session.flush()
    return rule


def remove_rule(session: Session, theme_id: int, keyword: str, actor_id: int | None = None) -> int | None:
    """Remove a keyword rule; comments it labelled keep the theme only if the model or another rule gives it.

    Returns how many comments lost the theme, or None for an employee theme: an exact per-rule count would
    count comments of groups below the comment threshold.
    """
    theme = get_theme(session, theme_id)
    rule = next((r for r in theme.rules if r.keyword.lower() == " ".join(keyword.split()).lower()), None)
    if rule is None:
        raise NotFound(f"Theme {theme.id} has no rule '{keyword}'.")
    theme.rules.remove(rule)  # delete-orphan: the row goes at the flush
    session.flush()
    keys = set(session.execute(select(CommentTheme.response_id, CommentTheme.question_id).where(
        CommentTheme.theme_id == theme.id, CommentTheme.by_rule.is_(True))).all())
    session.execute(delete(CommentTheme).where(CommentTheme.theme_id == theme.id, CommentTheme.by_rule.is_(True)))
    comments = [c for c in load_comments(session, theme.audience, sorted({r for r, _q in keys}))
                if (c.response_id, c.question_id) in keys]
    current = current_model(session, theme.audience)
    rows = [r for r in theme_rows(comments, current[1] if current else None,
                                  component_themes(session, theme.audience), active_rules(session, theme.audience))
            if r["theme_id"] == theme.id]
    if rows:
        session.execute(insert(CommentTheme.__table__), rows)
    rebuild_themes(session)
    lost = None if theme.audience == "employee" else len(keys) - len(rows)
    audit.record(session, actor_id, "themes.rule_remove", "themes", theme.id, keyword=rule.keyword, comments=lost)
    session.flush()
    return lost


def create_manual(session: Session, audience: str, name: str, keyword: str, actor_id: int | None = None) -> Theme:
    """A theme made by staff from a keyword: every comment containing it, now and later, gets the theme."""
    from surveys.themes.refresh import check_audience

    theme = Theme(audience=check_audience(audience), name=_name(name), source="manual", renamed=True,
                  words=_keyword(keyword))
    session.add(theme)
    session.flush()
    audit.record(session, actor_id, "themes.create", "themes", theme.id, name=theme.name, keyword=keyword)
    add_rule(session, theme.id, keyword, actor_id)
    return theme
