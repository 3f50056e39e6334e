"""Admin: public-link floods held out of the reports, and releasing a false positive."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField
from wtforms.validators import DataRequired, InputRequired, Length

from surveys.collection import floods
from surveys.errors import TandemError
from webapp.admin.views import bp
from webapp.auth import roles_required
from webapp.db import get_session


class ReleaseForm(FlaskForm):
    program = HiddenField(validators=[DataRequired(), Length(max=40)])
    touchpoint = HiddenField(validators=[DataRequired(), Length(max=40)])
    day = DateField(validators=[InputRequired()])


def _page(status: int = 200):
    return render_template("admin/floods.html", groups=floods.groups(get_session()), form=ReleaseForm(formdata=None),
                           rules=floods.FloodRules.from_config(current_app.config),
                           baseline_days=floods.BASELINE_DAYS), status


@bp.route("/floods")
@roles_required("hr_admin")
def floods_page():
    """Flagged floods per link and day: how many responses are held out of the reports, how many released."""
    return _page()


@bp.route("/floods/release", methods=["POST"])
@roles_required("hr_admin")
def floods_release():
    """Release a link's held responses of one day: they count in the reports again."""
    form = ReleaseForm()
    if not form.validate_on_submit():
        problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        flash(f"Nothing was released: the form was incomplete ({problems}). Reload the page and try again.", "error")
        return _page(400)
    session = get_session()
    try:
        count = floods.release(session, form.program.data, form.touchpoint.data, form.day.data, current_user.id)
    except TandemError as exc:
        session.rollback()
        flash(exc.message, "error")
        return _page(exc.status)
    session.commit()
    flash(f"Released {count} response(s) at {form.program.data}/{form.touchpoint.data} on {form.day.data:%Y-%m-%d}: "
          "they count in the reports again.", "success")
    return redirect(url_for("admin.floods_page"))
