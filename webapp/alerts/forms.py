"""Flask-WTF forms of the alert pages; they check shape only, the rules live in surveys.alerts.workflow."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from surveys.alerts.workflow import MAX_NOTE


class ConfirmForm(FlaskForm):
    """A button with nothing to fill in (its CSRF token is the point): acknowledge, plan an action."""


class ResolveForm(FlaskForm):
    note = TextAreaField("What fixed it?", validators=[
        InputRequired("Say what fixed it: resolving an alert by hand needs a note."), Length(max=MAX_NOTE)])


class DismissForm(FlaskForm):
    reason = TextAreaField("Why dismiss it?", validators=[
        InputRequired("Say why the alert is dismissed."), Length(max=MAX_NOTE)])
