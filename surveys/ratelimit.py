"""Fixed-window counters in the database, shared by every web process and host.

Keys are keyed hashes, never addresses or emails. A key may carry a scope prefix ("login:..."); finished
windows are pruned within the key's own scope, so limits with different window lengths do not erase
each other's current counts.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, case, delete, exists, false, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from surveys.models import RateLimitHit, utcnow

_EPOCH = dt.datetime(1970, 1, 1)


@dataclass(frozen=True)
class RateLimit:
    """At most `max_hits` hits per key in each window of `window_seconds`."""

    max_hits: int
    window_seconds: int

    def window_start(self, now: dt.datetime) -> dt.datetime:
        """Start of the fixed window holding `now`."""
        seconds = int((now - _EPOCH).total_seconds())
        return _EPOCH + dt.timedelta(seconds=seconds - seconds % self.window_seconds)


# Built once per dialect: building the statement costs more than running it (bound parameters vary).
_UPSERTS: dict[tuple, object] = {}


def _counting(dialect: str, scoped: bool):
    if (dialect, scoped) not in _UPSERTS:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        # On the table, not the mapped class: an ORM-enabled upsert costs the ORM's bulk DML path (four times
        # the CPU of this Core statement), and no RateLimitHit object is ever loaded to keep in step.
        table = RateLimitHit.__table__
        stmt = insert(table).values(key=bindparam("key"), window_start=bindparam("start"), count=1)
        # With a first hit, whether the key's scope holds finished windows: the prune below runs only then (a
        # flood check makes a new key on nearly every public submission, and there is rarely anything to prune).
        old = table.alias("old")
        finished = exists().where(old.c.window_start < bindparam("start"),
                                  old.c.key.startswith(bindparam("scope")) if scoped else ~old.c.key.contains(":"))
        _UPSERTS[(dialect, scoped)] = stmt.on_conflict_do_update(
            index_elements=["key", "window_start"], set_={"count": table.c.count + 1}
        ).returning(table.c.count, case((table.c.count == 1, finished), else_=false()))
    return _UPSERTS[(dialect, scoped)]


def count_hit(session: Session, key: str, limit: RateLimit, now: dt.datetime | None = None) -> int:
    """Count one hit for `key` in the current window and return the window's count.

    An atomic upsert returning the count it left, so concurrent requests on several hosts cannot both slip
    under a limit, in one round trip.
    """
    start = limit.window_start(now or utcnow())
    scope = key.split(":", 1)[0] + ":" if ":" in key else None
    count, finished = session.execute(_counting(session.get_bind().dialect.name, scope is not None),
                                      {"key": key, "start": start, "scope": scope}).one()
    if count == 1 and finished:
        # A key's first hit in a new window: a cheap moment to drop its scope's finished windows.
        session.execute(_PRUNE_SCOPE if scope else _PRUNE_UNSCOPED, {"start": start, "scope": scope})
    return count


# Built once (a flood check prunes on nearly every public submission: each new answer set is a new key).
# Core DELETEs on the table: the ORM's bulk delete would also synchronise the session (RETURNING every key
# deleted, or evaluating the criteria against the identity map), and nothing here holds RateLimitHit rows.
_HITS = RateLimitHit.__table__
_PRUNE_SCOPE = delete(_HITS).where(_HITS.c.window_start < bindparam("start"), _HITS.c.key.startswith(bindparam("scope")))
_PRUNE_UNSCOPED = delete(_HITS).where(_HITS.c.window_start < bindparam("start"), ~_HITS.c.key.contains(":"))


_HITS_NOW = select(_HITS.c.count).where(_HITS.c.key == bindparam("key"), _HITS.c.window_start == bindparam("start"))
# The same read as a column of another statement (bound parameters :key and :start, see `hits`).
HITS_COLUMN = _HITS_NOW.scalar_subquery()


def hits(session: Session, key: str, limit: RateLimit, now: dt.datetime | None = None) -> int:
    """Hits counted for `key` in the current window (a plain read: it takes no lock)."""
    start = limit.window_start(now or utcnow())
    return session.scalar(_HITS_NOW, {"key": key, "start": start}) or 0
