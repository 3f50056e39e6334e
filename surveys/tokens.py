"""Single-use tokens: 192 random bits from `secrets`; only their SHA-256 is ever stored."""
from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 24  # 192 bits, above the 128-bit floor


def new_token() -> tuple[str, str]:
    """Return (token for the link, hash for the database)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    """SHA-256 hex digest of a token; a fast hash is fine because tokens are long and random."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


QUEUE_KEY_INFO = b"tandem submission queue v1"


def derive_key(secret: str, info: bytes = QUEUE_KEY_INFO) -> bytes:
    """A 32-byte key derived (HKDF-SHA256) from a configured secret, e.g. the submission queue's."""
    # Imported here: every `tandem` command reads the configuration, few need the cipher library.
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret.encode())
