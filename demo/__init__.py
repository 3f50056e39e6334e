"""The demo organisation: Northwind Outfitters, with a planted, documented link between EX and CX.

`generate` (pure: config → frames) and `write` (frames → database) are kept apart so determinism and
the planted effects can be checked without a database. `build_demo` and `build_large` are the two
services `tandem demo` calls; both flush and leave the commit to the caller.
"""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from demo.follow_ups import add_follow_ups
from demo.generate import LARGE, DemoConfig, DemoData, generate, wave_calendar
from demo.outcomes import write_outcomes
from demo.model import DEFAULT_MODEL, DIMENSIONS, PlantedModel
from demo.result import DemoResult, Login
from demo.writer import DEMO_PASSWORD, Progress, write

__all__ = ["DEFAULT_MODEL", "DEMO_PASSWORD", "DIMENSIONS", "LARGE", "DemoConfig", "DemoData", "DemoResult",
           "Login", "PlantedModel", "build_demo", "build_large", "generate", "wave_calendar", "write"]


def build_demo(session: Session, *, seed: int = 7, teams: int = 40, waves: int = 6) -> DemoResult:
    """Build the demo organisation into an empty database: same seed, same data."""
    data = generate(DemoConfig(seed=seed, teams=teams, waves=waves))
    result = write(session, data)
    write_outcomes(session, data)  # business outcomes (churn, complaints), through the importer
    add_follow_ups(session, seed)  # recent unhappy customers who left contact details, and their cases
    return result


def build_large(session: Session, *, seed: int = 7, progress: Progress = None,
                config: DemoConfig = LARGE) -> DemoResult:
    """Build the benchmark data set (10,000+ employees, 500 teams, 12 waves, 1,000,000 customer responses)."""
    say = progress or (lambda _msg: None)
    say("Generating the large data set ...")
    data = generate(replace(config, seed=seed))
    say(f"Generated {len(data.employee):,} employee and {len(data.customer):,} customer responses; "
        "writing ...")
    return write(session, data, progress=progress)
