"""Registry of question types: bounds, labels and validation shared by forms, API and imports."""
from __future__ import annotations

import json
from dataclasses import dataclass

from surveys.errors import ValidationError

MAX_TEXT_LENGTH = 5000


@dataclass(frozen=True)
class QuestionType:
    """How one question type is stored and checked."""

    code: str
    label: str
    scale_min: int | None
    scale_max: int | None
    anchors: tuple[str, ...] = ()

    @property
    def numeric(self) -> bool:
        return self.scale_min is not None

    @property
    def scale_points(self) -> int | None:
        return None if self.scale_min is None else self.scale_max - self.scale_min + 1


TYPES: dict[str, QuestionType] = {
    t.code: t
    for t in (
        QuestionType("likert5", "Agreement, 5 points", 1, 5,
                     ("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree")),
        QuestionType("likert7", "Agreement, 7 points", 1, 7,
                     ("Strongly disagree", "Disagree", "Somewhat disagree", "Neutral",
                      "Somewhat agree", "Agree", "Strongly agree")),
        QuestionType("scale0_10", "Likelihood, 0 to 10", 0, 10, ("Not at all likely", "Extremely likely")),
        QuestionType("single_choice", "One choice", None, None),
        QuestionType("multi_choice", "Several choices", None, None),
        QuestionType("text", "Free text", None, None),
    )
}


def get_type(code: str) -> QuestionType:
    """Return the registered type or raise a ValidationError naming it."""
    try:
        return TYPES[code]
    except KeyError:
        raise ValidationError(f"Unknown question type '{code}'.", field="qtype") from None


def bounds_for(qtype: str, choices: list[str] | None = None) -> tuple[int | None, int | None]:
    """Stored bounds of a question: single choice answers are the chosen index."""
    if qtype == "single_choice":
        if not choices or len(choices) < 2:
            raise ValidationError("A single-choice question needs at least two choices.", field="choices")
        return 0, len(choices) - 1
    if qtype == "multi_choice" and (not choices or len(choices) < 2):
        raise ValidationError("A multiple-choice question needs at least two choices.", field="choices")
    t = get_type(qtype)
    return t.scale_min, t.scale_max


def parse_answer(question, raw) -> tuple[int | None, str | None]:
    """Validate one raw answer (str, int, list or None) and return (value, text) to store.

    Returns (None, None) for a blank answer; raises ValidationError for a bad or missing required one.
    """
    field = question.code
    if raw is None or raw == "" or raw == []:
        if question.required:
            raise ValidationError("This question needs an answer.", field=field)
        return None, None
    if isinstance(raw, str) and "\x00" in raw or isinstance(raw, list) and any("\x00" in str(r) for r in raw):
        raise ValidationError("The answer contains an invalid character (a NUL byte).", field=field)
    if question.qtype == "text":
        text = str(raw).strip()
        if len(text) > MAX_TEXT_LENGTH:
            raise ValidationError(f"Please keep the answer under {MAX_TEXT_LENGTH} characters.", field=field)
        if not text and question.required:
            raise ValidationError("This question needs an answer.", field=field)
        return None, (text or None)
    if question.qtype == "multi_choice":
        picked = raw if isinstance(raw, list) else [raw]
        unknown = [p for p in picked if p not in (question.choices or [])]
        if unknown:
            raise ValidationError(f"'{unknown[0]}' is not one of the choices.", field=field)
        ordered = [c for c in question.choices if c in picked]
        return None, json.dumps(ordered)
    if question.qtype == "single_choice" and isinstance(raw, str) and raw in (question.choices or []):
        return question.choices.index(raw), None
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ValidationError(f"'{raw}' is not a whole number.", field=field) from None
    lo, hi = bounds_for(question.qtype, question.choices)
    if value < lo or value > hi:
        raise ValidationError(f"{value} is outside the allowed range {lo}–{hi}.", field=field)
    return value, None
