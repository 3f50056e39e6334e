"""Known-issue forms: shape only; the rules (required, lengths, dates, transitions) live in the service."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from surveys.publicity.known_issues import STATUS_LABELS
from webapp.admin.forms_common import SelectChoice


class IssueForm(FlaskForm):
    title = StringField("Title customers see", description="Short and plain, e.g. 'Card payments fail at checkout'.")
    what_wrong = TextAreaField("What is wrong", render_kw={"rows": 4},
                               description="What customers notice, in their words. Required.")
    what_doing = TextAreaField("What is being done", render_kw={"rows": 4})
    started_on = StringField("Affected since (optional)", render_kw={"type": "date"})
    alert_id = HiddenField()
    action_id = HiddenField()


class StatusForm(FlaskForm):
    # Not checked against the list here: the service names a forged or stale value precisely.
    status = SelectField("Status", choices=[SelectChoice(k, v) for k, v in STATUS_LABELS.items()], validate_choice=False)
    note = TextAreaField("Public note (shown with today's date)", render_kw={"rows": 3})


class PublishForm(FlaskForm):
    """Only the CSRF token: the button says what it does."""
