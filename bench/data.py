"""The benchmark data: demo data built once into a cached SQLite file, scratch copies, baselines.

Data comes from the project's own demo builder, written once into a cached SQLite file under
``bench/out/`` whose name carries the builder's parameters and a fingerprint of the schema and demo
code (``migrations/versions``, ``surveys/models``, ``demo``), so a change to any of them rebuilds it:

- default: ``build_demo(seed=7, teams=200, waves=12)``, about 0.5M answers;
- ``--quick``: ``build_demo(seed=7, teams=40, waves=6)``, the ``make demo`` organisation;
- ``--large``: ``build_large(seed=7)``, 10,000+ employees, 500 teams, 12 waves, 1,000,000 customer
  responses, about 4.75M answers (a minute or two to build on SQLite).

With ``--database-url postgresql://...`` the same data is built into that database when it has no
``engagement-pulse`` program yet, and measured there.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alembic import command  # noqa: E402
from sqlalchemy import Engine, make_url, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from demo import build_demo, build_large  # noqa: E402
from migrations import alembic_config  # noqa: E402
from surveys.db import make_engine  # noqa: E402
from surveys.models import Program, Wave  # noqa: E402

OUT = ROOT / "bench" / "out"
PROGRAM = "engagement-pulse"
CUSTOMER_PROGRAM = "cx-always-on"
# Baselines, each timed in the same run as the figures divided by it.
FULL_SCAN_SQL = "SELECT count(*), sum(value) FROM answers"
RAW_AGGREGATION_SQL = ("SELECT r.team_id, a.question_id, count(*), sum(a.value) FROM answers a "
                       "JOIN responses r ON r.id = a.response_id WHERE r.wave_id = :wave GROUP BY 1, 2")
_BY = "SELECT {keys}, a.question_id, count(*), sum(a.value), sum(a.value * a.value) FROM answers a " \
      "JOIN responses r ON r.id = a.response_id WHERE a.value IS NOT NULL AND {where} GROUP BY {keys}, a.question_id"
# What each report page summarises, aggregated from the raw answers (or invitations) without any rollup:
# the cost of the page's numbers before the rollups. :wave / :cx_wave are the latest employee and customer
# waves, :program the employee program's id.
RAW_SQL = {
    "index": ("invitations and receipts by wave",
              "SELECT i.wave_id, count(*), count(s.invitation_id) FROM invitations i "
              "LEFT JOIN submission_receipts s ON s.invitation_id = i.id GROUP BY i.wave_id"),
    "participation": ("invitations and receipts by unit, latest wave",
                      "SELECT i.unit_team_id, count(*), count(s.invitation_id) FROM invitations i "
                      "LEFT JOIN submission_receipts s ON s.invitation_id = i.id WHERE i.wave_id = :wave "
                      "GROUP BY i.unit_team_id"),
    "team_wave": ("team x question, latest employee wave", _BY.format(keys="r.team_id", where="r.wave_id = :wave")),
    "heatmap": ("team x question, latest employee wave and customer answers of its period",
                _BY.format(keys="r.wave_id, r.team_id", where="r.wave_id IN (:wave, :cx_wave)")),
    "trends": ("wave x question, every employee wave",
               _BY.format(keys="r.wave_id", where="r.touchpoint_id IS NULL")),
    "drivers": ("team x wave x question, every employee wave",
                _BY.format(keys="r.wave_id, r.team_id", where="r.touchpoint_id IS NULL")),
    "linkage": ("team x wave x question, every employee and customer wave",
                _BY.format(keys="r.wave_id, r.team_id", where="1 = 1")),
    "customers": ("touchpoint x wave x question, every customer answer",
                  _BY.format(keys="r.wave_id, r.touchpoint_id", where="r.touchpoint_id IS NOT NULL")),
    "questions": ("question x value, latest employee wave",
                  "SELECT a.question_id, a.value, count(*) FROM answers a JOIN responses r ON r.id = a.response_id "
                  "WHERE r.wave_id = :wave AND a.value IS NOT NULL GROUP BY a.question_id, a.value"),
    "comments": ("the comments of the latest employee wave, by team",
                 "SELECT r.team_id, a.text FROM answers a JOIN responses r ON r.id = a.response_id "
                 "WHERE r.wave_id = :wave AND a.text IS NOT NULL"),
}
# actions: their effects read the same team x wave sums. dashboard: besides one wave's employee figures and
# 180 days of customer figures, it shows the strongest links of the linkage report's tests (an executive's
# and HR's dashboard: the benchmark's reader), which summarise every employee and customer wave.
RAW_FOR = {"/reports/": "index", "actions": "team_wave", "dashboard": "linkage"}


@dataclass(frozen=True)
class DataSet:
    """One way of building the benchmark data; `key` names its cache file."""

    key: str
    describe: str
    build: Callable[[Session, Callable[[str], None]], object]
    runs: int  # timed runs per figure (median reported)


def dataset(size: str) -> DataSet:
    """The data set for `size` ('quick', 'default' or 'large')."""
    if size == "quick":
        return DataSet("demo-seed7-teams40-waves6", "build_demo(seed=7, teams=40, waves=6)",
                       lambda s, say: build_demo(s, seed=7, teams=40, waves=6), runs=5)
    if size == "large":
        return DataSet("large-seed7", "build_large(seed=7)",
                       lambda s, say: build_large(s, seed=7, progress=say), runs=3)
    return DataSet("demo-seed7-teams200-waves12", "build_demo(seed=7, teams=200, waves=12)",
                   lambda s, say: build_demo(s, seed=7, teams=200, waves=12), runs=5)


def fingerprint() -> str:
    """Short hash of the code that decides the cached file's contents."""
    digest = hashlib.sha1()
    for folder in ("migrations/versions", "surveys/models", "demo"):
        for path in sorted((ROOT / folder).glob("*.py")):
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


def _sqlite_path(spec: DataSet) -> Path:
    return OUT / f"reports-{spec.key}-{fingerprint()}.sqlite"


def _finished_steps_only(say: Callable[[str], None]) -> Callable[[str], None]:
    # The writer reports "answers: 20,000 / 3,000,000" per chunk; keep only each step's last line.
    def filtered(msg: str) -> None:
        done = re.search(r"([\d,]+) / ([\d,]+)$", msg)
        if done is None or done.group(1) == done.group(2):
            say(msg)
    return filtered


def checkpoint(engine: Engine) -> None:
    """Fold a SQLite file's WAL into the file (autocommit, outside any BEGIN)."""
    raw = engine.raw_connection()
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def _build(url: str, spec: DataSet, say) -> float:
    """Migrate `url` to head, build the data set, commit; return the build seconds."""
    say = _finished_steps_only(say)
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    start = time.perf_counter()
    with Session(engine) as session:
        spec.build(session, say)
        session.commit()
    seconds = time.perf_counter() - start
    if url.startswith("sqlite"):
        checkpoint(engine)
    engine.dispose()
    return seconds


def prepare(spec: DataSet, database_url: str | None, say=print) -> tuple[str, float | None, bool]:
    """Return (url, build seconds, built now), building the data only when it is not there yet."""
    if database_url:
        command.upgrade(alembic_config(database_url), "head")
        engine = make_engine(database_url)
        with Session(engine) as session:
            present = session.scalar(select(Program.id).where(Program.code == PROGRAM)) is not None
        engine.dispose()
        if present:
            return database_url, None, False
        say(f"building {spec.describe} into {make_url(database_url).render_as_string()} ...")
        return database_url, _build(database_url, spec, say), True

    path, meta = _sqlite_path(spec), _sqlite_path(spec).with_suffix(".json")
    if path.exists() and meta.exists():
        return f"sqlite:///{path}", json.loads(meta.read_text())["build_seconds"], False
    OUT.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for stale in OUT.glob(f"reports-{spec.key}-*"):  # older schema or demo code, and half builds
        stale.unlink()
    say(f"building {spec.describe} into {path.relative_to(ROOT)} (once; cached for later runs) ...")
    seconds = _build(f"sqlite:///{partial}", spec, say)
    for suffix in ("-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    partial.rename(path)  # only a finished build gets the cache name
    meta.write_text(json.dumps({"build_seconds": seconds, "builder": spec.describe}))
    return f"sqlite:///{path}", seconds, True


@contextmanager
def scratch_copy(url: str) -> Iterator[str]:
    """A throw-away copy of a SQLite database for benchmarks that write; the cached file stays clean."""
    source = Path(make_url(url).database)
    copy = OUT / f"scratch-{os.getpid()}.sqlite"
    try:
        shutil.copyfile(source, copy)
        yield f"sqlite:///{copy}"
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)


def latest_wave(session: Session, program_code: str) -> Wave:
    """The program's most recent wave that is not a draft."""
    return session.scalars(select(Wave).join(Wave.program).where(Program.code == program_code,
                                                                  Wave.status != "draft")
                           .order_by(Wave.opens_at.desc()).limit(1)).one()


def raw_aggregation(session: Session) -> Callable[[], object]:
    """The baseline 'one raw aggregation over answers by team and question for the latest employee wave'."""
    wave_id = latest_wave(session, PROGRAM).id
    return lambda: session.execute(text(RAW_AGGREGATION_SQL), {"wave": wave_id}).all()


def raw_queries(session: Session) -> dict[str, Callable[[], object]]:
    """Each RAW_SQL aggregation as a callable bound to this data's latest waves."""
    wave = latest_wave(session, PROGRAM)
    binds = {"wave": wave.id, "cx_wave": latest_wave(session, CUSTOMER_PROGRAM).id, "program": wave.program_id}

    def runner(sql: str) -> Callable[[], object]:
        statement = text(sql)
        return lambda: session.execute(statement, {k: v for k, v in binds.items() if f":{k}" in sql}).all()
    return {key: runner(sql) for key, (_label, sql) in RAW_SQL.items()}


def raw_key(report: str) -> str:
    """The RAW_SQL entry a report page or export is compared with."""
    return RAW_FOR.get(report, report)


def parse_args(argv=None, doc: str | None = None, epilog: str | None = None) -> argparse.Namespace:
    """The benchmarks' shared options (size, database, growth); `epilog` adds a caller's own to --help."""
    parser = argparse.ArgumentParser(description=(doc or __doc__).split("\n")[0], epilog=epilog)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="the small make-demo organisation")
    size.add_argument("--large", action="store_true", help="build_large: ~4.75M answers")
    parser.add_argument("--database-url", help="measure on this database (e.g. postgresql://...) "
                                               "instead of a cached SQLite file")
    parser.add_argument("--growth-base", choices=("quick", "default", "large"),
                        help="bench_growth: the data set that is 1x (default: the run's own size)")
    parser.add_argument("--growth-sizes", default="1,3,10",
                        help="bench_growth: multiples of the base to measure (default 1,3,10)")
    return parser.parse_args(argv)


def size_of(args: argparse.Namespace) -> str:
    return "quick" if args.quick else "large" if args.large else "default"
