"""Whether an account's access tokens still work: one Redis GET on every authenticated request.

An access token is verified by the gateway alone and lives ``ACCESS_TOKEN_TTL_SECONDS``. To end
it sooner, deleting or suspending an account writes a *block* before the change commits:
``auth:blocked:<user id>`` = ``<state>:<epoch>``, where ``state`` is ``deleted``, ``suspended`` or
``ended`` (a suspension lifted: sign in again) and ``epoch`` the second of the block. A token
issued in or before that second is refused, 401 for ``deleted`` and ``ended``, 403
``account_suspended`` for ``suspended``; a token issued after it (after an unsuspension, or
because the change did not commit after all) is not. A block outlives every token it could
refuse (``ACCESS_TOKEN_TTL_SECONDS`` plus the gateway's clock leeway), then expires: by then a
deleted or suspended account has no token left, since login and refresh read PostgreSQL.

Most requests find no block, so PostgreSQL is read only when Redis cannot answer (a request that
would otherwise wait on a frozen Redis). docs/auth.md gives the measured cost.
"""

from __future__ import annotations

import math
from typing import cast

import redis

from sauti import clock
from sauti.auth.errors import AccountSuspended, AccountUnavailable
from sauti.cache import redis_client
from sauti.core_settings import TokenSettings
from sauti.errors import Unauthorized
from sauti.observability import logger
from sauti.settings import settings

DELETED, SUSPENDED, ENDED = "deleted", "suspended", "ended"
# The gateway's clock leeway on `iat`/`exp` plus a margin: a block lasts this long past a token's life.
TOKEN_LEEWAY_SECONDS = 120


def block_key(user_id: str) -> str:
    return f"auth:blocked:{user_id}"


def _lifetime() -> int:
    return settings(TokenSettings).access_token_ttl_seconds + TOKEN_LEEWAY_SECONDS


def block(user_id: str, state: str, *, at: float | None = None) -> None:
    """Refuse every token of ``user_id`` issued up to now (or ``at``). Raises redis.RedisError: a
    caller inside a transaction lets that roll the change back, so no account is deleted or
    suspended with its tokens still working."""
    # Whole seconds, like `iat`: a token issued in the block's own second is refused, whether just
    # before or just after it (the safe side; only a token refreshed in that very second is lost).
    second = math.floor(at if at is not None else clock.epoch())
    redis_client().set(block_key(user_id), f"{state}:{second}", ex=_lifetime())


def unblock_suspension(user_id: str) -> None:
    """A suspension is lifted: tokens from before it stay refused (401, sign in again), new ones work."""
    client = redis_client()
    found = cast(str | None, client.get(block_key(user_id)))  # decode_responses: text
    if found and found.startswith(SUSPENDED + ":"):
        ttl = client.ttl(block_key(user_id))
        client.set(block_key(user_id), ENDED + found[len(SUSPENDED) :], ex=ttl if ttl > 0 else _lifetime())


def _issued_at(value: object) -> float:
    try:
        return float(str(value))
    except ValueError:
        return 0.0  # no usable `iat`: as old as can be, so any block refuses it


def _from_database(user_id: str) -> str | None:
    """The block PostgreSQL implies, when Redis cannot say: deleted or suspended, whenever."""
    from sauti.auth import store
    from sauti.db import transaction

    with transaction() as conn:
        state = store.account_state(conn, user_id)
    return None if state is None else f"{state}:{math.inf}"


def check_access(user_id: str, issued_at: object) -> None:
    """Raise 401 (deleted, or a token from before a lifted suspension) or 403 ``account_suspended``
    unless a token of ``user_id`` issued at ``issued_at`` (epoch seconds, any form) may be used."""
    try:
        found = cast(str | None, redis_client().get(block_key(user_id)))
    except redis.RedisError:
        logger.warning("Redis unavailable: account state read from PostgreSQL")
        found = _from_database(user_id)
    if not found:
        return
    state, _, second = found.partition(":")
    if _issued_at(issued_at) > float(second or "inf"):
        return
    if state == SUSPENDED:
        raise AccountSuspended("this account is suspended")
    if state == DELETED:
        raise AccountUnavailable("this account no longer exists")
    raise Unauthorized("this token is from before the account's sessions were ended: sign in again")
