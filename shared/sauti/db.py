"""PostgreSQL access: one connection per container, reused across invocations.

Lambda runs one invocation at a time per container, so a single connection is
the right pool size. It is opened on first use, replaced when it went stale
(server restart, idle timeout, failover) and every session carries a statement
timeout so a slow query cannot eat a whole invocation.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import psycopg
from psycopg.rows import dict_row

from sauti.config import config

CONNECT_TIMEOUT_SECONDS = 3

_connection: psycopg.Connection[dict[str, Any]] | None = None
# The local gateway serves requests on several threads in one process; Lambda never does.
_lock = threading.RLock()

Row = dict[str, Any]
_depth = 0  # transactions open on this container's connection (nested ones are savepoints)
_after_commit: list[Callable[[], None]] = []


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached."""


def _connect() -> psycopg.Connection[Row]:
    settings = config()
    try:
        return psycopg.connect(
            settings.database_url(),
            autocommit=True,
            row_factory=dict_row,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            options=f"-c statement_timeout={settings.int('DB_STATEMENT_TIMEOUT_MS')} -c timezone=UTC",
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
    global _depth
    with _lock:
        outermost = _depth == 0
        _depth += 1
        try:
            with ExitStack() as stack:
                try:
                    conn = connection()
                    stack.enter_context(conn.transaction())
                except psycopg.OperationalError:
                    if not outermost:
                        raise
                    discard_connection()
                    conn = connection()
                    stack.enter_context(conn.transaction())
                yield conn
        except BaseException:
            if outermost:
                _after_commit.clear()
            raise
        finally:
            _depth -= 1
        if outermost:
            _run_after_commit()


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the outermost transaction commits (at once when none is open); dropped
    when it rolls back. Cache invalidations and events go here: a transaction nested in another (an
    admin action and its audit entry) is only a savepoint, and nothing is final before the outer commit."""
    with _lock:
        if _depth == 0:
            callback()
        else:
            _after_commit.append(callback)


def _run_after_commit() -> None:
    callbacks = list(_after_commit)
    _after_commit.clear()
    for callback in callbacks:
        callback()


def fetch_one(query: str, params: Any = None) -> Row | None:
    with transaction() as conn:
        return conn.execute(query, params).fetchone()


def fetch_all(query: str, params: Any = None) -> list[Row]:
    with transaction() as conn:
        return conn.execute(query, params).fetchall()


def execute(query: str, params: Any = None) -> int:
    with transaction() as conn:
        return conn.execute(query, params).rowcount


def ping() -> None:
    """Raise DatabaseUnavailable unless a trivial query answers."""
    try:
        fetch_one("SELECT 1")
    except (psycopg.OperationalError, DatabaseUnavailable) as exc:
        discard_connection()
        raise DatabaseUnavailable("database unreachable") from exc
