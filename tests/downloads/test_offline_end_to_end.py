"""The reference client over the local stack: the brief's first tricky problem, end to end."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import pytest

from helpers import AUDIO, assert_problem
from sauti.downloads.sealing import new_content_key
from sauti_offline.client import ApiError, NotDownloaded
from sauti_offline.device import UnsealError
from sauti_offline.vault import VaultError, decrypt_file


def _premium(new_user, make_premium):
    user = new_user()
    make_premium(user.id)
    return user


def test_a_download_plays_offline_only_on_its_phone_and_dies_when_another_phone_takes_over(
    new_user, make_premium, catalog, phone, api
):
    user = _premium(new_user, make_premium)
    song_id = catalog.song("Bahari")

    # a premium user downloads on phone A and plays it offline
    phone_a = phone(user, "A")
    phone_a.make_offline_device()
    key_id = phone_a.download(song_id)
    assert b"".join(phone_a.play(key_id)) == AUDIO

    # the file copied to phone B does not decrypt there
    phone_b = phone(user, "B")
    copied = phone_b.home / "files" / "copied.sauti"
    copied.parent.mkdir(parents=True)
    shutil.copy(phone_a.keystore.get(key_id).file, copied)
    with pytest.raises(NotDownloaded):
        phone_b.play(key_id)
    with pytest.raises(VaultError):
        b"".join(decrypt_file(copied, new_content_key()))
    sealed_for_a = api.post(
        "/downloads", json={"song_id": song_id, "device_id": phone_a.device_id}, token=user.token
    ).json()["sealed_key"]
    with pytest.raises(UnsealError):
        phone_b.device_key.unseal(sealed_for_a)

    # the user makes phone B the offline device: A's next sync wipes its keys and the file no longer plays
    phone_b.make_offline_device()
    answer = phone_a.sync()
    assert answer["wipe_all"] is True
    assert phone_a.keystore.key_ids() == []
    with pytest.raises(NotDownloaded):
        phone_a.play(key_id)
    assert not list((phone_a.home / "files").glob("*.sauti"))

    # phone B now downloads and plays
    assert b"".join(phone_b.play(phone_b.download(song_id))) == AUDIO


def test_a_free_user_and_a_device_that_is_not_the_offline_device_are_refused(
    new_user, make_premium, catalog, phone
):
    song_id = catalog.song()
    free_user = new_user()
    free_phone = phone(free_user, "free")
    free_phone.make_offline_device()
    with pytest.raises(ApiError) as refused:
        free_phone.download(song_id)
    assert (refused.value.status, refused.value.code) == (403, "premium_required")

    premium_phone = phone(_premium(new_user, make_premium), "second")
    with pytest.raises(ApiError) as not_offline:
        premium_phone.download(song_id)
    assert (not_offline.value.status, not_offline.value.code) == (409, "not_offline_device")


def test_premium_ending_after_grace_wipes_everything_on_the_next_sync(new_user, make_premium, catalog, phone):
    user = new_user()
    make_premium(
        user.id,
        status="past_due",
        period_end=datetime.now(UTC) - timedelta(days=1),
        grace_until=datetime.now(UTC) + timedelta(hours=1),
    )
    handset = phone(user, "A")
    handset.make_offline_device()
    key_id = handset.download(catalog.song())  # grace still counts as premium

    from sauti.billing.entitlements import invalidate
    from sauti_dev import sql

    sql.execute(
        "UPDATE subscriptions SET grace_until = now() - interval '1 minute' WHERE user_id = %s", (user.id,)
    )
    invalidate(user.id)

    answer = handset.sync()
    assert answer["wipe_all"] is True
    with pytest.raises(NotDownloaded):
        handset.play(key_id)


def test_billing_s_plan_change_event_revokes_keys_through_the_bus(
    new_user, make_premium, catalog, phone, stack, functions, api
):
    user = new_user()
    make_premium(user.id)
    handset = phone(user, "A")
    handset.make_offline_device()
    handset.download(catalog.song())

    from sauti.billing.entitlements import invalidate
    from sauti.events import publish_event
    from sauti_dev import sql
    from sauti_dev.queues import drain_once

    sql.execute("UPDATE subscriptions SET status = 'canceled' WHERE user_id = %s", (user.id,))
    invalidate(user.id)
    publish_event("billing", "plan.changed", {"user_id": user.id, "plan": "free", "previous_plan": "premium"})
    assert drain_once(functions, stack.queue_urls, rule_queues=stack.rule_queues) >= 1

    # revoked on the server before the phone even reconnects
    assert api.get("/downloads", token=user.token).json()["items"] == []
    assert handset.sync()["wipe_all"] is True


def test_a_taken_down_song_is_wiped_and_the_rest_kept_with_renewed_licenses(
    new_user, make_premium, catalog, phone
):
    from sauti.catalog.logic import set_song_status

    user = _premium(new_user, make_premium)
    handset = phone(user, "A")
    handset.make_offline_device()
    kept_song, removed_song = catalog.song("Kept"), catalog.song("Removed")
    kept_key, removed_key = handset.download(kept_song), handset.download(removed_song)

    set_song_status(removed_song, "taken_down")
    answer = handset.sync()

    assert answer["wipe_all"] is False
    assert answer["wipe"] == [removed_key]
    assert [item["key_id"] for item in answer["keep"]] == [kept_key]
    assert handset.keystore.get(kept_key).license == answer["keep"][0]["license"]
    assert b"".join(handset.play(kept_key)) == AUDIO


def test_unknown_key_ids_are_wiped(new_user, make_premium, phone, api):
    user = _premium(new_user, make_premium)
    handset = phone(user, "A")
    handset.make_offline_device()

    answer = api.post(
        f"/devices/{handset.device_id}/sync",
        json={"key_ids": ["not-a-key", "7d3f5a9e-1c2b-4e8f-a6d4-0b9c8e7f6a51"]},
        token=user.token,
    ).json()

    assert answer == {
        "keep": [],
        "wipe": ["not-a-key", "7d3f5a9e-1c2b-4e8f-a6d4-0b9c8e7f6a51"],
        "wipe_all": False,
    }


def test_someone_else_s_device_and_download_are_not_found(new_user, make_premium, catalog, phone, api):
    owner, stranger = _premium(new_user, make_premium), _premium(new_user, make_premium)
    handset = phone(owner, "A")
    handset.make_offline_device()
    handset.download(catalog.song())
    download_id = handset.keystore.get(handset.keystore.key_ids()[0]).download_id

    assert_problem(
        api.post(f"/devices/{handset.device_id}/offline", token=stranger.token), 404, "device_not_found"
    )
    assert_problem(
        api.post(f"/devices/{handset.device_id}/sync", json={"key_ids": []}, token=stranger.token),
        404,
        "device_not_found",
    )
    assert_problem(api.delete(f"/downloads/{download_id}", token=stranger.token), 404, "download_not_found")
    assert_problem(
        api.post(
            "/downloads",
            json={"song_id": catalog.song(), "device_id": handset.device_id},
            token=stranger.token,
        ),
        404,
        "device_not_found",
    )
    assert api.get("/devices", token=stranger.token).json()["items"] == []


def test_devices_and_downloads_are_listed_and_a_download_can_be_removed(
    new_user, make_premium, catalog, phone, api
):
    user = _premium(new_user, make_premium)
    handset = phone(user, "A")
    handset.make_offline_device()
    key_id = handset.download(catalog.song())
    download_id = handset.keystore.get(key_id).download_id

    [device] = api.get("/devices", token=user.token).json()["items"]
    listed = api.get("/downloads", query={"device_id": handset.device_id}, token=user.token).json()["items"]
    assert device["is_offline"] is True
    assert [item["key_id"] for item in listed] == [key_id]

    assert api.delete(f"/downloads/{download_id}", token=user.token).status == 204
    assert api.get("/downloads", token=user.token).json()["items"] == []
    assert handset.sync()["wipe"] == [key_id]


def test_limits_per_device_and_per_day_answer_clear_codes(
    new_user, make_premium, catalog, phone, api, monkeypatch
):
    from sauti.config import config

    user = _premium(new_user, make_premium)
    handset = phone(user, "A")
    handset.make_offline_device()
    handset.download(catalog.song())
    body = {"song_id": catalog.song("Two"), "device_id": handset.device_id}

    monkeypatch.setenv("DOWNLOADS_PER_DEVICE", "1")
    config.cache_clear()
    assert_problem(api.post("/downloads", json=body, token=user.token), 409, "device_download_limit")

    monkeypatch.setenv("DOWNLOADS_PER_DEVICE", "10")
    monkeypatch.setenv("DOWNLOADS_PER_DAY", "1")
    config.cache_clear()
    refused = api.post("/downloads", json=body, token=user.token)
    assert_problem(refused, 429, "daily_download_limit")
    assert 0 < int(refused.headers["retry-after"]) <= 86_400
    monkeypatch.undo()
    config.cache_clear()


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "platform": "ios", "public_key": {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}},
        {"name": "x", "platform": "ios", "public_key": {"kty": "RSA", "n": "AA", "e": "AQAB"}},
        {"name": "x", "platform": "ios", "public_key": {"kty": "EC", "crv": "P-256", "x": 1, "y": None}},
        {"name": "x", "platform": "ios", "public_key": {"kty": "EC", "crv": "P-256", "x": ["a"], "y": {}}},
        {"name": "x", "platform": "ios", "public_key": {"kty": "EC", "crv": "P-256"}},
        {"name": "x", "platform": "fridge", "public_key": {}},
        {"name": "", "platform": "ios"},
    ],
)
def test_invalid_device_registrations_are_422(new_user, api, body):
    assert_problem(api.post("/devices", json=body, token=new_user().token), 422)


def test_unpublished_songs_cannot_be_downloaded(new_user, make_premium, catalog, phone, api):
    user = _premium(new_user, make_premium)
    handset = phone(user, "A")
    handset.make_offline_device()

    for song_id in (catalog.song(status="draft"), "not-a-uuid", "7d3f5a9e-1c2b-4e8f-a6d4-0b9c8e7f6a51"):
        response = api.post(
            "/downloads", json={"song_id": song_id, "device_id": handset.device_id}, token=user.token
        )
        assert_problem(response, 404)


def test_the_sample_events_invoke_their_functions(functions):
    from helpers import sample_event

    assert functions.invoke(
        "DownloadsPlanEventsFunction", sample_event("DownloadsPlanEventsFunction.json")
    ) == {"revoked": 0}
    from sauti_dev import sql

    event = sample_event("DownloadsFunction.json")
    user_id = event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"]
    assert functions.invoke("DownloadsFunction", event)["statusCode"] == 401  # no such account (deleted)
    sql.execute(
        "INSERT INTO users (id, email, display_name) VALUES (%s, 'amina@example.com', 'Amina')", (user_id,)
    )
    assert functions.invoke("DownloadsFunction", event)["statusCode"] == 201
