"""The goal form: shape only; the rules (metric, range, date, team) live in surveys.goals.service."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from surveys.goals import metrics
from surveys.goals.service import MAX_NOTE, outcome_choices
from webapp.admin.forms_common import SelectChoice, team_choices


class GoalForm(FlaskForm):
    # Not checked against the lists here: the service names a forged or stale value precisely.
    metric = SelectField("Metric", validate_choice=False)
    team_id = SelectField("For", validate_choice=False)
    target = StringField("Target", validators=[InputRequired("Give a target, such as 70.")],
                         description="On the metric's own scale: % favourable 0-100, eNPS and NPS -100 to 100, "
                                     "CSAT 0-100 (% satisfied), CES 1-7; business outcomes in their own unit "
                                     "(churn 3.5 means 3.5%); a lower-is-better outcome is met at or below it.")
    due_on = StringField("Due date", validators=[InputRequired("Give the date the target should be reached by.")],
                         render_kw={"type": "date"})
    note = TextAreaField("Note (optional)", validators=[Length(max=MAX_NOTE)], render_kw={"rows": 3})


def goal_form(session, **kwargs) -> GoalForm:
    """A GoalForm with its metric and unit choices filled in."""
    form = GoalForm(**kwargs)
    form.metric.choices = [SelectChoice(k, f"{label} ({metrics.METRICS[k].unit})") for k, label in metrics.choices()]
    form.metric.choices += [SelectChoice(k, label) for k, label in outcome_choices(session)]
    form.team_id.choices = [SelectChoice("", "The whole organisation"), *team_choices(session)]
    return form
