"""Refresh-token sessions: opaque rotating tokens, stored hashed, with reuse detection.

A refresh token is ``<family>.<secret>``, two random 256-bit values. ``family`` is
the same for every token of one session (one login); ``secret`` changes at every
refresh. Only SHA-256 hashes of both are stored. Presenting a token whose family
is known but whose secret is not the current one means an already-rotated token
came back: someone else holds a copy, so the whole session is revoked (its newest
token too). One record per session is enough to recognise every old token.

Redis holds the live state (``auth:session:<id>`` hash, ``auth:family:<hash>`` →
id) and decides each rotation atomically (a Lua compare-and-set). PostgreSQL
(``auth_sessions``) gets a copy of every change in the same request and has the
last word: a session Redis no longer knows (restart, failover, flush) is read
back from PostgreSQL, and a rotation PostgreSQL refuses (revoked meanwhile) fails.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sauti.auth import normalize, store
from sauti.auth.errors import InvalidRefreshToken, RefreshTokenReused
from sauti.cache import redis_client
from sauti.config import config
from sauti.db import Row
from sauti.observability import logger

MAX_TOKEN_LENGTH = 200

# Put a session into Redis unless it is already there (a newer rotation must never be overwritten).
_STORE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('EXPIREAT', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2], 'EXAT', ARGV[1])
return 1
"""

# Compare-and-set of the current secret. ARGV: presented hash, new hash, now (ISO), new idle expiry (epoch).
_ROTATE = """
local current = redis.call('HGET', KEYS[1], 'secret_hash')
if not current then return 'missing' end
if current ~= ARGV[1] then return 'reused' end
local ends = math.min(tonumber(ARGV[4]), tonumber(redis.call('HGET', KEYS[1], 'expires_at')))
redis.call('HSET', KEYS[1], 'secret_hash', ARGV[2], 'last_used_at', ARGV[3], 'idle_expires_at', ARGV[4])
redis.call('EXPIREAT', KEYS[1], ends)
redis.call('EXPIREAT', KEYS[2], ends)
return 'ok'
"""


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
    ends = min(record["idle_expires_at"], record["expires_at"])
    fields = {
        "user_id": str(record["user_id"]),
        "family_hash": record["family_hash"],
        "secret_hash": record["secret_hash"],
        "idle_expires_at": _epoch(record["idle_expires_at"]),
        "expires_at": _epoch(record["expires_at"]),
    }
    redis_client().eval(
        _STORE,
        2,
        _session_key(str(record["id"])),
        _family_key(record["family_hash"]),
        _epoch(ends),
        str(record["id"]),
        *[item for pair in fields.items() for item in pair],
    )


def _drop(sessions: list[Row]) -> None:
    keys = [
        key for row in sessions for key in (_session_key(str(row["id"])), _family_key(row["family_hash"]))
    ]
    if keys:
        redis_client().delete(*keys)


def start(user_id: str, device: Device, *, now: datetime | None = None) -> tuple[str, str]:
    """Open a session; returns its id and its first refresh token."""
    settings = config()
    now = now or datetime.now(UTC)
    family, secret = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    record = {
        "id": str(uuid.uuid4()),
        "user_id": user_id,
        "family_hash": _sha256(family),
        "secret_hash": _sha256(secret),
        "user_agent": normalize.user_agent(device.user_agent),
        "platform": device.platform,
        "device_name": device.device_name,
        "created_at": now,
        "last_used_at": now,
        "idle_expires_at": now + timedelta(seconds=settings.int("REFRESH_TOKEN_TTL_SECONDS")),
        "expires_at": now + timedelta(seconds=settings.int("SESSION_MAX_AGE_SECONDS")),
    }
    store.insert_session(record)  # durable before the token is handed out
    _cache(record)
    return record["id"], f"{family}.{secret}"


def find(refresh_token: str) -> LiveSession | None:
    """The live session a token belongs to (current or already rotated), or None."""
    family, dot, secret = refresh_token.partition(".")
    if not dot or not family or not secret or len(refresh_token) > MAX_TOKEN_LENGTH:
        return None
    family_hash = _sha256(family)
    client = redis_client()
    session_id = client.get(_family_key(family_hash))
    user_id = client.hget(_session_key(session_id), "user_id") if session_id else None
    if user_id is None:
        record = store.live_session_by_family(family_hash)
        if record is None:
            return None
        logger.info("session restored from PostgreSQL", extra={"session_id": str(record["id"])})
        _cache(record)
        session_id, user_id = str(record["id"]), str(record["user_id"])
    return LiveSession(session_id, user_id, family, _sha256(secret))


def rotate(session: LiveSession, *, now: datetime | None = None) -> str:
    """Replace the session's token; an already-rotated token revokes the whole session."""
    now = now or datetime.now(UTC)
    secret = secrets.token_urlsafe(32)
    idle_expires_at = now + timedelta(seconds=config().int("REFRESH_TOKEN_TTL_SECONDS"))
    outcome = redis_client().eval(
        _ROTATE,
        2,
        _session_key(session.id),
        _family_key(session.family_hash),
        session.presented_secret_hash,
        _sha256(secret),
        now.isoformat(),
        _epoch(idle_expires_at),
    )
    if outcome == "reused":
        logger.warning("refresh token reused: session revoked", extra={"session_id": session.id})
        revoke(session.user_id, session.id)
        raise RefreshTokenReused("this refresh token was already used; the session has been ended")
    if outcome != "ok" or not store.record_rotation(session.id, _sha256(secret), now, idle_expires_at):
        _drop([{"id": session.id, "family_hash": session.family_hash}])
        raise InvalidRefreshToken("this session has ended")
    return f"{session.family}.{secret}"


def revoke(user_id: str, session_id: str) -> bool:
    """End one of the user's sessions; False if there was no such live session."""
    ended = store.revoke_sessions(user_id, session_id=session_id)
    _drop(ended)
    return bool(ended)


def revoke_all(user_id: str, *, keep: str | None = None) -> int:
    """End every session of the user (but ``keep``); PostgreSQL first, so none can be restored."""
    ended = store.revoke_sessions(user_id, keep=keep)
    _drop(ended)
    return len(ended)


def forget_all(user_id: str) -> None:
    """Delete every session record of a deleted account."""
    _drop(store.delete_sessions(user_id))


def live(user_id: str) -> list[Row]:
    return store.live_sessions(user_id)
