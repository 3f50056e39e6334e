"""Public-form write latency on SQLite while N staff sign in (not part of ``make bench``).

A "submit" is a short ``BEGIN IMMEDIATE`` write, as a respondent's submission is. Sign-in clients post
the right password in a loop (each from changing addresses, so throttling never answers early). With
``--cpu-only`` the clients only verify argon2 hashes, without the app or the database: the control that
separates CPU contention from lock waiting. Run from the repository root::

    .venv/bin/python bench/bench_login_lock.py 6            # 6 sign-in clients
    .venv/bin/python bench/bench_login_lock.py 6 --cpu-only
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time

from sqlalchemy import text

from surveys.db import make_engine, make_session_factory
from surveys.models import Base
from surveys.org import accounts
from webapp import create_app

PASSWORD = "a-long-enough-passphrase"
SUBMITS = 60


def main(clients: int, cpu_only: bool) -> None:
    """Print the submit latency (median, p95, max) and failures with `clients` signing in."""
    tmp = tempfile.mkdtemp()
    engine = make_engine(f"sqlite:///{tmp}/bench.db", pool_size=clients + 5)
    Base.metadata.create_all(engine)
    with make_session_factory(engine)() as session:
        for i in range(clients):
            accounts.create_user(session, email=f"hr{i}@example.com", name="HR", role="hr_admin", password=PASSWORD)
        session.commit()
    app = create_app({"TESTING": True, "ENGINE": engine, "INSTANCE_PATH": tmp, "SECRET_KEY": "k" * 32,
                      "WTF_CSRF_ENABLED": False})
    stop, done, stored = threading.Event(), [0], accounts._hasher.hash(PASSWORD)

    def sign_in(i: int) -> None:
        client = app.test_client()
        while not stop.is_set():
            if cpu_only:
                accounts._hasher.verify(stored, PASSWORD)
            else:
                try:
                    client.post("/login", data={"email": f"hr{i}@example.com", "password": PASSWORD},
                                environ_base={"REMOTE_ADDR": f"10.0.{i}.{done[0] % 250}"})
                except Exception as exc:  # noqa: BLE001 - counted, not fatal
                    print("sign-in failed:", str(exc).splitlines()[0][:90])
                    time.sleep(0.5)
            done[0] += 1

    threads = [threading.Thread(target=sign_in, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(1 if clients else 0)
    latencies, failed = [], 0
    for i in range(SUBMITS):
        start = time.perf_counter()
        try:
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO rate_limit_hits (key, window_start, count) "
                                  "VALUES (:k, '2026-01-01', 1)"), {"k": f"bench{i}"})
        except Exception:  # noqa: BLE001 - "database is locked" after the busy timeout
            failed += 1
        latencies.append((time.perf_counter() - start) * 1000)
        time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join()
    latencies.sort()
    print(f"{clients} sign-in clients{' (argon2 only)' if cpu_only else ''}: submit median "
          f"{statistics.median(latencies):.0f} ms, p95 {latencies[int(SUBMITS * 0.95)]:.0f} ms, "
          f"max {latencies[-1]:.0f} ms, failed {failed}/{SUBMITS}; sign-ins {done[0]}")
    engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 6, "--cpu-only" in sys.argv)
