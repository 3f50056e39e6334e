"""`tandem links ...`: links from the command line (contact links, public links, QR codes, previews)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from surveys.collection import preview as wave_preview
from surveys.collection import public_links
from surveys.errors import TandemError
from surveys.exports import csvsafe
from surveys.models import utcnow
from webapp.db import get_session

QR_FORMATS = (".svg", ".png", ".pdf", ".eps")


def _base_url(base_url: str | None) -> str:
    url = (base_url or current_app.config["BASE_URL"]).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise click.BadParameter(f"must start with http:// or https://, got {url!r}", param_hint="--base-url")
    return url


@click.group("links", help="Survey links: single-use contact links, public links, QR codes and previews.")
def links_group():
    pass


@links_group.command("contact")
@click.option("--program", "program_code", required=True, help="Customer program code.")
@click.option("--touchpoint", "touchpoint_code", required=True, help="Touchpoint code.")
@click.option("--count", type=click.IntRange(1, public_links.MAX_CONTACT_LINKS), required=True,
              help=f"How many links (1 to {public_links.MAX_CONTACT_LINKS}).")
@click.option("--base-url", default=None, help="Start of each link (default: TANDEM_BASE_URL).")
@with_appcontext
def contact(program_code, touchpoint_code, count, base_url):
    """Print COUNT single-use contact links, one per line (they are never shown again)."""
    base = _base_url(base_url)
    session = get_session()
    try:
        tokens = public_links.issue_contact_links(session, program_code, touchpoint_code, count, now=utcnow())
    except TandemError as exc:
        raise click.ClickException(exc.message) from None
    session.commit()
    for token in tokens:
        click.echo(base + public_links.contact_path(token))


@links_group.command("public")
@click.option("--program", "program_code", default=None, help="Only this customer program.")
@click.option("--base-url", default=None, help="Start of each link (default: TANDEM_BASE_URL).")
@with_appcontext
def public(program_code, base_url):
    """Print the public link of every active touchpoint: program, touchpoint, URL (tab-separated)."""
    base = _base_url(base_url)
    touchpoints, programs = public_links.link_targets(get_session(), utcnow())
    if program_code and program_code not in {p.code for p, _w in programs}:
        raise click.ClickException(f"There is no active customer program with code '{program_code}'.")
    rows = [(program.code, touchpoint.code, base + public_links.public_path(program.code, touchpoint.code))
            for program, _wave in programs if not program_code or program.code == program_code
            for touchpoint in touchpoints if touchpoint.active]
    # Tab-separated for pasting into a spreadsheet, so written by the same formula-safe CSV writer.
    click.echo(csvsafe.csv_text(None, rows, delimiter="\t", lineterminator="\n"), nl=False)


@links_group.command("qr")
@click.option("--program", "program_code", required=True, help="Customer program code.")
@click.option("--touchpoint", "touchpoint_code", required=True, help="Touchpoint code.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
              help="File to write; the format follows the extension: .svg, .png, .pdf or .eps.")
@click.option("--scale", type=click.IntRange(1, 50), default=10, show_default=True,
              help="Size of one QR module in pixels (points for PDF/EPS).")
@click.option("--base-url", default=None, help="Start of the link (default: TANDEM_BASE_URL).")
@with_appcontext
def qr(program_code, touchpoint_code, output, scale, base_url):
    """Write the QR code of a touchpoint's public link to a file, for print."""
    if output.suffix.lower() not in QR_FORMATS:
        raise click.BadParameter(f"use one of {', '.join(QR_FORMATS)}", param_hint="--output")
    try:
        program, touchpoint = public_links.link_for(get_session(), program_code, touchpoint_code)
    except TandemError as exc:
        raise click.ClickException(exc.message) from None
    url = _base_url(base_url) + public_links.public_path(program.code, touchpoint.code)
    import segno  # only this command draws QR codes

    segno.make(url, error="m").save(str(output), scale=scale)
    click.echo(f"Wrote {output} for {url}")


@links_group.command("preview")
@click.option("--wave", "label", required=True, help="Label of the wave, e.g. 2026-11.")
@click.option("--program", "program_code", default=None, help="Program code (needed when several programs "
              "have a wave with this label).")
@click.option("--days", type=click.IntRange(1, wave_preview.MAX_DAYS), default=wave_preview.DEFAULT_DAYS, show_default=True,
              help="How long the link works.")
@click.option("--base-url", default=None, help="Start of the link (default: TANDEM_BASE_URL).")
@with_appcontext
def preview(label, program_code, days, base_url):
    """Print a link that walks the wave's pages as a respondent; answers are checked, never stored."""
    base = _base_url(base_url)
    try:
        wave = wave_preview.find_wave(get_session(read_only=True), label, program_code)
    except TandemError as exc:
        raise click.ClickException(exc.message) from None
    token = wave_preview.make_token(current_app.config["SECRET_KEY"], wave.id, days)
    click.echo(base + wave_preview.preview_path(token))
    until = utcnow() + dt.timedelta(days=days)
    click.echo(f"Preview of {wave.program.code} {wave.label}; works until {until:%Y-%m-%d %H:%M} UTC.", err=True)
