"""Start-up time of ``tandem --help``, the whole process, against a bare Python start.

The command is ``python -c "import sys; sys.argv=['tandem','--help']; from webapp.cli import main; main()"``
(what the ``tandem`` console script runs), started from the repository root so this checkout's code
runs; the baseline is ``python -c pass`` with the same interpreter. The two run in turn, A B A B ...,
after one untimed run of each; figures are the medians of wall-clock seconds from start to exit, and
the ratio is the median of the pair-by-pair ratios. Target: ``tandem --help`` <= 1 s.

The environment points the app at a throw-away SQLite path and gives a secret key, so a run writes
nothing into the checkout (``--help`` does not open the database).

Run from the repository root::

    python bench/bench_cli.py
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_reports import Row, table
from data import OUT, ROOT

HELP = "import sys; sys.argv=['tandem','--help']; from webapp.cli import main; main()"
TARGET_SECONDS = 1.0
PAIRS = 7


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(TANDEM_DATABASE_URL=f"sqlite:///{OUT / 'cli-bench.sqlite'}",
               TANDEM_SECRET_KEY="bench-secret-key-0123456789", TANDEM_INSTANCE_PATH=str(OUT / "instance"))
    return env


def _wall(code: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, timeout=120)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"python -c {code!r} exited {done.returncode}: {done.stderr.strip()[-1000:]}")
    return seconds


def measure(pairs: int = PAIRS) -> tuple[list[str], list[Row]]:
    env = _env()
    _wall(HELP, env), _wall("pass", env)  # warm-up: the OS file cache, .pyc files
    helps, bares = [], []
    for _ in range(pairs):
        helps.append(_wall(HELP, env))
        bares.append(_wall("pass", env))
    cli, bare = statistics.median(helps), statistics.median(bares)
    paired = statistics.median(a / b for a, b in zip(helps, bares))
    context = [f"tandem --help: {pairs} runs alternating with `python -c pass`; whole process, wall clock; "
               f"min {min(helps):.3f} s, max {max(helps):.3f} s; median of pair ratios {paired:.1f}x"]
    return context, [Row("tandem --help (whole process)", cli, bare, f"<= {TARGET_SECONDS:.0f} s",
                         cli <= TARGET_SECONDS)]


def main() -> int:
    context, rows = measure()
    print("\n".join(context))
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
