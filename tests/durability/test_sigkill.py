"""SIGKILL the whole server (master and workers) while 64 respondents are submitting, then start it again.

An acknowledged employee submission is its receipt plus its sealed answer set in the submission queue (the
batches are released later by `tandem tick`). After the restart: every acknowledged one is there, the
database passes its integrity check and `tandem rollup verify`; every respondent who did not get the thanks
page can answer again (or is told their answers arrived), and after `tandem tick` each answer set is stored once.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests

from .server import Gunicorn, Respondent, answers_for, tandem
from .world import check_stored_once, employee_wave, integrity_problems, receipts_of, session

INVITEES, CLIENTS, KILL_AFTER = 128, 64, 32


def test_a_server_killed_mid_load_keeps_every_acknowledged_submission(live_url, live_engine, live_make, tmp_path):
    survey = employee_wave(live_make, INVITEES)
    server = Gunicorn(live_url, tmp_path).start()
    todo, acked, lock, killed = list(range(INVITEES)), set(), threading.Lock(), threading.Event()
    outcomes: Counter = Counter()

    def client() -> None:
        while not killed.is_set():
            with lock:
                if not todo:
                    return
                n = todo.pop()
            try:
                outcome = Respondent(server.base, survey.tokens[n], answers_for(n)).answer()
            except requests.RequestException:
                outcome = "cut off"
            with lock:
                outcomes[outcome] += 1
                if outcome == "stored":
                    acked.add(n)

    began = time.perf_counter()
    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            for _ in range(CLIENTS):
                pool.submit(client)
            while len(acked) < KILL_AFTER and time.perf_counter() - began < 60:
                time.sleep(0.01)
            server.kill()  # mid-load: other requests are in flight in all four workers
            killed.set()
    finally:
        server.stop()
    load_seconds = time.perf_counter() - began
    assert KILL_AFTER <= len(acked) < INVITEES, outcomes
    assert set(outcomes) <= {"stored", "cut off"}, outcomes

    restarted = Gunicorn(live_url, tmp_path, log_name="restarted.log").start()
    try:
        with session(live_engine) as s:
            used = receipts_of(s, survey.invitation_ids)
        assert {survey.invitation_ids[n] for n in acked} <= used  # nothing acknowledged was lost
        index = {inv: n for n, inv in enumerate(survey.invitation_ids)}
        check_stored_once(live_engine, survey, {index[i] for i in used})  # nothing half-written either
        assert integrity_problems(live_engine) == []
        verify = tandem(live_url, tmp_path, "rollup", "verify")
        assert verify.returncode == 0, verify.stderr
        # Everyone without a thanks page tries again: answered now, or told it had arrived before the kill.
        again = [n for n in range(INVITEES) if n not in acked]
        with ThreadPoolExecutor(CLIENTS) as pool:
            retried = Counter(pool.map(lambda n: Respondent(restarted.base, survey.tokens[n],
                                                            answers_for(n)).answer(), again))
        unacknowledged = len(used) - len(acked)  # stored, but the answer was cut off by the kill
        assert retried == Counter(stored=len(again) - unacknowledged, already=unacknowledged), retried
        assert "Traceback" not in restarted.log()
    finally:
        restarted.stop()
    tick = tandem(live_url, tmp_path, "tick")
    assert tick.returncode == 0 and f"released {INVITEES}," in tick.stdout, (tick.stdout, tick.stderr)
    check_stored_once(live_engine, survey, set(range(INVITEES)))
    assert integrity_problems(live_engine) == []
    verify = tandem(live_url, tmp_path, "rollup", "verify")
    assert verify.returncode == 0, verify.stderr
    print(f"\nkilled after {len(acked)} acknowledged of {INVITEES} in {load_seconds:.1f} s; "
          f"{unacknowledged} stored but not acknowledged; retried {dict(retried)}")
