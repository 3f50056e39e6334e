"""The strongest employee-customer links for a digest: the dashboard's top three FDR-significant pairs of the
linkage report (surveys/insights/reports/_links.strongest), computed once per data version and kept in the
report cache, so a hundred recipients cost one linkage analysis. Organisation-wide: HR and executives only."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveys.insights import cache
from surveys.insights.figures import ParamError
from surveys.insights.reports import _links
from surveys.insights.reports.common import resolve_program
from surveys.insights.reports.params import ReportSettings

CACHE_NAME = "digest-links"


@dataclass(frozen=True)
class Link:
    """One linked pair: the correlation r between team-waves with its interval, n and q-value, in a sentence."""

    pair: str
    r: float
    low: float
    high: float
    n: int
    q_value: float
    lag: str
    finding: str


@dataclass(frozen=True)
class Links:
    """Up to three links and the note saying what was tested; `pending` is a cache entry still to store."""

    links: tuple[Link, ...]
    note: str
    pending: tuple[str, str, str] | None = None  # (key, version, body) when computed and not stored


def _from_figures(result: _links.Links) -> tuple[Link, ...]:
    out = []
    for f in result.figures:
        extra = dict(f.extra)
        ex, _, cx = f.metric.removeprefix("link:").partition(">")
        out.append(Link(f"{ex} → {cx}", f.value, f.ci_low, f.ci_high, f.n, extra["q_value"], f.period or "",
                        extra["finding"]))
    return tuple(out)


def strongest(session: Session, settings: ReportSettings, *, store: bool = True) -> Links:
    """The top links from the cache, or computed and cached (flushed when `store`, else returned as `pending`
    for a writable session to store: a page view reads in a read-only transaction)."""
    try:
        program = resolve_program(session, None)
    except ParamError as exc:
        return Links((), f"Employee-customer links: {exc}")
    key = cache.key(CACHE_NAME, program.code, asdict(settings))
    version = cache.data_version(session)
    stored = cache.get(session, key, version)
    if stored is not None:
        data = json.loads(stored)
        return Links(tuple(Link(**item) for item in data["links"]), data["note"])
    result = _links.strongest(session, program.code, settings)
    links = Links(_from_figures(result), result.note)
    body = json.dumps({"links": [asdict(x) for x in links.links], "note": links.note})
    if store:
        _put(session, key, version, body)
        return links
    return Links(links.links, links.note, (key, version, body))


def _put(session: Session, key: str, version: str, body: str) -> None:
    try:
        with session.begin_nested():
            cache.put(session, key, version, body)
    except IntegrityError:
        pass  # another host or reader stored the same links a moment ago: theirs will do


def store_pending(session: Session, links: Links) -> None:
    """Keep links computed by a read-only reader for the next one (flushes; the caller commits)."""
    if links.pending:
        _put(session, *links.pending)
