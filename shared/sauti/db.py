"""PostgreSQL access: one connection per container, reused across invocations.

Lambda runs one invocation at a time per container, so a single connection is
the right pool size. It is opened on first use, replaced when it went stale
(server restart, idle timeout, failover) and every session carries a statement
timeout so a slow query cannot eat a whole invocation.

A server that stops answering (frozen, partitioned away, failing over) must not
hang a request either, and the statement timeout cannot help then: it runs on the
server. So connecting gives up after ``DB_CONNECT_TIMEOUT_SECONDS``, TCP keepalives
and ``tcp_user_timeout`` let the kernel notice a dead peer, and every round trip
has a client-side deadline a little past the statement timeout (the server's own
timeout, which leaves the connection usable, normally fires first). A round trip
past its deadline closes the connection (it is mid-protocol) and raises
``psycopg.OperationalError``, which the HTTP layer answers 503.

The limits depend on who waits. An HTTP request (``sauti.http`` runs every one
``interactive()``) has someone waiting for it: its round trips give up after
``DB_REQUEST_DEADLINE_MS`` (1.5 s) and its statements time out on the server half
a second before. Jobs, queue consumers and commands keep ``DB_STATEMENT_TIMEOUT_MS``
(5 s) and a deadline a second past it; a transaction that sets a longer statement
timeout itself (the catalog import) lifts the deadline (``lift_client_deadline``).
The longest a request waits on a hung database is one request deadline
(docs/architecture.md, failing fast).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row

from sauti.config import config
from sauti.core_settings import DatabaseSettings
from sauti.settings import settings as settings_of

DEADLINE_MARGIN_SECONDS = 1.0  # past a job's statement timeout, before the client gives up
REQUEST_MARGIN_MS = 500  # a request's statement timeout, this much before its deadline
# Keepalive probes after 30 s idle, every 5 s, 3 unanswered mean dead; unacknowledged data, 5 s.
TCP_OPTIONS: dict[str, Any] = {
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}
TCP_USER_TIMEOUT_MS = 5000

_connection: psycopg.Connection[dict[str, Any]] | None = None
# The local gateway serves requests on several threads in one process; Lambda never does.
_lock = threading.RLock()

Row = dict[str, Any]
_depth = 0  # transactions open on this container's connection (nested ones are savepoints)
_after_commit: list[Callable[[], None]] = []
_on_rollback: list[Callable[[], None]] = []
_interactive: ContextVar[bool] = ContextVar("sauti_db_interactive", default=False)


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached."""


class BoundedConnection(psycopg.Connection[Row]):
    """A connection whose every round trip gives up after ``round_trip_timeout`` seconds (None: wait
    as long as the server's own statement timeout allows)."""

    round_trip_timeout: float | None = None
    statement_timeout_ms = 0  # the session's, as last set
    timed_out = False  # the server stopped answering: not a stale connection to replace and retry

    def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        deadline = timeout if timeout is not None else self.round_trip_timeout
        try:
            return super().wait(gen, interval=interval, timeout=deadline)
        except psycopg.errors.OperationalError:
            if not self.closed and self.pgconn.transaction_status == psycopg.pq.TransactionStatus.ACTIVE:
                self.timed_out = True
                self.close()  # abandoned mid-protocol: never to be used again
            raise


@contextmanager
def interactive() -> Iterator[None]:
    """Within it, this thread's transactions serve someone waiting (an HTTP request): they get the
    request's statement timeout and round-trip deadline instead of a job's."""
    token = _interactive.set(True)
    try:
        yield
    finally:
        _interactive.reset(token)


def _limits() -> tuple[int, float]:
    """The statement timeout (ms) and round-trip deadline (s) of the work this thread is doing."""
    database = settings_of(DatabaseSettings)
    if _interactive.get():
        deadline_ms = database.db_request_deadline_ms
        return max(deadline_ms - REQUEST_MARGIN_MS, 1), deadline_ms / 1000
    statement_timeout_ms = database.db_statement_timeout_ms
    return statement_timeout_ms, statement_timeout_ms / 1000 + DEADLINE_MARGIN_SECONDS


def _connect() -> BoundedConnection:
    database = settings_of(DatabaseSettings)
    statement_timeout_ms, deadline = _limits()
    try:
        conn = BoundedConnection.connect(
            config().database_url(),
            autocommit=True,
            row_factory=dict_row,
            connect_timeout=database.db_connect_timeout_seconds,
            tcp_user_timeout=TCP_USER_TIMEOUT_MS,
            options=f"-c statement_timeout={statement_timeout_ms} -c timezone=UTC",
            application_name="sauti",
            **TCP_OPTIONS,
        )
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable("database unreachable") from exc
    conn.statement_timeout_ms, conn.round_trip_timeout = statement_timeout_ms, deadline
    return conn


def lift_client_deadline(conn: psycopg.Connection[Any]) -> None:
    """For the rest of this transaction, wait on the server as long as its statement timeout allows: for
    jobs that ``SET LOCAL statement_timeout`` beyond the default (their function's timeout bounds them)."""
    if isinstance(conn, BoundedConnection):
        conn.round_trip_timeout = None


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

    A connection found stale when the transaction begins is replaced once (not one whose server
    stopped answering: that already took a whole round-trip deadline); errors after that are the
    caller's to see.
    """
    global _depth
    with _lock:
        outermost = _depth == 0
        _depth += 1
        try:
            with ExitStack() as stack:
                try:
                    conn = _outermost(connection())
                    stack.enter_context(conn.transaction())
                except psycopg.OperationalError as exc:
                    if not outermost:
                        raise
                    if getattr(_connection, "timed_out", False):
                        discard_connection()
                        raise DatabaseUnavailable("the database did not answer in time") from exc
                    discard_connection()
                    conn = _outermost(connection())
                    stack.enter_context(conn.transaction())
                yield conn
        except BaseException:
            if outermost:
                _after_commit.clear()
                _run(_on_rollback)
            raise
        finally:
            _depth -= 1
        if outermost:
            _on_rollback.clear()
            _run(_after_commit)


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the outermost transaction commits (at once when none is open); dropped
    when it rolls back. Cache invalidations and events go here: a transaction nested in another (an
    admin action and its audit entry) is only a savepoint, and nothing is final before the outer commit."""
    with _lock:
        if _depth == 0:
            callback()
        else:
            _after_commit.append(callback)


def on_rollback(callback: Callable[[], None]) -> None:
    """Run ``callback`` if the outermost transaction rolls back (never when none is open): to undo what
    a transaction wrote outside the database before its commit (a cache entry written ahead)."""
    with _lock:
        if _depth > 0:
            _on_rollback.append(callback)


def _run(pending: list[Callable[[], None]]) -> None:
    callbacks = list(pending)
    pending.clear()
    for callback in callbacks:
        callback()


def _outermost(conn: psycopg.Connection[Row]) -> psycopg.Connection[Row]:
    """A transaction that is not nested in another starts with the limits of the work at hand. The
    session's statement timeout changes (one round trip) only when the work changes kind: never in a
    Lambda container, which serves one function; on the local stack, which serves all of them."""
    if (
        isinstance(conn, BoundedConnection)
        and conn.pgconn.transaction_status == psycopg.pq.TransactionStatus.IDLE
    ):
        statement_timeout_ms, conn.round_trip_timeout = _limits()
        if conn.statement_timeout_ms != statement_timeout_ms:
            conn.execute("SELECT set_config('statement_timeout', %s, false)", (str(statement_timeout_ms),))
            conn.statement_timeout_ms = statement_timeout_ms
    return conn


def ping(timeout: float = 1.0) -> None:
    """Raise DatabaseUnavailable unless a trivial query answers within ``timeout`` seconds (once
    connected: connecting has its own timeout)."""
    try:
        with _lock:
            conn = connection()
            if isinstance(conn, BoundedConnection):
                conn.round_trip_timeout = timeout  # the next transaction sets its own again
            conn.execute("SELECT 1")
    except (psycopg.OperationalError, DatabaseUnavailable) as exc:
        discard_connection()
        raise DatabaseUnavailable("database unreachable") from exc


def array_literal(values: Iterable[Any]) -> str:
    """A PostgreSQL array literal (``{a,b,c}``) of values that need no quoting: uuids, integers,
    ISO 8601 timestamps (``datetime.isoformat()``). Cast it in SQL (``%s::uuid[]``). For arrays of
    hundreds of such values it costs a fraction of psycopg's generic list adaptation."""
    return (
        "{"
        + ",".join(value.isoformat() if isinstance(value, datetime) else str(value) for value in values)
        + "}"
    )
