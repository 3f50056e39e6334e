"""End-to-end fixtures: a live Tandem server in a thread on a real, committed SQLite database, and
Debian's Chromium driven by Playwright. Tests skip with a reason when Chromium is not installed."""
from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from alembic import command
from werkzeug.serving import make_server

from migrations import alembic_config
from webapp import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def require_chromium() -> None:
    """Skip the calling test module when Chromium or Playwright is missing (never download a browser)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium package to run browser tests",
                    allow_module_level=True)
    pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")


class LiveServer:
    """A running app: `url` to browse, `sessions()` for a database session of its own."""

    def __init__(self, app, url: str):
        self.app = app
        self.url = url

    def sessions(self):
        """A new SQLAlchemy session on the live database (commit to make data visible to the server)."""
        return self.app.extensions["tandem_sessions"]()


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sign_in(live, page, email: str) -> None:
    """Sign in through the login form as a demo user and wait for the landing page."""
    import demo  # noqa: PLC0415 - only tests that seed the demo sign in with its password

    page.goto(f"{live.url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A live server on 127.0.0.1 with CSRF on, against a freshly migrated SQLite file."""
    folder = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{folder / 'live.db'}"
    command.upgrade(alembic_config(url), "head")
    holder = {}
    # The app needs its own URL (BASE_URL) and the URL needs the port, so bind first, then build the app.
    server = make_server("127.0.0.1", 0, lambda environ, start: holder["app"](environ, start), threaded=True)
    base_url = f"http://127.0.0.1:{server.port}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "browser-test-secret-key-0123456789",
                      "INSTANCE_PATH": str(folder / "instance"), "TESTING": True, "BASE_URL": base_url,
                      "WTF_CSRF_ENABLED": True})
    holder["app"] = app
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(app, base_url)
    server.shutdown()
    thread.join(timeout=10)
    app.extensions["tandem_engine"].dispose()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # as long as an action's wait: a page may still be loading on a busy CI host
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser contexts (a context is a separate cookie jar, like a new browser)."""
    contexts = []

    def _new_page():
        context = browser.new_context()
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()
