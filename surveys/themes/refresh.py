"""Re-learn an audience's themes from its own comments, keep staff names, and relabel every comment."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from surveys import audit
from surveys.errors import ValidationError
from surveys.models import Response
from surveys.models.base import utcnow
from surveys.models.themes import THEME_AUDIENCES, CommentLabel, CommentTheme, Theme, ThemeModel
from surveys.rollups import rebuild_themes
from surveys.themes.labels import Comment, load_comments, write_labels

MIN_COMMENTS = 20
# A refreshed theme inherits an old one (its id, name if renamed, rules) when their top words overlap this much.
MIN_MATCH = 0.15
SEED = 11


@dataclass(frozen=True)
class RefreshResult:
    """One refresh: the audience, comments learned from, the themes now active (id, name) and names kept."""

    audience: str
    model_id: int
    n_comments: int
    themes: tuple[tuple[int, str], ...]
    kept_names: tuple[str, ...]


def check_audience(audience: str) -> str:
    """The audience, or a ValidationError naming the choices."""
    if audience not in THEME_AUDIENCES:
        raise ValidationError(f"Audience must be one of {', '.join(THEME_AUDIENCES)}, not '{audience}'.", "audience")
    return audience


def _words(theme: Theme) -> list[str]:
    return [w for w in theme.words.split(",") if w]


def _match(old: list[Theme], new_words: list[tuple[str, ...]]) -> dict[int, Theme]:
    """New component index -> the old learned theme it continues: greedy on top-word overlap, best pairs first."""
    from analysis.text_learning import match_overlap

    pairs = sorted(((match_overlap(_words(t), w), -t.id, i, t) for t in old for i, w in enumerate(new_words)),
                   key=lambda p: (-p[0], p[1], p[2]))
    taken_old, out = set(), {}
    for overlap, _neg, i, t in pairs:
        if overlap < MIN_MATCH or i in out or t.id in taken_old:
            continue
        out[i] = t
        taken_old.add(t.id)
    return out


def store_model(session: Session, audience: str, model, n_comments: int) -> ThemeModel:
    """Save a model's bytes as the audience's newest ThemeModel."""
    row = ThemeModel(audience=audience, n_comments=n_comments, payload=model.to_bytes())
    session.add(row)
    session.flush()
    return row


def relabel(session: Session, audience: str, comments: list[Comment] | None = None) -> None:
    """Drop every theme label of the audience and label all its comments again (sentiment only where missing)."""
    comments = load_comments(session, audience) if comments is None else comments
    ids = select(Theme.id).where(Theme.audience == audience).scalar_subquery()
    session.execute(delete(CommentTheme).where(CommentTheme.theme_id.in_(ids)).execution_options(
        synchronize_session=False))
    tp = Response.touchpoint_id.is_not(None) if audience == "customer" else Response.touchpoint_id.is_(None)
    scored = set(session.execute(select(CommentLabel.response_id, CommentLabel.question_id)
                                 .join(Response, Response.id == CommentLabel.response_id).where(tp)).all())
    fresh = [c for c in comments if (c.response_id, c.question_id) not in scored]
    known = [c for c in comments if (c.response_id, c.question_id) in scored]
    write_labels(session, fresh, sentiment=True)
    write_labels(session, known, sentiment=False)
    rebuild_themes(session)


def refresh(session: Session, audience: str, k: int | None = None, actor_id: int | None = None,
            seed: int = SEED) -> RefreshResult:
    """Learn the audience's themes afresh from its comments, store the model and relabel every comment."""
    from analysis.text_learning import learn_themes

    check_audience(audience)
    if k is not None and not 2 <= k <= 30:
        raise ValidationError(f"The number of themes must be from 2 to 30, not {k}.", "k")
    comments = load_comments(session, audience)
    if len(comments) < MIN_COMMENTS:
        raise ValidationError(f"There are {len(comments)} {audience} comments; at least {MIN_COMMENTS} are needed "
                              "to learn themes.", "audience")
    try:
        learned = learn_themes([c.text for c in comments], k=k, seed=seed)
    except ValueError as exc:
        raise ValidationError(str(exc), "k") from None
    model_row = store_model(session, audience, learned.model, learned.n_documents)
    old = list(session.scalars(select(Theme).where(Theme.audience == audience, Theme.source == "learned")
                               .order_by(Theme.id)))
    matched = _match(old, [t.words for t in learned.themes])
    now = utcnow()
    # Every component index belonged to the old model (a manual theme may hold one after a merge).
    for t in session.scalars(select(Theme).where(Theme.audience == audience, Theme.component.is_not(None))):
        t.component = None
    kept = []
    for th in learned.themes:
        row = matched.get(th.index)
        if row is None:
            row = Theme(audience=audience, name=th.name[:120], source="learned")
            session.add(row)
        elif row.renamed:
            kept.append(row.name)
        else:
            row.name = th.name[:120]
        row.words = ",".join(th.words)
        row.component = th.index
        row.updated_at = now
    matched_ids = {t.id for t in matched.values()}
    for t in old:
        if t.id in matched_ids:
            continue
        if t.rules:  # staff rules outlive the learned theme: it carries on as a manual theme
            t.source, t.updated_at = "manual", now
        else:
            session.delete(t)
    session.flush()
    relabel(session, audience, comments)
    active = session.execute(select(Theme.id, Theme.name).where(Theme.audience == audience, Theme.active.is_(True))
                             .order_by(Theme.component.is_(None), Theme.component, Theme.id)).all()
    audit.record(session, actor_id, "themes.refresh", "theme_models", model_row.id, audience=audience,
                 k=learned.model.k, comments=len(comments), kept_names=kept)
    session.flush()
    return RefreshResult(audience, model_row.id, len(comments), tuple((i, n) for i, n in active), tuple(kept))
