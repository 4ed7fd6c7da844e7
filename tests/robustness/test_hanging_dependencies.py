"""A frozen PostgreSQL or Redis (SIGSTOP: connections open, nothing answers) fails requests fast, as 503
problem+json, and /health names it within 2 s."""

from __future__ import annotations

import time

from helpers import assert_problem

HEALTH_SECONDS = 2.0
# docs/architecture.md: one round-trip deadline (DB_STATEMENT_TIMEOUT_MS + 1 s), 4 s
# under the API functions' 10 s timeout.
DATABASE_BUDGET_SECONDS = 6.5
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


def test_a_request_whose_database_hangs_gets_503_within_the_budget(api, new_user, frozen):
    user = new_user()
    assert api.get("/devices", token=user.token).status == 200

    with frozen("postgres"):
        response, elapsed = _timed(lambda: api.get("/devices", token=user.token))

    assert elapsed < DATABASE_BUDGET_SECONDS, elapsed
    assert_problem(response, 503, "service_unavailable")
    assert api.get("/devices", token=user.token).status == 200  # and back once it answers again


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
