"""No admin route answers 500, whatever a super admin sends (the plain-user sweep stops at 403)."""

from __future__ import annotations

import json
import re

import pytest

from helpers import assert_problem
from sauti_dev.template import load_template

ROUTES = sorted(
    (route.method, route.path)
    for name in ("AdminFunction", "StreamWebhookFunction")
    for route in load_template().functions[name].routes
)
ODD_IDS = ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "x" * 300]
ODD_BODIES = [
    b"{}",
    b"[]",
    json.dumps(
        {"name": None, "title": None, "artist_id": None, "duration_ms": None, "active": None}
    ).encode(),
    json.dumps({"name": "x" * 10_000, "reason": "", "action": "nuke", "quality": "ultra"}).encode(),
    json.dumps(
        {
            "artist_id": "00000000-0000-0000-0000-000000000000",
            "title": "t",
            "duration_ms": 10**12,
            "content_type": "audio/mpeg",
            "size_bytes": 10**15,
            "object_key": "../../etc",
        }
    ).encode(),
    b'{"type": "song", "ref": "s"}\n{"type": "artist"}',
]


@pytest.mark.parametrize(("method", "template_path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_no_admin_route_answers_500_to_a_super_admin(api, new_user, method, template_path):
    token = new_user(roles=["super_admin", "content_manager", "moderator"]).token
    paths = (
        [re.sub(r"\{[^}]+\}", odd, template_path) for odd in ODD_IDS]
        if "{" in template_path
        else [template_path]
    )
    for path in paths:
        for body in ODD_BODIES if method in ("POST", "PUT", "PATCH", "DELETE") else [b""]:
            response = api.request(
                method,
                path,
                body=body,
                token=token,
                query={"cursor": "%%%", "limit": "5", "email": "a%_"} if method == "GET" else None,
            )
            assert response.status < 500, (
                method,
                path,
                body[:60],
                response.body,
            )


@pytest.mark.parametrize(
    "email", ["nobody", "a@b", "two@@example.com", "tab\t@example.com", "x@exa\u202emple.com"]
)
def test_linking_an_artist_to_what_is_not_an_email_is_422(api, admins, catalog, email):
    answer = api.put(
        f"/admin/artists/{catalog.artist_id}/account",
        json={"email": email},
        token=admins["content_manager"].token,
    )

    problem = assert_problem(answer, 422)
    assert "email" in json.dumps(problem)
