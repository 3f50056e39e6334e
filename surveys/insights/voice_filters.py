"""The /voice filters read from query arguments: each bad value is dropped and named, never a 500."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.metrics import CX_METRICS
from surveys.db import parse_id
from surveys.models import CHANNELS, Team, Theme, Touchpoint
from surveys.org import hierarchy

DEFAULT_DAYS = 90
BANDS = ("detractor", "passive", "promoter", "unhappy")
# Mean sentiment of a response's comments (-1..+1): negative below -0.25, positive from +0.25, neutral between.
SENTIMENTS = {"negative": (-1.0, -0.25), "neutral": (-0.25, 0.25), "positive": (0.25, 1.0)}
SCALES = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}
ORIGINS = ("surveyed", "imported")
TEXT_MAX = 200
MAX_PAGE = 100_000


@dataclass(frozen=True)
class VoiceFilters:
    """Which customer interactions the list shows; `errors` names every argument that was ignored."""

    start: dt.date
    end: dt.date
    channel: str | None = None
    touchpoint_id: int | None = None
    touchpoint: str = ""
    team: str = ""
    department: str = ""
    team_ids: frozenset[int] | None = None
    origin: str | None = None
    band: str | None = None
    metric: str | None = None
    low: int | None = None
    high: int | None = None
    theme_id: int | None = None
    sentiment: str | None = None
    text: str = ""
    page: int = 1
    errors: tuple[str, ...] = ()

    def args(self, **change) -> dict[str, str]:
        """These filters as query arguments (for links to other pages and the export)."""
        f = replace(self, **change) if change else self
        out = {"from": f.start.isoformat(), "to": f.end.isoformat(), "channel": f.channel, "touchpoint": f.touchpoint,
               "team": f.team, "department": f.department, "origin": f.origin, "band": f.band, "metric": f.metric,
               "min": f.low, "max": f.high, "theme": f.theme_id, "sentiment": f.sentiment, "q": f.text,
               "page": f.page if f.page != 1 else None}
        return {k: str(v) for k, v in out.items() if v not in (None, "")}


FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def _date(args: Mapping[str, str], name: str, label: str, errors: list[str]) -> dt.date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        errors.append(f"The {label} date '{raw[:30]}' is not a date such as 2026-10-31; it is ignored.")
        return None
    if not FIRST_DAY <= day <= LAST_DAY:  # also keeps `end - 89 days` and the export's range from overflowing
        errors.append(f"The {label} date {day} is outside {FIRST_DAY.year} to {LAST_DAY.year}; it is ignored.")
        return None
    return day


def _choice(args, name: str, allowed, label: str, errors: list[str]) -> str | None:
    raw = (args.get(name) or "").strip().lower()
    if raw and raw not in allowed:
        errors.append(f"{label} '{raw[:30]}' is not one of {', '.join(allowed)}; that filter is ignored.")
        return None
    return raw or None


def _int(args, name: str, label: str, lo: int, hi: int, errors: list[str]) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not (raw.lstrip("-").isascii() and raw.lstrip("-").isdigit()) or not lo <= int(raw) <= hi:
        errors.append(f"The {label} '{raw[:30]}' must be a whole number from {lo} to {hi}; it is ignored.")
        return None
    return int(raw)


def parse_filters(session: Session, args: Mapping[str, str], today: dt.date) -> VoiceFilters:
    """Filters from query arguments; defaults to the last DEFAULT_DAYS days up to `today`."""
    errors: list[str] = []
    end = _date(args, "to", "to", errors) or today
    start = _date(args, "from", "from", errors) or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        errors.append(f"The from date {start} is after the to date {end}; the two are swapped.")
        start, end = end, start
    channel = _choice(args, "channel", CHANNELS, "Channel", errors)
    origin = _choice(args, "origin", ORIGINS, "Origin", errors)
    band = _choice(args, "band", BANDS, "Score band", errors)
    sentiment = _choice(args, "sentiment", tuple(SENTIMENTS), "Sentiment", errors)
    metric = _choice(args, "metric", CX_METRICS, "Score", errors)
    low = high = None
    if metric:
        lo, hi = SCALES[metric]
        low = _int(args, "min", f"lowest {metric.upper()}", lo, hi, errors)
        high = _int(args, "max", f"highest {metric.upper()}", lo, hi, errors)
        if low is not None and high is not None and low > high:
            errors.append(f"The lowest {metric.upper()} {low} is above the highest {high}; the two are swapped.")
            low, high = high, low
    elif (args.get("min") or args.get("max") or "").strip():
        errors.append("A score range needs a score (CSAT, NPS or CES) to apply to; it is ignored.")
    touchpoint_id, tp_code = None, (args.get("touchpoint") or "").strip()
    if tp_code:
        touchpoint_id = session.scalar(select(Touchpoint.id).where(Touchpoint.code == tp_code))
        if touchpoint_id is None:
            errors.append(f"There is no touchpoint '{tp_code[:40]}'; that filter is ignored.")
            tp_code = ""
    team_ids, codes = None, {}
    for name, label in (("department", "department"), ("team", "team")):
        code = (args.get(name) or "").strip()
        if not code:
            continue
        team_id = session.scalar(select(Team.id).where(Team.code == code))
        if team_id is None:
            errors.append(f"There is no {label} '{code[:40]}'; that filter is ignored.")
            continue
        codes[name] = code
        subtree = frozenset(hierarchy.team_scope(session, team_id))
        team_ids = subtree if team_ids is None else team_ids & subtree
    theme_id = None
    if (args.get("theme") or "").strip():
        theme_id = parse_id(args["theme"])
        if theme_id is None or session.get(Theme, theme_id) is None:
            errors.append(f"There is no theme '{args['theme'][:30]}'; that filter is ignored.")
            theme_id = None
    text = " ".join((args.get("q") or "").split())
    if len(text) > TEXT_MAX:
        errors.append(f"The search text is longer than {TEXT_MAX} characters; only its start is searched.")
        text = text[:TEXT_MAX]
    page = _int(args, "page", "page", 1, MAX_PAGE, errors) or 1
    return VoiceFilters(start, end, channel, touchpoint_id, tp_code, codes.get("team", ""),
                        codes.get("department", ""), team_ids, origin, band, metric, low, high, theme_id, sentiment,
                        text, page, tuple(errors))
