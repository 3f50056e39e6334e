"""Forms of the account pages; they check shape only, the rules live in surveys.org.api_tokens."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length

from surveys.org.api_tokens import NAME_MAX
from webapp.admin.forms_common import SelectChoice

EXPIRY_CHOICES = [SelectChoice("30", "In 30 days"), SelectChoice("90", "In 90 days"),
                  SelectChoice("365", "In a year"), SelectChoice("never", "Never")]


class TokenForm(FlaskForm):
    """A new personal API token: a name and when it expires."""

    name = StringField("Name", validators=[InputRequired("Give the token a name."), Length(max=NAME_MAX)],
                       description="What the token is for, e.g. 'board pack script'.")
    expires = SelectField("Expires", choices=EXPIRY_CHOICES, default="90")

    def days(self) -> int | None:
        """The chosen lifetime in days, None for a token that never expires."""
        return None if self.expires.data == "never" else int(self.expires.data)


class RevokeForm(FlaskForm):
    """Revoke one token (the form carries only the CSRF token; the id is in the URL)."""
