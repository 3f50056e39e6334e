"""Online backups and restores of the whole database: SQLite's backup API, PostgreSQL's pg_dump/pg_restore.

A backup is taken while the application keeps writing: SQLite copies the pages of one read snapshot
(WAL readers never block writers), pg_dump reads one repeatable-read snapshot. The file holds exactly
what the database holds, so it is written readable by its owner only. The keys that open queued answers
and sign results links live in the configuration, never in the database, and are not in a backup.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404 # runs pg_dump/pg_restore with an argument list, never a shell
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from surveys.errors import TandemError

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
# Rows the migrations themselves write: a freshly migrated database still counts as empty.
SCHEMA_ONLY_TABLES = {"alembic_version", "audit_chain_head"}
PG_TIMEOUT_S = 6 * 3600


class BackupError(TandemError):
    """A backup or restore that cannot go ahead; the message says why in one line."""


@dataclass(frozen=True)
class Outcome:
    """What a backup or restore did: the database kind, the file, its size, the schema revision, the time."""

    kind: str
    path: Path
    size: int
    revision: str | None
    seconds: float


def kind_of_url(url: str) -> str:
    """'sqlite' or 'postgresql' for a database URL."""
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL databases, not {backend}.")
    return backend


def kind_of_file(path: Path) -> str:
    """'sqlite' or 'postgresql' from a backup file's first bytes; BackupError for anything else."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not a Tandem backup: neither an SQLite database nor a pg_dump custom-format "
                      "archive.")


def backup(url: str, path: Path, *, force: bool = False) -> Outcome:
    """Write an online backup of the database at `url` to `path` (refused if it exists, unless `force`)."""
    path = Path(path)
    if path.exists() and not force:
        raise BackupError(f"{path} already exists; choose another name or pass --force to replace it.")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent}: no such folder.")
    kind = kind_of_url(url)
    started = time.perf_counter()
    revision = _revision(url)
    if revision is None:
        raise BackupError("The database has no Tandem schema (no alembic_version table): nothing to back up.")
    partial = path.with_name(f".{path.name}.partial")
    try:
        _owner_only_file(partial)
        (_sqlite_backup if kind == "sqlite" else _pg_dump)(url, partial)
        os.replace(partial, path)
    except OSError as exc:
        raise BackupError(f"Cannot write {path}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    return Outcome(kind, path, path.stat().st_size, revision, time.perf_counter() - started)


def restore(url: str, path: Path, *, force: bool = False) -> Outcome:
    """Load a backup into the database at `url`; refused when it holds data, unless `force`."""
    path = Path(path)
    kind = kind_of_file(path)
    target = kind_of_url(url)
    if kind != target:
        raise BackupError(f"{path} is a {display_name(kind)} backup but the database is "
                          f"{display_name(target)}; restore it into a {display_name(kind)} database.")
    started = time.perf_counter()
    (_check_sqlite_file if kind == "sqlite" else _check_pg_archive)(path)
    if not force and not is_empty(url):
        raise BackupError("The database already holds data; restoring would replace all of it. Pass --force to "
                          "overwrite it, or restore into an empty database.")
    try:
        (_sqlite_restore if kind == "sqlite" else _pg_restore)(url, path)
    except OSError as exc:
        raise BackupError(f"Cannot restore into the database: {exc.strerror or exc}") from None
    return Outcome(kind, path, path.stat().st_size, _revision(url), time.perf_counter() - started)


def is_empty(url: str) -> bool:
    """True when no table holds a row, apart from what the migrations write (a new database is empty)."""
    if kind_of_url(url) == "sqlite" and not Path(make_url(url).database or "").exists():
        return True
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            names = [n for n in inspect(conn).get_table_names() if n not in SCHEMA_ONLY_TABLES]
            # Table names come from the database's own catalogue, quoted: no user input reaches this text.
            return not any(conn.execute(text(f'SELECT 1 FROM "{n}" LIMIT 1')).first()  # nosec B608
                           for n in names)
    except SQLAlchemyError as exc:
        raise BackupError(f"Cannot read the database: {_reason(exc)}") from None
    finally:
        engine.dispose()


def _revision(url: str) -> str | None:
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError as exc:
        raise BackupError(f"Cannot reach the database: {_reason(exc)}") from None
    finally:
        engine.dispose()


def _engine(url: str):
    if kind_of_url(url) == "sqlite":
        database = make_url(url).database or ""
        if not Path(database).exists():
            raise BackupError(f"{database}: no such database file.")
        return create_engine(url)
    return create_engine(url, connect_args={"connect_timeout": 10})


# --- SQLite -------------------------------------------------------------------------------------------

def _sqlite_path(url: str) -> Path:
    return Path(make_url(url).database or "")


def _sqlite_backup(url: str, partial: Path) -> None:
    # One step (pages=-1) copies one read snapshot: in WAL mode writers carry on meanwhile.
    source = sqlite3.connect(_sqlite_path(url), timeout=10)
    target = sqlite3.connect(partial)
    try:
        source.backup(target, pages=-1)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        if target.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError("The backup copy failed its integrity check; nothing was written.")
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite backup failed: {exc}") from None
    finally:
        target.close()
        source.close()


def _check_sqlite_file(path: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            tandem = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be read as an SQLite database: {exc}") from None
    if not ok:
        raise BackupError(f"{path} is damaged (SQLite's integrity check failed); use another backup.")
    if not tandem:
        raise BackupError(f"{path} is an SQLite database but not a Tandem backup (it has no schema revision).")


def _sqlite_restore(url: str, path: Path) -> None:
    target_path = _sqlite_path(url)
    if not target_path.parent.is_dir():
        raise BackupError(f"{target_path.parent}: no such folder.")
    if not target_path.exists():
        _owner_only_file(target_path)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    target = sqlite3.connect(target_path, timeout=10)
    try:
        source.backup(target, pages=-1)  # replaces every page of the target in one transaction
        target.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite restore failed: {exc}") from None
    finally:
        target.close()
        source.close()


# --- PostgreSQL ---------------------------------------------------------------------------------------

def _pg_command(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        raise BackupError(f"{tool} was not found on PATH: install the PostgreSQL client tools of the server's "
                          "major version (Debian: postgresql-client).")
    return found


def _libpq(url: str) -> tuple[str, dict]:
    """A libpq URI without the password, and an environment carrying it (not on the command line)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _run(args: list[str], env: dict, what: str) -> None:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT_S,
                              check=False)  # nosec B603 # a fixed tool and our own arguments, no shell
    except subprocess.TimeoutExpired:
        raise BackupError(f"{what} did not finish within {PG_TIMEOUT_S // 3600} hours.") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise BackupError(f"{what} failed: {lines[0] if lines else f'exit status {done.returncode}'}")


def _check_pg_archive(path: Path) -> None:
    try:
        listing = subprocess.run([_pg_command("pg_restore"), "--list", str(path)], capture_output=True, text=True,
                                 timeout=600, check=False)  # nosec B603 # a fixed tool, our own arguments
    except subprocess.TimeoutExpired:
        raise BackupError(f"pg_restore could not read {path} within 10 minutes.") from None
    if listing.returncode != 0:
        raise BackupError(f"{path} cannot be read by pg_restore: {listing.stderr.strip().splitlines()[0]}")
    if " TABLE public alembic_version " not in listing.stdout and " TABLE DATA public alembic_version " not in \
            listing.stdout:
        raise BackupError(f"{path} is a pg_dump archive but not a Tandem backup (it has no schema revision).")


def _pg_dump(url: str, partial: Path) -> None:
    uri, env = _libpq(url)
    _run([_pg_command("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}",
          f"--dbname={uri}"], env, "pg_dump")


def _pg_restore(url: str, path: Path) -> None:
    uri, env = _libpq(url)
    _run([_pg_command("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", f"--dbname={uri}", str(path)], env, "pg_restore")


# --- helpers ------------------------------------------------------------------------------------------

def _owner_only_file(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def display_name(kind: str) -> str:
    """SQLite or PostgreSQL."""
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[kind]


def _reason(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
