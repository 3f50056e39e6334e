"""A submission's extra cost for keeping the rollups: with ``add_responses`` vs with it made a no-op.

On a scratch copy of the cached SQLite file (the cache stays clean), the latest employee wave and the
latest customer wave are reopened, and submissions go through the service functions the web views
call, each in its own session and transaction, commit included (WAL, synchronous=FULL):

- employee: ``surveys.collection.submission.submit_invitation`` of an unused invitation whose draft
  holds a full set of answers, which queues it, then ``surveys.collection.queue.release`` of it (as a
  closing wave does), which writes the response and its rollups;
- customer: ``surveys.collection.public_links.submit_public`` through a touchpoint's public link.

The same kind of submission runs with the rollups kept (as shipped) and with
``surveys.rollups.add_responses`` replaced by a no-op (a monkeypatch inside this benchmark only),
alternating A B B A ... in one process so both see the same machine. Figure: median submission time
with rollups; baseline: median without; ratio = the cost of keeping rollups (target <= 1.20x, i.e. at
most 20% extra). The benchmark raises if the rollups did not count exactly the submissions made with
them (a no-op that did not take would make the ratio meaningless). On PostgreSQL (--database-url) the benchmark runs inside one outer transaction that
is rolled back at the end, the submissions' commits becoming savepoints.

Run from the repository root::

    python bench/bench_submit.py [--quick | --large] [--database-url URL]
"""
from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_reports import Row, table
from data import CUSTOMER_PROGRAM, PROGRAM, dataset, latest_wave, parse_args, prepare, scratch_copy, size_of
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from surveys import rollups
from surveys.collection import drafts, queue
from surveys.collection.public_links import submit_public
from surveys.collection.submission import submit_invitation
from surveys.db import make_engine
from surveys.models import Invitation, Person, RollupResponses, SubmissionReceipt, Touchpoint, Wave
from surveys.ratelimit import RateLimit
from surveys.tokens import derive_key

PAIRS, WARMUP = 30, 2  # pairs of (with, without) submissions per kind, after untimed warm-up pairs
TARGET = 1.20
NO_LIMIT = RateLimit(10**9, 3600)
QUEUE_KEY = derive_key("bench")


@contextmanager
def rollups_off() -> Iterator[None]:
    """`surveys.rollups.add_responses` as a no-op (callers look it up on the module at call time)."""
    kept = rollups.add_responses
    rollups.add_responses = lambda session, response_ids, **_kw: None
    try:
        yield
    finally:
        rollups.add_responses = kept


def _answers(questions, rng: random.Random) -> dict[str, str]:
    """A full set of raw answers: every scored question, no free text."""
    return {q.code: str(rng.randint(q.scale_min, q.scale_max)) for q in questions if q.scale_min is not None}


def _reopen(session: Session, wave: Wave) -> dt.datetime:
    wave.status = "open"
    return wave.opens_at + (wave.closes_at - wave.opens_at) / 2  # "now" for every submission


def set_up(session: Session, n: int) -> tuple[Callable[[Session, int], object], Callable[[Session, int], object]]:
    """Reopen the latest waves, give `n` unused invitations a full draft; return the two submit functions."""
    rng = random.Random(7)
    ex, cx = latest_wave(session, PROGRAM), latest_wave(session, CUSTOMER_PROGRAM)
    ex_now, cx_now = _reopen(session, ex), _reopen(session, cx)
    used = select(SubmissionReceipt.invitation_id)
    invitations = list(session.scalars(
        select(Invitation).join(Person, Person.id == Invitation.person_id)
        .where(Invitation.wave_id == ex.id, Invitation.id.not_in(used), Person.active, Person.team_id.is_not(None))
        .order_by(Invitation.id).limit(n)))
    if len(invitations) < n:
        raise RuntimeError(f"only {len(invitations)} unused invitations in {ex.label}, {n} needed")
    # Drafts are sealed with a key derived from each link's token (surveys/collection/drafts.py): the
    # benchmark makes up one key per invitation, as the respondent's browser would hold it.
    keys = [drafts.key_for(f"bench link {inv.id}") for inv in invitations]
    for inv, key in zip(invitations, keys):
        inv.draft = drafts.seal(key, inv.id, {"page": 0, "answers": _answers(ex.survey.questions, rng)})
        inv.draft_key_id = drafts.key_id(key)
    touchpoints = list(session.scalars(select(Touchpoint.code).where(Touchpoint.active).order_by(Touchpoint.id)))
    cx_answers = [_answers(cx.survey.questions, rng) for _ in range(n)]
    ids = [inv.id for inv in invitations]
    session.commit()

    def employee(s: Session, i: int):
        # Queued, then released at once (as a closing wave does): the response and its rollups are written.
        submit_invitation(s, ids[i], now=ex_now, key=keys[i])
        return queue.release(s, ex.id, everything=True)

    def customer(s: Session, i: int):
        return submit_public(s, CUSTOMER_PROGRAM, touchpoints[i % len(touchpoints)], cx_answers[i],
                             client=f"bench-{i}", limit=NO_LIMIT, now=cx_now)

    return employee, customer


def _timed(engine: Engine, outer, submit: Callable[[Session, int], object], i: int) -> tuple[float, object]:
    """One submission in its own session, from the first statement to the commit; (seconds, its result)."""
    bind = outer if outer is not None else engine
    with Session(bind=bind, join_transaction_mode="create_savepoint", expire_on_commit=False) as session:
        session.info["queue_key"] = QUEUE_KEY
        start = time.perf_counter()
        result = submit(session, i)
        session.commit()
        return time.perf_counter() - start, result


def alternate(engine: Engine, outer, submit, pairs: int, warmup: int) -> tuple[list[float], list[float], int]:
    """Submissions with and without rollups, A B B A ...; warm-up pairs are not kept.

    Also returns how many responses the submissions with rollups kept wrote: one each for customers; for
    employees, what the queue released (a lone answer pooled up to a root short of k stays sealed)."""
    on, off, written = [], [], 0
    for p in range(warmup + pairs):
        order = (True, False) if p % 2 == 0 else (False, True)
        for keep in order:
            i = 2 * p + (order.index(keep))
            if keep:
                seconds, result = _timed(engine, outer, submit, i)
                written += result if isinstance(result, int) else 1
            else:
                with rollups_off():
                    seconds, _result = _timed(engine, outer, submit, i)
            if p >= warmup:
                (on if keep else off).append(seconds)
    return on, off, written


def _counted(bind) -> dict[str, int]:
    """Responses counted in the rollups per source: only the submissions with rollups kept may add to it."""
    with Session(bind=bind, join_transaction_mode="create_savepoint") as session:
        rows = session.execute(select(RollupResponses.source, func.sum(RollupResponses.n))
                               .group_by(RollupResponses.source)).all()
        return {source: int(n) for source, n in rows}


def measure(url: str, pairs: int = PAIRS, warmup: int = WARMUP) -> tuple[list[Row], list[str]]:
    """Rows and context lines for both kinds of submission on `url` (a scratch database)."""
    engine = make_engine(url)
    outer_conn = outer = None
    try:
        if engine.dialect.name != "sqlite":  # no file to copy: one transaction, rolled back at the end
            outer_conn = engine.connect()
            outer = outer_conn.begin()
        n = 2 * (pairs + warmup)
        with Session(bind=outer_conn or engine, join_transaction_mode="create_savepoint",
                     expire_on_commit=False) as session:
            session.info["queue_key"] = QUEUE_KEY
            employee, customer = set_up(session, n)
        rows, notes = [], []
        for name, source, submit in (("employee submit_invitation", "invitation", employee),
                                     ("customer submit_public", "public_link", customer)):
            before = _counted(outer_conn or engine).get(source, 0)
            on, off, written = alternate(engine, outer_conn, submit, pairs, warmup)
            added = _counted(outer_conn or engine).get(source, 0) - before
            if added != written:  # the no-op did not take, or the rollups missed a submission
                raise RuntimeError(f"{name}: rollups counted {added} new responses, expected {written}")
            with_, without = statistics.median(on), statistics.median(off)
            paired = statistics.median(a / b for a, b in zip(on, off))
            rows.append(Row(f"{name} + rollups", with_, without, f"<= {TARGET:.2f}x", with_ / without <= TARGET))
            notes.append(f"{name}: {len(on)} with rollups (median {with_ * 1000:.1f} ms) and {len(off)} "
                         f"without (median {without * 1000:.1f} ms), alternating; median of pair ratios "
                         f"{paired:.2f}x")
        return rows, notes
    finally:
        if outer is not None:
            outer.rollback()
            outer_conn.close()
        engine.dispose()


def run(size: str = "default", database_url: str | None = None, say=print) -> tuple[list[str], list[Row]]:
    """Prepare the data for `size`; measure on a scratch copy (SQLite) or in a rolled-back transaction."""
    url, _seconds, _built = prepare(dataset(size), database_url, say=say)
    if url.startswith("sqlite"):
        with scratch_copy(url) as copy:
            rows, notes = measure(copy)
        notes.insert(0, "on a scratch copy of the cached SQLite file; each submission committed")
    else:
        rows, notes = measure(url)
        notes.insert(0, "inside one transaction rolled back at the end; each submission a savepoint")
    return notes, rows


def main(argv=None) -> int:
    args = parse_args(argv, __doc__)
    context, rows = run(size_of(args), args.database_url)
    print("\n".join(context))
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
