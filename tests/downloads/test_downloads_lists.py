"""GET /devices and GET /downloads: keyset pages, an opaque cursor, and no crypto imported to list."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime

from helpers import assert_problem, cold_start, gateway_claims_for
from sauti_dev import sql
from sauti_dev.events import http_event
from sauti_offline.device import DeviceKey


def _register(api, user, name: str) -> str:
    body = {"name": name, "platform": "android", "public_key": DeviceKey.generate().public_jwk()}
    answer = api.post("/devices", json=body, token=user.token)
    assert answer.status == 201
    return answer.json()["device_id"]


def _all_pages(api, user, path: str, **query) -> tuple[list[dict], int]:
    items, cursor, pages = [], None, 0
    while True:
        page = api.get(path, token=user.token, query={**query, **({"cursor": cursor} if cursor else {})})
        assert page.status == 200
        items += page.json()["items"]
        pages += 1
        if (cursor := page.json()["next_cursor"]) is None:
            return items, pages


def _insert_downloads(user_id: str, device_id: str, count: int, issued_at: datetime) -> set[str]:
    rows = sql.fetch_all(
        """INSERT INTO downloads (user_id, device_id, song_id, issued_at, expires_at)
           SELECT %s, %s, gen_random_uuid(), %s, %s + interval '30 days' FROM generate_series(1, %s)
           RETURNING id::text""",
        (user_id, device_id, issued_at, issued_at, count),
    )
    return {row["id"] for row in rows}


def test_devices_are_listed_oldest_first_a_page_at_a_time(api, new_user):
    user, other = new_user(), new_user()
    registered = [_register(api, user, f"phone {n}") for n in range(5)]
    _register(api, other, "someone else's phone")

    items, pages = _all_pages(api, user, "/devices", limit=2)

    assert pages == 3
    assert [item["device_id"] for item in items] == registered
    first = api.get("/devices", token=user.token).json()
    assert len(first["items"]) == 5 and first["next_cursor"] is None


def test_downloads_are_listed_newest_first_and_a_new_download_does_not_shift_the_pages(
    api, new_user, make_premium, catalog, phone
):
    user = new_user()
    make_premium(user.id)
    device = phone(user, "A")
    device.make_offline_device()
    issued = [device.download(catalog.song(f"Song {n}")) for n in range(5)]

    first = api.get("/downloads", token=user.token, query={"limit": 2}).json()
    device.download(catalog.song("Later"))  # newest: it belongs before page one, not on page two
    second = api.get("/downloads", token=user.token, query={"limit": 2, "cursor": first["next_cursor"]})
    rest, _ = _all_pages(api, user, "/downloads", limit=2, cursor=second.json()["next_cursor"])

    listed = [item["key_id"] for item in [*first["items"], *second.json()["items"], *rest]]
    assert listed == issued[::-1]
    assert first["items"][0]["device_id"] == device.device_id


def test_downloads_issued_at_the_same_instant_are_paged_without_gaps_or_repeats(api, new_user):
    user = new_user()
    mine, other = _register(api, user, "A"), _register(api, user, "B")
    at = datetime(2025, 5, 1, 9, 30, 0, 123456, tzinfo=UTC)
    expected = _insert_downloads(user.id, mine, 7, at)
    _insert_downloads(user.id, other, 3, at)

    items, pages = _all_pages(api, user, "/downloads", limit=3, device_id=mine)
    everything, _ = _all_pages(api, user, "/downloads", limit=4)

    assert pages == 3
    assert [item["download_id"] for item in items] == sorted(expected, reverse=True)
    assert len(everything) == 10 and len({item["download_id"] for item in everything}) == 10


def test_limit_defaults_to_50_and_is_at_most_100(api, new_user):
    user = new_user()
    device_id = _register(api, user, "A")
    _insert_downloads(user.id, device_id, 120, datetime.now(UTC))

    default = api.get("/downloads", token=user.token).json()
    largest = api.get("/downloads", token=user.token, query={"limit": 100}).json()

    assert len(default["items"]) == 50 and default["next_cursor"]
    assert len(largest["items"]) == 100 and largest["next_cursor"]
    for path in ("/downloads", "/devices"):
        for limit in (0, 101, "many"):
            assert_problem(api.get(path, token=user.token, query={"limit": limit}), 422)


def test_a_bad_cursor_is_a_422_problem(api, new_user):
    user = new_user()

    def encoded(value) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()

    bad = [
        "garbage",
        "%%%",
        encoded(["2025-05-01T09:30:00+00:00", "not-a-uuid"]),
        encoded(["2025-05-01T09:30:00", str(uuid.uuid4())]),  # no time zone
        encoded(["yesterday", str(uuid.uuid4())]),
        encoded({"at": 1}),
        encoded([1, 2, 3]),
        "A" * 501,
    ]
    for path in ("/downloads", "/devices"):
        for cursor in bad:
            body = assert_problem(api.get(path, token=user.token, query={"cursor": cursor}), 422)
            assert "cursor" in json.dumps(body)


def test_listing_devices_and_downloads_starts_without_joserfc_pyjwt_or_cryptography(new_user):
    user = new_user()
    claims = gateway_claims_for(user.id)
    heavy = ("joserfc", "jwt", "cryptography.hazmat")
    # redis-py imports the bare ``cryptography`` package (its __init__ only) to see whether it is there.
    events = [
        http_event("GET /devices", "GET", "/devices", claims=claims),
        http_event("GET /downloads", "GET", "/downloads", query="limit=10", claims=claims),
    ]
    statuses, loaded = cold_start("downloads", events, heavy)
    assert statuses == [200, 200]
    assert loaded == []

    body = {"name": "A", "platform": "ios", "public_key": DeviceKey.generate().public_jwk()}
    register = http_event(
        "POST /devices",
        "POST",
        "/devices",
        headers={"content-type": "application/json"},
        body=json.dumps(body).encode(),
        claims=claims,
    )
    statuses, loaded = cold_start("downloads", [register], heavy)
    assert statuses == [201]
    assert {name.split(".")[0] for name in loaded} == {"joserfc", "cryptography"}
