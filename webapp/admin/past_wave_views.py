"""Admin: past waves, which hold results imported from the tool an organisation is leaving."""
from __future__ import annotations

from flask import current_app, flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from surveys.errors import TandemError
from surveys.fieldwork import past_waves, scheduling
from surveys.models import utcnow
from webapp.admin.forms_common import form_errors
from webapp.admin.views import bp
from webapp.auth import roles_required
from webapp.db import get_session


class PastWaveForm(FlaskForm):
    label = StringField("Label", validators=[DataRequired(), Length(max=60)])
    opens_on = DateField("First day the old survey ran", validators=[InputRequired()])
    closes_on = DateField("Last day it ran (before today)", validators=[InputRequired()])



@bp.route("/programs/<int:program_id>/past-waves", methods=["POST"])
@roles_required("hr_admin")
def programs_add_past_wave(program_id: int):
    session = get_session()
    program = scheduling.get_program(session, program_id)
    form = PastWaveForm()
    if not form.validate_on_submit():
        flash("Adding the past wave failed: " + form_errors(form), "error")
        return redirect(url_for("admin.programs_detail", program_id=program_id))
    config = current_app.config
    try:
        wave = past_waves.add_past_wave(session, program, form.label.data, form.opens_on.data, form.closes_on.data,
                                        now=utcnow(), min_group_size=config["MIN_GROUP_SIZE"],
                                        min_comment_group_size=config["MIN_COMMENT_GROUP_SIZE"],
                                        actor_id=current_user.id)
    except TandemError as exc:
        session.rollback()
        flash(f"Adding the past wave failed: {exc.message}", "error")
    else:
        session.commit()
        flash(f"Past wave {wave.label} added (closed; it invites nobody). Import its results on the Import data "
              "page or with tandem import history.", "success")
    return redirect(url_for("admin.programs_detail", program_id=program_id))

