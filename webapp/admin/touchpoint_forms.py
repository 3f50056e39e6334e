"""Flask-WTF forms of the touchpoint pages; they check shape only, the rules live in surveys.org.touchpoints."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from surveys.collection import public_links
from surveys.models import CHANNELS
from surveys.org.touchpoints import MAX_CODE, MAX_NAME
from webapp.admin.forms_common import SelectChoice
from webapp.bounds import BoundedIntegerField


class ContactLinksForm(FlaskForm):
    program = SelectField("Customer program", validators=[DataRequired()])
    touchpoint = SelectField("Touchpoint", validators=[DataRequired()])
    count = BoundedIntegerField("Number of links", default=10,
                         validators=[InputRequired(), NumberRange(1, public_links.MAX_CONTACT_LINKS)])


class _TouchpointFields(FlaskForm):
    name = StringField("Name", validators=[InputRequired("Give the touchpoint a name."), Length(max=MAX_NAME)])
    # Not checked against the lists here: the service names a forged or stale value precisely.
    channel = SelectField("Channel", choices=[SelectChoice(c, c.capitalize()) for c in CHANNELS],
                          validate_choice=False)
    team_id = SelectField("Owning team (its customers' answers count towards it)", validate_choice=False)


class TouchpointForm(_TouchpointFields):
    """A new touchpoint."""

    code = StringField("Code", validators=[InputRequired("Give the touchpoint a code."), Length(max=MAX_CODE)],
                       description="A short identifier such as web-shop; it appears in the public link and "
                                   "cannot be changed later.")


class TouchpointEditForm(_TouchpointFields):
    """Name, channel, owning team and active flag of a touchpoint (the code stays)."""

    active = BooleanField("Active (has public links and takes answers)", default=True)
