"""Answers in progress, sealed so that the database alone cannot read them.

A draft sits on the invitation row, next to person_id, for as long as someone takes to answer. It is
therefore stored only as AES-256-GCM ciphertext under a key derived (HKDF-SHA256) from the link's
token. The server stores the token's SHA-256, never the token, so neither the database nor a backup of
it can open a draft. The key reaches each request in the respondent's signed session cookie (set when
the link is opened, see webapp/respond/employee.py); it is never written to the database or a log.

The invitation id is the associated data: a sealed draft copied onto another invitation does not open.
`draft_key_id` (SHA-256 of the key) lets the link that sealed a draft find it again after a reminder
has replaced the invitation's token.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from surveys.errors import Conflict

VERSION = 1
SALT = b"tandem draft key v1"
KEY_BYTES = 32
NONCE_BYTES = 12

EARLIER_LINK = ("Your answers so far were saved through the link of an earlier email, and only that link can "
                "open them. Open that link to continue where you left off, or start again here: the saved "
                "answers will then be erased.")


class DraftUnreadable(Conflict):
    """The draft was sealed with another link's key (an earlier email's), or is damaged."""

    def __init__(self, message: str = EARLIER_LINK):
        super().__init__(message)


def key_for(token: str) -> bytes:
    """The draft key of a link token: HKDF-SHA256 with a fixed salt (the token already holds 192 random bits)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=SALT, info=b"invitation draft")
    return hkdf.derive((token or "").encode("utf-8"))


def key_id(key: bytes) -> str:
    """SHA-256 hex of a key: stored to find the draft a key sealed, and useless for opening it."""
    return hashlib.sha256(key).hexdigest()


def encode_key(key: bytes) -> str:
    """A key as text for the session cookie."""
    return base64.urlsafe_b64encode(key).decode("ascii")


def decode_key(text: object) -> bytes | None:
    """The key from the session cookie, or None when absent or malformed."""
    if not isinstance(text, str):
        return None
    try:
        key = base64.urlsafe_b64decode(text.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None
    return key if len(key) == KEY_BYTES else None


def _aad(invitation_id: int) -> bytes:
    return f"tandem invitation {invitation_id}".encode("ascii")


def seal(key: bytes, invitation_id: int, draft: dict) -> dict:
    """Encrypt a draft ({"page": int, "answers": {...}}) for the invitation's JSON column."""
    nonce = os.urandom(NONCE_BYTES)
    plain = json.dumps(draft, separators=(",", ":"), sort_keys=True).encode("utf-8")
    sealed = AESGCM(key).encrypt(nonce, plain, _aad(invitation_id))
    return {"v": VERSION, "nonce": base64.b64encode(nonce).decode("ascii"),
            "data": base64.b64encode(sealed).decode("ascii")}


def unseal(key: bytes, invitation_id: int, stored: dict) -> dict:
    """Decrypt a stored draft; DraftUnreadable when another key sealed it or it was altered."""
    try:
        if stored.get("v") != VERSION:
            raise ValueError(stored.get("v"))
        nonce = base64.b64decode(stored["nonce"])
        plain = AESGCM(key).decrypt(nonce, base64.b64decode(stored["data"]), _aad(invitation_id))
    except (InvalidTag, KeyError, TypeError, ValueError, AttributeError):
        raise DraftUnreadable() from None
    return json.loads(plain)
