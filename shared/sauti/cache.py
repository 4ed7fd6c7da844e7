"""Redis access: one client per container, short timeouts, no connection at import.

Connecting and every answer give up after ``REDIS_TIMEOUT_MS`` (a frozen or partitioned Redis is an
error in well under a second, not a hung request); a command that fails to connect or times out is
tried once more on a fresh connection (a Redis restart, a failover), never more; TCP keepalives let
the kernel notice a dead peer on an idle pooled connection.
"""

from __future__ import annotations

import functools

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from sauti.config import config
from sauti.core_settings import CoreSettings
from sauti.settings import settings

RETRIES = 1


@functools.cache
def redis_client() -> redis.Redis:
    """The container's client. Its pool reconnects by itself after a Redis restart.

    In AWS the URL is ``rediss://`` (TLS, the server's certificate checked) and the AUTH token
    comes from ``REDIS_SECRET_ARN``."""
    core = settings(CoreSettings)
    timeout = core.redis_timeout_ms / 1000
    return redis.Redis.from_url(
        core.redis_url,
        password=config().redis_password(),
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        socket_keepalive=True,
        retry=Retry(NoBackoff(), RETRIES),
        health_check_interval=30,
        decode_responses=True,
    )


def ping() -> None:
    """Raise redis.RedisError unless Redis answers."""
    redis_client().ping()
