"""Links to "What you told us": one per wave and storage team, an HMAC of (wave id, team id).

The token is computed, never stored: nothing secret sits in the database, so a copy of it (a backup)
cannot forge a link, and the results mail can be rebuilt by any host. The key is TANDEM_RESULTS_LINK_KEY
when set, else derived from the app's secret key; changing either invalidates every link sent.
A link names a team, not a person: everyone pooled into one storage unit gets the same link.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping

from surveys.tokens import derive_key

LINK_KEY_INFO = b"tandem results links v1"
_TOKEN = re.compile(r"^([1-9][0-9]{0,11})\.([1-9][0-9]{0,11})\.([A-Za-z0-9_-]{43})$")


def link_key(config: Mapping) -> bytes:
    """The signing key: RESULTS_LINK_KEY when configured, else derived (HKDF) from SECRET_KEY."""
    dedicated = config.get("RESULTS_LINK_KEY")
    return derive_key(dedicated or config["SECRET_KEY"], LINK_KEY_INFO)


def _mac(key: bytes, wave_id: int, team_id: int) -> str:
    digest = hmac.new(key, f"results:{wave_id}:{team_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def make_token(key: bytes, wave_id: int, team_id: int) -> str:
    """The link token of one wave and storage team: '<wave>.<team>.<mac>' (the ids are not secret)."""
    return f"{wave_id}.{team_id}.{_mac(key, wave_id, team_id)}"


def read_token(key: bytes, token: str) -> tuple[int, int] | None:
    """(wave id, team id) of a genuine token, None for anything else (compared in constant time)."""
    match = _TOKEN.match(token or "")
    if match is None:
        return None
    wave_id, team_id = int(match.group(1)), int(match.group(2))
    if not hmac.compare_digest(_mac(key, wave_id, team_id).encode(), match.group(3).encode()):
        return None
    return wave_id, team_id


def results_path(token: str) -> str:
    """The page's path for a token (joined to BASE_URL in mails)."""
    return f"/results/{token}"
