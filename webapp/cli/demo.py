"""`tandem demo`: seed the demo organisation (or the large benchmark data set)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from surveys.digests import subscriptions
from surveys.models import RollupCustomerDay
from surveys.org.accounts import count_people
from webapp.db import get_session


@click.command("demo")
@click.option("--seed", default=7, show_default=True, help="Same seed, same data.")
@click.option("--teams", default=40, show_default=True, type=click.IntRange(4, 2000))
@click.option("--waves", default=6, show_default=True, type=click.IntRange(2, 36))
@click.option("--size", type=click.Choice(["normal", "large"]), default="normal", show_default=True,
              help="large: 10,000 employees in 500 teams, 12 waves, 1,000,000 customer responses.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has people.")
@with_appcontext
def demo(seed, teams, waves, size, if_empty):
    """Build the demo organisation with a known, documented link between EX and CX."""
    import demo as demo_data  # numpy and pandas: loaded only when the demo is built (keeps `tandem` quick)

    session = get_session()
    if count_people(session) > 0:
        if if_empty:
            click.echo("The database already has data; the demo was not seeded.")
            return
        raise click.ClickException("The database already has people; the demo needs an empty database.")
    if size == "large":
        result = demo_data.build_large(session, seed=seed, progress=click.echo)
    else:
        result = demo_data.build_demo(session, seed=seed, teams=teams, waves=waves)
        subscriptions.subscribe_defaults(session, [login.email for login in result.logins])
        session.commit()
        _command_centre(session)
    session.commit()
    click.echo(result.describe())


def _command_centre(session) -> None:
    """What staff would have done by now: themes learned from the comments, and every day of the customer
    history scanned for breakdowns, so the command centre, /voice and the digests show them at once."""
    from surveys.alerts import scan as alert_scan  # the statistics stack: loaded only when the demo is built
    from surveys.themes.refresh import refresh as refresh_themes
    for audience in ("customer", "employee"):
        refresh_themes(session, audience)
    last_day = session.scalar(select(func.max(RollupCustomerDay.day)))
    if last_day is not None:
        found = alert_scan.scan(session, last_day, alert_scan.settings_from_config(current_app.config))
        click.echo(f"Breakdown scan of the customer history to {last_day}: {found.raised} alerts raised "
                   f"(tandem alerts list).")
