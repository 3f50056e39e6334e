"""Flood detection on public links: one sender posting the same answers through many addresses.

The per-address rate limit stops one address; a flood through many addresses is caught by what it
cannot hide, its answers and its volume. A public submission is flagged when both hold:

- burst: at least `burst.max_hits` submissions with the same answer set (the same numeric answers,
  comments ignored) reached this link (program + touchpoint) within one window of `burst.window_seconds`;
- volume: the link's public submissions today, this one included, reach max(`day_min`, `factor` x its
  mean daily public submissions over the previous BASELINE_DAYS days, floods excluded).

A flagged response is stored but counted in no rollup, so no report shows it. A burst is noticed only
once it has started: the first time a burst is flagged in a window, the link's earlier responses of the
same day with the same answer set are flagged too and taken out of the rollups. HR sees flagged floods
per link and day and can release a false positive, which counts them again. Everything is audited.

What is kept: the burst counter is a row in rate_limit_hits keyed by an HMAC of (wave, touchpoint,
answer set) with the window's start, deleted once its window has passed; a flag holds the response id,
the reason and whether it was released. No address, person, or time of day is stored.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import case, exists, func, insert, select, update
from sqlalchemy.orm import Session

from surveys import audit, ratelimit, rollups
from surveys.errors import NotFound
from surveys.models import Answer, FlaggedResponse, Program, Question, Response, Touchpoint, Wave
from surveys.ratelimit import RateLimit

BASELINE_DAYS = 28
REASON = "burst"
_KEY_HEX = 48  # 192 bits of the HMAC: ample against collisions, and fits rate_limit_hits.key


@dataclass(frozen=True)
class FloodRules:
    """When a public link's submissions count as a flood (see the module docstring)."""

    secret: str
    burst: RateLimit = RateLimit(5, 600)
    day_min: int = 30
    factor: int = 5

    @classmethod
    def from_config(cls, config: Mapping) -> FloodRules:
        """Rules from FLOOD_BURST ("5/600"), FLOOD_DAY_MIN and FLOOD_FACTOR, keyed by SECRET_KEY."""
        hits, seconds = (int(p) for p in str(config.get("FLOOD_BURST") or "5/600").split("/"))
        return cls(config["SECRET_KEY"], RateLimit(hits, seconds), int(config.get("FLOOD_DAY_MIN") or 30),
                   int(config.get("FLOOD_FACTOR") or 5))


@dataclass(frozen=True)
class FloodGroup:
    """Flagged responses of one link on one day, as HR sees them."""

    program_code: str
    program_name: str
    touchpoint_code: str
    touchpoint_name: str
    day: dt.date
    reason: str
    held: int
    released: int


def answer_set_key(secret: str, wave_id: int, touchpoint_id: int, answers: Iterable[tuple]) -> str:
    """HMAC (hex, truncated) of a link's answer set: (question id, value, text) triples, comments ignored
    when any answer is numeric, so a flood cannot hide behind varied comments."""
    answers = list(answers)
    numeric = sorted((qid, value) for qid, value, _text in answers if value is not None)
    items = numeric or sorted((qid, (text or "").strip().lower()) for qid, _value, text in answers)
    payload = json.dumps([wave_id, touchpoint_id, items], separators=(",", ":"))
    return hmac.new(secret.encode(), f"flood:{payload}".encode(), hashlib.sha256).hexdigest()[:_KEY_HEX]


def check(session: Session, rules: FloodRules, wave: Wave, touchpoint: Touchpoint,
          parsed: Mapping[Question, tuple], now: dt.datetime) -> str | None:
    """Count this submission's answer set; return the flag reason when it is part of a flood, else None.

    The first flag of a burst window also flags the link's earlier same-day responses with this answer set.
    """
    digest = answer_set_key(rules.secret, wave.id, touchpoint.id, ((q.id, v, t) for q, (v, t) in parsed.items()))
    if ratelimit.count_hit(session, f"flood:{digest}", rules.burst, now) < rules.burst.max_hits:
        return None  # the cheap test first: ordinary traffic stops here
    today = now.date()
    volume = 1 + (session.scalar(select(func.count()).select_from(Response).where(
        Response.wave_id == wave.id, Response.touchpoint_id == touchpoint.id, Response.source == "public_link",
        Response.submitted_on == today)) or 0)
    if volume < max(rules.day_min, rules.factor * _baseline(session, wave.program_id, touchpoint.id, today)):
        return None
    if ratelimit.count_hit(session, f"floodsweep:{digest}", rules.burst, now) == 1:
        earlier = _sweep(session, rules.secret, wave, touchpoint, today, digest)
        program_code = session.scalar(select(Program.code).where(Program.id == wave.program_id))
        audit.record(session, None, "flood.flag", "touchpoint", touchpoint.id, program=program_code,
                     touchpoint=touchpoint.code, day=today.isoformat(), reason=REASON, earlier=earlier,
                     volume=volume)
    return REASON


def _baseline(session: Session, program_id: int, touchpoint_id: int, today: dt.date) -> float:
    """Mean public submissions a day at the link over the previous BASELINE_DAYS days, floods excluded."""
    total = session.scalar(select(func.count()).select_from(Response).join(Wave, Wave.id == Response.wave_id).where(
        Wave.program_id == program_id, Response.touchpoint_id == touchpoint_id, Response.source == "public_link",
        Response.submitted_on >= today - dt.timedelta(days=BASELINE_DAYS), Response.submitted_on < today,
        rollups.not_flagged())) or 0
    return total / BASELINE_DAYS


def _sweep(session: Session, secret: str, wave: Wave, touchpoint: Touchpoint, today: dt.date, digest: str) -> int:
    """Flag (and take out of the rollups) today's unflagged responses at the link with this answer set."""
    rows = session.execute(
        select(Response.id, Answer.question_id, Answer.value, Answer.text)
        .join(Answer, Answer.response_id == Response.id)
        .where(Response.wave_id == wave.id, Response.touchpoint_id == touchpoint.id,
               Response.source == "public_link", Response.submitted_on == today,
               ~exists().where(FlaggedResponse.response_id == Response.id)))
    answers: dict[int, list[tuple]] = defaultdict(list)
    for rid, qid, value, text in rows:
        answers[rid].append((qid, value, text))
    ids = sorted(rid for rid, items in answers.items()
                 if answer_set_key(secret, wave.id, touchpoint.id, items) == digest)
    flag(session, ids)
    return len(ids)


def flag(session: Session, response_ids: list[int], reason: str = REASON) -> None:
    """Hold counted responses out of the reports: out of the rollups first, then marked."""
    if not response_ids:
        return
    rollups.remove_responses(session, response_ids)
    session.execute(insert(FlaggedResponse), [{"response_id": rid, "reason": reason} for rid in response_ids])


def groups(session: Session) -> list[FloodGroup]:
    """Flagged responses per program, touchpoint and day (newest first): how many held, how many released."""
    released = func.sum(case((FlaggedResponse.released.is_(True), 1), else_=0))
    rows = session.execute(
        select(Program.code, Program.name, Touchpoint.code, Touchpoint.name, Response.submitted_on,
               FlaggedResponse.reason, func.count(), released)
        .join(Response, Response.id == FlaggedResponse.response_id).join(Wave, Wave.id == Response.wave_id)
        .join(Program, Program.id == Wave.program_id).join(Touchpoint, Touchpoint.id == Response.touchpoint_id)
        .group_by(Program.code, Program.name, Touchpoint.code, Touchpoint.name, Response.submitted_on,
                  FlaggedResponse.reason)
        .order_by(Response.submitted_on.desc(), Program.code, Touchpoint.code))
    return [FloodGroup(p, pn, t, tn, day, reason, total - (rel or 0), rel or 0)
            for p, pn, t, tn, day, reason, total, rel in rows]


def release(session: Session, program_code: str, touchpoint_code: str, day: dt.date,
            actor_id: int | None = None) -> int:
    """Release a link's flagged responses of one day (a false positive): they count in the reports again."""
    ids = list(session.scalars(
        select(FlaggedResponse.response_id).join(Response, Response.id == FlaggedResponse.response_id)
        .join(Wave, Wave.id == Response.wave_id).join(Program, Program.id == Wave.program_id)
        .join(Touchpoint, Touchpoint.id == Response.touchpoint_id)
        .where(Program.code == program_code, Touchpoint.code == touchpoint_code, Response.submitted_on == day,
               FlaggedResponse.released.is_(False))))
    if not ids:
        raise NotFound(f"No held responses at {program_code}/{touchpoint_code} on {day.isoformat()}; "
                       "they may have been released already.")
    for start in range(0, len(ids), rollups.CHUNK):
        session.execute(update(FlaggedResponse).where(FlaggedResponse.response_id.in_(ids[start:start + rollups.CHUNK]))
                        .values(released=True).execution_options(synchronize_session=False))
    rollups.add_responses(session, ids)
    touchpoint_id = session.scalar(select(Touchpoint.id).where(Touchpoint.code == touchpoint_code))
    audit.record(session, actor_id, "flood.release", "touchpoint", touchpoint_id, program=program_code,
                 touchpoint=touchpoint_code, day=day.isoformat(), released=len(ids))
    session.flush()
    return len(ids)
