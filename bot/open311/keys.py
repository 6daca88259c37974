"""Partners' API keys and request tokens: secrets made here, kept only as hashes.

A key is `secrets.token_urlsafe(32)` (43 characters, 256 bits), printed once by `danvan
open311 key create`; storage keeps its SHA-256 (hex). A plain hash suffices (no slow KDF):
the secret is random and long, not a password a person chose. A token is a shorter random
name for a posted request (the standard's asynchronous path).
"""

from __future__ import annotations

import hashlib
import secrets

KEY_BYTES, TOKEN_BYTES = 32, 18
MAX_KEY_LENGTH = 200  # anything longer is not one of ours: refused before hashing


def key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def new_key() -> tuple[str, str]:
    """(secret, its hash)."""
    secret = secrets.token_urlsafe(KEY_BYTES)
    return secret, key_hash(secret)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)
