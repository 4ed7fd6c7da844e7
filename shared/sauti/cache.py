"""Redis access: one client per container, short timeouts, no connection at import."""

from __future__ import annotations

import functools

import redis

from sauti.core_settings import CoreSettings
from sauti.settings import settings

SOCKET_TIMEOUT_SECONDS = 0.5


@functools.cache
def redis_client() -> redis.Redis:
    """The container's client. Its pool reconnects by itself after a Redis restart."""
    return redis.Redis.from_url(
        settings(CoreSettings).redis_url,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
        socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
        health_check_interval=30,
        decode_responses=True,
    )


def ping() -> None:
    """Raise redis.RedisError unless Redis answers."""
    redis_client().ping()
