"""Bounded requests and responses: every client list has a maximum, no answer nears Lambda's 6 MB, and the
gateway refuses bodies over 10 MB as API Gateway does."""

from __future__ import annotations

import json
import socket
import uuid

from helpers import assert_problem

LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024


def _premium_offline_device(api, new_user, make_premium):
    from joserfc.jwk import ECKey

    user = new_user()
    make_premium(user.id)
    key = ECKey.generate_key("P-256").as_dict(private=False)
    device = api.post(
        "/devices", json={"name": "Itel", "platform": "android", "public_key": key}, token=user.token
    )
    device_id = device.json()["device_id"]
    assert api.post(f"/devices/{device_id}/offline", token=user.token).status == 200
    return user, device_id


def test_a_9_mb_sync_is_refused_not_echoed(api, new_user, make_premium):
    user, device_id = _premium_offline_device(api, new_user, make_premium)
    long_ids = {"key_ids": ["k" * 4_500] * 2_000}  # 9 MB: within the old list maximum, every id huge
    many_ids = {"key_ids": [str(uuid.uuid4()) for _ in range(20_000)]}

    for body in (long_ids, many_ids):
        response = api.post(f"/devices/{device_id}/sync", json=body, token=user.token)
        assert_problem(response, 422, "validation_error")
        assert len(response.body) < 100_000


def test_a_sync_at_the_maximum_answers_far_under_lambda_s_limit(api, new_user, make_premium, catalog):
    from sauti import db
    from sauti.downloads.models import SYNC_MAX_KEYS

    user, device_id = _premium_offline_device(api, new_user, make_premium)
    song_id = catalog.song()
    rows = db.fetch_all(
        """INSERT INTO downloads (user_id, device_id, song_id, expires_at)
           SELECT %s, %s, %s, now() + interval '30 days' FROM generate_series(1, %s) RETURNING key_id""",
        (user.id, device_id, song_id, SYNC_MAX_KEYS),
    )
    key_ids = [str(row["key_id"]) for row in rows]

    response = api.post(f"/devices/{device_id}/sync", json={"key_ids": key_ids}, token=user.token)

    assert response.status == 200, response.body[:300]
    assert len(response.json()["keep"]) == SYNC_MAX_KEYS  # every key kept, each with a fresh license
    print(f"sync of {SYNC_MAX_KEYS} kept keys: {len(response.body)} bytes")
    assert len(response.body) < LAMBDA_RESPONSE_LIMIT / 4, len(response.body)


def test_a_device_key_is_a_bounded_jwk(api, new_user):
    user = new_user()
    huge = {"kty": "EC", "crv": "P-256", "x": "x" * 100_000, "y": "y"}
    many = {"kty": "EC", "crv": "P-256", **{f"m{i}": "v" for i in range(100)}}
    nested = {"kty": "EC", "crv": "P-256", "x": {"deep": ["a"] * 1_000}}

    for key in (huge, many, nested):
        response = api.post(
            "/devices", json={"name": "n", "platform": "ios", "public_key": key}, token=user.token
        )
        assert_problem(response, 422)


def test_the_gateway_refuses_bodies_over_10_mb_with_413(api, gateway):
    from sauti_dev.gateway import MAX_BODY_BYTES, serve

    oversized = b"{" + b" " * MAX_BODY_BYTES + b"}"

    in_process = api.post("/auth/login", body=oversized)
    assert in_process.status == 413
    assert in_process.json() == {"message": "Request Entity Too Large"}

    server = serve(gateway, 0)
    try:
        with socket.create_connection(("127.0.0.1", server.server_port), timeout=10) as sock:
            sock.sendall(
                b"POST /auth/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                + f"content-length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode()
            )
            answer = sock.recv(4096).decode()  # before any of the body was sent
    finally:
        server.shutdown()
    assert answer.startswith("HTTP/1.1 413")


def test_a_response_over_lambda_s_limit_is_a_logged_problem_never_sent(functions):
    from sauti.http import RESPONSE_LIMIT_BYTES, http_app, lambda_entry
    from sauti_dev.events import http_event

    app = http_app(public=("GET /huge", "GET /small"))

    @app.get("/huge")
    def huge() -> dict[str, str]:
        return {"data": "x" * RESPONSE_LIMIT_BYTES}

    @app.get("/small")
    def small() -> dict[str, str]:
        return {"data": "x"}

    handler = lambda_entry(app)
    from sauti_dev.lambdas import LambdaContext

    too_large = handler(http_event("GET /huge", "GET", "/huge"), LambdaContext("test"))
    fine = handler(http_event("GET /small", "GET", "/small"), LambdaContext("test"))

    assert too_large["statusCode"] == 500
    assert json.loads(too_large["body"])["code"] == "response_too_large"
    assert fine["statusCode"] == 200
