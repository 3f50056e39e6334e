"""`tandem report NAME`: every registered report printed as a table, CSV or JSON (the page's numbers)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from surveys.errors import TandemError
from surveys.insights.reports import REPORTS
from surveys.insights.reports.params import COMPARISONS

TABLE_COLUMNS = ("unit", "metric", "period", "value", "ci_low", "ci_high", "n")


def _options(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"'{pair}' is not KEY=VALUE.", param_hint="--option")
        out[key] = value
    return out


def _table(report) -> str:
    cols = report.columns()
    rows = [dict(zip(cols, row)) for row in report.rows()]
    extra = [c for c in cols if c not in TABLE_COLUMNS and c not in ("unit_name", "suppressed")]
    shown = [c for c in TABLE_COLUMNS if any(r.get(c) is not None for r in rows) or c in ("unit", "value")] + extra

    def cell(row, c):
        if row["suppressed"] and c in ("value",):
            return f"fewer than {report.threshold}"
        v = row.get(c)
        return "—" if v is None else str(v)

    table = [shown] + [[cell(r, c) for c in shown] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(shown))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip() for line in table]
    head = [f"{report.title} — " + ", ".join(f"{k} {v}" for k, v in report.params.items() if v is not None)]
    return "\n".join(head + [""] + lines + [""] + [f"- {n}" for n in report.notes])


def make_command(name: str) -> click.Command:
    """A `tandem report NAME` command for one registered report."""

    @click.command(name, help=f"{REPORTS[name]} report (the same numbers as /reports/{name}).")
    @click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
    @click.option("--program", help="Employee program code (default: the one with the most responses).")
    @click.option("--wave", help="Wave label (default: the latest closed wave).")
    @click.option("--unit", help="Team code (default: the whole organisation).")
    @click.option("--compare", type=click.Choice(COMPARISONS), default="org", show_default=True)
    @click.option("--option", "pairs", multiple=True, metavar="KEY=VALUE",
                  help="A report-specific filter, as on the page (e.g. metric=csat); repeatable.")
    @with_appcontext
    def command(fmt, program, wave, unit, compare, pairs):
        from flask import current_app  # noqa: F401  (app context is active)

        from surveys.exports import reports as export_formats
        from surveys.insights.reports import build
        from surveys.insights.reports.params import ReportParams, Scope
        from webapp.db import get_session
        from webapp.reports.params import settings

        try:
            params = ReportParams(program, wave, unit, compare, _options(pairs))
            report = build(get_session(read_only=True), name, params, Scope(None), settings())
        except TandemError as exc:
            where = f" ({exc.field})" if getattr(exc, "field", None) else ""
            raise click.ClickException(exc.message + where) from None
        if fmt == "json":
            click.echo(export_formats.to_json(report))
        elif fmt == "csv":
            click.echo(export_formats.to_csv(report), nl=False)
        else:
            click.echo(_table(report))

    return command


def register(group: click.Group) -> None:
    """Add a command per registered report to `group` (commands already there are kept)."""
    for name in REPORTS:
        if name not in group.commands:
            group.add_command(make_command(name))
