"""A deleted or suspended account is refused on every route at once, and user.deleted reaches every module
that holds its personal data."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from helpers import assert_problem


def _device_key() -> dict[str, Any]:
    from joserfc.jwk import ECKey

    return ECKey.generate_key("P-256").as_dict(private=False)


def _count(table: str, user_id: str) -> int:
    from sauti import db

    row = db.fetch_one(f"SELECT count(*) AS n FROM {table} WHERE user_id = %s", (user_id,))
    assert row is not None
    return int(row["n"])


@pytest.fixture
def premium_listener(new_user, make_premium, api, catalog) -> Any:
    """A premium user with an offline device holding one download, and a song playing."""
    user = new_user()
    make_premium(user.id)
    device = api.post(
        "/devices",
        json={"name": "Tecno", "platform": "android", "public_key": _device_key()},
        token=user.token,
    )
    assert device.status == 201, device.body
    device_id = device.json()["device_id"]
    assert api.post(f"/devices/{device_id}/offline", token=user.token).status == 200
    song_id = catalog.song()
    download = api.post("/downloads", json={"song_id": song_id, "device_id": device_id}, token=user.token)
    assert download.status == 201, download.body
    playing = api.post("/playback/sessions", json={"song_id": song_id}, token=user.token)
    assert playing.status == 201, playing.body
    return {
        "user": user,
        "song_id": song_id,
        "device_id": device_id,
        "session_id": playing.json()["session_id"],
    }


def test_a_deleted_account_s_token_is_refused_everywhere_and_its_devices_are_gone(
    api, premium_listener, functions, stack
):
    from sauti.playback import sessions
    from sauti_dev.queues import drain_once

    user, song_id = premium_listener["user"], premium_listener["song_id"]

    # when the account is deleted
    assert api.delete("/me", token=user.token).status == 204

    # then its still-unexpired token is refused at once, on every module's routes
    refused = [
        api.post("/playback/sessions", json={"song_id": song_id}, token=user.token),
        api.get("/me/recently-played", token=user.token),
        api.get("/devices", token=user.token),
        api.post(
            "/devices", json={"name": "x", "platform": "ios", "public_key": _device_key()}, token=user.token
        ),
        api.get("/downloads", token=user.token),
        api.post(f"/devices/{premium_listener['device_id']}/sync", json={"key_ids": []}, token=user.token),
        api.get("/me", token=user.token),
    ]
    for response in refused:
        assert_problem(response, 401, "account_unavailable")

    # and once the bus delivers user.deleted, its devices and download records are gone, its play stopped
    assert drain_once(functions, stack.queue_urls, rule_queues=stack.rule_queues) >= 2
    assert _count("devices", user.id) == 0
    assert _count("downloads", user.id) == 0
    session = sessions.load(premium_listener["session_id"])
    assert session["stop_reason"] == "account_closed"
    from sauti.cache import redis_client

    assert redis_client().get(sessions.active_key(user.id)) is None


def test_user_deleted_consumers_are_idempotent(functions, premium_listener):
    from helpers import sample_event

    user_id = premium_listener["user"].id
    event = {**sample_event("DownloadsUserDeletedFunction.json")}
    event["detail"] = {**event["detail"], "user_id": user_id}

    first = functions.invoke("DownloadsUserDeletedFunction", event)
    again = functions.invoke("DownloadsUserDeletedFunction", event)
    functions.invoke("PlaybackUserDeletedFunction", event)
    functions.invoke("PlaybackUserDeletedFunction", event)

    assert (first, again) == ({"devices_removed": 1}, {"devices_removed": 0})
    bad = {**event, "detail": {"user_id": "not-a-uuid"}}
    assert functions.invoke("DownloadsUserDeletedFunction", bad) == {"devices_removed": 0}


def test_deleting_refuses_when_the_block_cannot_be_written_and_deletes_nothing(api, new_user, redis_down):
    user = new_user()

    with redis_down():
        response = api.delete("/me", token=user.token)

    assert_problem(response, 503, "service_unavailable")
    assert api.get("/me", token=user.token).status == 200  # nothing was deleted


def test_the_check_reads_postgresql_when_redis_cannot_answer(api, new_user, redis_down):
    from sauti import db

    gone, live = new_user(), new_user()
    db.execute("UPDATE users SET deleted_at = now(), email = NULL WHERE id = %s", (gone.id,))

    with redis_down():
        refused = api.get("/devices", token=gone.token)
        allowed = api.get("/devices", token=live.token)

    assert_problem(refused, 401, "account_unavailable")
    assert allowed.status == 200, allowed.body


def test_a_suspended_account_is_refused_at_once_and_old_tokens_stay_dead_after_unsuspension(
    api, new_user, login_as
):
    from sauti.auth.logic import suspend_user, unsuspend_user
    from sauti.tokens import issue_access_token

    user, bystander = login_as(new_user_email=True), new_user()

    suspend_user(user["id"])

    for path in ("/devices", "/downloads", "/me", "/me/recently-played"):
        assert_problem(api.get(path, token=user["token"]), 403, "account_suspended")
    assert_problem(
        api.post("/auth/login", json={"email": user["email"], "password": user["password"]}),
        403,
        "account_suspended",
    )
    assert api.get("/devices", token=bystander.token).status == 200

    unsuspend_user(user["id"])

    assert_problem(
        api.get("/devices", token=user["token"]), 401, "unauthorized"
    )  # from before: sign in again
    later = issue_access_token(user["id"], [], now=time.time() + 1)[0]  # a token of the next second on
    assert api.get("/devices", token=later).status == 200
    assert api.post("/auth/login", json={"email": user["email"], "password": user["password"]}).status == 200


def test_suspending_an_unknown_or_malformed_id_is_not_found():
    from sauti.auth.logic import suspend_user, unsuspend_user
    from sauti.errors import NotFound

    for user_id in ("00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        with pytest.raises(NotFound):
            suspend_user(user_id)
        with pytest.raises(NotFound):
            unsuspend_user(user_id)


@pytest.fixture
def login_as(api) -> Any:
    """An account made through sign-up, with its email, password, id and access token."""

    def make(new_user_email: bool = True) -> dict[str, Any]:
        email, password = f"suspend-{os.urandom(4).hex()}@example.com", "correct horse battery staple"
        response = api.post(
            "/auth/signup", json={"email": email, "password": password, "display_name": "Baraka"}
        )
        assert response.status == 201, response.body
        body = response.json()
        return {"id": body["user"]["id"], "email": email, "password": password, "token": body["access_token"]}

    return make


def test_a_user_deleted_the_bus_refused_is_published_later_by_the_job(
    api, premium_listener, functions, stack
):
    from datetime import UTC, datetime, timedelta

    from helpers import sample_event
    from sauti.auth.logic import publish_pending_deletions
    from sauti.config import config
    from sauti_dev.queues import drain_once

    user = premium_listener["user"]
    saved = os.environ["EVENT_BUS_NAME"]
    os.environ["EVENT_BUS_NAME"] = "no-such-bus"  # the bus refuses the event
    config.cache_clear()
    try:
        assert api.delete("/me", token=user.token).status == 204  # the deletion stands
    finally:
        os.environ["EVENT_BUS_NAME"] = saved
        config.cache_clear()
    assert drain_once(functions, stack.queue_urls, rule_queues=stack.rule_queues) == 0
    assert _count("devices", user.id) == 1

    # the job leaves a fresh deletion to its own request, then publishes what the bus did not take
    assert functions.invoke("AuthDeletionsFunction", sample_event("AuthDeletionsFunction.json")) == {
        "published": 0
    }
    assert publish_pending_deletions(now=datetime.now(UTC) + timedelta(minutes=6)) == 1
    assert publish_pending_deletions(now=datetime.now(UTC) + timedelta(minutes=6)) == 0  # once

    assert drain_once(functions, stack.queue_urls, rule_queues=stack.rule_queues) >= 2
    assert _count("devices", user.id) == 0
