"""No route answers 500, whatever a client sends: odd ids, broken or hostile bodies, odd queries."""

from __future__ import annotations

import json
import re

import pytest

from sauti_dev.template import load_template

ROUTES = sorted({(route.method, route.path) for route in load_template().routes if route.path != "$default"})

ODD_IDS = ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "%27%3B--", "x" * 300]
ODD_BODIES = [
    b"",
    b"{",
    b"[]",
    b"null",
    b'"text"',
    b"12",
    json.dumps({"unexpected": ["field"] * 3}).encode(),
    json.dumps({"email": 5, "password": None, "song_id": [], "limit": -1, "key_ids": "x"}).encode(),
    "é☃\x00".encode(),
    json.dumps(
        {
            "email": "a\u0000@example.com",
            "password": "pass\u0000word!!",
            "name": "\u0000",
            "display_name": "x\u0000",
            "song_id": "\u0000",
            "key_ids": ["\u0000"],
        }
    ).encode(),
    b"[" * 50_000 + b"]" * 50_000,  # deeper than Python's recursion limit
    b'{"listened_ms": ' + b"9" * 5_000 + b"}",  # longer than Python parses an int
]
ODD_CONTENT_TYPES = [
    "application/json",
    "text/plain",
    "application/octet-stream",
    "multipart/form-data",
    "application/x-www-form-urlencoded",
    "Application/JSON",
    "application/JSON;charset=UTF-8",
    "application/merge-patch+json",
    "application/problem+json",
]
ODD_QUERIES = [
    "cursor=%00&limit=1",
    "limit=-5",
    "limit=abc&cursor=%%%",
    "cursor=" + "A" * 500,
    "range=forever",
    "device_id=nope",
]


def _paths(template_path: str) -> list[str]:
    if "{" not in template_path:
        return [template_path]
    return [re.sub(r"\{[^}]+\}", odd, template_path) for odd in ODD_IDS]


@pytest.mark.parametrize(("method", "template_path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_no_route_answers_500_to_odd_input(api, new_user, method, template_path):
    token = new_user(roles=["artist"]).token
    for path in _paths(template_path):
        for body in ODD_BODIES if method in ("POST", "PUT", "PATCH", "DELETE") else [b""]:
            for query in ODD_QUERIES if method == "GET" else [""]:
                for content_type in ODD_CONTENT_TYPES:
                    response = api.gateway.handle(
                        method,
                        path,
                        query=query,
                        body=body,
                        headers={"authorization": f"Bearer {token}", "content-type": content_type},
                    )
                    assert response.status < 500, (
                        method,
                        path,
                        query,
                        content_type,
                        body[:80],
                        response.body,
                    )
                    if response.status >= 400 and response.status != 401:
                        assert response.headers["content-type"] == "application/problem+json", (method, path)
