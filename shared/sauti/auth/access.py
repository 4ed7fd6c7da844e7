"""Whether an account's access tokens still work, and the roles it holds now: one Redis round trip
(an MGET of two keys) on every authenticated request.

An access token is verified by the gateway alone and lives ``ACCESS_TOKEN_TTL_SECONDS``. To end
it sooner, deleting or suspending an account writes a *block* before the change commits:
``auth:blocked:<user id>`` = ``<state>:<epoch>``, where ``state`` is ``deleted``, ``suspended`` or
``ended`` (a suspension lifted: sign in again) and ``epoch`` the second of the block. A token
issued in or before that second is refused, 401 for ``deleted`` and ``ended``, 403
``account_suspended`` for ``suspended``; a token issued after it (after an unsuspension, or
because the change did not commit after all) is not. A block outlives every token it could
refuse (``ACCESS_TOKEN_TTL_SECONDS`` plus the gateway's clock leeway), then expires: by then a
deleted or suspended account has no token left, since login and refresh read PostgreSQL.

The roles come from the account, never from the token: ``auth:account:<user id>`` =
``roles:<role> <role>...`` holds the account's current roles. Issuing a token writes it when absent
and extends it (it outlives every token issued), and every role change writes it inside its
transaction (after commit it is written again from the committed row, and dropped when the change
rolls back), so a revocation takes effect on the next request. A request that finds no record reads
the account from PostgreSQL and writes it: a token whose account does not exist is refused (401)
there, whatever route it calls. docs/auth.md gives the measured cost.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
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


ROLES_PREFIX = "roles:"


def block_key(user_id: str) -> str:
    return f"auth:blocked:{user_id}"


def account_key(user_id: str) -> str:
    return f"auth:account:{user_id}"


def _roles_text(roles: Iterable[str]) -> str:
    return ROLES_PREFIX + " ".join(sorted(roles))


def _roles_of(text: str) -> frozenset[str]:
    return frozenset(text[len(ROLES_PREFIX) :].split())


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


def remember_roles(user_id: str, roles: Iterable[str]) -> None:
    """A token is issued with ``roles`` read from the account: keep the account's record at least as
    long as that token lives (written only when absent: a role change writes it itself). Without
    Redis the token's first request reads the account from PostgreSQL instead."""
    try:
        with redis_client().pipeline(transaction=False) as pipe:
            pipe.set(account_key(user_id), _roles_text(roles), ex=_lifetime(), nx=True)
            pipe.expire(account_key(user_id), _lifetime())  # every write uses this lifetime: never shortens
            pipe.execute()
    except redis.RedisError:
        logger.warning("Redis unavailable: account record not written", extra={"user_id": user_id})


def set_roles(user_id: str, roles: Iterable[str]) -> None:
    """The account's roles changed (inside the change's transaction): every token of it carries these
    from the next request on. Raises redis.RedisError, so the change rolls back rather than leave a
    revoked role working; the committed row is written again after commit, and a rollback drops it."""
    from sauti.db import after_commit, on_rollback

    redis_client().set(account_key(user_id), _roles_text(roles), ex=_lifetime())
    on_rollback(lambda: forget_roles(user_id))
    after_commit(lambda: _refresh_from_database(user_id))


def forget_roles(user_id: str) -> None:
    try:
        redis_client().delete(account_key(user_id))
    except redis.RedisError:
        logger.exception("could not drop an account's roles record", extra={"user_id": user_id})


def _refresh_from_database(user_id: str) -> None:
    try:
        found = _account_from_database(user_id)
        if found is None:
            forget_roles(user_id)
        else:
            redis_client().set(account_key(user_id), _roles_text(found[1]), ex=_lifetime())
    except redis.RedisError:
        logger.exception("could not rewrite an account's roles record", extra={"user_id": user_id})


def _issued_at(value: object) -> float:
    try:
        return float(str(value))
    except ValueError:
        return 0.0  # no usable `iat`: as old as can be, so any block refuses it


def _account_from_database(user_id: str) -> tuple[str | None, frozenset[str]] | None:
    """(``deleted``, ``suspended`` or None, the roles), or None when no such account ever existed."""
    from sauti.auth import store
    from sauti.db import transaction

    with transaction() as conn:
        row = store.access_row(conn, user_id)
    return None if row is None else (row["state"], frozenset(row["roles"]))


def _fill_from_database(user_id: str, *, redis_up: bool) -> tuple[str | None, frozenset[str]]:
    """The block PostgreSQL implies (deleted or suspended, whenever) and the roles, when Redis has no
    record (or cannot answer); writes the record back. 401 when the account does not exist."""
    found = _account_from_database(user_id)
    if found is None:
        raise AccountUnavailable("this account does not exist")
    state, roles = found
    if redis_up and state is None:
        try:
            redis_client().set(account_key(user_id), _roles_text(roles), ex=_lifetime(), nx=True)
        except redis.RedisError:
            logger.warning("Redis unavailable: account record not written")
    return (None if state is None else f"{state}:{math.inf}"), roles


def check_access(user_id: str, issued_at: object) -> frozenset[str]:
    """The account's current roles, unless a token of ``user_id`` issued at ``issued_at`` (epoch
    seconds, any form) may not be used: 401 (no such account, deleted, or a token from before a lifted
    suspension) or 403 ``account_suspended``."""
    try:
        found, record = cast(list[str | None], redis_client().mget(block_key(user_id), account_key(user_id)))
        if record is not None:
            roles = _roles_of(record)
        else:
            db_block, roles = _fill_from_database(user_id, redis_up=True)
            found = found or db_block
    except redis.RedisError:
        logger.warning("Redis unavailable: account state read from PostgreSQL")
        found, roles = _fill_from_database(user_id, redis_up=False)
    if not found:
        return roles
    state, _, second = found.partition(":")
    if _issued_at(issued_at) > float(second or "inf"):
        return roles
    if state == SUSPENDED:
        raise AccountSuspended("this account is suspended")
    if state == DELETED:
        raise AccountUnavailable("this account no longer exists")
    raise Unauthorized("this token is from before the account's sessions were ended: sign in again")
