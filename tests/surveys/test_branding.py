"""Organisation branding: validation, defaults, contrast, and the branding in sent mail."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from surveys.fieldwork import invitations, mailer, scheduling
from surveys.models import AuditEvent
from surveys.org import branding
from surveys.org.branding import BrandingInvalid

from ..mailserver import running_smtp_server

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
T0 = dt.datetime(2026, 11, 2, 8, 0)


def test_defaults_without_a_settings_row(db_session):
    brand = branding.get_branding(db_session)
    assert (brand.name, brand.colour, brand.has_logo, brand.is_default_name) == \
        ("Tandem", branding.DEFAULT_COLOUR, False, True)
    assert branding.get_logo(db_session) is None


def test_update_saves_normalises_and_audits(db_session, make):
    hr = make.staff()
    brand = branding.update_branding(db_session, name="  Northwind Outfitters ", colour="1A2B3C", logo=PNG,
                                     actor_id=hr.id)
    assert (brand.name, brand.colour, brand.has_logo, brand.is_default_name) == \
        ("Northwind Outfitters", "#1a2b3c", True, False)
    logo = branding.get_logo(db_session)
    assert (logo.data, logo.content_type) == (PNG, "image/png") and brand.logo_version == logo.sha256[:12]
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "branding.update"))
    assert event.actor_id == hr.id and event.detail["colour"] == "#1a2b3c" and event.detail["logo"] == "replaced"
    # Keeping the logo (None), then removing it.
    assert branding.update_branding(db_session, name="N", colour="", logo=None).has_logo
    brand = branding.update_branding(db_session, name="", colour=None, remove_logo=True)
    assert (brand.name, brand.colour, brand.has_logo) == ("Tandem", branding.DEFAULT_COLOUR, False)


def test_jpeg_is_recognised_by_its_bytes(db_session):
    branding.update_branding(db_session, name="N", colour=None, logo=JPEG)
    assert branding.get_logo(db_session).content_type == "image/jpeg"


@pytest.mark.parametrize("colour", ["red", "#12345", "#1234567", "#gg0000", "rgb(0,0,0)", "#fff"])
def test_bad_colours_are_refused(db_session, colour):
    with pytest.raises(BrandingInvalid) as caught:
        branding.update_branding(db_session, name="N", colour=colour)
    assert set(caught.value.errors) == {"colour"} and "#1f6f8b" in caught.value.errors["colour"]


@pytest.mark.parametrize("data, message", [
    (SVG, "SVG logos are not accepted"),
    (b"  <svg xmlns='http://www.w3.org/2000/svg'/>", "SVG logos are not accepted"),
    (b"GIF89a" + b"\x00" * 10, "must be a PNG or JPEG"),
    (b"", "empty"),
    (PNG + b"\x00" * branding.MAX_LOGO_BYTES, "at most 200 kB"),
])
def test_bad_logos_are_refused(db_session, data, message):
    with pytest.raises(BrandingInvalid) as caught:
        branding.update_branding(db_session, name="N", colour="#000000", logo=data)
    assert message in caught.value.errors["logo"]
    assert branding.get_logo(db_session) is None


def test_name_on_one_line(db_session):
    with pytest.raises(BrandingInvalid) as caught:
        branding.update_branding(db_session, name="Evil\r\nBcc: all@example.com", colour=None)
    assert "one line" in caught.value.errors["name"]


def test_every_problem_is_reported_at_once(db_session):
    with pytest.raises(BrandingInvalid) as caught:
        branding.update_branding(db_session, name="x" * 201, colour="blue", logo=SVG)
    assert set(caught.value.errors) == {"name", "colour", "logo"}


@pytest.mark.parametrize("colour, text", [("#ffffff", "#000000"), ("#ffeb3b", "#000000"), ("#000000", "#ffffff"),
                                          ("#1f6f8b", "#ffffff"), ("#777777", "#000000")])
def test_text_colour_keeps_contrast(colour, text):
    assert branding.text_colour_on(colour) == text
    # Whichever is picked, the worst case over all colours is about 4.58:1 (WCAG AA for normal text: 4.5).
    assert branding.contrast_ratio(colour, text) >= 4.5


def test_sent_mail_carries_name_colour_inline_logo_and_public_title(db_session, make):
    branding.update_branding(db_session, name="Northwind Outfitters", colour="#ffeb3b", logo=PNG)
    team = make.team()
    for _ in range(3):
        make.person(team=team)
    program = make.program(cadence="monthly")
    program.name, program.public_title = "INTERNAL-pulse-2026", "Your voice at Northwind"
    wave = make.wave(program, status="draft", opens_at=T0)
    scheduling.open_wave(db_session, wave.id, T0, None, 3, 3)
    job = invitations.claim_invitations(db_session, T0, limit=1)[0]
    with running_smtp_server() as (inbox, port):
        mailer.send_mail("127.0.0.1", port, "surveys@tandem.example", job.email, *mailer.render(job, "https://t.x"))
    (message,) = inbox.messages
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Northwind Outfitters" in text and "Northwind Outfitters" in html
    assert "Your voice at Northwind" in text and "Your voice at Northwind" in html
    assert "INTERNAL-pulse-2026" not in text + html + message["Subject"]
    assert "background:#ffeb3b;color:#000000" in html  # dark text on a light brand colour
    assert message["From"].startswith("Northwind Outfitters surveys")
    # The logo is part of the message (cid), so nothing is fetched from a server when it is shown.
    cid = mailer.logo_cid(branding.get_logo(db_session))
    assert f'src="cid:{cid}"' in html and "src=\"http" not in html
    images = [p for p in message.walk() if p.get_content_maintype() == "image"]
    assert len(images) == 1 and images[0].get_content() == PNG and images[0]["Content-ID"] == f"<{cid}>"
