"""Customer feedback links: public touchpoint links, single-use contact links and abuse protection.

A public link /r/c/<program>/<touchpoint> lands in the program's open wave; anyone may answer, so
submissions are limited per client address (a keyed hash of it, counted in the database so every
web process shares the limit), a honeypot field turns away simple bots, and a flood through many
addresses is held out of the reports (floods.py).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections import namedtuple
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import bindparam, select, true
from sqlalchemy.orm import Session, joinedload

from surveys import audit, ratelimit
from surveys.collection import floods
from surveys.collection.answers import parse_all
from surveys.collection.floods import FloodRules
from surveys.collection.opening import INVALID_LINK, load_questions, questions_of, wave_is_open
from surveys.collection.storage import store_response
from surveys.errors import Conflict, NotFound, TandemError, ValidationError
from surveys.models import Invitation, Program, Response, Touchpoint, Wave, utcnow
from surveys.ratelimit import RateLimit
from surveys.tokens import new_token
from surveys.voice.contacts import ContactRequest

DEFAULT_RATE_LIMIT = "10/3600"
MAX_CONTACT_LINKS = 1000


class NotCollecting(Conflict):
    """The program has no wave open right now."""

    def __init__(self, program: Program):
        super().__init__(f"{program.respondent_title} is not collecting feedback right now. Thank you for your interest; "
                         "please try again another time.")


class RateLimited(TandemError):
    """Too many submissions from one address in the current window; `retry_after` is seconds to its end."""

    status = 429

    def __init__(self, retry_after: int | None = None):
        super().__init__("We have received many answers from your network recently, so we cannot accept "
                         "more right now. Please try again later.")
        self.retry_after = retry_after


class SpamRejected(TandemError):
    """The honeypot field was filled in, which people never do."""

    status = 400

    def __init__(self):
        super().__init__("Your answers could not be accepted. If you are a person, please reload the page "
                         "and answer again without filling in hidden fields.")


@dataclass(frozen=True)
class LinkTarget:
    """Where a public link leads: the program, the touchpoint and the wave collecting now."""

    program: Program
    touchpoint: Touchpoint
    wave: Wave


def parse_rate_limit(text: str | None) -> RateLimit:
    """Parse "N/SECONDS" (e.g. "10/3600"); raise ValidationError naming the setting otherwise."""
    raw = (text or DEFAULT_RATE_LIMIT).strip()
    try:
        hits, seconds = (int(part) for part in raw.split("/"))
    except ValueError:
        raise ValidationError(f"PUBLIC_RATE_LIMIT must look like '10/3600' (submissions/seconds), got {raw!r}.",
                              field="PUBLIC_RATE_LIMIT") from None
    if hits < 1 or seconds < 1:
        raise ValidationError(f"PUBLIC_RATE_LIMIT needs at least 1 submission per at least 1 second, "
                              f"got {raw!r}.",
                              field="PUBLIC_RATE_LIMIT")
    return RateLimit(hits, seconds)


def client_key(secret: str, address: str | None) -> str:
    """Keyed hash of a client address: counts can be kept without storing the address."""
    return hmac.new(secret.encode(), f"public-link:{address or 'unknown'}".encode(), hashlib.sha256).hexdigest()


def record_hit(session: Session, key: str, limit: RateLimit, now: dt.datetime | None = None) -> int:
    """Count one submission for `key` in the current window; raise RateLimited above the limit."""
    now = now or utcnow()
    count = ratelimit.count_hit(session, key, limit, now)
    if count > limit.max_hits:
        raise _limited(limit, now)
    return count


def refuse_if_limited(session: Session, key: str, limit: RateLimit, now: dt.datetime) -> None:
    """Raise RateLimited at once when `key` has used its window: a sender over the limit costs one read."""
    if ratelimit.hits(session, key, limit, now) >= limit.max_hits:
        raise _limited(limit, now)


def _limited(limit: RateLimit, now: dt.datetime) -> RateLimited:
    window_end = limit.window_start(now) + dt.timedelta(seconds=limit.window_seconds)
    return RateLimited(retry_after=max(1, int((window_end - now).total_seconds())))


def current_wave(session: Session, program: Program, now: dt.datetime | None = None) -> Wave | None:
    """The program's wave collecting answers now (the latest opened if several), or None."""
    return session.scalar(_statement("wave"), {"program_id": program.id, "now": now or utcnow()})


_STATEMENTS: dict[str, object] = {}


def _statement(name: str):
    """The link's lookups, built once per process (building one costs more than running it)."""
    if not _STATEMENTS:
        now = bindparam("now")
        wave = (select(Wave).where(Wave.program_id == bindparam("program_id"), Wave.status == "open",
                                   Wave.opens_at <= now, Wave.closes_at > now).order_by(Wave.opens_at.desc()).limit(1))
        _STATEMENTS.update({
            # One statement for both codes (each unique): an unknown program or touchpoint finds no row.
            "link": select(Program, Touchpoint).join(Touchpoint, true())
            .where(Program.code == bindparam("program_code"), Touchpoint.code == bindparam("touchpoint_code")),
            "wave": wave,
            # populate_existing: the lock may have waited for a close that committed meanwhile.
            # The questions follow by opening.load_questions (a statement built once, unlike selectinload's).
            "locked_wave": wave.options(joinedload(Wave.survey, innerjoin=True))
            .with_for_update(read=True, of=Wave).execution_options(populate_existing=True),
            "submit": _submit_lookup(now),
        })
    return _STATEMENTS[name]


def _submit_lookup(now):
    # A submission's lookups in one statement of plain columns: the link, its wave collecting now read FOR SHARE
    # (as "locked_wave"), and the sender's hits (ratelimit.hits). No row when any check fails.
    programs, touchpoints, waves = Program.__table__, Touchpoint.__table__, Wave.__table__
    return (select(touchpoints.c.id, touchpoints.c.code, touchpoints.c.team_id, touchpoints.c.channel, waves.c.id,
                   waves.c.program_id, waves.c.survey_id, waves.c.status, waves.c.opens_at, waves.c.closes_at,
                   ratelimit.HITS_COLUMN.label("hits"))
            .select_from(programs.join(touchpoints, true()).join(waves, waves.c.program_id == programs.c.id))
            .where(programs.c.code == bindparam("program_code"), touchpoints.c.code == bindparam("touchpoint_code"),
                   programs.c.audience == "customer", programs.c.active.is_(True), touchpoints.c.active.is_(True),
                   waves.c.status == "open", waves.c.opens_at <= now, waves.c.closes_at > now)
            .order_by(waves.c.opens_at.desc()).limit(1).with_for_update(read=True, of=waves))


# What a submission reads of its touchpoint and wave (store_response, floods.check, wave_is_open), from _submit_lookup.
_Touchpoint = namedtuple("_Touchpoint", "id code team_id channel")
_Wave = namedtuple("_Wave", "id program_id survey_id status opens_at closes_at")


def resolve(session: Session, program_code: str, touchpoint_code: str,
            now: dt.datetime | None = None, *, lock: bool = False) -> LinkTarget:
    """Look up a public link; NotFound for unknown codes, NotCollecting when no wave is open.

    `lock` (a submission): the wave is read FOR SHARE with its survey and questions, so a close (FOR UPDATE)
    waits for the insert and a close that committed first is seen (SQLite ignores FOR SHARE; its writers
    are serialised by BEGIN IMMEDIATE, surveys/db.py).
    """
    found = session.execute(_statement("link"), {"program_code": program_code,
                                                 "touchpoint_code": touchpoint_code}).first()
    program, touchpoint = found if found is not None else (None, None)
    if program is None or program.audience != "customer" or not touchpoint.active:
        raise NotFound(INVALID_LINK)
    wave = None
    if program.active:
        wave = session.scalars(_statement("locked_wave" if lock else "wave"),
                               {"program_id": program.id, "now": now or utcnow()}).first()
    if wave is None:
        raise NotCollecting(program)
    if lock:
        load_questions(session, wave.survey)
    return LinkTarget(program, touchpoint, wave)


def submit_public(session: Session, program_code: str, touchpoint_code: str,
                  raw_answers: Mapping[str, object], *, client: str, limit: RateLimit, honeypot: str = "",
                  now: dt.datetime | None = None,
                  flood: FloodRules | None = None, contact: ContactRequest | None = None) -> Response:
    """Store one answer set from a public touchpoint link, after the honeypot and rate-limit checks.

    `client` is client_key() of the address; with `flood` rules a submission judged part of a flood is
    stored held out of the reports (surveys/collection/floods.py), and the sender is not told. Raises SpamRejected, NotFound, NotCollecting,
    AnswersInvalid or RateLimited; the caller rolls back on any of them. The wave is read FOR SHARE
    and checked again, as for employees: a close (FOR UPDATE) waits for this insert, and a close that
    committed after resolve() is seen here, so no answer lands in a closed wave. The rate limit is counted
    after the insert, in the same transaction: a refused submission is rolled back with its count, as before.
    """
    now = now or utcnow()
    if honeypot and honeypot.strip():
        raise SpamRejected()
    # Refused submissions are rolled back with their count, so a used-up window holds exactly max_hits: the first
    # statement reads the sender's hits with the link and its wave, and a sender over the limit is refused before
    # any work (the counting upsert stays last, below).
    found = session.execute(_statement("submit"), {
        "program_code": program_code, "touchpoint_code": touchpoint_code, "now": now, "key": client,
        "start": limit.window_start(now)}).first()
    if found is None:
        # An unknown or inactive link, or no wave open: the lookups one by one refuse it as they always did.
        refuse_if_limited(session, client, limit, now)
        target = resolve(session, program_code, touchpoint_code, now, lock=True)
        wave, touchpoint, questions = target.wave, target.touchpoint, target.wave.survey.questions
        if not wave_is_open(wave, now):
            raise NotCollecting(target.program)
    else:
        if (found.hits or 0) >= limit.max_hits:
            raise _limited(limit, now)
        wave, touchpoint = _Wave(*found[4:10]), _Touchpoint(*found[:4])  # open: the statement asked for it
        questions = questions_of(session, wave.survey_id)
    parsed = parse_all(questions, raw_answers)
    flagged = floods.check(session, flood, wave, touchpoint, parsed, now) if flood else None
    response = store_response(session, wave=wave, team_id=touchpoint.team_id, source="public_link",
                              parsed=parsed, today=now.date(), touchpoint=touchpoint, flagged=flagged,
                              contact=contact, now=now)
    # Counted last, as exactly as first: over the limit, the caller rolls back the response with the count. The
    # address's counter row is one row for all its submissions (a whole office behind one NAT address), and on
    # PostgreSQL each submission holds it locked from this upsert to its commit: last, that is only the commit.
    record_hit(session, client, limit, now)
    return response


def issue_contact_links(session: Session, program_code: str, touchpoint_code: str, count: int, *,
                        now: dt.datetime | None = None, actor_id: int | None = None) -> list[str]:
    """Create `count` single-use links for customer contacts at a touchpoint; returns the plain tokens.

    Only the tokens' hashes are stored, so the returned list is the one chance to hand them out.
    """
    if not isinstance(count, int) or not 1 <= count <= MAX_CONTACT_LINKS:
        raise ValidationError(f"Choose between 1 and {MAX_CONTACT_LINKS} links, got {count!r}.", field="count")
    program = session.scalar(select(Program).where(Program.code == program_code))
    if program is None or program.audience != "customer":
        raise NotFound(f"There is no customer program with code '{program_code}'.")
    touchpoint = session.scalar(select(Touchpoint).where(Touchpoint.code == touchpoint_code))
    if touchpoint is None or not touchpoint.active:
        raise NotFound(f"There is no active touchpoint with code '{touchpoint_code}'.")
    wave = current_wave(session, program, now) if program.active else None
    if wave is None:
        raise Conflict(f"Program '{program.code}' has no wave open now; open one before issuing contact links.")
    tokens = []
    for _ in range(count):
        token, token_hash = new_token()
        session.add(Invitation(wave_id=wave.id, touchpoint_id=touchpoint.id, token_hash=token_hash))
        tokens.append(token)
    session.flush()
    audit.record(session, actor_id, "links.contact_issue", "touchpoint", touchpoint.id,
                 program=program.code, wave=wave.label, count=count)
    session.flush()
    return tokens


def public_path(program_code: str, touchpoint_code: str) -> str:
    """Path of a touchpoint's public link in a program."""
    return f"/r/c/{quote(program_code, safe='')}/{quote(touchpoint_code, safe='')}"


def contact_path(token: str) -> str:
    """Path of a single-use contact link."""
    return f"/r/t/{token}"


def link_targets(session: Session, now: dt.datetime | None = None) -> tuple[list[Touchpoint], list[tuple]]:
    """Touchpoints (with their team) and active customer programs with the wave open now (or None)."""
    now = now or utcnow()
    touchpoints = list(session.scalars(select(Touchpoint).options(joinedload(Touchpoint.team))
                                       .order_by(Touchpoint.code)))
    programs = list(session.scalars(select(Program).where(Program.audience == "customer", Program.active)
                                    .order_by(Program.code)))
    # One query for every program's collecting wave (the latest opened wins, as in current_wave).
    collecting = session.scalars(
        select(Wave).where(Wave.program_id.in_([p.id for p in programs]), Wave.status == "open",
                           Wave.opens_at <= now, Wave.closes_at > now).order_by(Wave.opens_at)) if programs else []
    waves = {w.program_id: w for w in collecting}
    return touchpoints, [(p, waves.get(p.id)) for p in programs]


def link_for(session: Session, program_code: str, touchpoint_code: str) -> tuple[Program, Touchpoint]:
    """The customer program and touchpoint of a public link, whether or not a wave is open (for posters)."""
    program = session.scalar(select(Program).where(Program.code == program_code))
    if program is None or program.audience != "customer":
        raise NotFound(f"There is no customer program with code '{program_code}'.")
    touchpoint = session.scalar(select(Touchpoint).where(Touchpoint.code == touchpoint_code))
    if touchpoint is None:
        raise NotFound(f"There is no touchpoint with code '{touchpoint_code}'.")
    return program, touchpoint
