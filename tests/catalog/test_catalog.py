"""Catalog reads through the API: shapes, paging, published content only, and the Redis cache."""

from __future__ import annotations

import pytest

from helpers import assert_problem


def test_a_song_has_the_contract_shape(api, new_user, catalog):
    song_id = catalog.song("Mawimbi", qualities=("low", "high"), track_number=1)

    song = api.get(f"/songs/{song_id}", token=new_user().token).json()

    assert song["id"] == song_id
    assert song["title"] == "Mawimbi"
    assert song["artist"] == {"id": catalog.artist_id, "name": "Amani Wave"}
    assert song["album"] == {"id": catalog.album_id, "title": "Pwani Nights"}
    assert song["duration_ms"] == 200_000 and song["explicit"] is False
    assert song["qualities"] == ["low", "high"]
    assert "renditions" not in song and "status" not in song


def test_unpublished_unknown_and_malformed_ids_are_404_and_reads_need_a_token(api, new_user, catalog):
    user = new_user()

    assert_problem(api.get(f"/songs/{catalog.song(status='draft')}", token=user.token), 404)
    assert_problem(api.get("/songs/00000000-0000-4000-8000-000000000000", token=user.token), 404)
    assert_problem(api.get("/songs/nope", token=user.token), 404)
    assert_problem(api.get("/artists/nope", token=user.token), 404)
    assert api.get("/songs").status == 401


def test_songs_are_listed_newest_first_in_pages(api, new_user, catalog):
    from sauti_dev import sql

    ids = [catalog.song(f"Song {n}") for n in range(5)]
    for age, song_id in enumerate(reversed(ids)):
        sql.execute(
            "UPDATE songs SET published_at = now() - make_interval(mins => %s) WHERE id = %s", (age, song_id)
        )
    catalog.song("Hidden", status="taken_down")
    user = new_user()

    seen, cursor = [], None
    while True:
        page = api.get(
            "/songs", token=user.token, query={"limit": 2, **({"cursor": cursor} if cursor else {})}
        ).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == list(reversed(ids))
    assert_problem(api.get("/songs", token=user.token, query={"cursor": "garbage"}), 422)
    assert_problem(api.get("/songs", token=user.token, query={"limit": 0}), 422)


def test_an_artist_comes_with_top_songs_most_played_over_the_last_30_days_first(api, new_user, catalog):
    import uuid
    from datetime import timedelta

    from sauti import clock
    from sauti.analytics.plays import CountedPlay, record_play
    from sauti.analytics.rollup import roll_up_day
    from sauti.catalog import logic

    loud, quiet, unplayed = catalog.song("Loud"), catalog.song("Quiet"), catalog.song("Unplayed")
    now = clock.now()
    with clock.frozen(now):  # midnight may not pass mid-test
        for song_id, count, days_ago in ((loud, 3, 1), (quiet, 1, 2), (unplayed, 9, 40)):  # 40: too old
            for _ in range(count):
                record_play(CountedPlay(str(uuid.uuid4()), song_id, now - timedelta(days=days_ago), 60_000))
            roll_up_day((now - timedelta(days=days_ago)).date())
        logic.update_song(quiet, title="Quiet")  # drops the cached artist

        artist = api.get(f"/artists/{catalog.artist_id}", token=new_user().token).json()

    assert artist["name"] == "Amani Wave"
    assert [song["id"] for song in artist["top_songs"]] == [loud, quiet, unplayed]


def test_the_per_play_counter_table_is_gone(stack):
    from sauti_dev import sql

    assert sql.fetch_one("SELECT to_regclass('song_play_counts') IS NULL AS gone")["gone"]


def test_an_album_lists_its_published_songs_in_track_order(api, new_user, catalog):
    third, first = catalog.song("C", track_number=3), catalog.song("A", track_number=1)
    catalog.song("B", track_number=2, status="draft")

    album = api.get(f"/albums/{catalog.album_id}", token=new_user().token).json()

    assert album["title"] == "Pwani Nights"
    assert [song["id"] for song in album["songs"]] == [first, third]


def test_videos_are_listed_and_read(api, new_user, catalog):
    from sauti.catalog import logic

    video_id = logic.create_video(catalog.artist_id, "Live", "5d5bc37ffcf54c9b82e996823bffbb81", 90_000)
    logic.create_video(catalog.artist_id, "Draft", "ea95132c15732412d22c1476fa83f27a", 90_000, status="draft")
    user = new_user()

    listed = api.get("/videos", token=user.token).json()
    video = api.get(f"/videos/{video_id}", token=user.token).json()

    assert [item["id"] for item in listed["items"]] == [video_id]
    assert video["title"] == "Live" and video["duration_ms"] == 90_000
    assert "stream_uid" not in video


def test_a_change_invalidates_the_cached_song_album_and_artist(api, new_user, catalog):
    from sauti.cache import redis_client
    from sauti.catalog import cache, logic

    user = new_user()
    song_id = catalog.song("Old title", track_number=1)
    assert api.get(f"/songs/{song_id}", token=user.token).json()["title"] == "Old title"
    api.get(f"/albums/{catalog.album_id}", token=user.token)
    assert redis_client().exists(cache.song_key(song_id), cache.album_key(catalog.album_id)) == 2

    logic.update_song(song_id, title="New title")

    assert api.get(f"/songs/{song_id}", token=user.token).json()["title"] == "New title"
    assert api.get(f"/albums/{catalog.album_id}", token=user.token).json()["songs"][0]["title"] == "New title"
    assert (
        api.get(f"/artists/{catalog.artist_id}", token=user.token).json()["top_songs"][0]["title"]
        == "New title"
    )


def test_an_unknown_song_is_remembered_briefly_and_forgotten_once_created(catalog):
    from sauti.catalog import logic

    assert logic.song("00000000-0000-4000-8000-00000000abcd") is None
    song_id = catalog.song()
    assert logic.song(song_id)["status"] == "published"


@pytest.fixture
def redis_down(monkeypatch):
    """Redis unreachable: the configured URL points where nothing listens."""
    from sauti import cache
    from sauti.config import config

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    config.cache_clear()
    cache.redis_client.cache_clear()
    yield
    monkeypatch.undo()
    config.cache_clear()
    cache.redis_client.cache_clear()


def test_with_redis_down_catalog_reads_are_still_right(catalog, redis_down):
    from sauti.catalog import logic

    song_id = catalog.song("Mawimbi")
    logic.update_song(song_id, title="Renamed")

    assert logic.get_song(song_id).title == "Renamed"
    assert logic.get_album(catalog.album_id).songs[0].title == "Renamed"


def test_a_takedown_reaches_every_spelling_of_the_songs_id(api, new_user, catalog):
    from sauti.catalog import logic

    user = new_user()
    song_id = catalog.song()
    spellings = [song_id.upper(), song_id.replace("-", ""), f"{{{song_id}}}"]
    for spelling in spellings:
        assert api.get(f"/songs/{spelling}", token=user.token).json()["id"] == song_id

    logic.set_song_status(song_id.upper(), "taken_down")

    for spelling in [song_id, *spellings]:
        assert_problem(api.get(f"/songs/{spelling}", token=user.token), 404)


def test_the_reads_other_modules_use(new_user, catalog):
    from sauti.catalog import logic

    owner = new_user(roles=["artist"])
    artist_id = logic.create_artist("Neema Sounds", user_id=owner.id)
    draft = logic.create_song(artist_id, "Draft", 100_000, [], status="draft")
    gone = logic.create_song(artist_id, "Gone", 100_000, [], status="taken_down")
    unknown = "00000000-0000-4000-8000-00000000abcd"

    assert logic.artist_account(artist_id) == {"id": artist_id, "user_id": owner.id}
    assert logic.artist_account(catalog.artist_id) == {"id": catalog.artist_id, "user_id": None}
    assert logic.song_summary(draft.upper()) == {
        "id": draft,
        "artist_id": artist_id,
        "title": "Draft",
        "status": "draft",
    }
    assert logic.artist_song_titles(artist_id) == {draft: "Draft", gone: "Gone"}
    for missing in (unknown, "not-a-uuid"):
        assert logic.artist_account(missing) is None
        assert logic.song_summary(missing) is None
        assert logic.artist_song_titles(missing) == {}


def test_a_reader_that_loaded_a_song_before_its_takedown_does_not_cache_it_back(
    api, new_user, catalog, start
):
    from sauti import db
    from sauti.catalog import cache, logic, store

    song_id = catalog.song()
    with db.transaction() as conn:
        before = store.song(conn, song_id)

    def slow_load():
        logic.set_song_status(song_id, "taken_down")  # the takedown commits and invalidates meanwhile
        return before

    assert cache.cached(cache.song_key(song_id), logic.SONG_SECONDS, slow_load)["status"] == "published"

    assert logic.song(song_id)["status"] == "taken_down"
    assert_problem(start(new_user(), song_id=song_id), 404)
