"""A cold start of the auth function loads Argon2 and the token signer only for the routes that use them."""

from __future__ import annotations

import json

from helpers import cold_start, gateway_claims_for
from sauti_dev.events import http_event

# redis-py imports the bare ``cryptography`` package (its __init__, well under a millisecond) to learn
# whether it is installed; the import time is in ``cryptography.hazmat``.
HEAVY = ("argon2", "jwt", "cryptography.hazmat")
JSON = {"content-type": "application/json"}


def _roots(modules: list[str]) -> set[str]:
    return {name for name in HEAVY if any(m == name or m.startswith(name + ".") for m in modules)}


def test_account_and_session_routes_start_without_argon2_pyjwt_or_cryptography(new_user):
    user = new_user()
    claims = gateway_claims_for(user.id)
    events = [
        http_event("GET /me", "GET", "/me", claims=claims),
        http_event(
            "PATCH /me", "PATCH", "/me", headers=JSON, body=b'{"display_name": "Cold"}', claims=claims
        ),
        http_event("GET /me/sessions", "GET", "/me/sessions", query="limit=10", claims=claims),
        http_event("DELETE /me/sessions", "DELETE", "/me/sessions", claims=claims),
    ]

    statuses, loaded = cold_start("auth", events, HEAVY)

    assert statuses == [200, 200, 200, 204]
    assert loaded == []


def test_sign_up_and_the_published_keys_load_them_on_first_use():
    signup = {"email": "cold-start@example.com", "password": "a cold start passphrase", "display_name": "C"}
    events = [
        http_event(
            "POST /auth/signup", "POST", "/auth/signup", headers=JSON, body=json.dumps(signup).encode()
        )
    ]
    statuses, loaded = cold_start("auth", events, HEAVY)
    assert statuses == [201]
    assert _roots(loaded) == {"argon2", "jwt", "cryptography.hazmat"}

    keys = [http_event("GET /.well-known/jwks.json", "GET", "/.well-known/jwks.json")]
    statuses, loaded = cold_start("auth", keys, HEAVY)
    assert statuses == [200]
    assert _roots(loaded) == {"jwt", "cryptography.hazmat"}
