"""PostgreSQL access: one connection per container, reused across invocations.

Lambda runs one invocation at a time per container, so a single connection is
the right pool size. It is opened on first use, replaced when it went stale
(server restart, idle timeout, failover) and every session carries a statement
timeout so a slow query cannot eat a whole invocation.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import psycopg
from psycopg.rows import dict_row

from sauti.config import config
from sauti.core_settings import DatabaseSettings
from sauti.settings import settings as settings_of

CONNECT_TIMEOUT_SECONDS = 3

_connection: psycopg.Connection[dict[str, Any]] | None = None
# The local gateway serves requests on several threads in one process; Lambda never does.
_lock = threading.RLock()

Row = dict[str, Any]


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached."""


def _connect() -> psycopg.Connection[Row]:
    timeout_ms = settings_of(DatabaseSettings).db_statement_timeout_ms
    try:
        return psycopg.connect(
            config().database_url(),
            autocommit=True,
            row_factory=dict_row,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            options=f"-c statement_timeout={timeout_ms} -c timezone=UTC",
            application_name="sauti",
        )
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable("database unreachable") from exc


def connection() -> psycopg.Connection[Row]:
    """The container's connection, reconnecting if the previous one is closed or broken."""
    global _connection
    if _connection is None or _connection.closed or _connection.broken:
        _connection = _connect()
    return _connection


def discard_connection() -> None:
    global _connection
    if _connection is not None:
        _connection.close()
    _connection = None


@contextmanager
def transaction() -> Iterator[psycopg.Connection[Row]]:
    """A transaction on the container's connection: committed on success, rolled back on error.

    A connection found stale when the transaction begins is replaced once;
    errors after that are the caller's to see.
    """
    with _lock, ExitStack() as stack:
        try:
            conn = connection()
            stack.enter_context(conn.transaction())
        except psycopg.OperationalError:
            discard_connection()
            conn = connection()
            stack.enter_context(conn.transaction())
        yield conn


def ping() -> None:
    """Raise DatabaseUnavailable unless a trivial query answers."""
    try:
        with transaction() as conn:
            conn.execute("SELECT 1")
    except (psycopg.OperationalError, DatabaseUnavailable) as exc:
        discard_connection()
        raise DatabaseUnavailable("database unreachable") from exc
