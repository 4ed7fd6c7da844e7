"""Single-use, expiring tokens for emailed links (password reset, email verification).

The token is 256 random bits; Redis keeps only its SHA-256 hash with what it grants,
for the link's lifetime. Using it deletes it (GETDEL), so two concurrent uses
cannot both succeed. If Redis loses them, the links stop working and the user asks
for a new one: nothing else depends on them.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

from sauti.cache import redis_client

MAX_TOKEN_LENGTH = 200


def _key(purpose: str, token: str) -> str:
    return f"auth:{purpose}:{hashlib.sha256(token.encode()).hexdigest()}"


def issue(purpose: str, grants: dict[str, Any], ttl_seconds: int) -> str:
    token = secrets.token_urlsafe(32)
    redis_client().set(_key(purpose, token), json.dumps(grants), ex=ttl_seconds)
    return token


def peek(purpose: str, token: str) -> dict[str, Any] | None:
    """What the token grants, without using it up."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    value = redis_client().get(_key(purpose, token))
    return json.loads(value) if value else None


def consume(purpose: str, token: str) -> dict[str, Any] | None:
    """What the token grants, using it up; None if unknown, expired or already used."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    value = redis_client().getdel(_key(purpose, token))
    return json.loads(value) if value else None
