"""A frozen PostgreSQL or Redis (SIGSTOP: connections open, nothing answers) fails requests fast, as 503
problem+json, and /health names it within 2 s; a batch job still waits out a long statement."""

from __future__ import annotations

import threading
import time

import pytest

from helpers import assert_problem

HEALTH_SECONDS = 2.0
# docs/architecture.md, failing fast: an HTTP request's round trips give up after DB_REQUEST_DEADLINE_MS
# (1.5 s), so a listener's app gets its 503 within 2 s; the margin is for a loaded test machine, not a
# performance target.
REQUEST_BUDGET_SECONDS = 2.0 + 0.3
LONG_STATEMENT_SECONDS = 3.0  # past a request's deadline, well within a job's (DB_STATEMENT_TIMEOUT_MS + 1 s)
REDIS_BUDGET_SECONDS = 1.5  # two attempts of REDIS_TIMEOUT_MS (500 ms), and the rest of the request


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_health_names_a_frozen_database_within_two_seconds(api, frozen):
    assert api.get("/health").status == 200  # connections open before the freeze

    with frozen("postgres"):
        response, elapsed = _timed(lambda: api.get("/health"))
        again, elapsed_again = _timed(lambda: api.get("/health"))  # no open connection left: connecting

    assert elapsed < HEALTH_SECONDS and elapsed_again < HEALTH_SECONDS, (elapsed, elapsed_again)
    for answer in (response, again):
        problem = assert_problem(answer, 503, "service_unavailable")
        assert problem["checks"]["redis"] == "ok"
        assert problem["checks"]["database"] in ("timeout", "unavailable")
        assert "database" in problem["detail"]
    assert _eventually_healthy(api)


def test_health_names_a_frozen_redis_within_two_seconds(api, frozen):
    assert api.get("/health").status == 200

    with frozen("redis"):
        response, elapsed = _timed(lambda: api.get("/health"))

    assert elapsed < HEALTH_SECONDS, elapsed
    problem = assert_problem(response, 503, "service_unavailable")
    assert problem["checks"] == {"database": "ok", "redis": problem["checks"]["redis"]}
    assert problem["checks"]["redis"] in ("timeout", "unavailable")
    assert _eventually_healthy(api)


@pytest.mark.parametrize("path", ["/devices", "/me/playlists", "/me/following/artists"])
def test_a_listeners_request_whose_database_hangs_gets_503_within_two_seconds(api, new_user, frozen, path):
    user = new_user()
    assert api.get(path, token=user.token).status == 200  # the connection is open before the freeze

    with frozen("postgres"):
        response, elapsed = _timed(lambda: api.get(path, token=user.token))

    assert elapsed < REQUEST_BUDGET_SECONDS, elapsed
    assert_problem(response, 503, "service_unavailable")
    assert api.get(path, token=user.token).status == 200  # and back once it answers again


def test_a_batch_job_still_waits_out_a_statement_longer_than_a_requests_deadline(api, new_user, functions):
    """The plays-partitions job waits for the partitions lock another session holds for 3 s: a statement
    a request would give up on, which a job's longer limits let finish, on the connection a request
    used last (the local stack shares it between functions)."""
    import psycopg

    from sauti.analytics.store import PARTITIONS_LOCK
    from sauti.config import config

    locked, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        with psycopg.connect(config().database_url(), autocommit=True) as other, other.transaction():
            other.execute("SELECT pg_advisory_xact_lock(%s)", (PARTITIONS_LOCK,))
            locked.set()
            release.wait(LONG_STATEMENT_SECONDS)

    user = new_user()
    assert api.get("/devices", token=user.token).status == 200
    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(5)
        result, elapsed = _timed(lambda: functions.invoke("AnalyticsPartitionsFunction", {}))
    finally:
        release.set()
        holder.join()

    assert elapsed >= LONG_STATEMENT_SECONDS - 0.5, elapsed  # it did wait on the lock
    assert result["created"] is not None


def test_a_request_whose_redis_hangs_gets_503_within_the_budget(api, frozen):
    login = {"email": "nobody-here@example.com", "password": "not the right passphrase"}
    assert api.post("/auth/login", json=login).status == 401

    with frozen("redis"):
        response, elapsed = _timed(lambda: api.post("/auth/login", json=login))

    assert elapsed < REDIS_BUDGET_SECONDS, elapsed
    assert_problem(response, 503, "service_unavailable")
    assert api.post("/auth/login", json=login).status == 401


def _eventually_healthy(api, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if api.get("/health").status == 200:
            return True
        time.sleep(0.2)
    return False


def test_a_slow_statement_of_a_request_is_cancelled_by_the_server_and_the_connection_kept(stack):
    """Not frozen, only slow: the server's request statement timeout fires before the client's deadline,
    so the connection survives for the next request; the same statement is fine for a job."""
    import psycopg

    from sauti import db

    with db.interactive(), pytest.raises(psycopg.errors.QueryCanceled), db.transaction() as conn:
        conn.execute("SELECT pg_sleep(1.2)")
    kept = db.connection()
    assert not kept.closed

    with db.transaction() as conn:  # a job's limits again, on the same connection
        assert conn is kept
        conn.execute("SELECT pg_sleep(1.2)")
