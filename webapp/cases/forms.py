"""Flask-WTF forms of the case pages; they check shape only, the rules live in surveys.voice.cases."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import InputRequired, Length

from surveys.models import CONTACT_METHODS
from surveys.voice.cases import OUTCOME_MAX
from webapp.admin.forms_common import SelectChoice


class ContactForm(FlaskForm):
    method = SelectField("How", choices=[SelectChoice(m, m) for m in CONTACT_METHODS],
                         validators=[InputRequired("Choose how you reached the customer.")])
    result = TextAreaField("What came of it", validators=[InputRequired("Say what came of the call or mail."),
                                                           Length(max=OUTCOME_MAX)])


class CloseForm(FlaskForm):
    outcome = TextAreaField("Outcome", validators=[InputRequired("Say how the case ended before closing it."),
                                                   Length(max=OUTCOME_MAX)])


class NoteForm(FlaskForm):
    note = TextAreaField("Note", validators=[InputRequired("Write the note first."), Length(max=OUTCOME_MAX)])
