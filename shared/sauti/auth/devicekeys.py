"""Device keys: proof that a device signed in to an account before (OWASP's "device cookies"), so
that someone guessing an account's password cannot lock its owner's own devices out of login.

Every sign-up and login answers a fresh random key; Redis keeps ``auth:device:<sha256(key)>`` = the
account's digest for a session's maximum age. A login that presents a key of this account is
throttled per key only (docs/auth.md). Losing Redis loses no security: the devices are then
throttled like any other until they sign in again.
"""

from __future__ import annotations

import hashlib
import secrets

import redis

from sauti.auth.settings import AuthSettings
from sauti.cache import redis_client
from sauti.observability import logger
from sauti.settings import settings


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def issue(account: str) -> str:
    """A new key for the device that just signed in to ``account`` (its normalised email). Redis
    failing here must not fail a sign-in that already happened: the key then proves nothing."""
    key = secrets.token_urlsafe(32)
    try:
        redis_client().set(
            f"auth:device:{_digest(key)}", _digest(account), ex=settings(AuthSettings).session_max_age_seconds
        )
    except redis.RedisError:
        logger.exception("device key not stored")
    return key


def belongs_to(key: str | None, account: str) -> bool:
    if not key:
        return False
    found = redis_client().get(f"auth:device:{_digest(key)}")
    return found is not None and secrets.compare_digest(
        found.decode() if isinstance(found, bytes) else str(found), _digest(account)
    )
