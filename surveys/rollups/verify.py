"""Compare the rollup tables with the same aggregates computed afresh from the raw tables."""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.rollups.aggregates import EVERY

# Sums of per-respondent averages are floats added in a different order by increments and by a
# rebuild; anything within this relative tolerance is the same number.
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Difference:
    """The first disagreement found: which table, which row (its key) and which column."""

    table: str
    key: dict
    column: str
    rollup: object
    raw: object

    def __str__(self) -> str:
        where = ", ".join(f"{k}={v}" for k, v in self.key.items())
        return (f"{self.table} ({where}): {self.column} is {self.rollup} in the rollup "
                f"but {self.raw} in the raw tables")


def _same(a, b) -> bool:
    if a is None or b is None:
        return a == b
    return math.isclose(float(a), float(b), rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def _rows(session: Session, stmt, nkeys: int) -> dict:
    return {tuple(r[:nkeys]): tuple(r[nkeys:]) for r in session.execute(stmt)}


def verify(session: Session) -> Difference | None:
    """The first difference between the rollups and the raw tables, or None when they agree."""
    for agg in EVERY:
        table = agg.model.__table__
        stored = _rows(session, select(*[table.c[c] for c in (*agg.keys, *agg.values)]), len(agg.keys))
        fresh = _rows(session, agg.select(), len(agg.keys))
        for key in sorted(set(stored) | set(fresh), key=lambda k: tuple(str(x) for x in k)):
            mine = stored.get(key, (None,) * len(agg.values))
            if key not in fresh and all(v == 0 for v in mine):
                continue  # a row counted down to nothing (an erased person's invitations) is no row
            theirs = fresh.get(key, (None,) * len(agg.values))
            for column, a, b in zip(agg.values, mine, theirs):
                if not _same(a, b):
                    return Difference(table.name, dict(zip(agg.keys, key)), column, a, b)
    return None
