"""Cache-aside in Redis for hot catalog lookups. A Redis failure only costs speed: errors read as misses."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from typing import Any

import redis
from redis.commands.core import Script

from sauti.cache import redis_client
from sauti.observability import logger

MISSING = {"missing": True}  # cached "no such row", so a stream of unknown ids does not reach the database
MISSING_SECONDS = 30
VERSION_PREFIX = "catalog:version:"
VERSION_SECONDS = 3600  # far longer than any load takes


def song_key(song_id: str) -> str:
    return f"catalog:song:{song_id}"


def artist_key(artist_id: str) -> str:
    return f"catalog:artist:{artist_id}"


def album_key(album_id: str) -> str:
    return f"catalog:album:{album_id}"


def video_key(video_id: str) -> str:
    return f"catalog:video:{video_id}"


ADS_KEY = "catalog:ads:active"


def version_key(key: str) -> str:
    return VERSION_PREFIX + key


# Set the entry only if no invalidation happened since the reader looked (its version unchanged):
# a reader that loaded the row before a write must not put the old row back after the write's
# invalidation (a taken-down song would stay playable for the entry's lifetime).
_SET_IF_UNCHANGED = """
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
"""


@functools.cache
def _set_if_unchanged() -> Script:
    return redis_client().register_script(_SET_IF_UNCHANGED)  # each call passes its client


def cached(key: str, seconds: int, load: Callable[[], Any]) -> Any:
    """The cached value of ``key``, or ``load()`` stored for ``seconds``; None when the row does not exist.

    The entry and its version are read in one round trip; the loaded value is stored only if the
    version is still the same (no ``invalidate`` in between).
    """
    client = redis_client()
    try:
        raw, version = client.mget([key, version_key(key)])
    except redis.RedisError:
        logger.warning("catalog cache read failed", extra={"key": key})
        return load()  # no version seen, so nothing is stored
    if raw is not None:
        value = json.loads(raw)
        return None if value == MISSING else value
    value = load()
    try:
        _set_if_unchanged()(
            keys=[key, version_key(key)],
            args=[
                version or "",
                json.dumps(MISSING if value is None else value),
                MISSING_SECONDS if value is None else seconds,
            ],
            client=client,
        )
    except redis.RedisError:
        logger.warning("catalog cache write failed", extra={"key": key})
    return value


def cached_many(keys: list[str]) -> list[Any]:
    """Several cached values in one round trip; a miss (or Redis down) is None, a cached absence MISSING."""
    if not keys:
        return []
    try:
        raws = redis_client().mget(keys)
    except redis.RedisError:
        return [None] * len(keys)
    return [json.loads(raw) if raw is not None else None for raw in raws]


def invalidate(keys: Iterable[str | None]) -> None:
    """Drop the entries and bump their versions (atomically), so no reader that loaded the old row
    before this puts it back."""
    names = [key for key in keys if key]
    if not names:
        return
    try:
        pipe = redis_client().pipeline(transaction=True)
        for name in names:
            pipe.incr(version_key(name))
            pipe.expire(version_key(name), VERSION_SECONDS)
        pipe.delete(*names)
        pipe.execute()
    except redis.RedisError:
        # The entries expire on their own; until then readers may see the old row.
        logger.warning("catalog cache invalidation failed", extra={"keys": names})
