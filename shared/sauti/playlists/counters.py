"""Views and plays of public playlists, counted in Redis: one round trip per view, no SQL.

Per playlist and UTC day a SET holds the accounts that counted (a view or a qualified play), so an
account counts once per day however often it looks; per account and day a counter caps how many
playlists its views may count for. The ranking job reads the sets' sizes (``flush``) into
``playlist_daily_stats``; the keys expire after a few days on their own.
"""

from __future__ import annotations

import functools
import json
from datetime import date, timedelta
from typing import Any, Literal

import redis
from redis.commands.core import Script

from sauti.cache import redis_client
from sauti.observability import logger

Kind = Literal["viewers", "players"]
KEY_DAYS = 3  # the job flushes today and yesterday; the rest is slack for a job that missed runs
KEY_SECONDS = KEY_DAYS * 86_400
FLUSH_CHUNK = 500
TOP_KEY = "playlists:top:"


def members_key(kind: Kind, day: date, playlist_id: str) -> str:
    return f"playlists:{kind}:{day.isoformat()}:{playlist_id}"


def budget_key(kind: Kind, day: date, account_id: str) -> str:
    return f"playlists:budget:{kind}:{day.isoformat()}:{account_id}"


def dirty_key(day: date) -> str:
    return f"playlists:dirty:{day.isoformat()}"


# KEYS: members, budget, dirty; ARGV: account, playlist, daily budget, seconds. 1 if the account counted now.
_COUNT_ONCE = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
local used = redis.call('INCR', KEYS[2])
if used == 1 then redis.call('EXPIRE', KEYS[2], ARGV[4]) end
if used > tonumber(ARGV[3]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('EXPIRE', KEYS[3], ARGV[4])
return 1
"""


@functools.cache
def _count_once() -> Script:
    return redis_client().register_script(_COUNT_ONCE)


def count(kind: Kind, playlist_id: str, account_id: str, day: date, daily_budget: int) -> bool:
    """Count ``account_id`` for the playlist on ``day`` (once; within its daily budget). One round trip
    (EVALSHA). A Redis failure loses this one count, never the request."""
    try:
        counted = _count_once()(
            keys=[members_key(kind, day, playlist_id), budget_key(kind, day, account_id), dirty_key(day)],
            args=[account_id, playlist_id, daily_budget, KEY_SECONDS],
        )
    except redis.RedisError:
        logger.warning("playlist count lost", extra={"playlist_id": playlist_id, "kind": kind})
        return False
    return bool(counted)


def day_totals(day: date) -> list[tuple[str, int, int]]:
    """``(playlist_id, viewers, players)`` of every playlist counted on ``day``, as Redis has them now."""
    client = redis_client()
    playlist_ids = sorted(str(member) for member in client.smembers(dirty_key(day)))
    totals: list[tuple[str, int, int]] = []
    for start in range(0, len(playlist_ids), FLUSH_CHUNK):
        chunk = playlist_ids[start : start + FLUSH_CHUNK]
        pipe = client.pipeline(transaction=False)
        for playlist_id in chunk:
            pipe.scard(members_key("viewers", day, playlist_id))
            pipe.scard(members_key("players", day, playlist_id))
        sizes = pipe.execute()
        totals.extend(
            (playlist_id, int(sizes[2 * i]), int(sizes[2 * i + 1])) for i, playlist_id in enumerate(chunk)
        )
    return totals


def flush_days(today: date) -> list[date]:
    return [today - timedelta(days=1), today]


def cache_ranking(period: str, body: dict[str, Any]) -> None:
    try:
        redis_client().set(TOP_KEY + period, json.dumps(body, default=str))
    except redis.RedisError:
        logger.warning("playlist ranking cache write failed", extra={"period": period})


def cached_ranking(period: str) -> str | None:
    """The ranking's JSON as the job stored it; None when Redis has none (or cannot answer)."""
    try:
        found = redis_client().get(TOP_KEY + period)
    except redis.RedisError:
        return None
    return None if found is None else str(found)


def first_in(key: str, seconds: int) -> bool:
    """True the first time ``key`` is claimed within ``seconds`` (one round trip; Redis down: True)."""
    try:
        return bool(redis_client().set(f"playlists:once:{key}", "1", nx=True, ex=seconds))
    except redis.RedisError:
        return True
