"""The OA webhook's signature: `X-ZEvent-Signature: mac=<hex>`, where hex is the plain
SHA-256 (not an HMAC) of app_id + the raw body + the body's `timestamp` + the OA secret key
(../shared/review/zalo.md §3a). The app id is ours from the configuration, not the body's,
so an event for another app never verifies."""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-ZEvent-Signature"
PREFIX = "mac="


def mac(app_id: str, body: bytes, timestamp: str, oa_secret: str) -> str:
    digest = hashlib.sha256()
    digest.update(app_id.encode())
    digest.update(body)
    digest.update(timestamp.encode())
    digest.update(oa_secret.encode())
    return digest.hexdigest()


def verify(header: str, app_id: str, body: bytes, timestamp: str, oa_secret: str) -> bool:
    """Whether `header` signs exactly these bytes (constant-time comparison)."""
    if not header.startswith(PREFIX) or not oa_secret:
        return False
    expected = mac(app_id, body, timestamp, oa_secret)
    return hmac.compare_digest(header[len(PREFIX) :].strip().lower().encode(), expected.encode())
