"""`tandem report ...`: the same report pipelines as the web pages, printed as text or CSV."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from surveys import audit
from surveys.errors import TandemError
from surveys.exports import csvsafe
from webapp.db import get_session


@click.group("report", help="Print reports (the same numbers as the report pages).")
def report_group():
    pass


@report_group.command("linkage")
@click.option("--program", "program_code", help="Employee program code (default: the one with the most responses).")
@click.option("--confidence", default=0.95, show_default=True, type=click.FloatRange(0.5, 0.999),
              help="Interval level (csv and json formats, like the page: 0.9, 0.95 or 0.99).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="table: tests and linked pairs as text; csv/json: the page's figures, as /reports/linkage.csv|json.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, writable=True),
              help="Also write every test, unrounded, with every LinkageRow field, as CSV to this file.")
@with_appcontext
def linkage(program_code, confidence, fmt, csv_path):
    """Correlate team EX with the customer outcomes of the teams' touchpoints (lags 0 and 1)."""
    # The statistics stack (numpy, pandas, scipy, statsmodels) loads only when a report is asked for.
    from surveys.insights.reports import build
    from surveys.insights.reports import linkage as linkage_report
    from surveys.insights.reports.params import ReportParams, Scope
    from webapp.reports.params import settings

    result = None
    try:
        if fmt != "table":
            params = ReportParams(program=program_code, options={"confidence": str(confidence)})
            report = build(get_session(read_only=True), "linkage", params, Scope(None), settings())
            from surveys.exports import reports as export_formats

            text = export_formats.to_json(report) if fmt == "json" else export_formats.to_csv(report)
            click.echo(text, nl=fmt == "json")
        if fmt == "table" or csv_path:
            if not program_code:  # as every report: the program with the most responses
                from surveys.insights.reports.common import resolve_program

                program_code = resolve_program(get_session(read_only=True), None).code
            result = linkage_report.linkage_analysis(
                get_session(read_only=True), program_code, min_group_size=current_app.config["MIN_GROUP_SIZE"],
                min_teams=current_app.config["LINKAGE_MIN_TEAMS"], process_target=current_app.config["PROCESS_TARGET"],
                confidence=confidence, with_outcomes=True)
    except TandemError as exc:
        where = f" ({exc.field})" if getattr(exc, "field", None) else ""
        raise click.ClickException(exc.message + where) from None
    if fmt == "table":
        _print_table(result, confidence)
    if csv_path and not result.too_few_teams:
        rep = result.report
        frame = rep.to_frame()
        csvsafe.write_file(csv_path, frame.columns, frame.itertuples(index=False, name=None))
        session = get_session(read_only=False)
        audit.record(session, None, "export.report_csv", "program", None, report="linkage", program=program_code,
                     rows=len(rep.rows))
        session.commit()
        click.echo(f"Wrote {len(rep.rows)} rows to {csv_path}.", err=fmt != "table")


def _print_table(result, confidence: float) -> None:
    """The tests as a text table, then one sentence per linked pair (the shared caveats are on the page)."""
    from analysis._wording import linked_sentence
    from surveys.insights.reports.linkage import TOO_FEW_TEAMS

    if result.too_few_teams:
        click.echo(f"{result.teams} teams with employee and customer results, fewer than {result.min_teams} "
                   f"(TANDEM_LINKAGE_MIN_TEAMS): {TOO_FEW_TEAMS}.")
        return
    rep = result.report
    click.echo(f"{len(result.units.frame)} team-waves, {len(result.waves)} waves, "
               f"{result.units.suppressed} cells hidden (fewer than {result.min_group_size} answers), "
               f"{rep.n_tests} tests.")
    click.echo(f"{'EX metric':<12} {'CX metric':<6} lag {'r':>6} {'interval':>16} {'q':>7} {'n':>5} {'reverse r':>9}  linked")
    for r in rep.rows:
        click.echo(f"{r.ex_metric:<12} {r.cx_metric:<6} {r.lag:>3} {r.r:>6.2f} "
                   f"{f'{r.ci_low:.2f} to {r.ci_high:.2f}':>16} {r.q_value:>7.3f} {r.n:>5} "
                   f"{r.reverse_r:>9.2f}  {'yes' if r.linked else 'no'}")
    click.echo("")
    for r in rep.rows:
        if r.linked:
            click.echo("- " + linked_sentence(result.labels.get(r.ex_metric, r.ex_metric),
                                              result.labels.get(r.cx_metric, r.cx_metric),
                                              r.lag, r.r, r.ci_low, r.ci_high, r.n, confidence,
                                              reverse=(r.reverse_r, r.reverse_linked)))
    click.echo("\nAssociations between team averages, not causes; the page lists the caveats that apply to every pair.")


from webapp.cli import report_show  # noqa: E402  (adds `tandem report NAME` for every registered report)

report_show.register(report_group)
