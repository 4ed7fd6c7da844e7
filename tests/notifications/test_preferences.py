"""Preferences per channel and topic, checked by every send; billing and security email always goes."""

from __future__ import annotations

import json

import pytest

from helpers import assert_problem, mailbox
from sauti.notify import notification_message

DEFAULTS = {
    "channels": {"push": True, "email": True},
    "topics": {
        "new_releases": True,
        "playlist_activity": True,
        "billing": True,
        "security": True,
        "product_news": False,
    },
}


def test_preferences_start_at_the_defaults_and_change_switch_by_switch(api, new_user):
    user = new_user()

    assert api.get("/me/notification-preferences", token=user.token).json() == {
        **DEFAULTS,
        "always_emailed": ["billing", "security"],
    }
    changed = api.put(
        "/me/notification-preferences",
        json={"channels": {"push": False}, "topics": {"product_news": True}},
        token=user.token,
    )
    assert changed.status == 200, changed.body
    again = api.get("/me/notification-preferences", token=user.token).json()
    assert again["channels"] == {"push": False, "email": True}
    assert again["topics"]["product_news"] is True and again["topics"]["new_releases"] is True


def test_nonsense_preferences_are_refused(api, new_user):
    user = new_user()
    for body in ({"channels": {"sms": True}}, {"topics": {"billing": "maybe"}}, {"other": 1}, []):
        assert_problem(api.put("/me/notification-preferences", json=body, token=user.token), 422)


def test_a_switched_off_topic_sends_nothing_on_any_channel(api, new_user, worker, fcm):
    user = new_user()
    api.post("/me/push-tokens", json={"token": "phone", "platform": "android"}, token=user.token)
    api.put("/me/notification-preferences", json={"topics": {"playlist_activity": False}}, token=user.token)

    message = notification_message(
        "playlist.followed",
        user_id=user.id,
        channels=("email", "push"),
        data={"follower_name": "Zawadi", "playlist_name": "Road trip"},
    )
    assert worker.run(message) == {"batchItemFailures": []}

    assert fcm.received() == []
    assert mailbox(user.email) == []


def test_switching_a_channel_off_keeps_the_other(api, new_user, worker, fcm):
    user = new_user()
    api.post("/me/push-tokens", json={"token": "phone", "platform": "android"}, token=user.token)
    api.put("/me/notification-preferences", json={"channels": {"email": False}}, token=user.token)

    worker.run(
        notification_message(
            "playlist.tracks_added",
            user_id=user.id,
            channels=("email", "push"),
            data={"actor_name": "Juma", "playlist_name": "Road trip", "track_count": 3},
        )
    )

    [push] = fcm.received("phone")
    assert push["message"]["notification"]["title"] == "“Road trip” has new songs"
    assert mailbox(user.email) == []


def test_billing_and_security_email_cannot_be_switched_off(api, new_user, worker, fcm):
    user = new_user()
    api.post("/me/push-tokens", json={"token": "phone", "platform": "ios"}, token=user.token)
    api.put(
        "/me/notification-preferences",
        json={"channels": {"email": False, "push": False}},
        token=user.token,
    )

    for type_ in ("billing.payment_failed", "auth.password_changed"):
        worker.run(notification_message(type_, user_id=user.id, channels=("email", "push"), data={}))

    subjects = sorted(email["subject"] for email in mailbox(user.email))
    assert subjects == ["Your Sauti Premium payment failed", "Your Sauti password was changed"]
    assert fcm.received() == []  # their pushes do follow the switches
    assert all("List-Unsubscribe" not in email["headers"] for email in mailbox(user.email))


def test_new_release_pushes_follow_the_switches(api, functions, stack, catalog, new_user, worker, fcm):
    from notify_helpers import catalog_changed, queued

    keen, quiet, muted = new_user(), new_user(), new_user()
    for user in (keen, quiet, muted):
        api.post("/me/push-tokens", json={"token": f"t-{user.id}", "platform": "android"}, token=user.token)
        api.put(f"/me/following/artists/{catalog.artist_id}", token=user.token)
    api.put("/me/notification-preferences", json={"topics": {"new_releases": False}}, token=quiet.token)
    api.put("/me/notification-preferences", json={"channels": {"push": False}}, token=muted.token)

    functions.invoke(
        "NotificationsEventsFunction", catalog_changed("song", catalog.song(), catalog.artist_id)
    )
    worker.run(*queued(stack))

    assert [push["message"]["token"] for push in fcm.received()] == [f"t-{keen.id}"]


def test_follows_are_listed_newest_first_and_paged(api, new_user, stack):
    from sauti.catalog import logic

    user = new_user()
    artists = [logic.create_artist(f"Artist {index}", "") for index in range(3)]
    for artist_id in artists:
        assert api.put(f"/me/following/artists/{artist_id}", token=user.token).status == 204
    assert api.put(f"/me/following/artists/{artists[0]}", token=user.token).status == 204  # idempotent

    first = api.get("/me/following/artists", query={"limit": 2}, token=user.token).json()
    second = api.get(
        "/me/following/artists", query={"limit": 2, "cursor": first["next_cursor"]}, token=user.token
    ).json()

    listed = [item["artist_id"] for item in first["items"] + second["items"]]
    assert listed == list(reversed(artists)) and second["next_cursor"] is None
    assert api.delete(f"/me/following/artists/{artists[1]}", token=user.token).status == 204
    assert len(api.get("/me/following/artists", token=user.token).json()["items"]) == 2


def test_following_an_unknown_artist_is_a_404(api, new_user):
    user = new_user()
    assert_problem(api.put("/me/following/artists/not-a-uuid", token=user.token), 404)
    assert_problem(
        api.put("/me/following/artists/00000000-0000-4000-8000-000000000000", token=user.token), 404
    )
    assert_problem(api.get("/me/following/artists", query={"cursor": "junk"}, token=user.token), 422)


def test_playlist_activity_as_playlists_queues_it_names_the_people(api, new_user, worker, fcm):
    owner, follower = new_user(display_name="Owner"), new_user(display_name="Wanjiru")
    api.post("/me/push-tokens", json={"token": "owner-phone", "platform": "ios"}, token=owner.token)
    followed = notification_message(
        "playlist.followed",
        user_id=owner.id,
        channels=["push"],
        data={"playlist_id": "p-1", "playlist_name": "Road trip", "follower_id": follower.id},
    )
    added = notification_message(
        "playlist.tracks_added",
        user_id=owner.id,
        channels=["push"],
        data={"playlist_id": "p-1", "playlist_name": "Road trip", "added_by": follower.id, "count": 2},
    )

    worker.run(followed, added)

    bodies = [push["message"]["notification"]["body"] for push in fcm.received("owner-phone")]
    assert bodies == ["Wanjiru follows “Road trip”.", "Wanjiru added 2 song(s)."]
    assert fcm.received("owner-phone")[0]["message"]["data"]["playlist_id"] == "p-1"


@pytest.mark.parametrize("topic", ["billing", "security"])
def test_turning_off_an_always_emailed_topic_is_refused_and_it_stays_on(api, new_user, topic):
    user = new_user()

    refused = api.put("/me/notification-preferences", json={"topics": {topic: False}}, token=user.token)

    problem = assert_problem(refused, 422)
    assert topic in json.dumps(problem)
    assert api.get("/me/notification-preferences", token=user.token).json()["topics"][topic] is True
    assert (
        api.put("/me/notification-preferences", json={"topics": {topic: True}}, token=user.token).status
        == 200
    )
