"""A streamed download ends its database transaction when its body ends (a database of its own, real sessions).

Flask closes the request's session as soon as the view returns, before a streamed body is read; a body that
read through it began a transaction nobody ended, which on SQLite held the write lock (every submission then
waited, then failed) until garbage collection. Bodies now read through a session of their own
(webapp.db.stream_from_session), closed at the end.
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from surveys.collection import public_links
from surveys.collection.public_links import RateLimit
from surveys.models import utcnow

from ..livedb import live_app, live_client, live_engine, live_make, live_template, live_url  # noqa: F401

NOW = utcnow()


@pytest.fixture
def wave(live_make):
    make = live_make
    survey = make.survey(audience="customer", questions=[{"code": "nps", "qtype": "scale0_10", "dimension": "nps"}])
    wave = make.wave(program=make.program(survey=survey, code="CX"), opens_at=NOW - dt.timedelta(days=1))
    make.touchpoint(code="DESK")
    for n in range(3):
        public_links.submit_public(make.session, "CX", "DESK", {"nps": [str(n)]}, client=str(n),
                                   limit=RateLimit(100, 3600), now=NOW)
    make.session.commit()
    return wave


@pytest.mark.parametrize("path", ["/voice/export.csv", "/voice/responses.csv?wave={wave}",
                                  "/voice/responses.xlsx?wave={wave}"])
def test_the_body_leaves_no_transaction_open(live_client, live_engine, wave, path):
    response = live_client.get(path.format(wave=wave.id))
    assert response.status_code == 200 and response.get_data()
    assert live_engine.pool.checkedout() == 0
    with live_engine.connect() as conn:  # a writer gets in at once (on SQLite: no one holds the write lock)
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA busy_timeout=0")
        conn.execute(text("UPDATE teams SET name = name"))
        conn.commit()
