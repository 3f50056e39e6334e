"""Write-time summaries that the reports read: kept in the same transaction as every write.

`add_responses` is called by every path that stores responses (an answered survey, a public or
contact link, an imported file, the demo); the participation rollup (invitations and released
receipts) is kept by `surveys.rollups.participation`; `rebuild` recomputes every table from the raw
ones and `verify` compares them. Responses flagged as part of a flood are in none of them (aggregates.not_flagged):
`remove_responses` takes them out when they are flagged after being counted, `add_responses` puts them
back when HR releases them. Increments are upserts (`n = n + excluded.n`) in the database, never a
read-modify-write in Python, so two hosts writing at once cannot lose one.
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, bindparam, delete, insert, update
from sqlalchemy.orm import Session

from surveys.models import Response
from surveys.rollups import participation
from surveys.rollups.aggregates import AGGREGATES, EVERY, THEMES, Aggregate, not_flagged
from surveys.rollups.verify import Difference, verify

__all__ = ["Difference", "add_responses", "add_selected", "add_themes", "not_flagged", "participation", "rebuild",
           "remove_responses", "verify"]

# Ids per statement: well under SQLite's and PostgreSQL's bound-parameter limits.
CHUNK = 2000


def _upsert(dialect: str, agg: Aggregate, ids=None, one: bool = False):
    """INSERT ... SELECT ... ON CONFLICT DO UPDATE adding to the existing row, for the responses `:ids`
    (or those the SELECT `ids` names; with `one`, the one response `:id`)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:  # pragma: no cover - Tandem supports SQLite and PostgreSQL
        raise RuntimeError(f"Rollups need SQLite or PostgreSQL, not {dialect}.")
    table = agg.model.__table__
    where = [Response.id == bindparam("id") if one else
             Response.id.in_(bindparam("ids", expanding=True) if ids is None else ids)]
    stmt = dialect_insert(table).from_select([*agg.keys, *agg.values], agg.select(where))
    return stmt.on_conflict_do_update(index_elements=list(agg.keys),
                                      set_={v: table.c[v] + stmt.excluded[v] for v in agg.values})


# Built once per dialect: constructing the four statements costs ten times more than running them.
# They are immutable SQL constructs, not application state.
_UPSERTS: dict[str, tuple] = {}


def _statements(dialect: str, audience: str | None, labelled: bool, one: bool = False) -> tuple:
    """The upserts that can add rows for responses of `audience` (None: either), theme ones only if `labelled`;
    `one`: for a single response (`:id`)."""
    key = f"{dialect}-{audience}-{labelled}-{one}"
    if key not in _UPSERTS:
        _UPSERTS[key] = tuple(_upsert(dialect, agg, one=one) for agg in AGGREGATES
                              if (audience is None or agg.audience in (None, audience))
                              and (labelled or agg not in THEMES))
    return _UPSERTS[key]


def add_responses(session: Session, response_ids: Sequence[int], *, audience: str | None = None,
                  labelled: bool = True) -> None:
    """Add freshly inserted responses (already flushed, with their answers) to every rollup.

    A caller that knows more skips statements that would add nothing: `audience` ("employee": no touchpoint,
    "customer": a touchpoint) when every response is of that audience, `labelled=False` when no comment of
    theirs is labelled yet (a new response: `themes.label_new` adds the theme rollups after labelling).
    """
    ids = list(response_ids)
    if len(ids) == 1:
        # A submission's one response: `id = :id` is compiled once and cached, where an expanding IN list
        # is rendered again at every execution (a fifth of the rollups' cost per public submission).
        for stmt in _statements(session.get_bind().dialect.name, audience, labelled, one=True):
            session.execute(stmt, {"id": ids[0]})
        return
    statements = _statements(session.get_bind().dialect.name, audience, labelled)
    for start in range(0, len(ids), CHUNK):
        for stmt in statements:
            session.execute(stmt, {"ids": ids[start:start + CHUNK]})


def add_selected(session: Session, ids: Select) -> None:
    """Add the responses whose ids the SELECT `ids` names to every rollup but the theme ones.

    For a bulk import: one statement per rollup for the whole file, where add_responses needs one per
    2,000 responses and binds every id. The theme rollups are left to `add_themes`, which the labelling
    calls as it writes labels.
    """
    dialect = session.get_bind().dialect.name
    for agg in AGGREGATES:
        if agg not in THEMES:
            session.execute(_upsert(dialect, agg, ids))


def add_themes(session: Session, response_ids: Sequence[int], audience: str | None = None) -> None:
    """Add the comment labels of stored responses to the theme rollups (labelled after `add_responses` ran).

    `audience` ("employee" or "customer"), when every response is of it, skips the other audience's rollup.
    """
    dialect = session.get_bind().dialect.name
    key = f"themes-{dialect}-{audience}"
    if key not in _UPSERTS:
        _UPSERTS[key] = tuple(_upsert(dialect, agg) for agg in THEMES if audience in (None, agg.audience))
    ids = list(response_ids)
    for start in range(0, len(ids), CHUNK):
        for stmt in _UPSERTS[key]:
            session.execute(stmt, {"ids": ids[start:start + CHUNK]})


def remove_responses(session: Session, response_ids: Sequence[int]) -> None:
    """Take counted responses back out of every rollup (call it before flagging them).

    Each affected row is decremented in the database (`n = n - :n`), never read and rewritten, and a
    row left with no responses is deleted, as a rebuild would not have it.
    """
    ids = list(response_ids)
    for start in range(0, len(ids), CHUNK):
        where = [Response.id.in_(ids[start:start + CHUNK])]
        for agg in AGGREGATES:
            table = agg.model.__table__
            for row in session.execute(agg.select(where)).all():
                key = [table.c[k] == v for k, v in zip(agg.keys, row[:len(agg.keys)])]
                values = dict(zip(agg.values, row[len(agg.keys):]))
                session.execute(update(table).where(*key).values(
                    {v: table.c[v] - (values[v] or 0) for v in agg.values}))
                session.execute(delete(table).where(*key, table.c["n"] <= 0))


def rebuild(session: Session) -> None:
    """Recompute every rollup from the raw tables (in the caller's transaction)."""
    for agg in EVERY:
        session.execute(delete(agg.model))
        session.execute(insert(agg.model).from_select([*agg.keys, *agg.values], agg.select()))


def rebuild_themes(session: Session) -> None:
    """Recompute only the theme rollups from the labels (after a refresh, merge, rule change or purge)."""
    for agg in THEMES:
        session.execute(delete(agg.model))
        session.execute(insert(agg.model).from_select([*agg.keys, *agg.values], agg.select()))

