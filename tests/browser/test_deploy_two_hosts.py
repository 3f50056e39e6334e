"""The deployment example's topology on this machine (deploy/local/start.sh): PostgreSQL, migrations once, two
gunicorn hosts on two ports and `tandem tick` on a loop. An employee starts a survey on one host and finishes
it on the other; a customer answers on the second; the ticking loop closes the wave and releases the answers."""
from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from surveys.instruments import library, question_types
from surveys.models import (
    Invitation, Person, Program, Question, Response, RollupResponses, SubmissionReceipt, Survey, Team, Touchpoint, Wave, utcnow,
)
from surveys.tokens import new_token

from .conftest import free_port, require_chromium

require_chromium()

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"
TEAM_SIZE = 5  # the wave's minimum group size: the team's batch is released when the wave closes


def _server_url() -> str:
    """PostgreSQL of TEST_DATABASE_URL, else the local server on 5432; skip when none answers."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        with socket.socket() as sock:
            sock.settimeout(1)
            if sock.connect_ex(("127.0.0.1", 5432)) != 0:
                pytest.skip("the deployment topology needs PostgreSQL on 127.0.0.1:5432 (or TEST_DATABASE_URL)")
        url = PG_DEFAULT
    return url


@pytest.fixture
def database():
    url = make_url(_server_url())
    name = f"tandem_deploy_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def topology(database, tmp_path):
    """Start deploy/local/start.sh as documented; yield (url A, url B, engine); stop it afterwards."""
    port_a, port_b = free_port(), free_port()
    env = {**os.environ, "TANDEM_DATABASE_URL": database, "TANDEM_SECRET_KEY": "deploy-test-secret-key-0123456789",
           "TANDEM_INSTANCE_PATH": str(tmp_path / "instance"), "TANDEM_BASE_URL": f"http://127.0.0.1:{port_a}",
           "TANDEM_WARM_UP": "0", "TANDEM_WORKERS": "2", "TANDEM_BIN": str(Path(sys.executable).parent),
           "TANDEM_REPORT_PREWARM": "0", "TANDEM_SMTP_PORT": str(free_port())}  # no mail server: mail waits
    run_dir = tmp_path / "run"
    subprocess.run([str(ROOT / "deploy/local/start.sh"), str(run_dir), str(port_a), str(port_b), "1"],
                   cwd=ROOT, env=env, check=True, timeout=120, capture_output=True)
    engine = create_engine(database)
    try:
        for port in (port_a, port_b):
            _wait_for(f"http://127.0.0.1:{port}/login")
        yield f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}", engine
    finally:
        subprocess.run([str(ROOT / "deploy/local/stop.sh"), str(run_dir)], timeout=60)
        engine.dispose()


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:  # nosec B310 - loopback test server
                if reply.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def _seed(engine) -> tuple[list[str], int]:
    """A team of five with an open employee wave (their invitation tokens) and a customer touchpoint."""
    now = utcnow()
    with Session(engine) as session:
        team = Team(code="HARBOUR", name="Harbour crew")
        people = [Person(email=f"crew{i}@example.com", name=f"Crew {i}", team=team) for i in range(TEAM_SIZE)]
        survey = Survey(code="pulse", title="Monthly pulse", audience="employee", status="active")
        for pos, code in enumerate(("e0", "e1")):
            lo, hi = question_types.bounds_for("likert5")
            survey.questions.append(Question(code=code, text=f"Statement {code}", qtype="likert5",
                                             dimension="engagement", required=True, position=pos,
                                             scale_min=lo, scale_max=hi))
        program = Program(code="PULSE", name="Monthly pulse", survey=survey, audience="employee", cadence="monthly")
        wave = Wave(program=program, survey=survey, label="2026-11", status="open",
                    opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=13))
        cx = library.install(session, "cx")
        store = Touchpoint(code="TILL", name="Checkout", channel="store", team=team)
        cx_program = Program(code="CXP", name="Customer pulse", survey=cx, audience="customer", cadence="always_on")
        cx_wave = Wave(program=cx_program, survey=cx, label="always", status="open",
                       opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=90))
        tokens, invitations = [], []
        for person in people:
            token, token_hash = new_token()
            tokens.append(token)
            invitations.append(Invitation(wave=wave, person=person, token_hash=token_hash, sent_at=now))
        session.add_all([team, *people, survey, program, wave, store, cx_program, cx_wave, *invitations])
        session.flush()
        for invitation in invitations:
            invitation.unit_team_id = team.id
        session.commit()
        return tokens, wave.id


def test_an_employee_and_a_customer_across_two_hosts_with_tick_on_a_loop(topology, new_page):
    url_a, url_b, engine = topology
    tokens, wave_id = _seed(engine)
    # The first employee opens the link on host A and answers on host B (cookies ignore the port,
    # so the browser carries host A's session there: the hosts share the secret and the database).
    page = new_page()
    page.goto(f"{url_a}/r/i/{tokens[0]}")
    page.get_by_role("button", name="Start the survey").click()
    page.goto(f"{url_b}/r/survey")
    page.locator("#q_e0-4").check()
    page.locator("#q_e1-5").check()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    page.context.close()
    # The rest of the team answers, on alternating hosts; a used link says so on either host.
    for i, token in enumerate(tokens[1:]):
        page = new_page()
        page.goto(f"{(url_a, url_b)[i % 2]}/r/i/{token}")
        page.get_by_role("button", name="Start the survey").click()
        page.locator("#q_e0-3").check()
        page.locator("#q_e1-4").check()
        page.get_by_role("button", name="Submit").click()
        expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
        page.context.close()
    page = new_page()
    page.goto(f"{url_b}/r/i/{tokens[0]}")
    expect(page.get_by_role("heading", name="Already submitted")).to_be_visible()
    # Customers answer the touchpoint's public link on each host.
    for url in (url_a, url_b):
        page.goto(f"{url}/r/c/CXP/TILL")
        page.locator("#q_csat-4").check()
        page.locator("#q_nps-9").check()
        page.locator("#q_ces-6").check()
        page.get_by_role("button", name="Send feedback").click()
        expect(page.get_by_role("heading", name="Thank you")).to_be_visible()

    def released() -> int:
        with Session(engine) as session:
            return session.scalar(select(func.count()).select_from(Response).where(Response.wave_id == wave_id))

    # The employees' answers wait sealed in the queue until the team's batch of five is complete; the tick
    # loop, not anyone by hand, then releases them to the reports.
    _until(lambda: released() == TEAM_SIZE)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(SubmissionReceipt)) == TEAM_SIZE
        assert sorted(session.scalars(select(Response.source))) == ["invitation"] * TEAM_SIZE + ["public_link"] * 2
        # Every host and the tick wrote to one database: the rollups agree with the answers.
        assert session.scalar(select(func.sum(RollupResponses.n)).where(RollupResponses.wave_id == wave_id)) \
            == TEAM_SIZE
        # The wave's end passes: the loop closes it.
        session.execute(update(Wave).where(Wave.id == wave_id).values(closes_at=utcnow() - dt.timedelta(minutes=1)))
        session.commit()

    def status() -> str:
        with Session(engine) as session:
            return session.scalar(select(Wave.status).where(Wave.id == wave_id))

    _until(lambda: status() == "closed")


def _until(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the tick loop did not get there in time"
        time.sleep(0.5)
