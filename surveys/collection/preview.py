"""Preview a wave as a respondent: signed, expiring links and page steps that never write anything.

A preview walks the wave's real pages and checks answers with the same rules as a submission
(submission.check_answers and parse_all, through question_types), but it keeps the answers only in the
form the browser sends back: no response, answer, receipt, draft or rate-limit row is ever written.
The link carries only the wave id, signed with the secret key (itsdangerous), so it cannot be forged
into another wave, cannot be used as an invitation and reveals nothing about respondents.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.collection.paging import paginate
from surveys.collection.submission import AnswersInvalid, check_answers, parse_all
from surveys.errors import NotFound, TandemError, ValidationError
from surveys.models import Program, Question, Wave

SALT = "tandem.wave-preview"  # a token signed for anything else never opens a preview
DEFAULT_DAYS, MAX_DAYS = 7, 90
ACTIONS = ("next", "back", "submit")
INVALID = ("This preview link is not valid. Please copy the whole link, or ask for a new one from the "
           "program page or with `tandem links preview`.")
EXPIRED = "This preview link has expired. Please ask for a new one from the program page."


class PreviewLinkExpired(TandemError):
    """A correctly signed preview link past its expiry."""

    status = 400

    def __init__(self):
        super().__init__(EXPIRED)


def preview_path(token: str) -> str:
    """Path of a preview link, to put after the base URL."""
    return f"/r/p/{token}"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def make_token(secret_key: str, wave_id: int, days: int = DEFAULT_DAYS) -> str:
    """A signed token naming one wave, valid for `days` days (1 to MAX_DAYS) from now."""
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(f"A preview link lasts 1 to {MAX_DAYS} days, not {days}.", field="days")
    return _serializer(secret_key).dumps({"w": wave_id, "d": days})


def wave_for_token(session: Session, secret_key: str, token: str, now: dt.datetime | None = None) -> Wave:
    """The wave a preview token names; NotFound when forged or unknown, PreviewLinkExpired when old."""
    try:
        data, signed_at = _serializer(secret_key).loads(token or "", max_age=MAX_DAYS * 86400,
                                                        return_timestamp=True)
    except SignatureExpired:
        raise PreviewLinkExpired() from None
    except BadSignature:
        raise NotFound(INVALID) from None
    if not (isinstance(data, dict) and isinstance(data.get("w"), int) and isinstance(data.get("d"), int)):
        raise NotFound(INVALID)
    now = now or dt.datetime.now(dt.timezone.utc)
    if now.replace(tzinfo=dt.timezone.utc) > signed_at + dt.timedelta(days=data["d"]):
        raise PreviewLinkExpired()
    wave = session.get(Wave, data["w"])
    if wave is None:
        raise NotFound(INVALID)
    return wave


def find_wave(session: Session, label: str, program_code: str | None = None) -> Wave:
    """The wave with this label (in this program); a label used by several programs needs the program."""
    query = select(Wave).join(Program).where(Wave.label == label)
    if program_code:
        query = query.where(Program.code == program_code)
    waves = list(session.scalars(query.order_by(Program.code)))
    if not waves:
        where = f" in program '{program_code}'" if program_code else ""
        raise NotFound(f"There is no wave labelled '{label}'{where}.")
    if len(waves) > 1:
        codes = ", ".join(w.program.code for w in waves)
        raise ValidationError(f"Several programs have a wave labelled '{label}' ({codes}); choose one with --program.",
                              field="program")
    return waves[0]


def pages(wave: Wave) -> list[list[Question]]:
    """The wave's pages as a respondent gets them: employees page through, customers get one page."""
    questions = wave.survey.questions
    return paginate(questions) if wave.program.audience == "employee" else [list(questions)]


@dataclass(frozen=True)
class PreviewStep:
    """Where a preview goes after a page: the page to show, every answer so far, errors, finished."""

    page: int
    answers: dict[str, object]
    errors: dict[str | None, str] = field(default_factory=dict)
    finished: bool = False


def step(wave: Wave, page: int, carried: Mapping[str, object], posted: Mapping[str, object],
         action: str) -> PreviewStep:
    """Check one posted page like a real one and move ("next", "back") or finish ("submit"); store nothing."""
    if action not in ACTIONS:
        raise ValidationError(f"Unknown form action '{action}'.", field="action")
    all_pages = pages(wave)
    if not 0 <= page < len(all_pages):
        raise ValidationError("That page does not exist; please open the preview link again.", field="page")
    questions = all_pages[page]
    kept, errors = check_answers(questions, posted, require=action != "back")
    codes = {q.code for q in wave.survey.questions}
    on_page = {q.code for q in questions}
    answers = {code: value for code, value in carried.items() if code in codes and code not in on_page}
    answers.update(kept)
    if errors:
        return PreviewStep(page, answers, errors)
    if action != "submit":
        target = page + 1 if action == "next" else page - 1
        return PreviewStep(min(max(target, 0), len(all_pages) - 1), answers)
    if page != len(all_pages) - 1:
        raise ValidationError("Please go through the remaining pages before submitting.", field="page")
    try:
        parse_all(wave.survey.questions, answers)  # the same final check as a real submission
    except AnswersInvalid as exc:
        first = next((i for i, p in enumerate(all_pages) if any(q.code in exc.errors for q in p)), 0)
        return PreviewStep(first, answers, exc.errors)
    return PreviewStep(page, answers, finished=True)
