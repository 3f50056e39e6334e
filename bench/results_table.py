"""bench/results/latest.json as Markdown tables, one per database, for the README's Performance section.

Run from the repository root::

    python bench/results_table.py [bench/results/latest.json]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _seconds(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _ratio(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}×" if value < 10 else f"{value:.0f}×"


def runs_line(document: dict) -> list[str]:
    """One line per run: when, how, on what machine."""
    lines = []
    for i, run in enumerate(document["runs"]):
        m = run["machine"]
        load = ", ".join(f"{x:.1f}" for x in m["load_average"])
        lines.append(f"- run {i}: {run['measured_at']}, commit {run.get('commit') or 'unknown'}, "
                     f"`bench/run.py {' '.join(run['arguments'])}`, "
                     f"{run['total_seconds']:,} s; {m['cpus']} CPUs, Python {m['python']}, SQLite {m['sqlite']}, "
                     f"{m['platform']}; load average at the end {load}")
    return lines


def tables(document: dict) -> str:
    """The figures of each database as one Markdown table."""
    out = runs_line(document)
    for database in ("sqlite", "postgresql"):
        figures = [f for f in document["figures"] if f["database"] == database]
        if not figures:
            continue
        out += ["", f"**{NAMES[database]}**", "",
                "| Benchmark | Figure | Seconds | Baseline | Ratio | Target | Verdict | Run |", "|---|---|---|---|---|---|---|---|"]
        for f in figures:
            out.append(f"| {f['bench']} | {f['name']} | {_seconds(f['seconds'])} | {_seconds(f['baseline'])} | "
                       f"{_ratio(f['ratio'])} | {f['target'] or ''} | {f['verdict'] or ''} | {f['run']} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    path = Path(argv[0]) if argv else RESULTS
    if not path.exists():
        print(f"{path} does not exist: run `make bench` first", file=sys.stderr)
        return 1
    print(tables(json.loads(path.read_text())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
