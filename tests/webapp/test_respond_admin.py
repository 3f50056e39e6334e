"""HR's touchpoint page, QR codes, contact-link CSV, and the `tandem links` commands."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from surveys.models import Invitation, utcnow
from surveys.tokens import hash_token
from webapp.cli.links import links_group

NOW = utcnow()


@pytest.fixture
def cx(make, db_session):
    program = make.program(audience="customer", code="CX")
    make.wave(program=program, opens_at=NOW - dt.timedelta(days=1), label="2026-11")
    idle = make.program(audience="customer", code="IDLE")
    touchpoint = make.touchpoint(team=make.team(name="Front desk team"), code="DESK", channel="phone")
    make.program(audience="employee", code="EMP")
    db_session.commit()
    return program, idle, touchpoint


@pytest.fixture
def hr(login, db_session):
    person = login("hr_admin")
    db_session.commit()
    return person


def test_touchpoints_page_lists_links_and_qr(client, app, cx, hr):
    app.config["BASE_URL"] = "https://feedback.example.org"
    page = client.get("/admin/touchpoints").get_data(as_text=True)
    assert "Front desk team" in page and "phone" in page
    assert "https://feedback.example.org/r/c/CX/DESK" in page
    assert "https://feedback.example.org/r/c/IDLE/DESK" in page and "not collecting now" in page
    assert "collecting: 2026-11" in page and "/r/c/EMP/" not in page
    assert "/admin/touchpoints/DESK/qr?program=CX" in page
    assert "/admin/touchpoints/DESK/qr.svg?program=CX" in page
    assert 'name="count"' in page


def test_touchpoints_need_hr(client, login, cx, db_session):
    login("executive")
    assert client.get("/admin/touchpoints").status_code == 403
    assert client.get("/admin/touchpoints/DESK/qr.svg?program=CX").status_code == 403


def test_qr_page_and_svg_encode_the_public_url(client, app, cx, hr):
    app.config["BASE_URL"] = "https://feedback.example.org"
    response = client.get("/admin/touchpoints/DESK/qr?program=CX")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<svg" in page and "https://feedback.example.org/r/c/CX/DESK" in page
    svg = client.get("/admin/touchpoints/DESK/qr.svg?program=CX")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert client.get("/admin/touchpoints/DESK/qr.svg").status_code == 400
    assert client.get("/admin/touchpoints/NOPE/qr?program=CX").status_code == 404
    assert client.get("/admin/touchpoints/DESK/qr?program=EMP").status_code == 404


def test_qr_decodes_to_the_link(client, app, cx, hr):
    import segno

    app.config["BASE_URL"] = "https://feedback.example.org"
    # segno is deterministic: the same URL and error level give the same symbol.
    expected = segno.make("https://feedback.example.org/r/c/CX/DESK", error="m")
    out = io.BytesIO()
    expected.save(out, kind="svg", scale=10, xmldecl=True)
    assert client.get("/admin/touchpoints/DESK/qr.svg?program=CX").data == out.getvalue()


def test_contact_links_csv(client, app, db_session, cx, hr):
    app.config["BASE_URL"] = "https://feedback.example.org"
    response = client.post("/admin/touchpoints/contact-links", data={"program": "CX", "touchpoint": "DESK",
                                                                     "count": "3"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 3 and all(r["url"].startswith("https://feedback.example.org/r/t/") for r in rows)
    hashes = {hash_token(r["url"].rsplit("/", 1)[1]) for r in rows}
    stored = set(db_session.scalars(select(Invitation.token_hash).where(Invitation.touchpoint_id.is_not(None))))
    assert hashes == stored
    # The link works (and lands on the survey).
    token = rows[0]["url"].rsplit("/", 1)[1]
    assert client.get(f"/r/t/{token}").status_code == 302


@pytest.mark.parametrize("data, status, message", [
    ({"program": "CX", "touchpoint": "DESK", "count": "0"}, 400, "between 1 and 1000"),
    ({"program": "CX", "touchpoint": "DESK", "count": "many"}, 400, "Not a valid integer"),
    ({"program": "EMP", "touchpoint": "DESK", "count": "1"}, 400, "Not a valid choice"),
    ({"program": "IDLE", "touchpoint": "DESK", "count": "1"}, 409, "no wave open"),
])
def test_contact_links_form_errors(client, db_session, cx, hr, data, status, message):
    response = client.post("/admin/touchpoints/contact-links", data=data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_cli_contact_links(app, db_session, cx):
    result = app.test_cli_runner().invoke(links_group, ["contact", "--program", "CX", "--touchpoint", "DESK",
                                                        "--count", "2", "--base-url", "https://x.example/"])
    assert result.exit_code == 0, result.output
    urls = result.output.split()
    assert len(urls) == 2 and all(u.startswith("https://x.example/r/t/") for u in urls)
    assert db_session.scalar(select(func.count()).select_from(Invitation)) == 2


def test_cli_errors_are_one_line(app, cx):
    runner = app.test_cli_runner()
    result = runner.invoke(links_group, ["contact", "--program", "IDLE", "--touchpoint", "DESK",
                                         "--count", "1"])
    assert result.exit_code == 1 and "no wave open" in result.output
    result = runner.invoke(links_group, ["contact", "--program", "CX", "--touchpoint", "DESK", "--count", "0"])
    assert result.exit_code == 2 and "--count" in result.output
    result = runner.invoke(links_group, ["contact", "--program", "CX", "--touchpoint", "DESK", "--count", "1",
                                         "--base-url", "ftp://x"])
    assert result.exit_code == 2 and "http://" in result.output


def test_cli_public_links_and_qr(app, cx, tmp_path):
    app.config["BASE_URL"] = "https://feedback.example.org"
    runner = app.test_cli_runner()
    result = runner.invoke(links_group, ["public", "--program", "CX"])
    assert result.exit_code == 0 and result.output == "CX\tDESK\thttps://feedback.example.org/r/c/CX/DESK\n"
    out = tmp_path / "desk.png"
    result = runner.invoke(links_group, ["qr", "--program", "CX", "--touchpoint", "DESK", "--output", str(out)])
    assert result.exit_code == 0 and out.read_bytes()[:4] == b"\x89PNG"
    result = runner.invoke(links_group, ["qr", "--program", "CX", "--touchpoint", "DESK", "--output", "x.gif"])
    assert result.exit_code == 2
