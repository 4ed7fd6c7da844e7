"""Play-session state in Redis: one hash per session, one pointer per account to its active stream.

Each operation is one Lua script (one round trip, atomic): starting a session
also takes the account's stream over (the previous session learns it on its next
heartbeat) and, for free users, advances the ad counter. Key layout (one Redis
node, so scripts may touch keys they derive):

    playback:session:<id>   hash: user_id, kind, content_id, quality, stream_expires_at, started_at,
                            last_seen_at, last_state, paused_ms, stopped_at, stop_reason, counted, ...
    playback:active:<user>  the id of the account's active session (its TTL renewed by its heartbeats)
    playback:ads:<user>     hash: songs (started since the last ad), last_ad_at
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, cast

from redis.commands.core import Script

from sauti.cache import redis_client

SESSION_SECONDS = 4 * 3600  # refreshed by every heartbeat
AD_STATE_SECONDS = 7 * 24 * 3600
SESSION_PREFIX = "playback:session:"


def session_key(session_id: str) -> str:
    return SESSION_PREFIX + session_id


def active_key(user_id: str) -> str:
    return f"playback:active:{user_id}"


def ads_key(user_id: str) -> str:
    return f"playback:ads:{user_id}"


_START = """
local now = tonumber(ARGV[2])
local previous = redis.call('GET', KEYS[2])
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[3])
if previous and previous ~= ARGV[1] then
  local old = ARGV[4] .. previous
  if redis.call('EXISTS', old) == 1 and not redis.call('HGET', old, 'stopped_at') then
    redis.call('HSET', old, 'stopped_at', ARGV[2], 'stop_reason', 'playing_elsewhere')
  end
end
redis.call('HSET', KEYS[1], unpack(ARGV, 9))
redis.call('EXPIRE', KEYS[1], ARGV[3])
if ARGV[5] ~= '1' then return 0 end
local state = redis.call('HMGET', KEYS[3], 'songs', 'last_ad_at')
local songs = tonumber(state[1] or '0')
local last_ad = tonumber(state[2] or '0')
local due = last_ad == 0 or songs >= tonumber(ARGV[6]) or now - last_ad >= tonumber(ARGV[7])
if due then
  redis.call('HSET', KEYS[3], 'songs', 1, 'last_ad_at', ARGV[2])
else
  redis.call('HINCRBY', KEYS[3], 'songs', 1)
end
redis.call('EXPIRE', KEYS[3], ARGV[8])
if due then return 1 end
return 0
"""

_HEARTBEAT = """
local s = redis.call('HMGET', KEYS[1], 'user_id', 'last_seen_at', 'last_state', 'stopped_at', 'stop_reason',
                     'background_allowed', 'kind', 'content_id', 'quality', 'stream_expires_at')
if not s[1] or s[1] ~= ARGV[2] then return {'missing'} end
if s[4] then return {'stop', s[5]} end
local now = tonumber(ARGV[3])
if s[3] == 'paused' then
  redis.call('HINCRBYFLOAT', KEYS[1], 'paused_ms', (now - tonumber(s[2])) * 1000)
end
redis.call('HSET', KEYS[1], 'last_seen_at', ARGV[3], 'last_state', ARGV[4], 'position_ms', ARGV[6])
local reason = false
if redis.call('GET', KEYS[2]) ~= ARGV[1] then
  reason = 'playing_elsewhere'
elseif ARGV[5] == 'background' and ARGV[7] ~= '1' then
  reason = 'background_requires_premium'
end
if reason then
  redis.call('HSET', KEYS[1], 'stopped_at', ARGV[3], 'stop_reason', reason)
  return {'stop', reason}
end
redis.call('EXPIRE', KEYS[1], ARGV[8])
redis.call('EXPIRE', KEYS[2], ARGV[8])
return {'ok', s[7] or '', s[8] or '', s[9] or '', s[10] or '0'}
"""

# Fields of a session that may have expired meanwhile: an HSET on a missing key would bring it back
# as a hash without a TTL. Returns -1 when the session is gone, else what HSETNX/HSET answered.
_SET_IF_EXISTS = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if ARGV[1] == 'nx' then return redis.call('HSETNX', KEYS[1], ARGV[2], ARGV[3]) end
return redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
"""

_FINISH = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSETNX', KEYS[1], 'stopped_at', ARGV[2])
  redis.call('HSETNX', KEYS[1], 'stop_reason', 'ended')
end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 0
"""

# The account is gone: its active session stops (its next heartbeat hears why) and its ad state goes.
_END_ACCOUNT = """
local current = redis.call('GET', KEYS[1])
if current then
  local key = ARGV[2] .. current
  if redis.call('EXISTS', key) == 1 and not redis.call('HGET', key, 'stopped_at') then
    redis.call('HSET', key, 'stopped_at', ARGV[1], 'stop_reason', 'account_closed')
  end
end
return redis.call('DEL', KEYS[1], KEYS[2])
"""


@dataclass(frozen=True)
class Beat:
    outcome: str  # ok, stop, missing
    reason: str | None = None
    kind: str = ""  # for "ok": what the session plays, at which quality, until when its link is valid
    content_id: str = ""
    quality: str = ""
    stream_expires_at: float = 0.0


@functools.cache
def _script(source: str) -> Script:
    return redis_client().register_script(source)


def start(
    session_id: str,
    user_id: str,
    fields: dict[str, Any],
    *,
    now: float,
    free: bool,
    ad_every_songs: int,
    ad_interval_seconds: int,
) -> bool:
    """Store the session, make it the account's active stream; returns whether an ad break is due."""
    flat: list[Any] = []
    for name, value in fields.items():
        flat += [name, "" if value is None else value]
    due = _script(_START)(
        keys=[session_key(session_id), active_key(user_id), ads_key(user_id)],
        args=[
            session_id,
            repr(now),
            SESSION_SECONDS,
            SESSION_PREFIX,
            "1" if free else "0",
            ad_every_songs,
            ad_interval_seconds,
            AD_STATE_SECONDS,
            *flat,
        ],
    )
    return bool(due)


def heartbeat(
    session_id: str,
    user_id: str,
    *,
    now: float,
    state: str,
    app_state: str,
    position_ms: int,
    background_allowed: bool,
) -> Beat:
    """``ok``, ``stop`` with a reason, or ``missing`` when unknown, expired or not the caller's. An
    ``ok`` beat keeps the session and the account's pointer to it alive."""
    result = _script(_HEARTBEAT)(
        keys=[session_key(session_id), active_key(user_id)],
        args=[
            session_id,
            user_id,
            repr(now),
            state,
            app_state,
            position_ms,
            "1" if background_allowed else "0",
            SESSION_SECONDS,
        ],
    )
    if result[0] != "ok":
        return Beat(result[0], result[1] if len(result) > 1 else None)
    return Beat("ok", None, result[1], result[2], result[3], float(result[4] or 0))


def set_stream_expiry(session_id: str, expires_at: float) -> None:
    """The session's link was renewed (does nothing once the session expired)."""
    _script(_SET_IF_EXISTS)(
        keys=[session_key(session_id)], args=["set", "stream_expires_at", repr(expires_at)]
    )


def load(session_id: str) -> dict[str, str]:
    found = redis_client().hgetall(session_key(session_id))
    return cast(dict[str, str], found)  # decode_responses: text


def claim_count(session_id: str) -> str:
    """Mark the session's play as counted (only once per session): ``claimed``, ``already`` (it was
    counted before) or ``missing`` (the session expired meanwhile)."""
    result = _script(_SET_IF_EXISTS)(keys=[session_key(session_id)], args=["nx", "counted", "1"])
    return {1: "claimed", 0: "already"}.get(int(result), "missing")


def release_count(session_id: str) -> None:
    redis_client().hdel(session_key(session_id), "counted")


def finish(session_id: str, user_id: str, now: float) -> None:
    """The session ended: it is marked stopped (if it still exists) and stops holding the account's stream."""
    _script(_FINISH)(keys=[session_key(session_id), active_key(user_id)], args=[session_id, repr(now)])


def end_account(user_id: str, now: float) -> None:
    """Stop the account's active session and forget its ad state (the account was deleted)."""
    _script(_END_ACCOUNT)(keys=[active_key(user_id), ads_key(user_id)], args=[repr(now), SESSION_PREFIX])
