"""A web page calling the API from its own origin, checked as a browser checks it (the Fetch standard's
CORS rules): a preflight before any request with a token or a non-simple header, then the real request,
whose answer the page's script sees only if its origin is allowed, and of it only the exposed headers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from sauti_dev.gateway import LocalGateway, local_allowed_origins, serve

WEB_APP = "https://app.sauti.test"
# What a script may read of any answer without it being exposed (the Fetch standard's safelist).
SAFELISTED_RESPONSE_HEADERS = frozenset(
    {
        "cache-control",
        "content-language",
        "content-length",
        "content-type",
        "expires",
        "last-modified",
        "pragma",
    }
)
SIMPLE_METHODS = frozenset({"GET", "HEAD", "POST"})


class Blocked(Exception):
    """The browser refused: the script gets a TypeError and sees nothing of the answer."""


@dataclass
class Seen:
    status: int
    headers: dict[str, str]  # only the ones the script may read
    body: Any


class Browser:
    """fetch() from a page at ``origin``, without credentials (the API takes bearer tokens, no cookies)."""

    def __init__(self, base_url: str, origin: str):
        self.base_url = base_url
        self.origin = origin
        self.preflights = 0

    def fetch(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, json: Any = None
    ) -> Seen:
        sent = {name.lower(): value for name, value in (headers or {}).items()}
        if json is not None:
            sent["content-type"] = "application/json"
        if method not in SIMPLE_METHODS or sent:  # authorization and application/json are never simple
            self._preflight(method, path, sorted(sent))
        answer = requests.request(
            method, self.base_url + path, headers={**sent, "origin": self.origin}, json=json, timeout=30
        )
        self._check_origin(answer)
        readable = SAFELISTED_RESPONSE_HEADERS | _listed(answer.headers.get("access-control-expose-headers"))
        return Seen(
            answer.status_code,
            {name.lower(): value for name, value in answer.headers.items() if name.lower() in readable},
            answer.json() if answer.content else None,
        )

    def _preflight(self, method: str, path: str, header_names: list[str]) -> None:
        self.preflights += 1
        answer = requests.options(
            self.base_url + path,
            headers={
                "origin": self.origin,
                "access-control-request-method": method,
                "access-control-request-headers": ",".join(header_names),
            },
            timeout=30,
        )
        if not 200 <= answer.status_code < 300:
            raise Blocked(f"preflight of {method} {path} answered {answer.status_code}")
        self._check_origin(answer)
        methods = _listed(answer.headers.get("access-control-allow-methods"))
        if method.lower() not in methods | {m.lower() for m in SIMPLE_METHODS} and "*" not in methods:
            raise Blocked(f"{method} not among the allowed methods {sorted(methods)}")
        allowed = _listed(answer.headers.get("access-control-allow-headers"))
        refused = [name for name in header_names if name not in allowed and "*" not in allowed]
        if refused or ("authorization" in header_names and "authorization" not in allowed):
            raise Blocked(f"{method} {path}: headers {refused} not allowed")

    def _check_origin(self, answer: requests.Response) -> None:
        if answer.headers.get("access-control-allow-origin") not in (self.origin, "*"):
            raise Blocked(f"{answer.url}: origin {self.origin} not allowed")


def _listed(value: str | None) -> frozenset[str]:
    return frozenset(part.strip().lower() for part in (value or "").split(",") if part.strip())


@pytest.fixture(scope="module")
def base_url(functions: Any) -> Iterator[str]:
    server = serve(LocalGateway(functions, allowed_origins=[WEB_APP]), 0)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def page(base_url: str) -> Browser:
    return Browser(base_url, WEB_APP)


def test_a_page_edits_a_playlist_with_if_match_and_reads_its_etag(page, new_user):
    owner = {"authorization": f"Bearer {new_user().token}"}
    created = page.fetch("POST", "/playlists", headers=owner, json={"name": "Road", "visibility": "private"})
    assert created.status == 201
    path = f"/playlists/{created.body['id']}"
    first = created.headers["etag"]

    renamed = page.fetch("PATCH", path, headers={**owner, "if-match": first}, json={"name": "Road trip"})
    stale = page.fetch("PATCH", path, headers={**owner, "if-match": first}, json={"name": "Lost"})

    assert renamed.status == 200
    assert renamed.headers["etag"] != first
    assert stale.status == 412
    assert stale.body["code"] == "version_conflict"
    assert page.preflights == 3


def test_a_page_saves_the_player_with_if_match(page, new_user):
    user = {"authorization": f"Bearer {new_user().token}"}
    state = {"queue": [], "index": 0, "position_ms": 0, "device_id": "web-1"}

    saved = page.fetch("PUT", "/me/player", headers=user, json=state)
    conflict = page.fetch("PUT", "/me/player", headers={**user, "if-match": '"999"'}, json=state)

    assert saved.status == 200
    assert "etag" in saved.headers
    assert conflict.status == 412


def test_a_page_may_send_an_idempotency_key_with_a_checkout(page, new_user):
    user = {"authorization": f"Bearer {new_user().token}", "idempotency-key": "checkout-1"}
    body = {"success_url": f"{WEB_APP}/ok", "cancel_url": f"{WEB_APP}/no"}

    answer = page.fetch("POST", "/billing/checkout", headers=user, json=body)

    assert answer.status == 503  # Stripe is not configured locally; the page still reads the problem
    assert answer.body["code"] == "billing_unavailable"


def test_a_page_reads_the_gateways_own_refusal_of_a_token(page):
    refused = page.fetch("GET", "/me", headers={"authorization": "Bearer not-a-token"})

    assert refused.status == 401
    assert refused.headers["www-authenticate"] == "Bearer"


def test_the_heartbeat_through_the_function_url_answers_the_page_too(page, new_user):
    user = {"authorization": f"Bearer {new_user().token}"}
    body = {"position_ms": 1000, "state": "playing", "app_state": "foreground"}

    answer = page.fetch(
        "POST", "/playback/sessions/00000000-0000-0000-0000-000000000000/heartbeat", headers=user, json=body
    )

    assert answer.status == 404  # no such session; what matters is that the page may ask and read


def test_a_page_of_any_other_origin_is_refused(base_url, new_user):
    stranger = Browser(base_url, "https://evil.example")
    user = {"authorization": f"Bearer {new_user().token}"}

    with pytest.raises(Blocked):
        stranger.fetch("GET", "/me", headers=user)
    with pytest.raises(Blocked):  # a simple request goes out, but its answer is hidden from the script
        stranger.fetch("GET", "/health")


def test_the_local_stack_allows_the_console_at_both_names_of_this_machine():
    assert local_allowed_origins({}) == {"http://127.0.0.1:3004", "http://localhost:3004"}
    assert local_allowed_origins({"CONSOLE_PORT": "4100"}) == {
        "http://127.0.0.1:4100",
        "http://localhost:4100",
    }
    assert local_allowed_origins({"CORS_ALLOWED_ORIGINS": "https://a.test, https://b.test/"}) == {
        "https://a.test",
        "https://b.test",
    }


def test_the_cors_lists_name_every_header_the_api_description_does():
    from sauti_dev.openapi import DOCUMENT_PATHS
    from sauti_dev.template import load_template

    document = json.loads(DOCUMENT_PATHS[0].read_text())
    operations = [op for ops in document["paths"].values() for op in ops.values()]
    sent = {p["name"].lower() for op in operations for p in op.get("parameters", ()) if p["in"] == "header"}
    answered = {
        name.lower() for op in operations for r in op["responses"].values() for name in r.get("headers", {})
    }
    cors = load_template().api_cors

    assert sent and sent <= cors.allow_headers
    assert answered and answered - SAFELISTED_RESPONSE_HEADERS <= cors.expose_headers
