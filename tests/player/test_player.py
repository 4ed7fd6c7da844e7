"""GET and PUT /me/player: a session saved on one device resumes on another, versioned with If-Match."""

from __future__ import annotations

import uuid

from helpers import assert_problem


def _state(device_id: str, songs: int = 3, index: int = 1, position_ms: int = 42_000) -> dict:
    return {
        "queue": [str(uuid.uuid4()) for _ in range(songs)],
        "index": index,
        "position_ms": position_ms,
        "device_id": device_id,
    }


def test_nothing_saved_is_a_404(new_user, api):
    assert_problem(api.get("/me/player", token=new_user().token), 404, "player_not_found")


def test_saved_on_the_phone_resumed_on_the_laptop(new_user, api):
    user = new_user()
    phone_state = _state("phone")

    saved = api.put("/me/player", json=phone_state, token=user.token)
    on_laptop = api.get("/me/player", token=user.token)

    assert saved.status == 200, saved.body
    assert on_laptop.status == 200
    body = on_laptop.json()
    assert {name: body[name] for name in phone_state} == phone_state
    assert body["version"] == saved.json()["version"] == 1
    assert on_laptop.headers["etag"] == '"1"'
    assert body["updated_at"].endswith("Z") or body["updated_at"].endswith("+00:00")

    # the laptop takes over from the version it read
    laptop_state = {**phone_state, "index": 2, "position_ms": 0, "device_id": "laptop"}
    taken = api.put("/me/player", json=laptop_state, token=user.token, headers={"If-Match": '"1"'})
    assert taken.status == 200, taken.body
    assert (taken.json()["version"], taken.json()["device_id"]) == (2, "laptop")
    assert api.get("/me/player", token=user.token).json()["index"] == 2


def test_a_stale_if_match_is_a_412_and_changes_nothing(new_user, api):
    user = new_user()
    api.put("/me/player", json=_state("phone"), token=user.token)
    laptop = api.put("/me/player", json=_state("laptop"), token=user.token, headers={"If-Match": '"1"'})
    assert laptop.json()["version"] == 2

    stale = api.put(
        "/me/player", json=_state("phone", index=0), token=user.token, headers={"If-Match": '"1"'}
    )
    problem = assert_problem(stale, 412, "version_conflict")
    assert problem["current_version"] == 2
    kept = api.get("/me/player", token=user.token).json()
    assert (kept["device_id"], kept["version"]) == ("laptop", 2)

    for tag in ('"nonsense"', '"99"'):
        assert_problem(
            api.put("/me/player", json=_state("phone"), token=user.token, headers={"If-Match": tag}),
            412,
            "version_conflict",
        )
    nothing_yet = api.put("/me/player", json=_state("x"), token=new_user().token, headers={"If-Match": '"1"'})
    assert assert_problem(nothing_yet, 412, "version_conflict")["current_version"] is None


def test_a_queue_over_1000_songs_and_bad_states_are_422(new_user, api):
    user = new_user()
    bad_states = [
        _state("phone", songs=1_001),
        _state("phone", songs=3, index=3),  # past the end
        {**_state("phone"), "queue": ["not-a-song-id"]},
        {**_state("phone"), "position_ms": -1},
        {**_state("phone"), "device_id": ""},
        {**_state("phone"), "version": 4},  # not the client's to set
    ]
    for state in bad_states:
        assert_problem(api.put("/me/player", json=state, token=user.token), 422, "validation_error")
    assert api.put("/me/player", json=_state("phone", songs=1_000, index=999), token=user.token).status == 200
    assert api.put("/me/player", json=_state("phone", songs=0, index=0), token=user.token).status == 200


def test_each_user_sees_only_their_own_player(new_user, api):
    mine, theirs = new_user(), new_user()
    api.put("/me/player", json=_state("phone"), token=mine.token)
    assert_problem(api.get("/me/player", token=theirs.token), 404, "player_not_found")
    assert api.get("/me/player").status == 401  # the gateway refuses it before the function


def test_a_deleted_account_s_player_is_deleted_through_the_bus(new_user, api, stack, functions):
    from sauti_dev.queues import drain_once

    user, other = new_user(), new_user()
    api.put("/me/player", json=_state("phone"), token=user.token)
    api.put("/me/player", json=_state("phone"), token=other.token)

    assert api.delete("/me", token=user.token).status == 204  # auth publishes user.deleted
    assert drain_once(functions, stack.queue_urls, rule_queues=stack.rule_queues) >= 1

    from sauti.player.public import forget_user

    assert forget_user(user.id) is False  # already gone; a duplicate event changes nothing
    assert api.get("/me/player", token=other.token).status == 200
