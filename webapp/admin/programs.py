"""Admin: programs and their waves (open, close, extend, add), and the live response-rate view."""
from __future__ import annotations

import datetime as dt

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from surveys.collection import preview
from surveys.errors import Conflict, TandemError, ValidationError
from surveys.fieldwork import past_waves, programs, scheduling
from surveys.models import Wave, utcnow
from webapp.admin import past_wave_views
from webapp.admin.forms_common import SelectChoice, form_errors, show_errors, team_choices
from webapp.admin.views import bp
from webapp.auth import roles_required
from webapp.bounds import BoundedIntegerField, db_int
from webapp.db import get_session

CADENCE_LABELS = {
    "monthly": "Monthly (a new wave every month)",
    "quarterly": "Quarterly (a new wave every three months)",
    "custom": "Custom (HR adds each wave)",
    "always_on": "Always on (customer feedback; one wave per calendar month)",
}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class TeamChecklist(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_formdata(self, valuelist):
        # WTForms' own message ("one or more data inputs could not be coerced") names neither the field
        # nor the value; a forged or stale id gets one that does.
        self.data = []
        for value in valuelist:
            try:
                self.data.append(self.coerce(value))
            except (ValueError, TypeError):
                shown = value if len(value) <= 20 else value[:20] + "…"
                raise ValueError(f"Targeted teams: '{shown}' is not a team from the list. Reload the page "
                                 "and tick the teams again.") from None


class ProgramEditForm(FlaskForm):
    name = StringField("Name (internal: respondents never see it)", validators=[DataRequired(), Length(max=200)])
    public_title = StringField("Public title (what respondents see; empty = the instrument's title)",
                               validators=[Optional(), Length(max=200)])
    wave_days = BoundedIntegerField("Wave length (days)", default=14, validators=[InputRequired(), NumberRange(1, 365)])
    reminder_days = BoundedIntegerField("Remind non-responders after (days; 0 = no reminder)", default=5,
                                 validators=[InputRequired(), NumberRange(0, 365)])
    teams = TeamChecklist("Targeted teams (each includes its sub-teams; none = the whole organisation)",
                          coerce=db_int, validate_choice=False)
    active = BooleanField("Active (Tandem opens and schedules its waves)", default=True)
    share_results = BooleanField("Share results back: when a wave closes, mail every invitee a link to "
                                 "\"What you told us\" (employee programs)", default=True)


class ProgramForm(ProgramEditForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=40)])
    # Not checked against the list: a template installed meanwhile by another admin leaves the list but
    # stays a valid answer, and the service rejects anything it cannot resolve with a clear message.
    instrument = SelectField("Instrument", validators=[DataRequired()], validate_choice=False)
    cadence = SelectField("Cadence", choices=[SelectChoice(k, v) for k, v in CADENCE_LABELS.items()])
    first_opens_on = DateField("First wave opens on (00:00 UTC)", validators=[InputRequired()])
    first_label = StringField("First wave label (custom cadence only)", validators=[Optional(), Length(max=60)])


class AddWaveForm(FlaskForm):
    label = StringField("Label", validators=[DataRequired(), Length(max=60)])
    opens_at = DateTimeLocalField("Opens (UTC)", format=DATETIME_FORMAT, validators=[InputRequired()])
    closes_at = DateTimeLocalField("Closes (UTC; empty = after the program's wave length)", format=DATETIME_FORMAT,
                                   validators=[Optional()])


class ExtendForm(FlaskForm):
    closes_at = DateTimeLocalField("New closing time (UTC)", format=DATETIME_FORMAT, validators=[InputRequired()])


class ActionForm(FlaskForm):
    """No fields: carries the CSRF token of the open and close buttons."""


class OpenWaveForm(FlaskForm):
    """The confirmation of "Open now": only a POST carrying confirmed=yes opens the wave."""

    confirmed = HiddenField()  # no default: a POST without the field must not count as confirmed


# Service argument names that the forms call differently.
FIELD_ALIASES = {"first_opens_at": "first_opens_on"}


@bp.route("/programs")
@roles_required("hr_admin")
def programs_list():
    session = get_session()
    items = programs.list_programs(session)
    current = {p.id: next((w for w in reversed(p.waves) if w.status != "draft" and not w.historical), None)
               for p in items}
    upcoming = {p.id: next((w for w in p.waves if w.status == "draft" and w.closes_at > utcnow()), None)
                for p in items}
    return render_template("admin/programs.html", programs=items, current=current, upcoming=upcoming,
                           cadences=CADENCE_LABELS)


@bp.route("/programs/new", methods=["GET", "POST"])
@roles_required("hr_admin")
def programs_new():
    session = get_session()
    form = ProgramForm()
    choices = programs.instrument_choices(session)
    form.instrument.choices = [SelectChoice(c.value, c.label) for c in choices]
    form.teams.choices = team_choices(session)
    if not form.is_submitted():
        form.first_opens_on.data = utcnow().date()
    if form.validate_on_submit():
        try:
            program = programs.create_program(
                session, code=form.code.data, name=form.name.data, instrument=form.instrument.data,
                cadence=form.cadence.data, wave_days=form.wave_days.data, reminder_days=form.reminder_days.data,
                team_ids=form.teams.data or [], now=utcnow(), first_label=form.first_label.data,
                public_title=form.public_title.data, share_results=form.share_results.data,
                first_opens_at=dt.datetime.combine(form.first_opens_on.data, dt.time()), actor_id=current_user.id)
        except ValidationError as exc:
            session.rollback()
            show_errors(form, exc, FIELD_ALIASES)
        else:
            session.commit()
            flash(f"Program {program.code} created with its first wave {program.waves[0].label} "
                  f"(opens {program.waves[0].opens_at:%Y-%m-%d %H:%M} UTC).", "success")
            return redirect(url_for("admin.programs_detail", program_id=program.id))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/programs_form.html", form=form, program=None), status


@bp.route("/programs/<int:program_id>/edit", methods=["GET", "POST"])
@roles_required("hr_admin")
def programs_edit(program_id: int):
    session = get_session()
    program = scheduling.get_program(session, program_id)
    form = ProgramEditForm(obj=program)
    form.teams.choices = team_choices(session)
    if not form.is_submitted():
        form.teams.data = [t.id for t in program.teams]
    if form.validate_on_submit():
        try:
            programs.update_program(session, program.id, name=form.name.data, wave_days=form.wave_days.data,
                                    reminder_days=form.reminder_days.data, team_ids=form.teams.data or [],
                                    active=form.active.data, public_title=form.public_title.data,
                                    share_results=form.share_results.data, actor_id=current_user.id)
        except ValidationError as exc:
            session.rollback()
            show_errors(form, exc, FIELD_ALIASES)
        else:
            session.commit()
            flash(f"Program {program.code} saved. Waves already open keep their invitations.", "success")
            return redirect(url_for("admin.programs_detail", program_id=program.id))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/programs_form.html", form=form, program=program), status


@bp.route("/programs/<int:program_id>")
@roles_required("hr_admin")
def programs_detail(program_id: int):
    return _detail_page(program_id)


def _detail_page(program_id: int, add_form: AddWaveForm | None = None, status: int = 200):
    # Insights (pandas, analysis) are imported in the views that need them, never at app start-up.
    from surveys.insights import participation

    session = get_session()
    program = scheduling.get_program(session, program_id)
    if program.cadence == "custom":
        add_form = add_form or AddWaveForm(formdata=None, opens_at=utcnow().replace(second=0, microsecond=0))
    counts = participation.wave_counts(session, program.waves, current_app.config["MIN_GROUP_SIZE"])
    return render_template("admin/programs_detail.html", program=program, now=utcnow(), counts=counts,
                           add_form=add_form, past_form=past_wave_views.PastWaveForm(), action_form=ActionForm(),
                           cadences=CADENCE_LABELS, add_past_wave=past_waves.ADD_PAST_WAVE,
                           date_format=DATETIME_FORMAT,
                           default_close=dt.timedelta(days=program.wave_days)), status


@bp.route("/programs/<int:program_id>/waves", methods=["POST"])
@roles_required("hr_admin")
def programs_add_wave(program_id: int):
    """Add a wave to a custom program; every problem with the form is shown beside its field at once."""
    session = get_session()
    form = AddWaveForm()
    if not form.validate_on_submit():
        return _detail_page(program_id, form, 400)
    try:
        wave = scheduling.add_custom_wave(session, program_id, form.label.data, form.opens_at.data,
                                          form.closes_at.data, utcnow(), current_user.id)
    except ValidationError as exc:
        session.rollback()
        show_errors(form, exc)
        return _detail_page(program_id, form, 400)
    except TandemError as exc:
        session.rollback()
        flash(f"Adding the wave failed: {exc.message}", "error")
    else:
        session.commit()
        flash(f"Wave {wave.label} added; it opens {wave.opens_at:%Y-%m-%d %H:%M} UTC.", "success")
    return redirect(url_for("admin.programs_detail", program_id=program_id))


def _wave_action(wave_id: int, verb: str, run, form_class=None) -> object:
    session = get_session()
    wave = session.get(Wave, wave_id)
    if wave is None:
        abort(404, f"There is no wave with id {wave_id}.")
    program_id = wave.program_id
    form = (form_class or (ExtendForm if verb == "extend" else ActionForm))()
    if not form.validate_on_submit():
        flash(f"Could not {verb} the wave: " + form_errors(form), "error")
        return redirect(url_for("admin.programs_detail", program_id=program_id))
    try:
        message = run(session, form)
    except TandemError as exc:
        session.rollback()
        flash(f"Could not {verb} wave {wave.label}: {exc.message}", "error")
    else:
        session.commit()
        flash(message, "success")
    return redirect(url_for("admin.programs_detail", program_id=program_id))


@bp.route("/waves/<int:wave_id>/open", methods=["GET", "POST"])
@roles_required("hr_admin")
def waves_open(wave_id: int):
    """Ask first, saying how many people will be mailed; only the confirmed POST opens the wave."""
    form = OpenWaveForm()
    if not (form.is_submitted() and form.confirmed.data == "yes"):
        session = get_session()
        try:
            wave, invited = scheduling.preview_open(session, wave_id, utcnow())
        except Conflict as exc:
            wave = session.get(Wave, wave_id)
            flash(f"Could not open wave {wave.label}: {exc.message}", "error")
            return redirect(url_for("admin.programs_detail", program_id=wave.program_id))
        return render_template("admin/waves_open.html", wave=wave, program=wave.program, invited=invited,
                               form=OpenWaveForm(formdata=None, confirmed="yes"))

    def run(session, _form):
        config = current_app.config
        invited = scheduling.open_wave(session, wave_id, utcnow(), current_user.id, config["MIN_GROUP_SIZE"],
                                       config["MIN_COMMENT_GROUP_SIZE"], config["MEMBERSHIP_DAYS"])
        wave = session.get(Wave, wave_id)
        return (f"Wave {wave.label} is open: {invited} people invited. Invitation emails go out with the "
                "next run of tandem tick.")

    return _wave_action(wave_id, "open", run, OpenWaveForm)


@bp.route("/waves/<int:wave_id>/close", methods=["POST"])
@roles_required("hr_admin")
def waves_close(wave_id: int):
    def run(session, _form):
        erased = scheduling.close_wave(session, wave_id, utcnow(), current_user.id)
        wave = session.get(Wave, wave_id)
        return f"Wave {wave.label} is closed; {erased} unfinished answer set(s) were erased."

    return _wave_action(wave_id, "close", run)


@bp.route("/waves/<int:wave_id>/extend", methods=["POST"])
@roles_required("hr_admin")
def waves_extend(wave_id: int):
    def run(session, form):
        wave = scheduling.extend_wave(session, wave_id, form.closes_at.data, utcnow(), current_user.id)
        return f"Wave {wave.label} now closes {wave.closes_at:%Y-%m-%d %H:%M} UTC."

    return _wave_action(wave_id, "extend", run)


@bp.route("/waves/<int:wave_id>/preview")
@roles_required("hr_admin")
def waves_preview(wave_id: int):
    """Send HR to a fresh preview link of the wave (signed, expiring; answers are never stored)."""
    if get_session().get(Wave, wave_id) is None:
        abort(404, f"There is no wave with id {wave_id}.")
    token = preview.make_token(current_app.config["SECRET_KEY"], wave_id)
    return redirect(url_for("respond.preview_start", token=token))


@bp.route("/waves/<int:wave_id>/participation")
@roles_required("hr_admin")
def waves_participation(wave_id: int):
    from surveys.insights import participation

    report = participation.team_participation(get_session(), wave_id, current_app.config["MIN_GROUP_SIZE"])
    return render_template("admin/waves_participation.html", report=report,
                           hidden_label=participation.HIDDEN_LABEL)
