"""Uploaded files kept on disk until their import job ends: random names, owner-only, never served.

A job row names its files by their random name only; every path is rebuilt inside the configured
folder, so a row can never make a worker open or delete a file elsewhere.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Iterable
from pathlib import Path

STORED_NAME = re.compile(r"[0-9a-f]{32}\.csv")
COPY_CHUNK = 1 << 20
MAX_NAME = 200


def display_name(filename: str | None) -> str:
    """The uploaded file's own name, fit to store and show: no folders, no control characters (no NUL)."""
    name = re.split(r"[/\\]", filename or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()[:MAX_NAME]
    return name or "upload.csv"


def ensure_dir(directory: str | os.PathLike) -> Path:
    """The upload folder, created readable by the server's user only."""
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def store(directory: str | os.PathLike, stream) -> str:
    """Copy a binary stream into a new owner-only file in chunks (never whole in memory); its random name."""
    folder = ensure_dir(directory)
    name = f"{secrets.token_hex(16)}.csv"
    fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(stream, out, COPY_CHUNK)
    except BaseException:
        (folder / name).unlink(missing_ok=True)
        raise
    return name


def path_of(directory: str | os.PathLike, name: str) -> Path:
    """The stored file's path; ValueError for a name this module did not make."""
    if not STORED_NAME.fullmatch(name or ""):
        raise ValueError(f"not a stored upload name: {name!r}")
    return Path(directory) / name


def remove(directory: str | os.PathLike, names: Iterable[str]) -> None:
    """Delete stored files (already gone is fine)."""
    for name in names:
        path_of(directory, name).unlink(missing_ok=True)


def estimate_rows(path: Path) -> int:
    """Lines after the header, counted on the bytes (quoted line breaks count too): a progress estimate."""
    lf = cr = 0
    last = b""
    with path.open("rb") as fh:
        while chunk := fh.read(COPY_CHUNK):
            lf += chunk.count(b"\n")
            cr += chunk.count(b"\r")
            last = chunk[-1:]
    lines = max(lf, cr) + (1 if last not in (b"", b"\n", b"\r") else 0)
    return max(lines - 1, 0)
