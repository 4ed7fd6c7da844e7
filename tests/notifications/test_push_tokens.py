"""Push tokens: registered idempotently, moved to another account only with its instance key,
limited per account, one's own only."""

from __future__ import annotations

from helpers import assert_problem


def _owner(token: str) -> str | None:
    from sauti_dev import sql

    row = sql.fetch_one(
        "SELECT user_id::text AS user_id FROM notification_push_tokens WHERE token = %s", (token,)
    )
    return row["user_id"] if row else None


def test_a_token_is_registered_once_and_registering_it_again_is_a_200(api, new_user):
    user = new_user()

    first = api.post("/me/push-tokens", json={"token": "tok-a", "platform": "android"}, token=user.token)
    again = api.post("/me/push-tokens", json={"token": "tok-a", "platform": "android"}, token=user.token)

    assert first.status == 201, first.body
    assert first.json()["token"] == "tok-a" and first.json()["platform"] == "android"
    assert again.status == 200
    assert _owner("tok-a") == user.id


def test_someone_elses_token_does_not_move_without_its_instance_key(api, new_user):
    victim, thief = new_user(), new_user()
    registered = api.post(
        "/me/push-tokens", json={"token": "victim-phone", "platform": "ios"}, token=victim.token
    )
    assert registered.status == 201 and registered.json()["instance_key"]

    for attempt in ({}, {"instance_key": "guessed-" + "x" * 40}):
        taken = api.post(
            "/me/push-tokens", json={"token": "victim-phone", "platform": "ios", **attempt}, token=thief.token
        )
        assert_problem(taken, 409, "push_token_held")
        assert registered.json()["instance_key"] not in taken.body.decode()
    assert _owner("victim-phone") == victim.id  # the victim's pushes still reach the victim's phone


def test_a_token_moves_to_another_account_with_the_key_its_app_instance_was_given(api, new_user):
    first, second = new_user(), new_user()
    registered = api.post(
        "/me/push-tokens", json={"token": "shared-phone", "platform": "ios"}, token=first.token
    )
    again = api.post("/me/push-tokens", json={"token": "shared-phone", "platform": "ios"}, token=first.token)
    key = again.json()["instance_key"]
    assert key != registered.json()["instance_key"]  # each registration hands out a fresh key
    stale = {"token": "shared-phone", "platform": "ios", "instance_key": registered.json()["instance_key"]}
    assert_problem(api.post("/me/push-tokens", json=stale, token=second.token), 409, "push_token_held")

    moved = api.post(
        "/me/push-tokens",
        json={"token": "shared-phone", "platform": "ios", "instance_key": key},
        token=second.token,
    )

    assert moved.status == 201, moved.body
    assert _owner("shared-phone") == second.id
    # the first account cannot delete what is no longer its token
    assert api.delete("/me/push-tokens/shared-phone", token=first.token).status == 204
    assert _owner("shared-phone") == second.id
    assert api.delete("/me/push-tokens/shared-phone", token=second.token).status == 204
    assert _owner("shared-phone") is None


def test_an_account_keeps_only_its_newest_tokens(api, new_user, monkeypatch):
    from sauti.config import config

    monkeypatch.setenv("PUSH_TOKENS_PER_USER", "3")
    config.cache_clear()
    user = new_user()
    for index in range(5):
        response = api.post(
            "/me/push-tokens", json={"token": f"t-{index}", "platform": "web"}, token=user.token
        )
        assert response.status == 201

    assert [_owner(f"t-{index}") for index in range(5)] == [None, None, user.id, user.id, user.id]


def test_tokens_need_an_account_and_a_sane_body(api, new_user):
    user = new_user()

    assert api.post("/me/push-tokens", json={"token": "x", "platform": "ios"}).status == 401
    assert_problem(
        api.post("/me/push-tokens", json={"token": "x", "platform": "pager"}, token=user.token), 422
    )
    assert_problem(api.post("/me/push-tokens", json={"token": "", "platform": "ios"}, token=user.token), 422)
    too_long = {"token": "x" * 5000, "platform": "ios"}
    assert_problem(api.post("/me/push-tokens", json=too_long, token=user.token), 422)
    assert_problem(
        api.post("/me/push-tokens", json={"token": "x", "platform": "ios", "extra": 1}, token=user.token), 422
    )


def test_a_token_someone_registered_meanwhile_is_not_taken_over(new_user):
    """Two accounts registering one new token at once: the one that finds it taken at write time
    does not move it (the store's write checks the holder it was told, not only the earlier read)."""
    from sauti.db import transaction
    from sauti.notifications import store

    first, second = new_user(), new_user()
    with transaction() as conn:
        assert store.register_token(conn, first.id, "raced", "ios", b"k1", None) is not None
    with transaction() as conn:
        assert store.register_token(conn, second.id, "raced", "ios", b"k2", None) is None
    assert _owner("raced") == first.id
