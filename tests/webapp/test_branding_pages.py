"""Branding through the web: the admin page, the logo route, branded respondent pages, kept answers."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlalchemy import func, select

from surveys.models import AuditEvent, Response, utcnow
from surveys.org import branding

NOW = utcnow()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
ANSWERS = {"q_eng1": "4", "q_enps": "7", "q_comment": "Quick & friendly <b>staff</b>"}


@pytest.fixture
def cx(make, db_session):
    program = make.program(audience="customer", code="CX")
    make.wave(program=program, opens_at=NOW - dt.timedelta(days=1))
    make.touchpoint(code="STORE1", channel="store")
    db_session.commit()
    return program


@pytest.fixture
def brand(db_session):
    branding.update_branding(db_session, name="Northwind Outfitters", colour="#ffeb3b", logo=PNG)
    db_session.commit()
    return branding.get_branding(db_session)


def test_respondent_page_shows_name_colour_and_logo(client, cx, brand):
    page = client.get("/r/c/CX/STORE1").get_data(as_text=True)
    assert "Northwind Outfitters" in page and "Tandem</span>" not in page
    assert "/r/brand.css?v=ffeb3b" in page and "style=" not in page
    css = client.get("/r/brand.css?v=ffeb3b")
    assert css.mimetype == "text/css" and "immutable" in css.headers["Cache-Control"]
    text = css.get_data(as_text=True)
    assert "background: #ffeb3b" in text and "color: #000000" in text  # black text on a light colour
    assert f'/r/logo?v={brand.logo_version}' in page
    assert "<title>Your feedback · Northwind Outfitters</title>" in page


def test_respondent_message_pages_are_branded_too(client, brand):
    page = client.get("/r/i/not-a-token").get_data(as_text=True)
    assert "Northwind Outfitters" in page


def test_unbranded_pages_say_tandem(client, cx):
    page = client.get("/r/c/CX/STORE1").get_data(as_text=True)
    assert '<span class="brand">Tandem</span>' in page and "/r/logo" not in page


def test_logo_route_serves_png_with_caching_headers(client, brand, db_session):
    response = client.get(f"/r/logo?v={brand.logo_version}")
    assert response.status_code == 200 and response.data == PNG and response.mimetype == "image/png"
    assert "immutable" in response.headers["Cache-Control"] and "max-age=31536000" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    etag = response.headers["ETag"]
    assert client.get("/r/logo", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/r/logo?v=old").headers["Cache-Control"] == "public, max-age=300"


def test_logo_route_404_without_a_logo(client):
    assert client.get("/r/logo").status_code == 404


def test_rate_limited_customer_keeps_every_answer(app, client, db_session, cx):
    app.config["PUBLIC_RATE_LIMIT"] = "1/3600"
    assert client.post("/r/c/CX/STORE1", data=ANSWERS).status_code == 302
    response = client.post("/r/c/CX/STORE1", data=ANSWERS)
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "try again later" in page and "Your answers are still in the form" in page
    assert re.search(r'name="q_eng1" value="4"[^>]*checked', page)
    assert re.search(r'name="q_enps" value="7"[^>]*checked', page)
    assert "Quick &amp; friendly &lt;b&gt;staff&lt;/b&gt;</textarea>" in page
    assert db_session.scalar(select(func.count()).select_from(Response)) == 1


def test_honeypot_refusal_keeps_answers_and_empties_the_trap(client, db_session, cx):
    response = client.post("/r/c/CX/STORE1", data={**ANSWERS, "website": "http://spam.example"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "could not be accepted" in page
    assert re.search(r'name="q_enps" value="7"[^>]*checked', page) and "spam.example" not in page


def test_admin_branding_round_trip(client, login, db_session):
    login("hr_admin")
    page = client.get("/admin/branding")
    assert page.status_code == 200 and b'enctype="multipart/form-data"' in page.data
    response = client.post("/admin/branding", data={"name": "Northwind Outfitters", "colour": "#0B3D91",
                                                    "logo": (io.BytesIO(PNG), "logo.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    brand = branding.get_branding(db_session)
    assert (brand.name, brand.colour, brand.has_logo) == ("Northwind Outfitters", "#0b3d91", True)
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "branding.update")) is not None
    page = client.get("/admin/branding").get_data(as_text=True)
    assert 'value="Northwind Outfitters"' in page and 'value="#0b3d91"' in page and "Remove the current logo" in page
    # Saving again without a file keeps the logo; ticking "remove" drops it.
    client.post("/admin/branding", data={"name": "Northwind Outfitters", "colour": "#0b3d91"},
                content_type="multipart/form-data")
    assert branding.get_branding(db_session).has_logo
    client.post("/admin/branding", data={"name": "N", "colour": "#0b3d91", "remove_logo": "y"},
                content_type="multipart/form-data")
    assert not branding.get_branding(db_session).has_logo


def test_admin_branding_shows_every_error_at_once(client, login, db_session):
    login("hr_admin")
    response = client.post("/admin/branding", data={"name": "x" * 201, "colour": "teal",
                                                    "logo": (io.BytesIO(SVG), "logo.svg")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nothing was saved" in page
    assert "at most 200 characters" in page and "six hexadecimal digits, for example" in page
    assert "SVG logos are not accepted" in page
    assert branding.get_branding(db_session).is_default_name


def test_admin_branding_is_for_hr_admins_only(client, login):
    login("executive")
    assert client.get("/admin/branding").status_code == 403
    assert client.post("/admin/branding", data={"name": "X"}).status_code == 403


def test_expired_csrf_token_keeps_the_customer_answers(app_config, cx):
    from webapp import create_app

    client = create_app({**app_config, "WTF_CSRF_ENABLED": True}).test_client()
    response = client.post("/r/c/CX/STORE1", data={**ANSWERS, "csrf_token": "stale"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "This page had expired" in page
    assert re.search(r'name="q_enps" value="7"[^>]*checked', page) and 'name="csrf_token" value="' in page
