"""`tandem import ...` (in progress)."""
import click


@click.group("import", help="Import organisation, touchpoints, feedback and historical responses from CSV.")
def import_group():
    pass
