"""Collaborators by invite link, followers, and GET /me/playlists."""

from __future__ import annotations

from datetime import timedelta

from helpers import assert_problem, drain_queue


def _notifications(stack) -> list[dict]:
    return drain_queue(stack.queue_urls["NotificationsQueue"])


def test_an_invited_editor_edits_with_added_by_and_loses_access_when_removed(
    api, new_user, catalog, playlists, stack
):
    owner, editor = new_user(), new_user()
    playlist = playlists.create(owner)
    path = f"/playlists/{playlist['id']}"
    invite = api.post(f"{path}/invites", token=owner.token)
    assert invite.status == 201, invite.body
    assert set(invite.json()) == {"invite_id", "token", "expires_at"}

    accepted = api.post(f"/playlist-invites/{invite.json()['token']}", token=editor.token)

    assert accepted.status == 200, accepted.body
    assert accepted.json()["relation"] == "editor" and accepted.json()["id"] == playlist["id"]
    _notifications(stack)
    song = catalog.song("From the editor")
    added = playlists.add(editor, playlist["id"], [song])
    [item] = playlists.get(owner, playlist["id"]).json()["tracks"]["items"]
    assert item["added_by"] == editor.id and item["item_id"] == added["items"][0]["item_id"]
    [message] = _notifications(stack)
    assert message["type"] == "playlist.tracks_added" and message["user_id"] == owner.id
    assert message["data"] == {
        "playlist_id": playlist["id"],
        "playlist_name": "Road trip",
        "actor_id": editor.id,
        "actor_name": "Test User",
        "track_count": 1,
    }
    playlists.add(editor, playlist["id"], [song])
    assert _notifications(stack) == []  # one notification per editor and playlist an hour
    # editors edit tracks, not the playlist itself
    assert_problem(api.patch(path, json={"name": "Mine now"}, token=editor.token), 403, "owner_only")
    assert_problem(api.post(f"{path}/invites", token=editor.token), 403)
    # only the token's hash is kept
    from sauti_dev import sql as db

    stored = db.fetch_all("SELECT token_hash FROM playlist_invites")
    assert invite.json()["token"].encode() not in [bytes(row["token_hash"]) for row in stored]

    removed = api.delete(f"{path}/collaborators/{editor.id}", token=owner.token)

    assert removed.status == 204
    assert_problem(playlists.get(editor, playlist["id"]), 404)
    assert_problem(api.post(f"{path}/tracks", json={"song_ids": [song]}, token=editor.token), 404)
    assert_problem(api.delete(f"{path}/collaborators/{editor.id}", token=owner.token), 404)


def test_an_editor_may_leave_but_not_remove_another(api, new_user, playlists):
    owner, first, second = new_user(), new_user(), new_user()
    playlist = playlists.create(owner)
    playlists.invite_editor(owner, playlist["id"], first)
    playlists.invite_editor(owner, playlist["id"], second)
    path = f"/playlists/{playlist['id']}/collaborators"

    assert_problem(api.delete(f"{path}/{second.id}", token=first.token), 403)
    assert api.delete(f"{path}/{first.id}", token=first.token).status == 204
    assert_problem(playlists.get(first, playlist["id"]), 404)
    assert playlists.get(second, playlist["id"]).json()["relation"] == "editor"


def test_expired_and_revoked_invites_are_404(api, new_user, playlists):
    from sauti import clock

    owner, late, other = new_user(), new_user(), new_user()
    playlist = playlists.create(owner)
    path = f"/playlists/{playlist['id']}/invites"
    expiring = api.post(path, token=owner.token).json()
    revoked = api.post(path, token=owner.token).json()

    assert api.delete(f"{path}/{revoked['invite_id']}", token=owner.token).status == 204
    assert_problem(api.post(f"/playlist-invites/{revoked['token']}", token=other.token), 404)
    assert_problem(api.post("/playlist-invites/no-such-token", token=other.token), 404)
    from datetime import datetime

    expires_at = datetime.fromisoformat(expiring["expires_at"].replace("Z", "+00:00"))
    with clock.frozen(expires_at + timedelta(seconds=1)):
        assert_problem(api.post(f"/playlist-invites/{expiring['token']}", token=late.token), 404)
    assert_problem(playlists.get(late, playlist["id"]), 404)


def test_followers_follow_public_playlists_and_the_owner_hears_of_it(
    api, new_user, premium_user, playlists, stack
):
    owner, fan = premium_user(), new_user()
    public = playlists.create(owner, "Open", visibility="public")
    private = playlists.create(owner, "Closed")
    _notifications(stack)
    path = f"/playlists/{public['id']}/followers/me"

    assert api.put(path, token=fan.token).status == 204
    assert api.put(path, token=fan.token).status == 204  # idempotent: counted once, one notification

    seen = playlists.get(fan, public["id"]).json()
    assert seen["followers"] == 1 and seen["relation"] == "follower"
    [message] = _notifications(stack)
    assert message["type"] == "playlist.followed" and message["user_id"] == owner.id
    assert message["data"] == {
        "playlist_id": public["id"],
        "playlist_name": "Open",
        "follower_id": fan.id,
        "follower_name": "Test User",
    }
    assert message["channels"] == ["push"]
    assert_problem(api.put(f"/playlists/{private['id']}/followers/me", token=fan.token), 404)
    assert_problem(api.put(path, token=owner.token), 409, "not_followable")

    assert api.delete(path, token=fan.token).status == 204
    assert api.delete(path, token=fan.token).status == 204
    after = playlists.get(fan, public["id"]).json()
    assert after["followers"] == 0 and after["relation"] is None
    # following again counts again, but the owner is not notified twice in a week
    assert api.put(path, token=fan.token).status == 204
    assert playlists.get(fan, public["id"]).json()["followers"] == 1
    assert _notifications(stack) == []


def test_my_playlists_lists_owned_edited_and_followed_with_their_relation_paged(
    api, new_user, premium_user, playlists
):
    me, friend, artist = new_user(), new_user(), premium_user()
    mine = playlists.create(me, "Mine")
    shared = playlists.create(friend, "Shared")
    playlists.invite_editor(friend, shared["id"], me)
    followed = playlists.create(artist, "Followed", visibility="public")
    assert api.put(f"/playlists/{followed['id']}/followers/me", token=me.token).status == 204
    playlists.create(friend, "Not mine")

    listed = api.get("/me/playlists", token=me.token).json()
    assert [(item["name"], item["relation"]) for item in listed["items"]] == [
        ("Followed", "follower"),
        ("Shared", "editor"),
        ("Mine", "owner"),
    ]
    assert listed["next_cursor"] is None
    assert listed["items"][0]["owner"]["id"] == artist.id

    pages, cursor = [], None
    while True:
        page = api.get(
            "/me/playlists", token=me.token, query={"limit": 1, **({"cursor": cursor} if cursor else {})}
        )
        pages += [item["id"] for item in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert pages == [followed["id"], shared["id"], mine["id"]]
    only_owned = api.get("/me/playlists", token=me.token, query={"relation": "owner"}).json()["items"]
    assert [item["id"] for item in only_owned] == [mine["id"]]
    assert_problem(api.get("/me/playlists", token=me.token, query={"relation": "fan"}), 422)
