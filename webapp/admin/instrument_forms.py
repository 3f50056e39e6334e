"""Flask-WTF forms of the instrument editor; they check shape only, the rules live in surveys.instruments."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length

from surveys.instruments import rules
from surveys.instruments.question_types import TYPES
from surveys.models import AUDIENCES, DIMENSIONS

try:  # WTForms 3.3 deprecates (value, label) tuples for select choices
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    def SelectChoice(value, label):  # noqa: N802
        return value, label

CODE_HELP = "Letters, digits and underscores; used in exports and reports."


def _choices_text(lines: list[str] | None) -> str:
    return "\n".join(lines or [])


def _code_field() -> StringField:
    return StringField("Code", validators=[InputRequired("Give a code."), Length(max=rules.CODE_MAX)],
                       description=CODE_HELP)


def _title_field() -> StringField:
    return StringField("Title", validators=[InputRequired("Give a title."),
                                            Length(max=rules.TITLE_MAX)])


def _description_field() -> TextAreaField:
    return TextAreaField("Description (employees read it before the first question)",
                         validators=[Length(max=rules.DESCRIPTION_MAX)])


class ScratchForm(FlaskForm):
    """A new, empty instrument."""

    code = _code_field()
    title = _title_field()
    # validate_choice is off in this module so a forged value reaches the domain, which names the problem.
    audience = SelectField("Audience", choices=[SelectChoice(a, a.capitalize()) for a in AUDIENCES],
                           validate_choice=False)
    description = _description_field()


class TemplateForm(FlaskForm):
    """A new instrument copied from a built-in template, under its own code."""

    code = _code_field()
    title = _title_field()
    description = _description_field()


class DetailsForm(FlaskForm):
    """Title and description of an instrument."""

    title = _title_field()
    description = _description_field()


class QuestionForm(FlaskForm):
    """One question; choices are typed one per line."""

    code = _code_field()
    text = TextAreaField("Question text", validators=[InputRequired("Write the question text."),
                                                      Length(max=rules.TEXT_MAX)])
    qtype = SelectField("Type", choices=[SelectChoice(t.code, t.label) for t in TYPES.values()],
                        validate_choice=False)
    dimension = SelectField("Dimension", validate_choice=False, choices=[
        SelectChoice("", "Choose a dimension…"),
        *(SelectChoice(d, rules.DIMENSION_LABELS.get(d, d)) for d in DIMENSIONS)])
    reverse_keyed = BooleanField("Reverse-keyed (agreement scales only: agreeing is the unfavourable answer)")
    required = BooleanField("Required", default=True)
    choices = TextAreaField("Choices, one per line (single and multiple choice); for an agreement scale, "
                            "optionally one label per point, lowest first",
                            render_kw={"rows": 5})

    def fill(self, question) -> None:
        """Prefill from an existing question (GET of the edit page)."""
        for name in ("code", "text", "qtype", "dimension", "reverse_keyed", "required"):
            getattr(self, name).data = getattr(question, name)
        self.choices.data = _choices_text(question.choices)

    def to_input(self) -> rules.QuestionInput:
        """The typed values as the service's input."""
        lines = (self.choices.data or "").splitlines()
        return rules.QuestionInput(
            code=self.code.data or "", text=self.text.data or "", qtype=self.qtype.data or "",
            dimension=self.dimension.data or "", reverse_keyed=bool(self.reverse_keyed.data),
            required=bool(self.required.data), choices=[c for c in lines if c.strip()] or None)


class MoveForm(FlaskForm):
    """Move a question up or down."""

    direction = HiddenField(validators=[AnyOf(("up", "down"), message="Direction must be up or down.")])


class ConfirmForm(FlaskForm):
    """A bare form: only the CSRF token, for confirmed POST actions."""
