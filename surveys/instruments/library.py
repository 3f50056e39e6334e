"""Built-in instruments: the employee engagement survey and the customer experience survey.

`BUILTIN` is the catalogue an HR admin picks from ("create from template"); `install` turns one entry
into a Survey with its Questions. The customer codes csat, nps and ces are a contract: the feedback
import maps its CSV columns onto them. `text` is always ready to show; a question that names the
organisation also has a `branded` variant, which `install(company=...)` fills in.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import audit
from surveys.errors import Conflict, NotFound, ValidationError
from surveys.instruments import question_types
from surveys.models import Question, Survey
from surveys.models.instruments import AUDIENCES, DIMENSIONS, SURVEY_STATUSES

# CSAT is stored on the 1-5 agreement scale (top two = satisfied) but asked in satisfaction words.
SATISFACTION_LABELS = ("Very dissatisfied", "Dissatisfied", "Neither satisfied nor dissatisfied", "Satisfied",
                       "Very satisfied")


@dataclass(frozen=True)
class QuestionSpec:
    """One question of a built-in instrument."""

    code: str
    text: str
    qtype: str
    dimension: str
    reverse_keyed: bool = False
    required: bool = True
    choices: tuple[str, ...] | None = None
    branded: str | None = None  # the text with "{company}" where the organisation's name goes

    def render(self, company: str | None = None) -> str:
        """The text to ask: the branded variant with `company` filled in, or the generic text."""
        name = (company or "").strip()
        return self.branded.replace("{company}", name) if self.branded and name else self.text


@dataclass(frozen=True)
class InstrumentSpec:
    """A built-in instrument: its identity and its questions in the order they are asked."""

    code: str
    title: str
    audience: str
    description: str
    questions: tuple[QuestionSpec, ...]

    def dimensions(self) -> tuple[str, ...]:
        """Dimensions in first-asked order, each listed once."""
        return tuple(dict.fromkeys(q.dimension for q in self.questions))

    def codes(self, dimension: str) -> tuple[str, ...]:
        """Question codes of one dimension."""
        return tuple(q.code for q in self.questions if q.dimension == dimension)


def _l5(code: str, text: str, dimension: str, reverse: bool = False,
        branded: str | None = None) -> QuestionSpec:
    return QuestionSpec(code, text, "likert5", dimension, reverse_keyed=reverse, branded=branded)


ENGAGEMENT = InstrumentSpec(
    code="engagement",
    title="Employee engagement & culture",
    audience="employee",
    description=("A monthly pulse on engagement, culture, leadership, the way we work and our tools. "
                 "Answers are anonymous; results are shown only for groups large enough to protect them."),
    questions=(
        _l5("eng_pride", "I am proud to tell people where I work.", "engagement"),
        _l5("eng_recommend", "I would recommend working here to a friend looking for a job.", "engagement",
            branded="I would recommend {company} to a friend looking for a job."),
        _l5("eng_stay", "I see myself still working here in two years' time.", "engagement"),
        _l5("eng_motivation", "My work motivates me to do more than what is expected.", "engagement"),
        _l5("cul_values", "People here act in line with the values we talk about.", "culture"),
        _l5("cul_speak_up", "I can raise a concern or a new idea without worrying about how it looks.",
            "culture"),
        _l5("cul_respect", "Everyone is treated with respect, whatever their role.", "culture"),
        _l5("ppl_manager", "My manager gives me the support I need to do my job well.", "people"),
        _l5("ppl_colleagues", "I can count on my colleagues when things get busy.", "people"),
        _l5("ppl_recognition", "When I do good work, it gets noticed.", "people"),
        _l5("prc_serve", "Our processes help us serve customers well.", "process"),
        _l5("prc_handoffs", "Work passes between teams without things getting lost.", "process"),
        _l5("prc_rules", "Unnecessary rules get in the way of doing a good job.", "process", reverse=True),
        _l5("tec_tools", "The tools and systems I use make my work easier.", "technology"),
        _l5("tec_information", "I can find the information I need without having to chase it.",
            "technology"),
        _l5("tec_reliable", "When a system fails, it gets fixed quickly.", "technology"),
        QuestionSpec("enps", "How likely are you to recommend this organisation as a place to work?",
                     "scale0_10", "enps",
                     branded="How likely are you to recommend {company} as a place to work?"),
        QuestionSpec("comment", "Is there anything else you would like to tell us? (optional)", "text",
                     "comment", required=False),
    ),
)

CX = InstrumentSpec(
    code="cx",
    title="Customer experience",
    audience="customer",
    description="Three short questions after a customer contact: satisfaction, recommendation and effort.",
    questions=(
        QuestionSpec("csat", "Overall, how satisfied are you with the help you received today?", "likert5",
                     "csat", choices=SATISFACTION_LABELS),
        QuestionSpec("nps", "How likely are you to recommend us to a friend or colleague?", "scale0_10",
                     "nps", branded="How likely are you to recommend {company} to a friend or colleague?"),
        QuestionSpec("ces", "The company made it easy to handle my request.", "likert7", "ces",
                     branded="{company} made it easy to handle my request."),
        QuestionSpec("comment", "What is the main reason for your answers? (optional)", "text", "comment",
                     required=False),
    ),
)

BUILTIN: dict[str, InstrumentSpec] = {spec.code: spec for spec in (ENGAGEMENT, CX)}


def _check(spec: InstrumentSpec) -> None:
    # Fails at import, not in a customer's database, if someone edits a spec into nonsense.
    codes = [q.code for q in spec.questions]
    bad = [q.code for q in spec.questions
           if q.dimension not in DIMENSIONS or q.qtype not in question_types.TYPES]
    if spec.audience not in AUDIENCES or len(codes) != len(set(codes)) or bad:
        raise RuntimeError(f"Built-in instrument '{spec.code}' is inconsistent (check {bad or 'codes'}).")


for _spec in BUILTIN.values():
    _check(_spec)


def install(session: Session, code: str, *, version: int = 1, status: str = "active",
            company: str | None = None, actor_id: int | None = None) -> Survey:
    """Create a Survey (with its Questions) from the built-in instrument `code`; flushes, never commits.

    With `company`, questions that name the organisation use it; otherwise their generic wording.
    """
    spec = BUILTIN.get(code)
    if spec is None:
        raise NotFound(f"There is no built-in instrument '{code}'; choose one of {', '.join(BUILTIN)}.")
    if status not in SURVEY_STATUSES:
        raise ValidationError(f"Status must be one of {', '.join(SURVEY_STATUSES)}; got '{status}'.",
                              field="status")
    if not isinstance(version, int) or version < 1:
        raise ValidationError(f"Version must be a whole number of at least 1; got {version!r}.",
                              field="version")
    if session.scalar(select(Survey.id).where(Survey.code == code, Survey.version == version)) is not None:
        raise Conflict(f"Survey '{code}' version {version} already exists; install a new version instead.")
    survey = Survey(code=spec.code, title=spec.title, description=spec.description, audience=spec.audience,
                    version=version, status=status)
    for position, q in enumerate(spec.questions):
        choices = list(q.choices) if q.choices else None
        lo, hi = question_types.bounds_for(q.qtype, choices)
        question = Question(code=q.code, text=q.render(company), qtype=q.qtype, dimension=q.dimension,
                            reverse_keyed=q.reverse_keyed, required=q.required, position=position,
                            scale_min=lo, scale_max=hi)
        if choices:  # assigning None would store the JSON value 'null' rather than SQL NULL
            question.choices = choices
        survey.questions.append(question)
    session.add(survey)
    session.flush()
    audit.record(session, actor_id, "survey.install", "survey", survey.id, template=code, version=version)
    session.flush()
    return survey
