"""Respondent routes refuse bodies above TANDEM_PUBLIC_MAX_KB before reading them; uploads keep their limit."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from surveys.models import Response, utcnow
from webapp import create_app
from webapp.config import ConfigError, load_config

ANSWERS = {"q_eng1": "4", "q_enps": "7"}


@pytest.fixture
def cx(make, db_session):
    program = make.program(audience="customer", code="CX")
    make.wave(program=program, opens_at=utcnow() - dt.timedelta(days=1))
    make.touchpoint(code="STORE1", channel="store")
    db_session.commit()


def responses(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Response))


def test_a_huge_public_form_is_refused_before_it_is_read(client, db_session, cx):
    response = client.post("/r/c/CX/STORE1", data={**ANSWERS, "q_comment": "x" * 300_000})
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Your answers could not be sent" in page and "256 kB at most" in page
    assert response.headers["Cache-Control"] == "no-store" and responses(db_session) == 0
    # A full 5000-character comment in a non-Latin script (9 bytes per character once form-encoded) passes.
    response = client.post("/r/c/CX/STORE1", data={**ANSWERS, "q_comment": "数" * 5000})
    assert response.status_code == 302 and responses(db_session) == 1


@pytest.mark.parametrize("path", ["/r/survey", "/r/survey/start", "/r/p/anything", "/r/i/anything", "/r/nowhere"])
def test_every_respondent_route_is_capped(client, path):
    response = client.post(path, data={"q_comment": "x" * 300_000})
    assert response.status_code == 413, path


def test_a_chunked_body_without_length_is_cut_off_too(client, db_session, cx):
    body = b"q_comment=" + b"x" * 300_000
    response = client.post("/r/c/CX/STORE1", input_stream=io.BytesIO(body),
                           content_type="application/x-www-form-urlencoded",
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413 and responses(db_session) == 0


def test_the_limit_is_configurable(app_config, cx):
    client = create_app({**app_config, "PUBLIC_MAX_BYTES": 16 * 1024}).test_client()
    assert client.post("/r/c/CX/STORE1", data={**ANSWERS, "q_comment": "x" * 20_000}).status_code == 413
    assert client.post("/r/c/CX/STORE1", data={**ANSWERS, "q_comment": "x" * 4_000}).status_code == 302
    assert load_config({"TANDEM_PUBLIC_MAX_KB": "64", "TANDEM_SECRET_KEY": "k" * 16})["PUBLIC_MAX_BYTES"] == 65536
    with pytest.raises(ConfigError, match="TANDEM_PUBLIC_MAX_KB must be between 16 and 4096"):
        load_config({"TANDEM_PUBLIC_MAX_KB": "5", "TANDEM_SECRET_KEY": "k" * 16})


def test_admin_upload_keeps_its_larger_limit(client, login, db_session):
    login("hr_admin")
    db_session.commit()
    big = b"code,name,channel,team_code\n" + b"WEB,Web shop,web,NOPE\n" * 20_000  # about 440 kB
    response = client.post("/admin/imports", content_type="multipart/form-data",
                           data={"kind": "touchpoints", "dry_run": "y", "file": (io.BytesIO(big), "t.csv")})
    assert response.status_code == 422  # read and checked (unknown team), not refused for its size


@pytest.mark.parametrize("multipart", [False, True])
def test_a_one_megabyte_post_to_a_public_survey_gets_the_413_page(client, db_session, cx, multipart):
    # 1 MB is a sixty-fourth of the admin upload limit (64 MB) and four times the public cap (256 kB).
    data = {**ANSWERS, "q_comment": "x" * 1024 * 1024}
    if multipart:
        data["file"] = (io.BytesIO(b"y" * 1024), "f.txt")
    response = client.post("/r/c/CX/STORE1", data=data,
                           content_type="multipart/form-data" if multipart else None)
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and "Your answers could not be sent" in page
    assert "Internal Server Error" not in page and responses(db_session) == 0
