"""64 respondents at once through gunicorn (four workers, as the README deploys it) on the real answering pages.

Unique invitations: every acknowledged submission (the thanks page) is stored exactly once — one receipt, one
queued answer set with the answers that respondent gave — and the rollups agree once the batches are out.
One invitation: exactly one of 64 simultaneous submits is stored, the other 63 see "Already submitted".
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from surveys.collection import queue
from surveys.models import PendingSubmission, Response

from .server import Gunicorn, Respondent, answers_for
from .world import check_stored_once, count, employee_wave, session

CLIENTS = 64


@pytest.fixture
def server(live_url, tmp_path):
    running = Gunicorn(live_url, tmp_path).start()
    yield running
    running.stop()


def test_64_clients_with_their_own_invitations_each_stored_exactly_once(server, live_engine, live_make):
    survey = employee_wave(live_make, CLIENTS)
    start = threading.Barrier(CLIENTS)

    def respondent(n: int) -> str:
        client = Respondent(server.base, survey.tokens[n], answers_for(n))
        start.wait(60)
        return client.answer()

    began = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        outcomes = list(pool.map(respondent, range(CLIENTS)))
    seconds = time.perf_counter() - began
    assert Counter(outcomes) == {"stored": CLIENTS}, Counter(outcomes)
    check_stored_once(live_engine, survey, set(range(CLIENTS)))
    with session(live_engine) as s:  # the batches (tick's step) move every answer set to `responses` once
        assert queue.release_ready(s) == CLIENTS
        s.commit()
    check_stored_once(live_engine, survey, set(range(CLIENTS)))
    with session(live_engine) as s:
        assert count(s, Response, Response.wave_id == survey.wave_id) == CLIENTS
        assert count(s, PendingSubmission) == 0
    assert "Traceback" not in server.log()
    print(f"\n{CLIENTS} concurrent respondents, whole journey each: {seconds:.1f} s")


def test_64_simultaneous_submissions_of_one_invitation_store_one(server, live_engine, live_make):
    survey = employee_wave(live_make, 8)
    clients = [Respondent(server.base, survey.tokens[0], answers_for(0)) for _ in range(CLIENTS)]
    for client in clients:  # every browser holds the question page of the same link
        assert client.prepare() is None
    start = threading.Barrier(CLIENTS)

    def submit(client: Respondent) -> str:
        start.wait(60)
        return client.submit()

    with ThreadPoolExecutor(CLIENTS) as pool:
        outcomes = Counter(pool.map(submit, clients))
    assert outcomes == {"stored": 1, "already": CLIENTS - 1}, outcomes
    check_stored_once(live_engine, survey, {0})
    assert "Traceback" not in server.log()
