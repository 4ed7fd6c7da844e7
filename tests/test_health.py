"""GET /health, the catch-all 404, and recovery when a dependency comes back."""

from __future__ import annotations

from helpers import assert_problem


def test_health_reports_every_dependency_ok(api):
    response = api.get("/health")

    assert response.status == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_health_names_the_database_when_it_is_down_and_recovers_without_a_restart(api, stack):
    # given the database goes away
    stack.postgres.stop()
    try:
        # when
        down = api.get("/health")
    finally:
        stack.postgres.start()

    # then
    assert assert_problem(down, 503, "service_unavailable")["checks"] == {
        "database": "unavailable",
        "redis": "ok",
    }
    assert api.get("/health").status == 200


def test_health_names_redis_when_it_is_down_and_recovers(api, stack, monkeypatch):
    from sauti import cache
    from sauti.config import config

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    config.cache_clear()
    cache.redis_client.cache_clear()
    try:
        response = api.get("/health")
    finally:
        monkeypatch.undo()
        config.cache_clear()
        cache.redis_client.cache_clear()

    assert assert_problem(response, 503, "service_unavailable")["checks"] == {
        "database": "ok",
        "redis": "unavailable",
    }
    assert api.get("/health").json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_an_unknown_route_is_a_404_problem_and_an_unknown_method_a_405(api):
    assert_problem(api.get("/no/such/thing"), 404, "not_found")
    refused = api.post("/health", json={"x": 1})
    assert_problem(refused, 405, "method_not_allowed")
    assert refused.headers["allow"] == "GET"


def test_health_event_file_invokes_the_handler(functions):
    from helpers import sample_event

    response = functions.invoke("HealthFunction", sample_event("HealthFunction.json"))

    assert response["statusCode"] == 200


def test_a_route_whose_database_is_down_answers_503_problem_not_500(api, stack, new_user):
    user = new_user()
    stack.postgres.stop()
    try:
        response = api.get("/me", token=user.token)
    finally:
        stack.postgres.start()

    assert_problem(response, 503, "service_unavailable")
    assert response.headers["retry-after"] == "5"
    assert api.get("/me", token=user.token).status == 200
