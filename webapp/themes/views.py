"""Themes: every staff user reads customer themes (volume, sentiment per touchpoint and week, verbatims) and
employee themes per unit where the comment threshold allows; HR and executives rename, merge, split,
deactivate, add keyword rules, create manual themes and refresh."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from surveys.errors import TandemError
from surveys.org import hierarchy
from webapp.auth import roles_required
from webapp.db import get_session

bp = Blueprint("themes", __name__)
EDITORS = ("hr_admin", "executive")
STAFF = ("team_lead", *EDITORS)


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        abort(400, description=f"{name} must be a whole number, not '{raw[:40]}'.")
    return int(raw)


@bp.route("/")
@roles_required(*STAFF)
def index():
    """Customer themes (all staff) and employee themes per unit (only where the comment threshold is met)."""
    # Imported here: the statistics stack loads on the first themes page, not at app start-up.
    from analysis import charts
    from surveys.models import Touchpoint
    from surveys.themes import reading
    from surveys.themes.listing import list_themes
    from webapp.reports.charts import to_svg

    session = get_session()
    tp = (request.args.get("touchpoint") or "").strip() or None
    touchpoints = session.execute(select(Touchpoint.code, Touchpoint.name).order_by(Touchpoint.code)).all()
    if tp and tp not in {c for c, _n in touchpoints}:
        flash(f"There is no touchpoint '{tp[:40]}'; showing every touchpoint.", "error")
        tp = None
    cx = reading.customer_themes(session, tp)
    chart = None
    if len(cx.weeks):
        top = [f.name for f in cx.overall if f.theme_id != 0][:8]
        frame = cx.weeks[cx.weeks["theme"].isin(top)]
        if len(frame):
            chart = to_svg(charts.theme_weeks(frame), "Comments per week for the largest customer themes")
    waves = reading.employee_waves(session)
    wave = reading.employee_wave(session, _int_arg("wave"))
    units = None
    if current_user.role not in EDITORS:
        scope = set(hierarchy.lead_scope(session, current_user.id, current_user.team_id))
        units = [t for t in _tree_order(session) if t in scope]
    ex = reading.employee_themes(session, wave, units, current_app.config["MIN_COMMENT_GROUP_SIZE"]) if wave else []
    can_edit = current_user.role in EDITORS
    return render_template("themes/index.html", cx=cx, chart=chart, touchpoints=touchpoints, touchpoint=tp,
                           waves=waves, wave=wave, ex=ex, can_edit=can_edit,
                           k=max(current_app.config["MIN_COMMENT_GROUP_SIZE"],
                                 wave.min_comment_group_size if wave else 0),
                           themes=list_themes(session, min_comment_group_size=current_app.config[
                               "MIN_COMMENT_GROUP_SIZE"]) if can_edit else [])


def _tree_order(session):
    from surveys.insights.reports.common import Tree

    return Tree(session).order


def _done(action, message):
    """Run one staff edit; commit and flash its message, or roll back and flash the domain error."""
    session = get_session()
    try:
        result = action(session)
    except TandemError as exc:
        session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("themes.index") + "#manage")
    session.commit()
    flash(message(result), "success")
    return redirect(url_for("themes.index") + "#manage")


def _form_int(name: str) -> int | None:
    raw = (request.form.get(name) or "").strip()
    # ASCII digits only ("²".isdigit() is true), and no larger than the database's integer ids.
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 10 and int(raw) <= 2_147_483_647 else None


@bp.route("/refresh", methods=["POST"])
@roles_required(*EDITORS)
def refresh():
    """Re-learn the themes of one audience from its comments."""
    from surveys.themes.refresh import refresh as run

    audience = request.form.get("audience", "")
    return _done(lambda s: run(s, audience, actor_id=current_user.id),
                 lambda r: f"{len(r.themes)} {r.audience} themes learned from {r.n_comments} comments.")


@bp.route("/<int:theme_id>/rename", methods=["POST"])
@roles_required(*EDITORS)
def rename(theme_id: int):
    from surveys.themes import staff

    return _done(lambda s: staff.rename(s, theme_id, request.form.get("name", ""), current_user.id),
                 lambda t: f"Theme {t.id} renamed to '{t.name}'.")


@bp.route("/<int:theme_id>/merge", methods=["POST"])
@roles_required(*EDITORS)
def merge(theme_id: int):
    from surveys.errors import ValidationError
    from surveys.themes import staff

    into = _form_int("into")

    def run(s):
        if into is None:
            raise ValidationError("Choose the theme to merge into.", "into")
        return staff.merge(s, theme_id, into, current_user.id)

    return _done(run, lambda t: f"Theme {theme_id} merged into '{t.name}'.")


@bp.route("/<int:theme_id>/split", methods=["POST"])
@roles_required(*EDITORS)
def split(theme_id: int):
    from surveys.themes import staff

    return _done(lambda s: staff.split(s, theme_id, current_user.id),
                 lambda pair: f"Theme split into '{pair[0].name}' and '{pair[1].name}'.")


@bp.route("/<int:theme_id>/active", methods=["POST"])
@roles_required(*EDITORS)
def set_active(theme_id: int):
    from surveys.themes import staff

    active = request.form.get("active") == "1"
    return _done(lambda s: staff.set_active(s, theme_id, active, current_user.id),
                 lambda t: f"Theme '{t.name}' {'activated' if active else 'deactivated'}.")


@bp.route("/<int:theme_id>/rules", methods=["POST"])
@roles_required(*EDITORS)
def add_rule(theme_id: int):
    from surveys.themes import staff

    return _done(lambda s: staff.add_rule(s, theme_id, request.form.get("keyword", ""), current_user.id),
                 lambda r: f"Rule '{r.keyword}' added.")


@bp.route("/<int:theme_id>/rules/remove", methods=["POST"])
@roles_required(*EDITORS)
def remove_rule(theme_id: int):
    from surveys.themes import staff

    keyword = request.form.get("keyword", "")
    return _done(lambda s: staff.remove_rule(s, theme_id, keyword, current_user.id),
                 lambda n: f"Rule '{keyword}' removed; " + (f"{n} comments lost the theme." if n is not None else
                                                            "the theme's shown counts are updated."))


@bp.route("/new", methods=["POST"])
@roles_required(*EDITORS)
def create():
    from surveys.themes import staff

    f = request.form
    return _done(lambda s: staff.create_manual(s, f.get("audience", ""), f.get("name", ""), f.get("keyword", ""),
                                               current_user.id),
                 lambda t: f"Theme '{t.name}' created.")
