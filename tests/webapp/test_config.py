"""Configuration is validated at start-up; a bad variable gets a one-line error naming it."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from webapp.config import ConfigError, load_config


@pytest.mark.parametrize("env, name", [
    ({"TANDEM_MIN_GROUP_SIZE": "2"}, "TANDEM_MIN_GROUP_SIZE"),
    ({"TANDEM_MIN_GROUP_SIZE": "11"}, "TANDEM_MIN_GROUP_SIZE"),
    ({"TANDEM_MIN_GROUP_SIZE": "five"}, "TANDEM_MIN_GROUP_SIZE"),
    ({"TANDEM_MIN_COMMENT_GROUP_SIZE": "4", "TANDEM_MIN_GROUP_SIZE": "5"}, "TANDEM_MIN_COMMENT_GROUP_SIZE"),
    ({"TANDEM_SMTP_PORT": "99999"}, "TANDEM_SMTP_PORT"),
    ({"TANDEM_SMTP_SENDER": "nobody"}, "TANDEM_SMTP_SENDER"),
    ({"TANDEM_DATABASE_URL": "mysql://x/y"}, "TANDEM_DATABASE_URL"),
    ({"TANDEM_SECRET_KEY": "short"}, "TANDEM_SECRET_KEY"),
    ({"TANDEM_BASE_URL": "ftp://x"}, "TANDEM_BASE_URL"),
    ({"TANDEM_PORT": "http"}, "TANDEM_PORT"),
    ({"TANDEM_PORT": "70000"}, "TANDEM_PORT"),
    ({"TANDEM_PUBLIC_RATE_LIMIT": "ten per hour"}, "TANDEM_PUBLIC_RATE_LIMIT"),
    ({"TANDEM_PUBLIC_RATE_LIMIT": "0/60"}, "TANDEM_PUBLIC_RATE_LIMIT"),
    ({"TANDEM_TRUSTED_PROXIES": "9"}, "TANDEM_TRUSTED_PROXIES"),
])
def test_bad_variable_is_named(tmp_path, env, name):
    with pytest.raises(ConfigError) as err:
        load_config(env, instance_path=tmp_path)
    message = str(err.value)
    assert message.startswith(name) and "\n" not in message


def test_defaults(tmp_path):
    config = load_config({}, instance_path=tmp_path / "instance")
    assert config["MIN_GROUP_SIZE"] == 5 and config["MIN_COMMENT_GROUP_SIZE"] == 10
    assert config["DATABASE_URL"] == f"sqlite:///{(tmp_path / 'instance' / 'tandem.db').resolve()}"


def test_postgres_url_uses_psycopg3(tmp_path):
    config = load_config({"TANDEM_DATABASE_URL": "postgresql://u@h/db"}, instance_path=tmp_path)
    assert config["DATABASE_URL"] == "postgresql+psycopg://u@h/db"


def test_secret_key_is_generated_once_with_owner_only_mode(tmp_path):
    first = load_config({}, instance_path=tmp_path)["SECRET_KEY"]
    second = load_config({}, instance_path=tmp_path)["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600


def test_cli_reports_bad_configuration_in_one_line(tmp_path):
    env = {**os.environ, "TANDEM_MIN_GROUP_SIZE": "1", "TANDEM_INSTANCE_PATH": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", "from webapp.cli import main; main()", "db", "current"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "Configuration error: TANDEM_MIN_GROUP_SIZE must be between 3 and 10, got 1"]


def test_trusted_proxies_take_the_client_address_from_forwarded_for(app_config):
    from flask import request

    from webapp import create_app

    app = create_app({**app_config, "TRUSTED_PROXIES": 1})
    seen = {}

    @app.route("/whoami")
    def whoami():
        seen["addr"] = request.remote_addr
        return "ok"

    app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.7"},
                          environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert seen["addr"] == "203.0.113.7"


@pytest.mark.parametrize("env, base_url", [
    ({}, "http://127.0.0.1:5000"),
    ({"TANDEM_PORT": "8080"}, "http://127.0.0.1:8080"),
    ({"TANDEM_HOST": "tandem.local", "TANDEM_PORT": "8080"}, "http://tandem.local:8080"),
    ({"TANDEM_HOST": "0.0.0.0", "TANDEM_PORT": "8080"}, "http://127.0.0.1:8080"),
    ({"TANDEM_HOST": "::1", "TANDEM_PORT": "8080"}, "http://[::1]:8080"),
    ({"TANDEM_PORT": "8080", "TANDEM_BASE_URL": "https://surveys.example.com/"}, "https://surveys.example.com"),
])
def test_base_url_follows_the_port_unless_set(tmp_path, env, base_url):
    assert load_config(env, instance_path=tmp_path)["BASE_URL"] == base_url


def test_cli_links_follow_tandem_port(app_config, make, db_session, monkeypatch):
    from webapp import create_app

    make.program(audience="customer", code="CX")
    make.touchpoint(code="DESK")
    db_session.commit()
    monkeypatch.delenv("TANDEM_BASE_URL", raising=False)
    monkeypatch.setenv("TANDEM_PORT", "8080")
    result = create_app(app_config).test_cli_runner().invoke(args=["links", "public", "--program", "CX"])
    assert result.exit_code == 0, result.output
    assert "\thttp://127.0.0.1:8080/r/c/CX/DESK" in result.output


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_passes_host_and_port_to_every_command():
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(["make", "-s", "--eval", "show-env: ; @echo $$TANDEM_HOST $$TANDEM_PORT", "show-env",
                           "PORT=8080", "HOST=0.0.0.0"], cwd=root, capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "0.0.0.0 8080", proc.stderr
