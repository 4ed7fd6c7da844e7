"""Playlists through the API: visibility, versions, tracks by item id, limits."""

from __future__ import annotations

from helpers import assert_problem


def test_a_new_private_playlist_is_the_owners_alone_and_someone_else_gets_404(api, new_user, playlists):
    owner, stranger = new_user(), new_user()

    created = api.post("/playlists", json={"name": "Late night", "description": "slow"}, token=owner.token)

    assert created.status == 201, created.body
    playlist = created.json()
    assert created.headers["etag"] == f'"{playlist["version"]}"'
    assert playlist["visibility"] == "private" and playlist["relation"] == "owner"
    assert playlist["owner"] == {"id": owner.id, "display_name": "Test User"}
    assert playlist["tracks"] == {"items": [], "next_cursor": None}
    assert (playlist["track_count"], playlist["duration_ms"], playlist["followers"]) == (0, 0, 0)
    read = playlists.get(owner, playlist["id"])
    assert read.status == 200 and read.headers["etag"] == f'"{playlist["version"]}"'
    # someone else's private playlist does not exist for them: 404, never 403
    assert_problem(playlists.get(stranger, playlist["id"]), 404)
    assert_problem(api.patch(f"/playlists/{playlist['id']}", json={"name": "x"}, token=stranger.token), 404)
    assert_problem(api.delete(f"/playlists/{playlist['id']}", token=stranger.token), 404)
    assert_problem(
        api.post(f"/playlists/{playlist['id']}/tracks", json={"song_ids": [owner.id]}, token=stranger.token),
        404,
    )
    assert_problem(api.put(f"/playlists/{playlist['id']}/followers/me", token=stranger.token), 404)
    assert_problem(playlists.get(stranger, "not-a-uuid"), 404)


def test_public_playlists_need_premium(api, new_user, premium_user, playlists):
    free, paying, reader = new_user(), premium_user(), new_user()

    refused = api.post("/playlists", json={"name": "Mine", "visibility": "public"}, token=free.token)
    assert_problem(refused, 403, "premium_required")
    private = playlists.create(free)
    assert_problem(
        api.patch(f"/playlists/{private['id']}", json={"visibility": "public"}, token=free.token),
        403,
        "premium_required",
    )

    public = playlists.create(paying, visibility="public")
    seen = playlists.get(reader, public["id"])
    assert seen.status == 200 and seen.json()["relation"] is None and seen.json()["visible_to_others"] is True


def test_owner_renames_and_deletes_with_versions(api, new_user, playlists):
    owner = new_user()
    playlist = playlists.create(owner)
    path = f"/playlists/{playlist['id']}"

    renamed = api.patch(path, json={"name": "Sunday", "description": "coffee"}, token=owner.token)
    assert renamed.status == 200, renamed.body
    assert renamed.json()["name"] == "Sunday" and renamed.json()["version"] == playlist["version"] + 1
    assert renamed.headers["etag"] == f'"{playlist["version"] + 1}"'
    unchanged = api.patch(path, json={"name": "Sunday"}, token=owner.token)
    assert unchanged.json()["version"] == playlist["version"] + 1  # nothing changed, no new version

    deleted = api.delete(path, token=owner.token, headers={"if-match": renamed.headers["etag"]})
    assert deleted.status == 204
    assert_problem(playlists.get(owner, playlist["id"]), 404)


def test_a_stale_if_match_is_412_with_the_current_version_and_changes_nothing(
    api, new_user, catalog, playlists
):
    owner = new_user()
    songs = [catalog.song("Asubuhi"), catalog.song("Jioni")]
    playlist = playlists.create(owner)
    path = f"/playlists/{playlist['id']}"
    first = playlists.add(owner, playlist["id"], songs[:1])
    stale = f'"{playlist["version"]}"'

    attempts = [
        api.patch(path, json={"name": "Renamed"}, token=owner.token, headers={"if-match": stale}),
        api.post(
            f"{path}/tracks", json={"song_ids": songs[1:]}, token=owner.token, headers={"if-match": stale}
        ),
        api.delete(
            f"{path}/tracks",
            json={"item_ids": [first["items"][0]["item_id"]]},
            token=owner.token,
            headers={"if-match": stale},
        ),
        api.post(
            f"{path}/tracks/move",
            json={"item_ids": [first["items"][0]["item_id"]], "before_item_id": None},
            token=owner.token,
            headers={"if-match": stale},
        ),
        api.delete(path, token=owner.token, headers={"if-match": stale}),
    ]

    for attempt in attempts:
        problem = assert_problem(attempt, 412, "version_conflict")
        assert problem["current_version"] == first["version"]
        assert attempt.headers["etag"] == f'"{first["version"]}"'
    after = playlists.get(owner, playlist["id"]).json()
    assert after["name"] == "Road trip" and after["version"] == first["version"]
    assert [item["song"]["id"] for item in after["tracks"]["items"]] == songs[:1]
    # the current version (or a list holding it, or *) is accepted
    ok = api.patch(
        path, json={"name": "B"}, token=owner.token, headers={"if-match": f'"1", "{first["version"]}"'}
    )
    assert ok.status == 200
    assert api.patch(path, json={"name": "C"}, token=owner.token, headers={"if-match": "*"}).status == 200


def test_tracks_are_added_anywhere_by_item_id_and_unknown_or_unpublished_songs_are_named(
    api, new_user, catalog, playlists
):
    owner = new_user()
    a, b, c, d = (catalog.song(title) for title in "ABCD")
    draft = catalog.song("Draft", status="draft")
    playlist = playlists.create(owner)

    added = playlists.add(owner, playlist["id"], [a, c])
    assert [item["song_id"] for item in added["items"]] == [a, c]
    c_item = added["items"][1]["item_id"]
    playlists.add(owner, playlist["id"], [b], before_item_id=c_item)
    playlists.add(owner, playlist["id"], [d])
    assert playlists.titles(owner, playlist["id"]) == ["A", "B", "C", "D"]

    unknown = "00000000-0000-4000-8000-00000000dead"
    refused = api.post(
        f"/playlists/{playlist['id']}/tracks", json={"song_ids": [a, draft, unknown]}, token=owner.token
    )
    problem = assert_problem(refused, 422, "songs_unavailable")
    assert problem["song_ids"] == [draft, unknown]
    read = playlists.get(owner, playlist["id"]).json()
    assert read["track_count"] == 4 and read["duration_ms"] == 4 * 200_000
    assert all(item["added_by"] == owner.id and item["available"] for item in read["tracks"]["items"])
    too_many = api.post(
        f"/playlists/{playlist['id']}/tracks", json={"song_ids": [a] * 101}, token=owner.token
    )
    assert_problem(too_many, 422)
    gone = api.post(
        f"/playlists/{playlist['id']}/tracks",
        json={"song_ids": [a], "before_item_id": unknown},
        token=owner.token,
    )
    assert_problem(gone, 422, "unknown_items")


def test_remove_and_move_by_item_id_keep_the_relative_order(api, new_user, catalog, playlists):
    owner = new_user()
    songs = [catalog.song(title) for title in "ABCDEF"]
    playlist = playlists.create(owner)
    items = {row["song_id"]: row["item_id"] for row in playlists.add(owner, playlist["id"], songs)["items"]}
    item = dict(zip("ABCDEF", (items[song] for song in songs), strict=True))
    path = f"/playlists/{playlist['id']}/tracks"

    # E and B move before A: they keep their order (B before E)
    moved = api.post(
        f"{path}/move",
        json={"item_ids": [item["E"], item["B"]], "before_item_id": item["A"]},
        token=owner.token,
    )
    assert moved.status == 200, moved.body
    assert playlists.titles(owner, playlist["id"]) == ["B", "E", "A", "C", "D", "F"]
    to_end = api.post(
        f"{path}/move", json={"item_ids": [item["B"]], "before_item_id": None}, token=owner.token
    )
    assert to_end.json()["version"] == moved.json()["version"] + 1
    assert playlists.titles(owner, playlist["id"]) == ["E", "A", "C", "D", "F", "B"]

    removed = api.delete(path, json={"item_ids": [item["A"], item["D"]]}, token=owner.token)
    assert removed.status == 200 and removed.json()["version"] == to_end.json()["version"] + 1
    assert playlists.titles(owner, playlist["id"]) == ["E", "C", "F", "B"]
    again = api.delete(path, json={"item_ids": [item["A"]]}, token=owner.token)
    assert again.json()["version"] == removed.json()["version"]  # nothing left to remove: no change

    # the item ids survive every move
    remaining = playlists.get(owner, playlist["id"]).json()["tracks"]["items"]
    assert [row["item_id"] for row in remaining] == [item["E"], item["C"], item["F"], item["B"]]
    bad = api.post(f"{path}/move", json={"item_ids": [item["A"]], "before_item_id": None}, token=owner.token)
    assert_problem(bad, 422, "unknown_items")
    onto_itself = api.post(
        f"{path}/move", json={"item_ids": [item["C"]], "before_item_id": item["C"]}, token=owner.token
    )
    assert_problem(onto_itself, 422)


def test_many_inserts_at_one_place_renumber_without_losing_the_order(new_user, catalog, playlists):
    owner = new_user()
    song = catalog.song("S")
    playlist = playlists.create(owner)
    first = playlists.add(owner, playlist["id"], [song, song])["items"]
    last_id = first[1]["item_id"]
    inserted = []
    for _ in range(40):  # each insert halves the gap before the last item: a renumbering is forced
        inserted.append(
            playlists.add(owner, playlist["id"], [song], before_item_id=last_id)["items"][0]["item_id"]
        )
    from sauti_dev import sql as db

    ranks = db.fetch_all(
        "SELECT rank FROM playlist_items WHERE playlist_id = %s ORDER BY rank", (playlist["id"],)
    )
    assert len({row["rank"] for row in ranks}) == 42
    shown = [row["item_id"] for row in playlists.get(owner, playlist["id"]).json()["tracks"]["items"]]
    assert shown == [first[0]["item_id"], *inserted, last_id]


def test_tracks_are_paged_by_cursor(api, new_user, catalog, playlists):
    owner = new_user()
    songs = [catalog.song(f"T{i}") for i in range(5)]
    playlist = playlists.create(owner)
    playlists.add(owner, playlist["id"], songs)

    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = playlists.get(owner, playlist["id"], **query).json()["tracks"]
        seen += [item["song"]["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == songs
    assert_problem(playlists.get(owner, playlist["id"], cursor="garbage"), 422)


def test_the_playlist_and_track_limits_hold(api, new_user, catalog, playlists, monkeypatch):
    from sauti.config import config

    owner = new_user()
    monkeypatch.setenv("PLAYLISTS_MAX_TRACKS", "3")
    monkeypatch.setenv("PLAYLISTS_MAX_PER_USER", "1")
    config.cache_clear()
    try:
        playlist = playlists.create(owner)
        refused = api.post("/playlists", json={"name": "Two"}, token=owner.token)
        assert_problem(refused, 422, "too_many_playlists")
        song = catalog.song()
        playlists.add(owner, playlist["id"], [song, song])
        full = api.post(
            f"/playlists/{playlist['id']}/tracks", json={"song_ids": [song, song]}, token=owner.token
        )
        assert_problem(full, 422, "playlist_full")
    finally:
        monkeypatch.undo()
        config.cache_clear()


def test_a_taken_down_song_stays_unavailable_and_cannot_be_played_from_the_playlist(
    api, new_user, catalog, playlists
):
    from sauti.catalog import logic

    owner = new_user()
    kept, gone = catalog.song("Kept"), catalog.song("Gone")
    playlist = playlists.create(owner)
    playlists.add(owner, playlist["id"], [kept, gone])

    logic.set_song_status(gone, "taken_down")

    items = playlists.get(owner, playlist["id"]).json()["tracks"]["items"]
    assert [(item["song"]["title"], item["available"]) for item in items] == [("Kept", True), ("Gone", False)]
    context = {"type": "playlist", "id": playlist["id"]}
    refused = api.post("/playback/sessions", json={"song_id": gone, "context": context}, token=owner.token)
    assert_problem(refused, 404)
    allowed = api.post("/playback/sessions", json={"song_id": kept, "context": context}, token=owner.token)
    assert allowed.status == 201, allowed.body
    bad_context = api.post(
        "/playback/sessions",
        json={"song_id": kept, "context": {"type": "radio", "id": "x"}},
        token=owner.token,
    )
    assert_problem(bad_context, 422)


def test_two_editors_with_the_same_version_the_second_gets_412(api, new_user, catalog, playlists):
    owner, editor = new_user(), new_user()
    playlist = playlists.create(owner)
    playlists.invite_editor(owner, playlist["id"], editor)
    seen = playlists.get(editor, playlist["id"]).headers["etag"]
    path = f"/playlists/{playlist['id']}/tracks"

    first = api.post(
        path, json={"song_ids": [catalog.song("One")]}, token=owner.token, headers={"if-match": seen}
    )
    second = api.post(
        path, json={"song_ids": [catalog.song("Two")]}, token=editor.token, headers={"if-match": seen}
    )

    assert first.status == 201
    assert assert_problem(second, 412, "version_conflict")["current_version"] == first.json()["version"]
    assert playlists.titles(owner, playlist["id"]) == ["One"]
