"""Flask-WTF forms of the action pages; they check shape only, the rules live in surveys.actions."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from surveys.actions.fields import MAX_DESCRIPTION, MAX_TITLE
from surveys.actions.service import MAX_NOTE
from surveys.actions.steps import MAX_STEP
from webapp.admin.forms_common import SelectChoice

VISIBILITY_CHOICES = [SelectChoice("leaders", "Leaders only (staff who can see these teams)"),
                      SelectChoice("published", "Published to employees (\u201cYou said, we did\u201d and the "
                                                "results shared after a wave)")]
FORM_SOURCES = ("manual", "focus", "goal")


def _as_text(value):
    return value if value is None or isinstance(value, str) else f"{value:g}"


class EditActionForm(FlaskForm):
    """The fields of an action people set by hand."""

    title = StringField("Title", validators=[InputRequired("Give the action a title."), Length(max=MAX_TITLE)])
    description = TextAreaField("What will change, and why", validators=[Length(max=MAX_DESCRIPTION)])
    # The lists are not checked here: the service names a forged or stale value precisely.
    team_ids = SelectMultipleField("Teams", validate_choice=False,
                                   description="The teams whose results this action should move (one or more).")
    metric = SelectField("Metric it should move", validate_choice=False)
    # The filter turns a stored number (the form built from an action, the field missing from the post) into
    # text, so the length check never meets a float.
    target = StringField("Target (optional)", validators=[Length(max=30)], filters=[_as_text],
                         description="The value the metric should reach, on the metric's own scale.")
    owner_id = SelectField("Owner", validate_choice=False)
    starts_on = DateField("Starts on", validators=[InputRequired("Give a start date (YYYY-MM-DD).")])
    due_on = DateField("Due on", validators=[InputRequired("Give a due date (YYYY-MM-DD).")])
    visibility = RadioField("Visibility", choices=VISIBILITY_CHOICES, default="leaders", validate_choice=False)


class NewActionForm(EditActionForm):
    """A new action; where it came from travels in hidden fields."""

    source = HiddenField(default="manual", validators=[AnyOf(FORM_SOURCES, "The action's source must be one of "
                                                                           "manual, focus or goal.")])
    goal_id = HiddenField(validators=[Optional()])
    steps = TextAreaField("First steps (optional, one a line)", validators=[Length(max=50 * (MAX_STEP + 1))])


class StatusForm(FlaskForm):
    to = HiddenField(validators=[InputRequired("Choose the new status.")])
    reason = TextAreaField("Why is it abandoned?", validators=[Length(max=MAX_DESCRIPTION)])


class StepForm(FlaskForm):
    text = StringField("New step", validators=[InputRequired("Write what the step is first."),
                                               Length(max=MAX_STEP)])


class StepDoneForm(FlaskForm):
    done = HiddenField(validators=[AnyOf(("1", "0"), "Tick (1) or untick (0) the step.")])


class ConfirmForm(FlaskForm):
    """A button with nothing to fill in (its CSRF token is the point)."""


class NoteForm(FlaskForm):
    note = TextAreaField("Progress note", validators=[InputRequired("Write the progress note first."),
                                                      Length(max=MAX_NOTE)])
