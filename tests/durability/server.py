"""A real gunicorn serving Tandem on a free port, `tandem` commands in subprocesses, and a respondent client.

The server runs exactly as the README's deployment does (`gunicorn -c python:webapp.gunicorn_conf --workers 4
"webapp:create_app()"`), in a process group of its own so a test can SIGKILL the master and every worker.
Worker warm-up (TANDEM_WARM_UP) is off: it prepares charts, which these tests never draw, and costs seconds.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-secret-key-0123456789"  # tests.conftest.TEST_QUEUE_KEY is derived from it
WORKERS = 4  # README, "Deployment on PostgreSQL behind gunicorn"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
INVITATION = re.compile(r'name="invitation" value="(\d+)"')


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tandem_env(url: str, tmp_path: Path, **extra: str) -> dict:
    """The environment of a Tandem process on the database at `url`."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "TANDEM_DATABASE_URL": url, "TANDEM_SECRET_KEY": SECRET,
            "TANDEM_INSTANCE_PATH": str(tmp_path / "instance"), "TANDEM_WARM_UP": "0",
            "TANDEM_REPORT_PREWARM": "0", "TANDEM_SMTP_PORT": "1", **extra}


def tandem(url: str, tmp_path: Path, *args: str, timeout: float = 120, **extra: str) -> subprocess.CompletedProcess:
    """Run one `tandem` command to completion; returns the finished process (text output)."""
    return subprocess.run([sys.executable, "-c", "from webapp.cli import main; main()", *args], cwd=ROOT,
                          env=tandem_env(url, tmp_path, **extra), capture_output=True, text=True, timeout=timeout)


class Gunicorn:
    """gunicorn on 127.0.0.1:`port` against `url`; its log (stderr) goes to `log_path`."""

    def __init__(self, url: str, tmp_path: Path, workers: int = WORKERS, port: int | None = None,
                 log_name: str = "gunicorn.log"):
        self.url, self.tmp_path, self.workers = url, tmp_path, workers
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / log_name
        self.process: subprocess.Popen | None = None
        self.terminating = False

    def start(self, timeout: float = 60) -> "Gunicorn":
        """Start and wait until every worker has booted and a page is served."""
        log = self.log_path.open("a")
        command = [sys.executable, "-m", "gunicorn", "-c", "python:webapp.gunicorn_conf", "--workers",
                   str(self.workers), "--bind", f"127.0.0.1:{self.port}", "webapp:create_app()"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=tandem_env(self.url, self.tmp_path,
                                                                         TANDEM_BASE_URL=f"http://127.0.0.1:{self.port}"),
                                        stdout=log, stderr=log, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, f"gunicorn exited:\n{self.log()}"
            assert time.monotonic() < deadline, f"gunicorn not ready in {timeout} s:\n{self.log()}"
            if self.booted() >= self.workers:
                try:
                    if requests.get(f"{self.base}/login", timeout=5).status_code == 200:
                        return self
                except requests.ConnectionError:
                    pass
            time.sleep(0.2)

    def booted(self) -> int:
        """How many workers the log says have booted since this server started."""
        return self.log().count("Booting worker with pid")

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the master and every worker at once (their own process group)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def terminate(self) -> None:
        """Ask the master to shut down gracefully (SIGTERM) without waiting; stop() waits."""
        if self.process is not None and self.process.poll() is None and not self.terminating:
            self.process.terminate()
            self.terminating = True

    def stop(self) -> None:
        """Stop gracefully (SIGTERM to the master), or kill what is left after 30 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()


def answers_for(n: int) -> dict[str, str]:
    """The answers respondent `n` gives (distinct enough that the stored ones can be told apart as a multiset)."""
    return {"q_eng1": str(1 + n % 5), "q_enps": str(n % 11), "q_comment": ""}


class Respondent:
    """One browser: opens an invitation link, reads the promise, starts, and submits the only page."""

    def __init__(self, base: str, token: str, answers: dict[str, str]):
        self.base, self.token, self.answers = base, token, answers
        self.http = requests.Session()
        self.form: dict[str, str] | None = None

    def prepare(self) -> str | None:
        """Open the link and reach the question page; returns "already" when the link was used, else None."""
        page = self.http.get(f"{self.base}/r/i/{self.token}", timeout=60)
        if "Already submitted" in page.text:
            return "already"
        page.raise_for_status()
        if INVITATION.search(page.text) is None:  # the promise page comes first
            page = self.http.post(f"{self.base}/r/survey/start", data={"csrf_token": CSRF.search(page.text)[1]},
                                  timeout=60)
            if "Already submitted" in page.text:
                return "already"
            page.raise_for_status()
        self.form = {"csrf_token": CSRF.search(page.text)[1], "invitation": INVITATION.search(page.text)[1],
                     "page": "0", "action": "submit", **self.answers}
        return None

    def submit(self) -> str:
        """Send the answers: "stored" (acknowledged by the thanks page), "already", or "status N"."""
        sent = self.http.post(f"{self.base}/r/survey", data=self.form, allow_redirects=False, timeout=60)
        if sent.status_code == 302 and sent.headers["Location"].endswith("/r/thanks"):
            thanks = self.http.get(f"{self.base}/r/thanks", timeout=60)
            return "stored" if thanks.status_code == 200 and "Thank you" in thanks.text else f"thanks {thanks.status_code}"
        if sent.status_code == 409 and "Already submitted" in sent.text:
            return "already"
        return f"status {sent.status_code}"

    def answer(self) -> str:
        """The whole journey: prepare, then submit."""
        return self.prepare() or self.submit()
