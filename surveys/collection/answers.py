"""Answers checked against an instrument's questions: one set of rules for pages, submissions and public forms.

Every answer, from a page POST, a draft or a public form, passes through question_types.parse_answer.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from surveys.errors import ValidationError
from surveys.instruments import question_types
from surveys.models import Question


class AnswersInvalid(ValidationError):
    """Answers that break the rules; `errors` maps question codes (None: the form itself) to messages."""

    def __init__(self, errors: dict[str | None, str], page: int = 0):
        first = next(iter(errors.values()))
        super().__init__(first if len(errors) == 1 else f"{len(errors)} answers need attention.",
                         field=next(iter(errors)))
        self.errors = errors
        self.page = page


def normalise_raw(question: Question, raw) -> str | list[str] | None:
    """Turn a form value (a list of strings from getlist, or a plain value) into one raw answer."""
    values = raw if isinstance(raw, list) else ([] if raw is None else [raw])
    values = [v for v in values if not (isinstance(v, str) and v.strip() == "")]
    if question.qtype == "multi_choice":
        return [str(v) for v in values]
    if len(values) > 1:
        raise ValidationError("Please give only one answer to this question.", field=question.code)
    return str(values[0]) if values else None


def is_blank(raw) -> bool:
    """True for an unanswered question (nothing, an empty string or an empty list)."""
    return raw is None or raw == [] or (isinstance(raw, str) and raw.strip() == "")


def check_answers(questions: Sequence[Question], raw_answers: Mapping[str, object], *,
                  require: bool = True) -> tuple[dict[str, object], dict[str | None, str]]:
    """Validate raw answers for `questions`; return (normalised raw answers to keep, errors).

    With require=False a missing required answer is not an error (the "Back" button).
    Codes that are not among `questions` are reported under the key None.
    """
    kept, errors, _parsed = _check(questions, raw_answers, require)
    return kept, errors


def parse_all(questions: Sequence[Question], raw_answers: Mapping[str, object]) -> dict[Question, tuple]:
    """Validate a complete set of answers; return {question: (value, text)} or raise AnswersInvalid."""
    _kept, errors, parsed = _check(questions, raw_answers, True)
    if errors:
        raise AnswersInvalid(errors)
    return {q: (value, text) for q, (value, text) in parsed.items() if value is not None or text is not None}


def _check(questions: Sequence[Question], raw_answers: Mapping[str, object], require: bool):
    # One pass for check_answers and parse_all: each answer is normalised and parsed once, its parse kept.
    known = {q.code for q in questions}
    errors: dict[str | None, str] = {}
    unknown = [code for code in raw_answers if code not in known]
    if unknown:
        errors[None] = (f"The form contained an answer to '{unknown[0]}', which is not a question on this "
                        "page. Please check your answers and send the form again.")
    kept: dict[str, object] = {}
    parsed: dict[Question, tuple] = {}
    for q in questions:
        try:
            raw = normalise_raw(q, raw_answers.get(q.code))
            if is_blank(raw) and not require:
                continue
            parsed[q] = question_types.parse_answer(q, raw)
        except ValidationError as exc:
            errors[q.code] = exc.message
            continue
        if not is_blank(raw):
            kept[q.code] = raw
    return kept, errors, parsed
