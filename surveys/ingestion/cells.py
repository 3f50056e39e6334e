"""Parsing single cells the same strict way in every import; each returns a value or an error text."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from surveys.errors import ValidationError
from surveys.instruments.question_types import parse_answer

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_CODE = 40
MAX_NAME = 200
MULTI_SEPARATOR = "|"


@dataclass(frozen=True)
class QuestionInfo:
    """What validating and storing an answer needs of a question, detached from the session."""

    id: int
    code: str
    qtype: str
    required: bool
    choices: tuple[str, ...] | None
    scale_min: int | None
    scale_max: int | None

    @classmethod
    def of(cls, q) -> QuestionInfo:
        """Snapshot an ORM Question."""
        return cls(q.id, q.code, q.qtype, q.required, tuple(q.choices) if q.choices else None,
                   q.scale_min, q.scale_max)


class CellError(Exception):
    """A bad cell; the message says what is wrong and what is expected."""


def code(raw: str, what: str = "code") -> str:
    """A non-blank identifier of at most MAX_CODE characters."""
    if not raw:
        raise CellError(f"The {what} is blank.")
    if len(raw) > MAX_CODE:
        raise CellError(f"The {what} '{raw[:50]}' is longer than {MAX_CODE} characters.")
    return raw


def name(raw: str, what: str = "name") -> str:
    """A non-blank display name of at most MAX_NAME characters."""
    if not raw:
        raise CellError(f"The {what} is blank.")
    if len(raw) > MAX_NAME:
        raise CellError(f"The {what} is longer than {MAX_NAME} characters.")
    return raw


def iso_date(raw: str) -> dt.date:
    """A date written YYYY-MM-DD, nothing else: 03/04/2026 means different days in different countries."""
    if not raw:
        raise CellError("The date is blank; expected YYYY-MM-DD, e.g. 2026-03-04.")
    if not DATE_RE.match(raw):
        raise CellError(f"'{raw}' is not a date in the format YYYY-MM-DD (e.g. 2026-03-04).")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CellError(f"'{raw}' is not a real date.") from None


def choice(raw: str, allowed: tuple[str, ...], what: str) -> str:
    """One of a fixed vocabulary, compared case-insensitively."""
    value = raw.lower()
    if value not in allowed:
        shown = f"'{raw}'" if raw else "A blank value"
        raise CellError(f"{shown} is not a valid {what}; use one of {', '.join(allowed)}.")
    return value


def answer(raw: str, question) -> tuple[int | None, str | None]:
    """Validate a non-blank answer with the same registry the web form uses (ranges, choices)."""
    value = [p.strip() for p in raw.split(MULTI_SEPARATOR) if p.strip()] if question.qtype == "multi_choice" else raw
    choices = question.choices or ()
    if question.qtype == "single_choice" and raw not in choices and not raw.isdigit():
        raise CellError(f"'{raw}' is not one of the choices: {', '.join(choices)}.")
    try:
        return parse_answer(question, value)
    except ValidationError as exc:
        hint = f" Choices: {', '.join(choices)} (separate several with '{MULTI_SEPARATOR}')." \
            if question.qtype == "multi_choice" else ""
        raise CellError(exc.message + hint) from None


def answer_memo(limit: int = 2000):
    """`answer` that remembers each valid non-text answer per (question, cell) for the rest of the file.

    A file repeats the same few scores on every row; the registry still decides each distinct value once.
    Bad values are never remembered (each is reported on its own line), and `limit` keeps memory bounded.
    """
    memo: dict[tuple[int, str], tuple[int | None, str | None]] = {}

    def parse(raw: str, question) -> tuple[int | None, str | None]:
        key = (question.id, raw)
        found = memo.get(key)
        if found is None:
            found = answer(raw, question)
            if question.qtype != "text" and len(memo) < limit:
                memo[key] = found
        return found

    return parse


def by_lower(codes) -> dict[str, str]:
    """Known codes indexed by their lower-case form, for `did_you_mean`."""
    return {c.lower(): c for c in codes}


def did_you_mean(code: str, lowered: dict[str, str]) -> str:
    """' Did you mean 'OPS'?' when `code` differs from a known code only by case, else ''.

    Codes are case-sensitive (OPS and ops may be different teams), so this is a hint, never a match.
    """
    match = lowered.get(code.lower())
    return f" Did you mean '{match}'?" if match else ""


def day_window(opens_at: dt.datetime, closes_at: dt.datetime) -> tuple[dt.date, dt.date]:
    """First and last calendar day on which a wave [opens_at, closes_at) was open.

    A wave closing at midnight does not cover the day that starts then, so back-to-back monthly
    waves never share a day.
    """
    return opens_at.date(), (closes_at - dt.timedelta(microseconds=1)).date()
