"""`tandem tick` (in progress)."""
import click


@click.command("tick")
def tick():
    """Open due waves, send invitations and reminders, close ended waves."""
    raise click.ClickException("not implemented yet")
