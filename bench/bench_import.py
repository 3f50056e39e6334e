"""CSV import and the feedback export against the raw database work they wrap, in the same run.

A scratch database (a SQLite file under bench/out/, or a new PostgreSQL database on the server of
--database-url) gets 100 teams, an employee program with two past waves of a ten-question survey, a
customer program with monthly waves over 2025, 40 touchpoints and an HR admin (bench/imports/seed.py).
Two generated files (58,824 rows each, as in issue 12; 5,000 with --quick; 500,000 with --large or any
count with --rows) are then handled, each step in its own child process (bench/imports/child.py):

- raw executemany: read the CSV, map codes to ids, `executemany` the same responses and answers into the
  same tables in chunks of 5,000, one commit (into a twin wave, so the tables are the same size);
- import: `tandem import responses --program EMP --wave 2025-H1 FILE` / `tandem import feedback FILE`
  through Flask's CLI runner: every check, dedup, rollups, theme labelling and follow-up cases included;
- export: `GET /voice/export.csv` for the whole year as an HR admin, read to the last byte, against one
  streamed SQL query of the same responses and answers written by csv.writer.

Time is the step alone (after app start-up), row rate ratio = import rows/s / raw rows/s (target >= 0.5,
i.e. seconds <= 2x). Peak memory = the child's peak RSS (VmHWM, its ru_maxrss without the high-water
mark Linux carries over from the forking parent) minus that of an idle child which only
created the app and ran one query (target < 100 MB). Afterwards `tandem rollup verify` must pass and a second
import of the feedback file must be refused.

    python bench/bench_import.py [--quick | --large | --rows N] [--database-url postgresql://...]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench_ingest import scratch_database  # noqa: E402
from bench_reports import Row, table  # noqa: E402
from imports import seed as world  # noqa: E402

CHILD = HERE / "imports" / "child.py"
ROWS = {"quick": 5_000, "default": 58_824, "large": 500_000}
RATE_TARGET, PEAK_TARGET_MB = 0.5, 100.0
RUNS = 2


def child(url: str, *args: str) -> tuple[dict, float]:
    """Run one child step; its JSON result and its peak RSS in MB (VmHWM, as the child read it at its end)."""
    env = {**os.environ, "TANDEM_DATABASE_URL": url, "TANDEM_SECRET_KEY": "bench-" * 8,
           "PYTHONPATH": os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")])}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, str(CHILD), *args], stdout=out, stderr=err, env=env)
        proc.wait()
        out.seek(0)
        err.seek(0)
        lines = out.read().decode().strip().splitlines()
        if proc.returncode != 0 or not lines:
            raise RuntimeError(f"child {args} failed ({proc.returncode}): {err.read().decode()[-3000:]}")
    result = json.loads(lines[-1])
    return result, result["peak_kb"] / 1024


def run(rows: int, database_url: str | None, say=print, runs: int = RUNS) -> tuple[list[str], list[Row]]:
    """Seed a scratch database, then `runs` rounds of raw/import per file (new rows each round, as a second
    import of the same rows is refused) and of export/raw export; the best time and the worst peak of each."""
    url, cleanup = scratch_database(database_url)
    kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    best: dict[str, list[float]] = {}  # step -> [seconds, MB]

    def keep(step: str, seconds: float, mb: float) -> None:
        old = best.get(step, [seconds, mb])
        best[step] = [min(old[0], seconds), max(old[1], mb)]

    try:
        world.seed(url)
        with tempfile.TemporaryDirectory(dir=HERE / "out") as tmp:
            _, idle = child(url, "idle")
            for round_ in range(runs):
                files = {"responses": world.response_csv(Path(tmp) / f"responses{round_}.csv", rows, round_ * 2 + 1),
                         "feedback": world.feedback_csv(Path(tmp) / f"feedback{round_}.csv", rows, round_ * 2 + 2)}
                if round_ == 0:
                    say(f"{kind}: {rows:,} rows per file ({files['responses'].stat().st_size / 1e6:.1f} MB and "
                        f"{files['feedback'].stat().st_size / 1e6:.1f} MB), {runs} rounds; idle child {idle:.0f} MB")
                for name, command in (("responses", ["import", "responses", "--program", world.EMPLOYEE, "--wave",
                                                     world.WAVE]),
                                      ("feedback", ["import", "feedback", "--program", world.CUSTOMER])):
                    raw, raw_mb = child(url, "raw-insert", name, str(files[name]))
                    imp, imp_mb = child(url, "cli", *command, str(files[name]))
                    if imp["exit_code"] != 0:
                        raise RuntimeError(f"import {name} failed: {imp['output']}")
                    say(f"round {round_ + 1} {name}: raw {raw['seconds']:.1f} s {raw_mb - idle:.0f} MB, import "
                        f"{imp['seconds']:.1f} s {imp_mb - idle:.0f} MB")
                    keep(f"raw {name}", raw["seconds"], raw_mb - idle)
                    keep(f"import {name}", imp["seconds"], imp_mb - idle)
            for round_ in range(runs):
                exp, exp_mb = child(url, "export")
                raw, raw_mb = child(url, "raw-export")
                if exp.get("status") != 200 or exp["rows"] != raw["rows"]:
                    raise RuntimeError(f"export wrote {exp['rows']} rows, raw SQL {raw['rows']}")
                say(f"round {round_ + 1} export: {exp['rows']:,} rows {exp['bytes'] / 1e6:.1f} MB in "
                    f"{exp['seconds']:.1f} s {exp_mb - idle:.0f} MB; raw {raw['seconds']:.1f} s {raw_mb - idle:.0f} MB")
                keep("export", exp["seconds"], exp_mb - idle)
                keep("raw export", raw["seconds"], raw_mb - idle)
            verify, _ = child(url, "cli", "rollup", "verify")
            again, _ = child(url, "cli", "import", "feedback", "--program", world.CUSTOMER, str(files["feedback"]))
            refusal = (again["output"].strip().splitlines() or [""])[-1].strip()
            checks = (f"rollup verify exit {verify['exit_code']}; same feedback file again: exit "
                      f"{again['exit_code']}, {refusal[:100]}")
            say(checks)
            if verify["exit_code"] != 0 or again["exit_code"] == 0:
                raise RuntimeError(checks + "\n" + verify["output"])
    finally:
        cleanup()
    out: list[Row] = []
    for name in ("responses", "feedback"):
        out += _pair(f"import {name} ({kind}, {rows:,} rows)", *best[f"import {name}"], *best[f"raw {name}"])
    out += _pair(f"/voice/export.csv ({kind}, {exp['rows']:,} rows)", *best["export"], *best["raw export"])
    context = [f"{kind}: {rows:,} rows per file, best of {runs} rounds; peak = child peak RSS - idle child "
               f"({idle:.0f} MB); memory rows show MB in the seconds column", checks]
    return context, out


def _pair(name: str, seconds: float, mb: float, base: float, base_mb: float) -> list[Row]:
    return [Row(f"{name} s", seconds, base, f"<= {1 / RATE_TARGET:.1f}x (>= {RATE_TARGET}x rows/s)",
                seconds <= base / RATE_TARGET),
            Row(f"{name} peak MB over idle", mb, base_mb, f"< {PEAK_TARGET_MB:.0f} MB", mb < PEAK_TARGET_MB)]


def rows_for(args: argparse.Namespace) -> int:
    """Rows per file for the size flags (or --rows)."""
    if getattr(args, "rows", None):
        return args.rows
    return ROWS["quick" if args.quick else "large" if args.large else "default"]


def measure(args: argparse.Namespace) -> tuple[list[str], list[Row]]:
    """bench/run.py entry: SQLite, and PostgreSQL too when --database-url names one."""
    say = lambda msg: print(f"  {msg}", flush=True)  # noqa: E731
    n = rows_for(args)
    runs = 1 if n > 100_000 else RUNS  # a large file shows memory staying flat; one round is enough
    context, rows = run(n, None, say=say, runs=runs)
    if args.database_url and args.database_url.startswith("postgresql"):
        more, pg_rows = run(n, args.database_url, say=say, runs=runs)
        context, rows = context + more, rows + pg_rows
    return context, rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help=f"{ROWS['quick']:,} rows per file")
    size.add_argument("--large", action="store_true", help=f"{ROWS['large']:,} rows per file")
    size.add_argument("--rows", type=int, help="this many rows per file")
    parser.add_argument("--database-url", help="also measure on this PostgreSQL server (a scratch database)")
    args = parser.parse_args(argv)
    (HERE / "out").mkdir(exist_ok=True)
    context, rows = measure(args)
    print("\n".join(context))
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
