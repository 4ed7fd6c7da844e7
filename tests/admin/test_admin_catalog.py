"""Catalog edits by content managers: edits reach readers at once, nulls are refused."""

from __future__ import annotations

from helpers import assert_problem


def test_artists_albums_and_songs_are_created_and_edited_and_readers_see_the_edits_at_once(
    api, admins, catalog
):
    manager = admins["content_manager"]
    artist = api.post("/admin/artists", json={"name": "Nyota", "bio": "Mombasa"}, token=manager.token)
    assert artist.status == 201, artist.body
    artist_id = artist.json()["id"]
    album = api.post(
        "/admin/albums",
        json={"artist_id": artist_id, "title": "Bahari", "release_date": "2025-01-31"},
        token=manager.token,
    )
    assert album.status == 201 and album.json()["release_date"] == "2025-01-31"
    song_id = catalog.song()
    assert api.get(f"/songs/{song_id}", token=manager.token).status == 200  # cached now

    moved = api.patch(
        f"/admin/songs/{song_id}",
        json={"title": "Bahari Blue", "album_id": album.json()["id"], "artist_id": artist_id},
        token=manager.token,
    )

    assert moved.status == 200, moved.body
    seen = api.get(f"/songs/{song_id}", token=manager.token).json()
    assert seen["title"] == "Bahari Blue" and seen["artist"]["id"] == artist_id
    assert seen["album"]["id"] == album.json()["id"]
    assert api.patch(f"/admin/songs/{song_id}", json={}, token=manager.token).status == 200
    assert_problem(api.patch(f"/admin/songs/{song_id}", json={"title": None}, token=manager.token), 422)
    assert_problem(api.patch(f"/admin/artists/{artist_id}", json={"name": None}, token=manager.token), 422)
    renamed = api.patch(f"/admin/artists/{artist_id}", json={"name": "Nyota Band"}, token=manager.token)
    assert renamed.status == 200
    assert api.get(f"/artists/{artist_id}", token=manager.token).json()["name"] == "Nyota Band"
    assert_problem(
        api.post(
            "/admin/songs", json={"artist_id": "nope", "title": "x", "duration_ms": 5}, token=manager.token
        ),
        404,
    )
