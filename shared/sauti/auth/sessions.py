"""Refresh-token sessions: opaque rotating tokens, stored hashed, with reuse detection.

A refresh token is ``<family>.<secret>``, two random 256-bit values. ``family`` is
the same for every token of one session (one login); ``secret`` changes at every
refresh. Only SHA-256 hashes of both are stored. Presenting a token whose family
is known but whose secret is not the current one means an already-rotated token
came back: someone else holds a copy, so the whole session is revoked (its newest
token too). One record per session is enough to recognise every old token.

PostgreSQL (``auth_sessions``) holds the truth and decides every rotation with
one conditional ``UPDATE`` (``WHERE secret_hash = <presented>``): a request that
fails before it leaves the presented token current, so the client's retry works.
Redis mirrors each live session (``auth:session:<id>`` hash, ``auth:family:<hash>``
→ id) to find it by its token; it is written after PostgreSQL, and a Redis failure
there is logged, not shown: a stale or missing copy can neither revive an ended
session nor refuse a live one, since every rotation and revocation is decided by
PostgreSQL, and a session Redis does not know is read back from PostgreSQL.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

import redis
from psycopg import Connection

from sauti import clock
from sauti.auth import normalize, store
from sauti.auth.errors import InvalidRefreshToken, RefreshTokenReused
from sauti.auth.settings import AuthSettings
from sauti.cache import redis_client
from sauti.db import Row, transaction
from sauti.observability import logger
from sauti.settings import settings

MAX_TOKEN_LENGTH = 200
# Logging in beyond this many live sessions ends the least recently used ones.
MAX_SESSIONS_PER_USER = 50


@dataclass(frozen=True)
class Device:
    user_agent: str | None = None
    platform: str | None = None
    device_name: str | None = None


@dataclass(frozen=True)
class LiveSession:
    id: str
    user_id: str
    family: str  # as presented; only its hash is stored
    presented_secret_hash: str

    @property
    def family_hash(self) -> str:
        return _sha256(self.family)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _session_key(session_id: str) -> str:
    return f"auth:session:{session_id}"


def _family_key(family_hash: str) -> str:
    return f"auth:family:{family_hash}"


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _cache(record: Row) -> None:
    """Mirror a live session into Redis, until it ends; best effort (see the module's docstring)."""
    ends = _epoch(min(record["idle_expires_at"], record["expires_at"]))
    session_key = _session_key(str(record["id"]))
    try:
        pipe = redis_client().pipeline(transaction=True)
        pipe.hset(
            session_key, mapping={"user_id": str(record["user_id"]), "secret_hash": record["secret_hash"]}
        )
        pipe.expireat(session_key, ends)
        pipe.set(_family_key(record["family_hash"]), str(record["id"]), exat=ends)
        pipe.execute()
    except redis.RedisError:
        logger.warning("session not mirrored to Redis", extra={"session_id": str(record["id"])})


def uncache(ended: list[Row]) -> None:
    """Drop ended sessions from Redis once PostgreSQL has ended them; best effort, PostgreSQL decides."""
    keys = [key for row in ended for key in (_session_key(str(row["id"])), _family_key(row["family_hash"]))]
    if not keys:
        return
    try:
        redis_client().delete(*keys)
    except redis.RedisError:
        logger.warning("ended sessions left in Redis", extra={"sessions": len(ended)})


def start(
    conn: Connection[Row], user_id: str, device: Device, *, now: datetime | None = None
) -> tuple[str, str]:
    """Open a session in the caller's transaction; returns its id and its first refresh token.

    Were that transaction to fail, the Redis copy would point at a row that does not
    exist: found, then refused.
    """
    auth_settings = settings(AuthSettings)
    now = now or clock.now()
    family, secret = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session_id = str(uuid.uuid4())
    record = {
        "id": session_id,
        "user_id": user_id,
        "family_hash": _sha256(family),
        "secret_hash": _sha256(secret),
        "user_agent": normalize.user_agent(device.user_agent),
        "platform": device.platform,
        "device_name": device.device_name,
        "created_at": now,
        "last_used_at": now,
        "idle_expires_at": now + timedelta(seconds=auth_settings.refresh_token_ttl_seconds),
        "expires_at": now + timedelta(seconds=auth_settings.session_max_age_seconds),
    }
    store.insert_session(conn, record)  # durable before the token is handed out
    uncache(store.revoke_sessions_beyond(conn, user_id, MAX_SESSIONS_PER_USER))
    _cache(record)
    return session_id, f"{family}.{secret}"


def find(refresh_token: str) -> LiveSession | None:
    """The live session a token belongs to (current or already rotated), or None."""
    family, dot, secret = refresh_token.partition(".")
    if not dot or not family or not secret or len(refresh_token) > MAX_TOKEN_LENGTH:
        return None
    family_hash = _sha256(family)
    try:
        client = redis_client()
        session_id = cast(str | None, client.get(_family_key(family_hash)))  # decode_responses: text
        user_id = cast(str | None, client.hget(_session_key(session_id), "user_id") if session_id else None)
    except redis.RedisError:
        logger.warning("Redis unavailable: session looked up in PostgreSQL")
        session_id = user_id = None
    if session_id is None or user_id is None:
        with transaction() as conn:
            record = store.live_session_by_family(conn, family_hash)
        if record is None:
            return None
        _cache(record)
        session_id, user_id = str(record["id"]), str(record["user_id"])
    return LiveSession(session_id, user_id, family, _sha256(secret))


def rotate(session: LiveSession, *, now: datetime | None = None) -> str:
    """Replace the session's token; an already-rotated token revokes the whole session."""
    now = now or clock.now()
    secret = secrets.token_urlsafe(32)
    idle_expires_at = now + timedelta(seconds=settings(AuthSettings).refresh_token_ttl_seconds)
    with transaction() as conn:
        rotated = store.rotate_session(
            conn, session.id, session.presented_secret_hash, _sha256(secret), now, idle_expires_at
        )
    if rotated is not None:
        _cache(rotated)
        return f"{session.family}.{secret}"
    with transaction() as conn:
        reused = store.live_session_by_family(conn, session.family_hash) is not None
    if reused:
        logger.warning("refresh token reused: session revoked", extra={"session_id": session.id})
        revoke(session.user_id, session.id)
        raise RefreshTokenReused("this refresh token was already used; the session has been ended")
    uncache([{"id": session.id, "family_hash": session.family_hash}])
    raise InvalidRefreshToken("this session has ended")


def revoke(user_id: str, session_id: str) -> bool:
    """End one of the user's sessions; False if there was no such live session."""
    with transaction() as conn:
        ended = store.revoke_sessions(conn, user_id, session_id=session_id)
    uncache(ended)
    return bool(ended)


def revoke_all(user_id: str, *, keep: str | None = None) -> int:
    """End every session of the user (but ``keep``); PostgreSQL first, so none can be restored."""
    with transaction() as conn:
        ended = store.revoke_sessions(conn, user_id, keep=keep)
    uncache(ended)
    return len(ended)


def live(user_id: str, limit: int, after: tuple[datetime, str] | None = None) -> list[Row]:
    with transaction() as conn:
        return store.live_sessions(conn, user_id, limit, after)
