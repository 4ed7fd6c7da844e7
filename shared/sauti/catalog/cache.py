"""Cache-aside in Redis for hot catalog lookups. A Redis failure only costs speed: errors read as misses."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import redis

from sauti.cache import redis_client
from sauti.observability import logger

MISSING = {"missing": True}  # cached "no such row", so a stream of unknown ids does not reach the database
MISSING_SECONDS = 30


def song_key(song_id: str) -> str:
    return f"catalog:song:{song_id}"


def artist_key(artist_id: str) -> str:
    return f"catalog:artist:{artist_id}"


def album_key(album_id: str) -> str:
    return f"catalog:album:{album_id}"


def video_key(video_id: str) -> str:
    return f"catalog:video:{video_id}"


ADS_KEY = "catalog:ads:active"


def cached(key: str, seconds: int, load: Callable[[], Any]) -> Any:
    """The cached value of ``key``, or ``load()`` stored for ``seconds``; None when the row does not exist."""
    try:
        raw = redis_client().get(key)
    except redis.RedisError:
        logger.warning("catalog cache read failed", extra={"key": key})
        raw = None
    if raw is not None:
        value = json.loads(raw)
        return None if value == MISSING else value
    value = load()
    try:
        redis_client().set(
            key,
            json.dumps(MISSING if value is None else value),
            ex=MISSING_SECONDS if value is None else seconds,
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
    names = [key for key in keys if key]
    if not names:
        return
    try:
        redis_client().delete(*names)
    except redis.RedisError:
        # The entries expire on their own; until then readers may see the old row.
        logger.warning("catalog cache invalidation failed", extra={"keys": names})
