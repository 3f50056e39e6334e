"""The instrument catalogue, read side: versions, what uses them, whether they are frozen, free codes.

Editing (new versions, questions) is surveys/instruments/editor.py; this holds only what reads.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from surveys.errors import NotFound
from surveys.models import Program, Question, Response, Survey, Wave


@dataclass(frozen=True)
class InstrumentRow:
    """One instrument in the list: its latest version and what came before."""

    survey: Survey
    question_count: int
    answered: bool
    frozen: bool
    older: list[Survey] = field(default_factory=list)


def get_survey(session: Session, survey_id: int) -> Survey:
    """The survey version with this id, or NotFound."""
    survey = session.get(Survey, survey_id)
    if survey is None:
        raise NotFound(f"There is no instrument version with id {survey_id}.")
    return survey


def get_question(session: Session, survey_id: int, question_id: int) -> Question:
    """A question of this survey version; a question of another survey is NotFound too."""
    question = session.get(Question, question_id)
    if question is None or question.survey_id != survey_id:
        raise NotFound(f"Question {question_id} is not part of instrument version {survey_id}.")
    return question


def has_responses(session: Session, survey_id: int) -> bool:
    """True when any wave asking this version has at least one response."""
    answered = select(Response.id).join(Wave, Wave.id == Response.wave_id).where(Wave.survey_id == survey_id)
    return bool(session.scalar(select(exists(answered))))


def freeze_reason(session: Session, survey: Survey) -> str | None:
    """Why a version can no longer change in place, or None when it still can."""
    if has_responses(session, survey.id):
        return "has answers"
    if survey.frozen:  # set when a wave opens: people may be answering it right now
        return "has been sent to respondents"
    return None


def is_frozen(session: Session, survey: Survey) -> bool:
    """A frozen version is never edited in place."""
    return freeze_reason(session, survey) is not None


def versions(session: Session, code: str) -> list[Survey]:
    """Every version of an instrument, oldest first."""
    return list(session.scalars(select(Survey).where(Survey.code == code).order_by(Survey.version)))


def latest_version(session: Session, code: str) -> Survey | None:
    """The newest version of an instrument code."""
    return session.scalar(select(Survey).where(Survey.code == code).order_by(Survey.version.desc()).limit(1))


def list_instruments(session: Session) -> list[InstrumentRow]:
    """Latest version per code (by code), with question count, answered flag and older versions."""
    counts = dict(session.execute(
        select(Question.survey_id, func.count()).group_by(Question.survey_id)).all())
    answered = set(session.scalars(
        select(Wave.survey_id).join(Response, Response.wave_id == Wave.id).distinct()))
    by_code: dict[str, list[Survey]] = {}
    for survey in session.scalars(select(Survey).order_by(Survey.code, Survey.version)):
        by_code.setdefault(survey.code, []).append(survey)
    return [InstrumentRow(survey=vs[-1], question_count=counts.get(vs[-1].id, 0),
                          answered=vs[-1].id in answered, frozen=vs[-1].frozen or vs[-1].id in answered,
                          older=vs[:-1])
            for vs in by_code.values()]


def usage(session: Session, survey_id: int) -> tuple[list[Program], list[Wave]]:
    """Programs that will use this version for new waves, and waves that ask it."""
    programs = list(session.scalars(
        select(Program).where(Program.survey_id == survey_id).order_by(Program.code)))
    waves = list(session.scalars(select(Wave).where(Wave.survey_id == survey_id).order_by(Wave.opens_at)))
    return programs, waves


def suggest_code(session: Session, base: str) -> str:
    """`base`, or `base_2`, `base_3`... whichever no instrument uses yet."""
    taken = {c.lower() for c in session.scalars(
        select(Survey.code).where(func.lower(Survey.code).like(f"{base.lower()}%")))}
    if base.lower() not in taken:
        return base
    n = 2
    while f"{base}_{n}".lower() in taken:
        n += 1
    return f"{base}_{n}"
