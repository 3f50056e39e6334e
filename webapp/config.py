"""Configuration from environment variables, validated at start-up with one-line errors."""
from __future__ import annotations

import base64
import binascii
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from surveys.tokens import derive_key

DEFAULT_DATABASE_URL = "sqlite:///instance/tandem.db"
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 5000
WILDCARD_HOSTS = ("0.0.0.0", "::", "[::]", "")  # nosec B104 # compared with TANDEM_HOST, never bound to


class ConfigError(Exception):
    """A bad configuration variable; the message names it in one line."""


def _int(env: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number between {lo} and {hi}, got {raw!r}") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name} must be between {lo} and {hi}, got {value}")
    return value


def _database_url(env: Mapping[str, str], instance_path: Path) -> str:
    url = env.get("TANDEM_DATABASE_URL") or DEFAULT_DATABASE_URL
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and ":memory:" not in url:
        # A relative SQLite path is relative to the project folder that holds instance/.
        rel = url[len("sqlite:///"):]
        url = "sqlite:///" + str((instance_path.parent / rel).resolve())
    elif url.startswith("postgres://") or url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    elif not (url.startswith("sqlite") or url.startswith("postgresql+psycopg://")):
        raise ConfigError(
            f"TANDEM_DATABASE_URL must start with sqlite:/// or postgresql://, got {url.split(':', 1)[0]!r}"
        )
    return url


def _secret_key(env: Mapping[str, str], instance_path: Path) -> str:
    key = env.get("TANDEM_SECRET_KEY")
    if key:
        if len(key) < 16:
            raise ConfigError("TANDEM_SECRET_KEY must be at least 16 characters long")
        return key
    # Generated once and kept beside the database, readable by the owner only.
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def _results_key(env: Mapping[str, str]) -> str | None:
    key = (env.get("TANDEM_RESULTS_LINK_KEY") or "").strip()
    if key and len(key) < 16:
        raise ConfigError("TANDEM_RESULTS_LINK_KEY must be at least 16 characters long")
    return key or None


def _queue_key(env: Mapping[str, str], secret_key: str) -> bytes:
    """TANDEM_QUEUE_KEY (base64 of 32 bytes) when set, else derived from the secret key: never in the database."""
    raw = (env.get("TANDEM_QUEUE_KEY") or "").strip()
    if not raw:
        return derive_key(secret_key)
    try:
        key = base64.b64decode(raw, validate=True)
    except (ValueError, binascii.Error):
        key = b""
    if len(key) != 32:
        raise ConfigError("TANDEM_QUEUE_KEY must be 32 random bytes in base64 "
                          "(python -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())')")
    return key


def _base_url(env: Mapping[str, str]) -> str:
    """TANDEM_BASE_URL when set, else the address the server listens on (TANDEM_HOST, TANDEM_PORT)."""
    explicit = (env.get("TANDEM_BASE_URL") or "").rstrip("/")
    if explicit:
        if not explicit.startswith(("http://", "https://")):
            raise ConfigError(f"TANDEM_BASE_URL must start with http:// or https://, got {explicit!r}")
        return explicit
    # From config, not from the request's Host header: mail sent by `tandem tick` and links printed by
    # `tandem links` have no request, and a Host header is chosen by the client.
    host = (env.get("TANDEM_HOST") or DEFAULT_HOST).strip()
    if host in WILDCARD_HOSTS:  # listening everywhere: this machine is reachable at least on loopback
        host = DEFAULT_HOST
    if ":" in host and not host.startswith("["):  # an IPv6 address goes in brackets
        host = f"[{host}]"
    return f"http://{host}:{_int(env, 'TANDEM_PORT', DEFAULT_PORT, 1, 65535)}"


def _rate_limit(env: Mapping[str, str], name: str = "TANDEM_PUBLIC_RATE_LIMIT", default: str = "10/3600",
                what: str = "submissions") -> str:
    raw = (env.get(name) or default).strip()
    parts = raw.split("/")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() and int(p) >= 1 for p in parts):
        raise ConfigError(f"{name} must look like {default} ({what}/seconds), got {raw!r}")
    return raw


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
OIDC_VARS = ("TANDEM_OIDC_ISSUER", "TANDEM_OIDC_CLIENT_ID", "TANDEM_OIDC_CLIENT_SECRET")


def _oidc(env: Mapping[str, str]) -> dict:
    """Single sign-on settings: on when issuer, client id and secret are all set; a partial set is an error."""
    values = {name: (env.get(name) or "").strip() for name in OIDC_VARS}
    given = [name for name, value in values.items() if value]
    if given and len(given) < len(OIDC_VARS):
        missing = ", ".join(name for name in OIDC_VARS if name not in given)
        raise ConfigError(f"single sign-on needs {', '.join(OIDC_VARS)} together; missing {missing}")
    issuer = values["TANDEM_OIDC_ISSUER"]  # kept as written: ID tokens' `iss` must match it exactly
    if issuer:
        try:
            host = urlsplit(issuer).hostname or ""
        except ValueError:
            host = ""
        # Plain http would let anyone on the path forge the provider's keys; loopback is for tests only.
        if not (issuer.startswith("https://") or (issuer.startswith("http://") and host in LOOPBACK_HOSTS)) \
                or not host:
            raise ConfigError(f"TANDEM_OIDC_ISSUER must be an https:// URL, got {issuer!r}")
    only = bool(_int(env, "TANDEM_OIDC_ONLY", 0, 0, 1))
    if only and not issuer:
        raise ConfigError("TANDEM_OIDC_ONLY=1 hides the password form, so it needs single sign-on configured "
                          f"({', '.join(OIDC_VARS)})")
    label = (env.get("TANDEM_OIDC_LABEL") or "").strip() or "Sign in with single sign-on"
    if len(label) > 80:
        raise ConfigError(f"TANDEM_OIDC_LABEL must be at most 80 characters, got {len(label)}")
    return {"OIDC_ISSUER": issuer or None, "OIDC_CLIENT_ID": values["TANDEM_OIDC_CLIENT_ID"] or None,
            "OIDC_CLIENT_SECRET": values["TANDEM_OIDC_CLIENT_SECRET"] or None,
            "OIDC_LABEL": label, "OIDC_ONLY": only}


def load_config(env: Mapping[str, str] | None = None, instance_path: Path | None = None) -> dict:
    """Read and validate every TANDEM_* variable; raise ConfigError naming the first bad one."""
    env = os.environ if env is None else env
    instance_path = Path(instance_path or env.get("TANDEM_INSTANCE_PATH") or Path.cwd() / "instance")
    min_group = _int(env, "TANDEM_MIN_GROUP_SIZE", 5, 3, 10)
    min_comment = _int(env, "TANDEM_MIN_COMMENT_GROUP_SIZE", 10, 3, 100)
    if min_comment < min_group:
        raise ConfigError(
            f"TANDEM_MIN_COMMENT_GROUP_SIZE ({min_comment}) must not be below TANDEM_MIN_GROUP_SIZE ({min_group})"
        )
    base_url = _base_url(env)
    idle_minutes = _int(env, "TANDEM_SESSION_IDLE_MINUTES", 30, 1, 24 * 60)
    max_hours = _int(env, "TANDEM_SESSION_MAX_HOURS", 12, 1, 30 * 24)
    if idle_minutes > max_hours * 60:
        raise ConfigError(f"TANDEM_SESSION_IDLE_MINUTES ({idle_minutes}) must not exceed "
                          f"TANDEM_SESSION_MAX_HOURS ({max_hours}) in minutes")
    sender = env.get("TANDEM_SMTP_SENDER", "tandem@localhost")
    if "@" not in sender:
        raise ConfigError(f"TANDEM_SMTP_SENDER must be an email address, got {sender!r}")
    secret_key = _secret_key(env, instance_path)
    oidc = _oidc(env)
    return {
        **oidc,
        "INSTANCE_PATH": str(instance_path),
        "DATABASE_URL": _database_url(env, instance_path),
        "SECRET_KEY": secret_key,
        "QUEUE_KEY": _queue_key(env, secret_key),
        "MIN_GROUP_SIZE": min_group,
        "MIN_COMMENT_GROUP_SIZE": min_comment,
        "PROCESS_TARGET": _int(env, "TANDEM_PROCESS_TARGET", 80, 0, 100),
        "MEMBERSHIP_DAYS": _int(env, "TANDEM_MEMBERSHIP_DAYS", 30, 0, 365),
        "LINKAGE_MIN_TEAMS": _int(env, "TANDEM_LINKAGE_MIN_TEAMS", 10, 3, 1000),
        # Breakdown alerts (surveys/alerts): fewest respondents in a tested day/week/month and in its baseline,
        # consecutive weeks under a goal before a below-target alert, days of recovered data that close one.
        "ALERT_MIN_N": _int(env, "TANDEM_ALERT_MIN_N", 20, 5, 10000),
        "ALERT_MIN_BASELINE_N": _int(env, "TANDEM_ALERT_MIN_BASELINE_N", 50, 10, 100000),
        "ALERT_BELOW_TARGET_PERIODS": _int(env, "TANDEM_ALERT_BELOW_TARGET_PERIODS", 4, 1, 52),
        "ALERT_RECOVERY_DAYS": _int(env, "TANDEM_ALERT_RECOVERY_DAYS", 14, 7, 90),
        # Days to keep open-text comments; 0 (the default) keeps them forever.
        "COMMENT_RETENTION_DAYS": _int(env, "TANDEM_COMMENT_RETENTION_DAYS", 0, 0, 36500),
        "SMTP_HOST": env.get("TANDEM_SMTP_HOST", "localhost"),
        "SMTP_PORT": _int(env, "TANDEM_SMTP_PORT", 25, 1, 65535),
        "SMTP_SENDER": sender,
        "BASE_URL": base_url,
        "PUBLIC_RATE_LIMIT": _rate_limit(env),
        # Flood detection on public links (surveys/collection/floods.py): identical answer sets per window,
        # and the day's volume that must also be reached (an absolute floor and a multiple of the baseline).
        "FLOOD_BURST": _rate_limit(env, "TANDEM_FLOOD_BURST", "5/600"),
        "FLOOD_DAY_MIN": _int(env, "TANDEM_FLOOD_DAY_MIN", 30, 1, 1_000_000),
        "FLOOD_FACTOR": _int(env, "TANDEM_FLOOD_FACTOR", 5, 1, 1000),
        # Requests per API token (N/SECONDS); over it the API answers 429 with Retry-After.
        "API_RATE_LIMIT": _rate_limit(env, "TANDEM_API_RATE_LIMIT", "120/60", "requests"),
        "IMPORT_MAX_BYTES": _int(env, "TANDEM_IMPORT_MAX_MB", 64, 1, 1024) * 1024 * 1024,
        "PUBLIC_MAX_BYTES": _int(env, "TANDEM_PUBLIC_MAX_KB", 256, 16, 4096) * 1024,
        # Every other route but the CSV upload (sign-in, staff forms, the API, the logo upload).
        "FORM_MAX_BYTES": _int(env, "TANDEM_FORM_MAX_KB", 1024, 64, 65536) * 1024,
        # Uploads wait here for their import job, deleted when it ends; uploads up to IMPORT_INLINE_BYTES
        # are imported while the browser waits, larger ones in the background with a progress page.
        "UPLOAD_DIR": env.get("TANDEM_UPLOAD_DIR") or str(instance_path / "uploads"),
        "IMPORT_INLINE_BYTES": _int(env, "TANDEM_IMPORT_INLINE_KB", 1024, 0, 1024 * 1024) * 1024,
        "IMPORT_THREAD": bool(_int(env, "TANDEM_IMPORT_THREAD", 1, 0, 1)),
        # `tandem tick` renders stale default report pages into the report cache (0: only readers do).
        "REPORT_PREWARM": bool(_int(env, "TANDEM_REPORT_PREWARM", 1, 0, 1)),
        # Action nudges in `tandem tick` (surveys/actions/nudges.py): due within N days, no update for N days
        # (0 switches that kind off); TANDEM_ACTION_NUDGES=0 switches every nudge and HR's summary off.
        "ACTION_NUDGES": bool(_int(env, "TANDEM_ACTION_NUDGES", 1, 0, 1)),
        "ACTION_DUE_SOON_DAYS": _int(env, "TANDEM_ACTION_DUE_SOON_DAYS", 7, 0, 365),
        "ACTION_STALE_DAYS": _int(env, "TANDEM_ACTION_STALE_DAYS", 30, 0, 3650),
        # Follow-up cases (surveys/voice/): due N working days after opening; escalated to the executives N
        # working days after the due time; contact details erased N days after the case closed (0: kept).
        "CASE_DUE_WORKING_DAYS": _int(env, "TANDEM_CASE_DUE_WORKING_DAYS", 2, 1, 60),
        "CASE_EXECUTIVE_DAYS": _int(env, "TANDEM_CASE_EXECUTIVE_DAYS", 2, 1, 60),
        "CONTACT_RETENTION_DAYS": _int(env, "TANDEM_CONTACT_RETENTION_DAYS", 90, 0, 36500),
        # Digests (surveys/digests/sending.py): due from this hour (UTC) on the first day after their period.
        "DIGEST_HOUR": _int(env, "TANDEM_DIGEST_HOUR", 7, 0, 23),
        # Alert escalation (surveys/alerts/escalation.py): up one level when not acknowledged in N days or open M.
        "ALERT_ACK_DAYS": _int(env, "TANDEM_ALERT_ACK_DAYS", 2, 1, 365),
        "ALERT_PERSIST_DAYS": _int(env, "TANDEM_ALERT_PERSIST_DAYS", 14, 1, 3650),
        # "What you told us" links (surveys/fieldwork/results_links.py): signed with this key, else one derived
        # from the secret key; they open the results until this many days after the wave closed.
        "RESULTS_LINK_KEY": _results_key(env),
        "RESULTS_LINK_DAYS": _int(env, "TANDEM_RESULTS_LINK_DAYS", 365, 1, 3650),
        "IMPORT_STALE_MINUTES": _int(env, "TANDEM_IMPORT_STALE_MINUTES", 10, 1, 24 * 60),
        "TRUSTED_PROXIES": _int(env, "TANDEM_TRUSTED_PROXIES", 0, 0, 5),
        "SESSION_IDLE_MINUTES": idle_minutes,
        "SESSION_MAX_HOURS": max_hours,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": base_url.startswith("https://"),
    }
