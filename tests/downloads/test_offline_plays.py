"""POST /me/offline-plays: plays recorded with no network count on the day they happened, once."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from helpers import assert_problem
from sauti import clock
from sauti.principal import Principal

SONG_MS = 200_000  # every song of the catalog fixture lasts 200 s


def _iso(moment: datetime) -> str:
    return clock.iso(moment)  # type: ignore[return-value]


def _play(key_id: str, played_at: datetime, listened_ms: int = 95_000, play_id: str | None = None) -> dict:
    return {
        "play_id": play_id or str(uuid.uuid4()),
        "key_id": key_id,
        "played_at": _iso(played_at),
        "listened_ms": listened_ms,
    }


def _offline_phone(new_user, make_premium, phone, name: str = "A"):
    user = new_user()
    make_premium(user.id)
    handset = phone(user, name)
    handset.make_offline_device()
    return user, handset


def _issued_at(api, user, key_id: str) -> datetime:
    items = api.get("/downloads", token=user.token).json()["items"]
    return datetime.fromisoformat(next(item["issued_at"] for item in items if item["key_id"] == key_id))


def _stats(song_id: str, today) -> dict:
    from sauti.analytics.dashboard import song_stats

    admin = Principal(user_id=str(uuid.uuid4()), roles=frozenset({"super_admin"}))
    return song_stats(admin, song_id, "last_30_days", today=today).model_dump(mode="json")


def test_each_offline_play_gets_its_outcome(new_user, make_premium, catalog, phone, api):
    user, handset = _offline_phone(new_user, make_premium, phone)
    key_id, wiped_key = handset.download(catalog.song("Kept")), handset.download(catalog.song("Wiped"))
    wiped_download = handset.keystore.get(wiped_key).download_id
    issued = _issued_at(api, user, key_id)
    assert api.delete(f"/downloads/{wiped_download}", token=user.token).status == 204  # wiped now

    later = issued + timedelta(hours=2)
    valid = _play(key_id, later - timedelta(minutes=30))
    plays = {
        "valid": valid,
        "too_short": _play(key_id, later - timedelta(minutes=25), listened_ms=29_999),
        "too_long": _play(key_id, later - timedelta(minutes=20), listened_ms=SONG_MS + 1),
        "in_future": _play(key_id, later + timedelta(minutes=5)),
        "unknown_key": _play(str(uuid.uuid4()), later - timedelta(minutes=15)),
        "license_revoked": _play(wiped_key, later - timedelta(minutes=10)),
        "before_download": _play(key_id, issued - timedelta(minutes=10)),
        "overlapping": _play(key_id, later - timedelta(minutes=30) + timedelta(seconds=30)),
    }
    body = {"device_id": handset.device_id, "plays": list(plays.values())}

    with clock.frozen(later):
        first = api.post("/me/offline-plays", json=body, token=user.token)
        again = api.post("/me/offline-plays", json=body, token=user.token)

    assert first.status == 200, first.body
    assert first.json()["accepted"] == 1
    assert first.json()["duplicates"] == 0
    reasons = {item["play_id"]: item["reason"] for item in first.json()["refused"]}
    assert reasons == {play["play_id"]: name for name, play in plays.items() if name != "valid"}
    # sent again: the counted play is a duplicate, never a second play; the refusals stay refusals
    assert (again.json()["accepted"], again.json()["duplicates"]) == (0, 1)
    assert len(again.json()["refused"]) == len(plays) - 1

    recent = api.get("/me/recently-played", token=user.token).json()["items"]
    assert [(item["source"], item["listened_ms"]) for item in recent] == [("offline", 95_000)]


def test_a_play_after_the_device_was_replaced_does_not_count_and_one_before_does(
    new_user, make_premium, catalog, phone, api
):
    user, handset = _offline_phone(new_user, make_premium, phone)
    key_id = handset.download(catalog.song())
    issued = _issued_at(api, user, key_id)
    before = _play(key_id, issued, listened_ms=31_000)  # the replacement follows within the second
    phone(user, "B").make_offline_device()  # A's keys are revoked now

    with clock.frozen(issued + timedelta(hours=1)):
        answer = api.post(
            "/me/offline-plays",
            json={
                "device_id": handset.device_id,
                "plays": [before, _play(key_id, issued + timedelta(minutes=30))],
            },
            token=user.token,
        ).json()

    assert answer["accepted"] == 1
    assert [item["reason"] for item in answer["refused"]] == ["license_revoked"]


def test_another_user_s_key_and_another_device_s_key_are_refused(new_user, make_premium, catalog, phone, api):
    user, handset = _offline_phone(new_user, make_premium, phone)
    _other, other_phone = _offline_phone(new_user, make_premium, phone, "other")
    song_id = catalog.song()
    mine, theirs = handset.download(song_id), other_phone.download(song_id)
    second_phone = phone(user, "B")
    issued = _issued_at(api, user, mine)

    with clock.frozen(issued + timedelta(hours=1)):
        answer = api.post(
            "/me/offline-plays",
            json={
                "device_id": second_phone.device_id,
                "plays": [
                    _play(mine, issued + timedelta(minutes=1)),
                    _play(theirs, issued + timedelta(minutes=5)),
                ],
            },
            token=user.token,
        ).json()
        someone_elses_device = api.post(
            "/me/offline-plays",
            json={
                "device_id": other_phone.device_id,
                "plays": [_play(theirs, issued + timedelta(minutes=9))],
            },
            token=user.token,
        )

    assert [item["reason"] for item in answer["refused"]] == ["other_device", "unknown_key"]
    assert_problem(someone_elses_device, 404, "device_not_found")


def test_a_batch_over_500_or_malformed_is_refused_whole(new_user, make_premium, phone, api):
    user, handset = _offline_phone(new_user, make_premium, phone)
    key = str(uuid.uuid4())
    now = clock.now()
    too_many = [_play(key, now - timedelta(hours=1)) for _ in range(501)]
    for plays in (
        too_many,
        [],
        [{**_play(key, now), "play_id": "not-a-uuid"}],
        [{**_play(key, now), "x": 1}],
    ):
        response = api.post(
            "/me/offline-plays", json={"device_id": handset.device_id, "plays": plays}, token=user.token
        )
        assert_problem(response, 422, "validation_error")
    naive = {**_play(key, now), "played_at": "2026-01-01T10:00:00"}
    response = api.post(
        "/me/offline-plays", json={"device_id": handset.device_id, "plays": [naive]}, token=user.token
    )
    assert_problem(response, 422, "validation_error")


@pytest.mark.parametrize("days_late", [2, 10])  # inside the rollup's 7-day late window, and beyond it
def test_an_offline_play_from_days_ago_counts_on_that_day_after_the_rollup(
    days_late, new_user, make_premium, catalog, phone, api
):
    from sauti.analytics.rollup import catch_up, roll_up_day

    user, handset = _offline_phone(new_user, make_premium, phone)
    song_id = catalog.song()
    key_id = handset.download(song_id)
    played_at = _issued_at(api, user, key_id) + timedelta(minutes=1)
    day = played_at.date()
    today = day + timedelta(days=days_late)
    roll_up_day(day, today=today)  # the day was rolled up before the phone came back online
    assert _stats(song_id, today)["total_plays"] == 0

    with clock.frozen(played_at + timedelta(days=days_late)):
        answer = api.post(
            "/me/offline-plays",
            json={"device_id": handset.device_id, "plays": [_play(key_id, played_at)]},
            token=user.token,
        ).json()
    assert answer["accepted"] == 1

    assert day in [result.day for result in catch_up(today=today)]  # the late play re-opened its day
    stats = _stats(song_id, today)
    assert stats["total_plays"] == 1
    assert {entry["date"]: entry["plays"] for entry in stats["daily"]}[day.isoformat()] == 1


def test_the_reference_client_s_recorded_plays_arrive_once_after_a_sync(
    new_user, make_premium, catalog, phone, api
):
    user, handset = _offline_phone(new_user, make_premium, phone)
    key_id = handset.download(catalog.song())
    issued = _issued_at(api, user, key_id).timestamp()
    # offline: two songs' worth of listening, one skipped after 10 s
    handset.record_play(key_id, issued + 5, 120_000)
    handset.record_play(key_id, issued + 200, 10_000)
    handset.record_play(key_id, issued + 300, 180_000)

    with clock.frozen(datetime.fromtimestamp(issued + 3600, clock.now().tzinfo)):
        first = handset.sync()["plays"]
        second = handset.sync()["plays"]

    assert (first["accepted"], first["duplicates"]) == (2, 0)
    assert [item["reason"] for item in first["refused"]] == ["too_short"]
    assert second == {"accepted": 0, "duplicates": 0, "refused": []}
    assert handset.journal.pending() == []
    listened = [
        item["listened_ms"] for item in api.get("/me/recently-played", token=user.token).json()["items"]
    ]
    assert listened == [180_000, 120_000]


def test_a_lost_answer_sends_the_plays_again_as_duplicates(new_user, make_premium, catalog, phone, api):
    user, handset = _offline_phone(new_user, make_premium, phone)
    key_id = handset.download(catalog.song())
    issued = _issued_at(api, user, key_id).timestamp()
    handset.record_play(key_id, issued + 5, 120_000)
    pending = handset.journal.pending()

    with clock.frozen(datetime.fromtimestamp(issued + 3600, clock.now().tzinfo)):
        # the upload reached the server but its answer never reached the phone
        api.post(
            "/me/offline-plays", json={"device_id": handset.device_id, "plays": pending}, token=user.token
        )
        plays = handset.sync()["plays"]

    assert (plays["accepted"], plays["duplicates"]) == (0, 1)


def test_a_play_at_the_end_of_time_is_refused_alone_and_the_batch_s_others_count(
    new_user, make_premium, catalog, phone, api
):
    user, handset = _offline_phone(new_user, make_premium, phone)
    key_id = handset.download(catalog.song())
    issued = _issued_at(api, user, key_id)
    valid = _play(key_id, issued + timedelta(minutes=10))
    absurd = {
        "end_of_time": {**_play(key_id, issued), "played_at": "9999-12-31T23:59:59Z"},
        "end_of_time_west": {**_play(key_id, issued), "played_at": "9999-12-31T23:59:59-12:00"},
        "start_of_time_east": {**_play(key_id, issued), "played_at": "0001-01-01T00:00:00+14:00"},
    }

    with clock.frozen(issued + timedelta(hours=1)):
        answer = api.post(
            "/me/offline-plays",
            json={"device_id": handset.device_id, "plays": [*absurd.values(), valid]},
            token=user.token,
        )

    assert answer.status == 200, answer.body
    assert answer.json()["accepted"] == 1
    reasons = {item["play_id"]: item["reason"] for item in answer.json()["refused"]}
    assert reasons == {
        absurd["end_of_time"]["play_id"]: "in_future",
        absurd["end_of_time_west"]["play_id"]: "in_future",
        absurd["start_of_time_east"]["play_id"]: "before_download",
    }
