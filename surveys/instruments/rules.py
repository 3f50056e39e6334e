"""Validation rules for instrument and question input, shared by the editor service and its forms."""
from __future__ import annotations

import re
from dataclasses import dataclass

from surveys.errors import ErrorCollector, ValidationError
from surveys.instruments import question_types
from surveys.models import DIMENSIONS, Question

CODE_RE = re.compile(r"^[A-Za-z0-9_]+$")
CODE_MAX, TITLE_MAX, TEXT_MAX, CHOICE_MAX, DESCRIPTION_MAX = 40, 200, 1000, 200, 2000
AGREEMENT_TYPES = ("likert5", "likert7")
CHOICE_TYPES = ("single_choice", "multi_choice")
DIMENSION_LABELS = {
    "engagement": "Engagement", "culture": "Culture", "people": "People & leadership", "process": "Process",
    "technology": "Technology", "enps": "eNPS", "csat": "CSAT (satisfaction)", "nps": "NPS",
    "ces": "CES (customer effort)", "comment": "Comment", "other": "Other",
}


@dataclass(frozen=True)
class QuestionInput:
    """What an HR admin typed for one question, before validation."""

    code: str
    text: str
    qtype: str
    dimension: str
    reverse_keyed: bool = False
    required: bool = True
    choices: list[str] | None = None


def build_question(spec: QuestionInput, taken: set[str] = frozenset()) -> Question:
    """Validate a question through the type registry and return an unattached Question.

    Every field is checked before refusing, so the form shows all its problems at once.
    """
    errors = ErrorCollector()
    code = errors.check(clean_code, spec.code, "question code")
    clash = next((t for t in taken if code and t.casefold() == code.casefold()), None)
    if clash is not None:  # case-only differences would be confusing in exports
        errors.add(f"This instrument already has a question with code '{clash}'.", "code")
    text = (spec.text or "").strip()
    if not text:
        errors.add("Write the question text.", "text")
    else:
        errors.check(limit_length, text, TEXT_MAX, "text")
    qtype_ok = errors.check(question_types.get_type, spec.qtype) is not None
    if spec.dimension not in DIMENSIONS:
        errors.add(f"Choose a dimension ({', '.join(DIMENSIONS)}).", "dimension")
    if spec.reverse_keyed and spec.qtype not in AGREEMENT_TYPES:
        errors.add("Only agreement scales (5 or 7 points) can be reverse-keyed.", "reverse_keyed")
    choices = errors.check(clean_choices, spec.qtype, spec.choices) if qtype_ok else None
    errors.raise_if_any()
    lo, hi = question_types.bounds_for(spec.qtype, choices)
    return Question(code=code, text=text, qtype=spec.qtype, dimension=spec.dimension,
                    reverse_keyed=bool(spec.reverse_keyed), required=bool(spec.required), choices=choices,
                    scale_min=lo, scale_max=hi)


def clean_choices(qtype: str, raw: list[str] | None) -> list[str] | None:
    """Choices of a choice question (at least two, no duplicates), or the optional point labels of an
    agreement scale (exactly one per point, e.g. "Very dissatisfied" ... "Very satisfied"); else None."""
    cleaned = [c.strip() for c in (raw or []) if c and c.strip()]
    if qtype in AGREEMENT_TYPES:
        points = question_types.get_type(qtype).scale_points
        if cleaned and len(cleaned) != points:
            raise ValidationError(f"Give exactly {points} labels, one per point from lowest to highest, or leave "
                                  "the box empty to use Strongly disagree … Strongly agree.", field="choices")
    elif qtype not in CHOICE_TYPES:
        if cleaned:
            raise ValidationError("Only choice questions and agreement scales take a list here; clear this box "
                                  "or pick another type.", field="choices")
        return None
    elif len(cleaned) < 2:
        raise ValidationError("Give at least two choices, one per line.", field="choices")
    seen: set[str] = set()
    for choice in cleaned:
        if len(choice) > CHOICE_MAX:
            raise ValidationError(f"Keep each choice under {CHOICE_MAX} characters.", field="choices")
        if choice.casefold() in seen:
            raise ValidationError(f"The choice '{choice}' appears twice.", field="choices")
        seen.add(choice.casefold())
    return cleaned or None


def clean_code(raw: str, what: str) -> str:
    """A code of letters, digits and underscores within the length limit."""
    code = (raw or "").strip()
    if not code:
        raise ValidationError(f"Give a {what}.", field="code")
    if len(code) > CODE_MAX:
        raise ValidationError(f"Keep the {what} to {CODE_MAX} characters or fewer.", field="code")
    if not CODE_RE.match(code):
        raise ValidationError(f"A {what} may use only letters, digits and underscores; got '{code}'.",
                              field="code")
    return code


def clean_title(raw: str) -> str:
    """A non-empty title within the length limit."""
    title = (raw or "").strip()
    if not title:
        raise ValidationError("Give the instrument a title.", field="title")
    return limit_length(title, TITLE_MAX, "title")


def clean_description(raw: str | None) -> str:
    """A trimmed description within the length limit."""
    return limit_length((raw or "").strip(), DESCRIPTION_MAX, "description")


def limit_length(text: str, most: int, name: str) -> str:
    """Return `text` or raise a ValidationError naming the field when it is too long."""
    if len(text) > most:
        raise ValidationError(f"Keep the {name} to {most} characters or fewer.", field=name)
    return text


