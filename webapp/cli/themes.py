"""`tandem themes ...`: learn, list and edit the themes of comments."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from surveys.errors import TandemError
from webapp.db import get_session


@click.group("themes", help="Themes and sentiment of customer and employee comments.")
def themes_group():
    pass


def _run(action):
    """Run a service in one transaction; a domain error becomes a one-line message (exit 1)."""
    session = get_session()
    try:
        result = action(session)
    except TandemError as exc:
        session.rollback()
        raise click.ClickException(exc.message) from None
    session.commit()
    return result


@themes_group.command("refresh")
@click.option("--audience", type=click.Choice(["customer", "employee", "all"]), default="all", show_default=True)
@click.option("--k", type=click.IntRange(2, 30), default=None, help="Number of themes (default: chosen from the data).")
@with_appcontext
def refresh(audience, k):
    """Re-learn themes from the organisation's comments and relabel every comment."""
    from surveys.themes.refresh import refresh as run

    audiences = ("customer", "employee") if audience == "all" else (audience,)
    failed = 0
    for aud in audiences:
        try:
            result = _run(lambda s: run(s, aud, k=k))
        except click.ClickException as exc:
            if audience != "all":
                raise
            failed += 1
            click.echo(f"{aud}: skipped: {exc.message}")
            continue
        kept = f"; staff names kept: {', '.join(result.kept_names)}" if result.kept_names else ""
        click.echo(f"{aud}: {len(result.themes)} themes learned from {result.n_comments} comments{kept}.")
        for tid, name in result.themes:
            click.echo(f"  {tid:>5}  {name}")
    if failed == len(audiences):
        raise click.ClickException("No themes were learned.")


@themes_group.command("list")
@click.option("--audience", type=click.Choice(["customer", "employee", "all"]), default="all", show_default=True)
@with_appcontext
def list_(audience):
    """Print every theme: id, audience, comments, name, top words and keyword rules."""
    from surveys.themes.listing import list_themes

    rows = list_themes(get_session(read_only=True), None if audience == "all" else audience,
                       current_app.config["MIN_COMMENT_GROUP_SIZE"])
    if not rows:
        click.echo("No themes yet: run `tandem themes refresh`.")
        return
    for r in rows:
        flags = "".join(["" if r.active else " [inactive]", " [manual]" if r.source == "manual" else "",
                         " [renamed]" if r.renamed else ""])
        rules = f"  rules: {', '.join(r.rules)}" if r.rules else ""
        click.echo(f"{r.id:>5}  {r.audience:<8}  {r.comments:>7}  {r.name}{flags}  ({', '.join(r.words[:6])}){rules}")


@themes_group.command("rename")
@click.argument("theme_id", type=int)
@click.argument("name")
@with_appcontext
def rename(theme_id, name):
    """Give theme ID a name that refreshes keep."""
    from surveys.themes import staff

    theme = _run(lambda s: staff.rename(s, theme_id, name))
    click.echo(f"Theme {theme.id} is now '{theme.name}'.")


@themes_group.command("merge")
@click.argument("theme_id", type=int)
@click.argument("into_id", type=int)
@with_appcontext
def merge(theme_id, into_id):
    """Merge theme ID into theme INTO (its comments and rules move; ID is deleted)."""
    from surveys.themes import staff

    theme = _run(lambda s: staff.merge(s, theme_id, into_id))
    click.echo(f"Theme {theme_id} merged into {theme.id} '{theme.name}'.")


@themes_group.command("split")
@click.argument("theme_id", type=int)
@with_appcontext
def split(theme_id):
    """Split learned theme ID in two (NMF with two themes on its comments)."""
    from surveys.themes import staff

    a, b = _run(lambda s: staff.split(s, theme_id))
    click.echo(f"Theme {theme_id} split into {a.id} '{a.name}' and {b.id} '{b.name}'.")


@themes_group.command("deactivate")
@click.argument("theme_id", type=int)
@with_appcontext
def deactivate(theme_id):
    """Stop assigning theme ID (its labels are removed)."""
    from surveys.themes import staff

    theme = _run(lambda s: staff.set_active(s, theme_id, False))
    click.echo(f"Theme {theme.id} '{theme.name}' deactivated.")


@themes_group.group("rule", help="Keyword rules: a comment containing the keyword always gets the theme.")
def rule_group():
    pass


@rule_group.command("add")
@click.argument("theme_id", type=int)
@click.argument("keyword")
@with_appcontext
def rule_add(theme_id, keyword):
    """Add KEYWORD (a whole word or phrase, any case) as a rule of theme ID, applied to existing comments now."""
    from surveys.themes import staff

    rule = _run(lambda s: staff.add_rule(s, theme_id, keyword))
    click.echo(f"Rule '{rule.keyword}' added to theme {theme_id}.")


@rule_group.command("remove")
@click.argument("theme_id", type=int)
@click.argument("keyword")
@with_appcontext
def rule_remove(theme_id, keyword):
    """Remove the rule KEYWORD from theme ID."""
    from surveys.themes import staff

    dropped = _run(lambda s: staff.remove_rule(s, theme_id, keyword))
    lost = f"{dropped} comments lost the theme." if dropped is not None else "the theme's shown counts are updated."
    click.echo(f"Rule '{keyword}' removed from theme {theme_id}; {lost}")


@themes_group.command("create")
@click.option("--audience", type=click.Choice(["customer", "employee"]), required=True)
@click.argument("name")
@click.argument("keyword")
@with_appcontext
def create(audience, name, keyword):
    """Create a manual theme NAME that every comment containing KEYWORD gets."""
    from surveys.themes import staff

    theme = _run(lambda s: staff.create_manual(s, audience, name, keyword))
    click.echo(f"Theme {theme.id} '{theme.name}' created.")
