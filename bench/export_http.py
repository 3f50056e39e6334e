"""The export benchmark over real HTTP: gunicorn as `make run` starts it, the body read from a socket.

Optional (``bench_export.py --http``): gunicorn with ``webapp.gunicorn_conf`` (each worker warmed for the
report pages after it forks) and 2 workers; the signed session cookie of an HR admin is made with the app's
own serializer. After the workers report their warm-up, each format is downloaded twice with http.client,
timing the first byte of the body and the last; each worker's resident set (VmRSS) before and its peak
(VmHWM) after are read from /proc, so the export's own growth shows apart from the warm-up's.
"""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM_UP_WAIT = 120  # seconds for the workers to report their warm-up


def _cookie(env: dict) -> tuple[str, str]:
    """(cookie name, value) of a fresh server-side session of the data's HR admin."""
    os.environ.update(env)
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from surveys.models import Person
    from surveys.org import staff_sessions
    from webapp import create_app

    app = create_app({"IMPORT_THREAD": False, "REPORT_PREWARM": False})
    with Session(app.extensions["tandem_engine"]) as session:
        person = session.scalars(select(Person).where(Person.role == "hr_admin")).first()
        session_id = staff_sessions.start(session, person)
        session.commit()
    app.extensions["tandem_engine"].dispose()
    value = app.session_interface.get_signing_serializer(app).dumps({"_user_id": session_id, "_fresh": True})
    return app.config.get("SESSION_COOKIE_NAME", "session"), value


def _kib(pid: str, field: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def _workers(master: int) -> list[str]:
    return subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()


def _get(port: int, path: str, cookie: str) -> tuple[float, float, int]:
    """(first byte of the body, whole body, bytes) of one GET, read 64 KiB at a time."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    start = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}")
    first, size = None, 0
    while chunk := response.read1(65536):
        first = first if first is not None else time.perf_counter() - start
        size += len(chunk)
    total = time.perf_counter() - start
    conn.close()
    return first, total, size


def measure_http(url: str, wave_id: int, log: Path) -> dict:
    """Figures per format: first byte and whole body (best of 2), worker RSS before and peak after (MiB)."""
    env = {**os.environ, "TANDEM_DATABASE_URL": url, "TANDEM_SECRET_KEY": "bench-secret-key-0123456789",
           "TANDEM_INSTANCE_PATH": str(ROOT / "bench" / "out" / "instance"), "PYTHONDONTWRITEBYTECODE": "1"}
    name, value = _cookie(env)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with open(log, "w") as err:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:webapp.gunicorn_conf",
                                   "--workers", "2", "--bind", f"127.0.0.1:{port}", "webapp:create_app()"],
                                  cwd=ROOT, env=env, stderr=err, stdout=subprocess.DEVNULL)
    try:
        deadline = time.time() + WARM_UP_WAIT
        while log.read_text().count("warmed up") < 2:
            if time.time() > deadline or server.poll() is not None:
                raise RuntimeError(f"gunicorn did not warm up: {log.read_text()[-1500:]}")
            time.sleep(0.5)
        before = max(_kib(pid, "VmRSS") for pid in _workers(server.pid)) / 1024
        found = {}
        for fmt in ("csv", "xlsx", "csv", "xlsx"):
            first, total, size = _get(port, f"/voice/responses.{fmt}?wave={wave_id}", f"{name}={value}")
            best = found.get(fmt)
            found[fmt] = {"first": min(first, best["first"]) if best else first,
                          "total": min(total, best["total"]) if best else total, "bytes": size}
        peak = max(_kib(pid, "VmHWM") for pid in _workers(server.pid)) / 1024
    finally:
        server.terminate()
        server.wait(timeout=60)
    return {"formats": found, "worker_rss_before": before, "worker_peak_after": peak}
