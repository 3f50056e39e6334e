"""Instrument editing for HR: create, edit questions, and version a survey once it has answers.

Every edit goes through `editable_version`: a version whose waves have responses is frozen, so the edit
lands on a new version (same code, version + 1) and programs move to it, while the waves that were
answered keep pointing at the version their answers belong to.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveys import audit
from surveys.errors import Conflict, ErrorCollector, NotFound, ValidationError
from surveys.instruments.catalogue import (freeze_reason, get_question, get_survey, is_frozen, latest_version,
                                          suggest_code)
from surveys.instruments.library import BUILTIN
from surveys.instruments.rules import QuestionInput, build_question, clean_code, clean_description, clean_title
from surveys.models import AUDIENCES, Program, Question, Response, Survey, Wave


@dataclass(frozen=True)
class Edit:
    """Outcome of an edit: the version edited, the question touched, and the frozen version it replaced."""

    survey: Survey
    question: Question | None = None
    replaced: Survey | None = None
    changed: bool = True
    reason: str | None = None

    @property
    def version_note(self) -> str | None:
        """The message to show when the edit created a new version."""
        if self.replaced is None:
            return None
        return (f"Version {self.survey.version} created: version {self.replaced.version} {self.reason} "
                "and stays as it was.")


# ---- creating ------------------------------------------------------------------------------------------

def create_instrument(session: Session, *, code: str, title: str, audience: str, description: str = "",
                      actor_id: int | None = None) -> Survey:
    """Create version 1 of a new, empty instrument; every bad field is reported at once."""
    errors = ErrorCollector()
    if audience not in AUDIENCES:
        errors.add(f"Audience must be one of {', '.join(AUDIENCES)}; got '{audience}'.", "audience")
    code = errors.check(_new_code, session, code)
    title = errors.check(clean_title, title)
    description = errors.check(clean_description, description)
    errors.raise_if_any()
    survey = Survey(code=code, title=title, audience=audience, description=description, version=1,
                    status="active")
    with _unique(session, _taken_message(survey.code)):
        session.add(survey)
    audit.record(session, actor_id, "survey.create", "survey", survey.id, code=survey.code)
    session.flush()
    return survey


def create_from_template(session: Session, template: str, *, code: str, title: str,
                         description: str | None = None, actor_id: int | None = None) -> Survey:
    """Create version 1 of a new instrument with a built-in template's questions, under its own code."""
    spec = BUILTIN.get(template)
    if spec is None:
        raise NotFound(f"There is no built-in template '{template}'; choose one of {', '.join(BUILTIN)}.")
    survey = Survey(code=_new_code(session, code), title=clean_title(title), audience=spec.audience, version=1,
                    description=clean_description(spec.description if description is None else description),
                    status="active")
    for q in spec.questions:
        survey.questions.append(build_question(QuestionInput(q.code, q.text, q.qtype, q.dimension, q.reverse_keyed,
                                                     q.required, list(q.choices) if q.choices else None)))
    _renumber(survey)
    with _unique(session, _taken_message(survey.code)):
        session.add(survey)
    audit.record(session, actor_id, "survey.create", "survey", survey.id, code=survey.code, template=template)
    session.flush()
    return survey


# ---- versioning ----------------------------------------------------------------------------------------

def check_latest(session: Session, survey: Survey) -> None:
    """Refuse to edit any version but the latest: older ones are kept as their answers saw them."""
    latest = latest_version(session, survey.code)
    if latest.id != survey.id:
        raise Conflict(f"Version {survey.version} of '{survey.code}' is kept as it was; "
                       f"edit the latest version ({latest.version}) instead.")


def editable_version(session: Session, survey_id: int, actor_id: int | None = None) -> Survey:
    """The survey itself when it can be edited in place, else a new version that copies it."""
    survey = get_survey(session, survey_id)
    check_latest(session, survey)
    if not is_frozen(session, survey):
        return survey
    new = Survey(code=survey.code, title=survey.title, description=survey.description,
                 audience=survey.audience, version=survey.version + 1, status="active")
    for q in survey.questions:
        new.questions.append(Question(
            code=q.code, text=q.text, qtype=q.qtype, dimension=q.dimension, reverse_keyed=q.reverse_keyed,
            required=q.required, position=q.position, choices=list(q.choices) if q.choices else None,
            scale_min=q.scale_min, scale_max=q.scale_max))
    with _unique(session, f"Someone else has just created version {new.version} of '{survey.code}'; "
                          "reload the page and make your change there."):
        session.add(new)
    survey.status, survey.frozen = "archived", True
    for program in session.scalars(select(Program).where(Program.survey_id == survey.id)):
        program.survey = new  # future waves ask the new version
    # Waves not yet opened have no answers, so they can still move to the new version.
    answered = select(Response.id).where(Response.wave_id == Wave.id)
    for wave in session.scalars(select(Wave).where(Wave.survey_id == survey.id, Wave.status == "draft",
                                                   ~exists(answered))):
        wave.survey = new
    audit.record(session, actor_id, "survey.new_version", "survey", new.id, code=new.code,
                 version=new.version, replaces=survey.id)
    session.flush()
    return new


# ---- editing -------------------------------------------------------------------------------------------

def update_details(session: Session, survey_id: int, *, title: str, description: str,
                   actor_id: int | None = None) -> Edit:
    """Rename an instrument or change its description."""
    current = get_survey(session, survey_id)
    title, description = clean_title(title), clean_description(description)
    if (title, description) == (current.title, current.description):
        return Edit(current, changed=False)
    survey = editable_version(session, survey_id, actor_id)
    survey.title, survey.description = title, description
    audit.record(session, actor_id, "survey.update", "survey", survey.id, title=title)
    session.flush()
    return _edit(session, current, survey)


def add_question(session: Session, survey_id: int, spec: QuestionInput, actor_id: int | None = None) -> Edit:
    """Append a question to the instrument."""
    current = get_survey(session, survey_id)
    question = build_question(spec, taken={q.code for q in current.questions})
    survey = editable_version(session, survey_id, actor_id)
    with _unique(session, _question_taken(question.code)):
        survey.questions.append(question)
        _renumber(survey)
    audit.record(session, actor_id, "question.add", "question", question.id, survey_id=survey.id,
                 code=question.code)
    session.flush()
    return _edit(session, current, survey, question)


def update_question(session: Session, survey_id: int, question_id: int, spec: QuestionInput,
                    actor_id: int | None = None) -> Edit:
    """Change a question's wording, type, dimension, keying, required flag or choices."""
    current = get_survey(session, survey_id)
    old = get_question(session, survey_id, question_id)
    built = build_question(spec, taken={q.code for q in current.questions if q.id != old.id})
    fields = ("code", "text", "qtype", "dimension", "reverse_keyed", "required", "choices",
              "scale_min", "scale_max")
    if all(getattr(built, f) == getattr(old, f) for f in fields):
        return Edit(current, old, changed=False)
    survey = editable_version(session, survey_id, actor_id)
    question = _same_question(survey, old)
    with _unique(session, _question_taken(built.code)):
        for f in fields:
            setattr(question, f, getattr(built, f))
    audit.record(session, actor_id, "question.update", "question", question.id, survey_id=survey.id,
                 code=question.code)
    session.flush()
    return _edit(session, current, survey, question)


def move_question(session: Session, survey_id: int, question_id: int, direction: str,
                  actor_id: int | None = None) -> Edit:
    """Swap a question with its neighbour above ("up") or below ("down")."""
    if direction not in ("up", "down"):
        raise ValidationError(f"Direction must be 'up' or 'down'; got '{direction}'.", field="direction")
    current = get_survey(session, survey_id)
    old = get_question(session, survey_id, question_id)
    index = _ordered(current).index(old)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(current.questions):
        edge = "first" if direction == "up" else "last"
        raise ValidationError(f"'{old.code}' is already the {edge} question.", field="direction")
    survey = editable_version(session, survey_id, actor_id)
    ordered = _ordered(survey)
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, q in enumerate(ordered):
        q.position = position
    survey.questions.sort(key=lambda q: q.position)
    question = _same_question(survey, old)
    audit.record(session, actor_id, "question.move", "question", question.id, survey_id=survey.id,
                 direction=direction, position=question.position)
    session.flush()
    return _edit(session, current, survey, question)


def remove_question(session: Session, survey_id: int, question_id: int, actor_id: int | None = None) -> Edit:
    """Remove a question (from a new version when this one has answers)."""
    current = get_survey(session, survey_id)
    old = get_question(session, survey_id, question_id)
    survey = editable_version(session, survey_id, actor_id)
    question = _same_question(survey, old)
    question_id, code = question.id, question.code
    survey.questions.remove(question)  # delete-orphan cascade deletes the row
    _renumber(survey)
    audit.record(session, actor_id, "question.remove", "question", question_id, survey_id=survey.id,
                 code=code)
    session.flush()
    return _edit(session, current, survey)


# ---- helpers -------------------------------------------------------------------------------------------

def _new_code(session: Session, raw: str) -> str:
    code = clean_code(raw, "instrument code")
    existing = session.scalar(select(Survey.code).where(func.lower(Survey.code) == code.lower()).limit(1))
    if existing is not None:
        raise ValidationError(f"An instrument with code '{existing}' already exists; "
                              f"try '{suggest_code(session, code)}'.", field="code")
    return code


def _ordered(survey: Survey) -> list[Question]:
    return sorted(survey.questions, key=lambda q: q.position)


def _renumber(survey: Survey) -> None:
    for position, q in enumerate(survey.questions):
        q.position = position


def _same_question(survey: Survey, old: Question) -> Question:
    """The question in `survey` that is `old` (itself, or its copy in a new version)."""
    return next(q for q in survey.questions if q.code == old.code)


@contextmanager
def _unique(session: Session, conflict_message: str):
    # Changes made inside are flushed in a savepoint: when a concurrent request won the race for a unique
    # code or version, the savepoint is rolled back (PostgreSQL would abort the whole transaction
    # otherwise) and the user gets a Conflict instead of a 500.
    try:
        with session.begin_nested():
            yield
    except IntegrityError:
        raise Conflict(conflict_message) from None


def _taken_message(code: str) -> str:
    return f"An instrument with code '{code}' was just created by someone else; choose another code."


def _question_taken(code: str) -> str:
    return f"A question with code '{code}' was just added by someone else; choose another code."


def _edit(session: Session, before: Survey, after: Survey, question: Question | None = None) -> Edit:
    if after.id == before.id:
        return Edit(after, question)
    return Edit(after, question, replaced=before, reason=freeze_reason(session, before))
