"""The role matrix, route by route: 403 for each role outside its column, and for a plain user everywhere."""

from __future__ import annotations

import uuid

import pytest

from helpers import assert_problem
from sauti_dev.template import load_template

ANY_ID = str(uuid.uuid4())
CATALOG = {"super_admin", "content_manager"}
MODERATION = {"super_admin", "moderator"}
ROLES = {"super_admin"}
EVERY_ADMIN = {"super_admin", "content_manager", "moderator"}
REASON = {"reason": "checking the matrix"}

# route key -> (body, the roles allowed in)
MATRIX = {
    "POST /admin/artists": ({"name": "A"}, CATALOG),
    "PATCH /admin/artists/{id}": ({"name": "B"}, CATALOG),
    "PUT /admin/artists/{id}/account": ({"email": "nobody@example.com"}, CATALOG),
    "POST /admin/albums": ({"artist_id": ANY_ID, "title": "T"}, CATALOG),
    "PATCH /admin/albums/{id}": ({"title": "T"}, CATALOG),
    "POST /admin/songs": ({"artist_id": ANY_ID, "title": "T", "duration_ms": 1000}, CATALOG),
    "GET /admin/songs/{id}": (None, CATALOG),
    "PATCH /admin/songs/{id}": ({"title": "T"}, CATALOG),
    "POST /admin/songs/{id}/uploads": (
        {"quality": "low", "content_type": "audio/mpeg", "size_bytes": 10},
        CATALOG,
    ),
    "PUT /admin/songs/{id}/renditions/{quality}": (
        {"object_key": "audio/x", "codec": "aac", "bitrate_kbps": 64},
        CATALOG,
    ),
    "POST /admin/songs/{id}/publish": (None, CATALOG),
    "POST /admin/videos": ({"artist_id": ANY_ID, "title": "T"}, CATALOG),
    "GET /admin/videos/{id}": (None, CATALOG),
    "POST /admin/videos/{id}/publish": (None, CATALOG),
    "POST /admin/ads": ({"title": "T", "advertiser": "A", "duration_ms": 1000}, CATALOG),
    "GET /admin/ads": (None, CATALOG),
    "GET /admin/ads/{id}": (None, CATALOG),
    "PATCH /admin/ads/{id}": ({"weight": 2}, CATALOG),
    "POST /admin/ads/{id}/uploads": ({"content_type": "audio/mpeg", "size_bytes": 10}, CATALOG),
    "PUT /admin/ads/{id}/audio": ({"object_key": "ads/x"}, CATALOG),
    "POST /admin/catalog/imports": ('{"type": "artist", "ref": "a1", "name": "A"}\n', CATALOG),
    "POST /admin/songs/{id}/takedown": (REASON, MODERATION),
    "POST /admin/songs/{id}/restore": (REASON, MODERATION),
    "POST /admin/videos/{id}/takedown": (REASON, MODERATION),
    "POST /admin/videos/{id}/restore": (REASON, MODERATION),
    "POST /admin/playlists/{id}/takedown": (REASON, MODERATION),
    "POST /admin/playlists/{id}/restore": (REASON, MODERATION),
    "GET /admin/users": (None, EVERY_ADMIN),
    "POST /admin/users/{id}/suspend": (REASON, MODERATION),
    "POST /admin/users/{id}/unsuspend": (REASON, MODERATION),
    "PUT /admin/users/{id}/roles/{role}": (None, ROLES),
    "DELETE /admin/users/{id}/roles/{role}": (None, ROLES),
    "GET /admin/reports": (None, MODERATION),
    "POST /admin/reports/{id}/resolve": ({"action": "dismiss"}, MODERATION),
    "GET /admin/audit-log": (None, EVERY_ADMIN),
}


def _call(api, route_key, token):
    method, path = route_key.split(" ", 1)
    path = path.replace("{id}", ANY_ID).replace("{quality}", "high").replace("{role}", "moderator")
    body, _ = MATRIX[route_key]
    if isinstance(body, str):
        return api.request(
            method, path, body=body, token=token, headers={"content-type": "application/x-ndjson"}
        )
    return api.request(method, path, json_body=body, token=token)


def test_the_matrix_covers_every_admin_route_of_the_template():
    routes = {f"{route.method} {route.path}" for route in load_template().functions["AdminFunction"].routes}
    assert {key for key in routes if key.split(" ", 1)[1].startswith("/admin")} == set(MATRIX)


@pytest.mark.parametrize("route_key", sorted(MATRIX))
def test_each_role_outside_the_column_gets_403_and_those_inside_get_past_the_check(api, admins, route_key):
    _, allowed = MATRIX[route_key]
    for role, user in admins.items():
        response = _call(api, route_key, user.token)
        if role in allowed:
            assert response.status != 403, (role, response.body)
            assert response.status < 500, (role, response.body)
        else:
            assert_problem(response, 403)


def test_without_a_token_every_admin_route_is_401(api):
    for route_key in MATRIX:
        assert _call(api, route_key, None).status == 401, route_key  # the gateway's JWT authorizer
