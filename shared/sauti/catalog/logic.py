"""Catalog reads (cached) and writes (which invalidate what they change).

Internal documents keep everything playback needs (status, renditions and their
object keys); the ``*_view`` functions shape what clients see, published content only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sauti import paging
from sauti.catalog import cache, store
from sauti.catalog.errors import (
    AdNotFound,
    AlbumNotFound,
    ArtistNotFound,
    NotReady,
    SongNotFound,
    VideoNotFound,
)
from sauti.db import after_commit, transaction
from sauti.errors import NotFound
from sauti.events import publish_event
from sauti.ids import canonical_id
from sauti.observability import logger

if TYPE_CHECKING:  # loaded where a response is built: the jobs importing this module skip pydantic
    from sauti.catalog.models import Album, Artist, Song, SongPage, Video, VideoPage

SONG_SECONDS = 600
ARTIST_SECONDS = 300  # top songs move with the daily rollups; five minutes behind is fine
ALBUM_SECONDS = 600
VIDEO_SECONDS = 600
ADS_SECONDS = 300
TOP_SONGS = 10
TOP_SONGS_DAYS = 30
Found = TypeVar("Found")


def _read(query: Callable[..., Found], *args: Any) -> Callable[[], Found]:
    """A store read in its own transaction, to run on a cache miss."""

    def load() -> Found:
        with transaction() as conn:
            return query(conn, *args)

    return load


# -- internal documents ----------------------------------------------------------------------------


def song(song_id: str) -> dict[str, Any] | None:
    """The song with its status and renditions, whatever its status; None if unknown."""
    if (key := canonical_id(song_id)) is None:
        return None
    found: dict[str, Any] | None = cache.cached(cache.song_key(key), SONG_SECONDS, _read(store.song, key))
    return found


def songs(song_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Several songs by id in one cache round trip (the misses from the database); unknown ids left out."""
    ids = list(dict.fromkeys(key for song_id in song_ids if (key := canonical_id(song_id))))
    found: dict[str, dict[str, Any]] = {}
    for song_id, value in zip(ids, cache.cached_many([cache.song_key(i) for i in ids]), strict=True):
        if value is None:
            value = song(song_id)
        if value and value != cache.MISSING:
            found[song_id] = value
    return found


def video(video_id: str) -> dict[str, Any] | None:
    if (key := canonical_id(video_id)) is None:
        return None
    found: dict[str, Any] | None = cache.cached(cache.video_key(key), VIDEO_SECONDS, _read(store.video, key))
    return found


def album(album_id: str) -> dict[str, Any] | None:
    if (key := canonical_id(album_id)) is None:
        return None
    found: dict[str, Any] | None = cache.cached(cache.album_key(key), ALBUM_SECONDS, _read(store.album, key))
    return found


def artist(artist_id: str) -> dict[str, Any] | None:
    """The artist with its linked account (``user_id``) and top published songs; None if unknown."""
    if (key := canonical_id(artist_id)) is None:
        return None
    found: dict[str, Any] | None = cache.cached(
        cache.artist_key(key), ARTIST_SECONDS, lambda: _load_artist(key)
    )
    return found


def _load_artist(artist_id: str) -> dict[str, Any] | None:
    """Top songs: the most played over the last days (analytics' rollups), then the newest."""
    from sauti.analytics.public import top_songs

    with transaction() as conn:
        found = store.artist(conn, artist_id)
    if found is None:
        return None
    published = found.pop("published_song_ids")
    ranked = top_songs(published, days=TOP_SONGS_DAYS, limit=TOP_SONGS)
    chosen = list(dict.fromkeys([*ranked, *published]))[:TOP_SONGS]
    with transaction() as conn:
        return {**found, "top_songs": store.songs_by_id(conn, chosen)}


def active_ads() -> list[dict[str, Any]]:
    return cache.cached(cache.ADS_KEY, ADS_SECONDS, _read(store.active_ads)) or []


def published_song(song_id: str) -> dict[str, Any]:
    found = song(song_id)
    if found is None or found["status"] != "published":
        raise SongNotFound("no such song")
    return found


def published_video(video_id: str) -> dict[str, Any]:
    found = video(video_id)
    if found is None or found["status"] != "published":
        raise VideoNotFound("no such video")
    return found


# -- for other modules (analytics' dashboards) -----------------------------------------------------


def artist_account(artist_id: str) -> dict[str, Any] | None:
    """``{id, user_id}``: the artist and the account linked to it (None if none); None if unknown."""
    found = artist(artist_id)
    return {"id": found["id"], "user_id": found.get("user_id")} if found else None


def song_summary(song_id: str) -> dict[str, Any] | None:
    """``{id, artist_id, title, status}`` of the song, whatever its status; None if unknown."""
    found = song(song_id)
    return {name: found[name] for name in ("id", "artist_id", "title", "status")} if found else None


def artist_song_titles(artist_id: str) -> dict[str, str]:
    """Song id → title of every song of the artist, whatever its status (not cached: for rare reads)."""
    key = canonical_id(artist_id)
    if key is None:
        return {}
    with transaction() as conn:
        return store.artist_song_titles(conn, key)


# -- for search (sauti.search.sources): published content, by id --------------------------------------


def _ids(values: list[str] | None) -> list[str] | None:
    return None if values is None else [key for value in values if (key := canonical_id(value))]


def _id(value: str | None) -> str | None:
    return None if value is None else (canonical_id(value) or "00000000-0000-0000-0000-000000000000")


def searchable_songs(
    ids: list[str] | None = None,
    *,
    artist_id: str | None = None,
    album_id: str | None = None,
    after: str | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """For search: published songs ``{id, title, artist_id, artist_name, album_id, album_title, year, isrc,
    duration_ms}`` ordered by id (those of ``ids``, of an artist or album, or every one after ``after``)."""
    with transaction() as conn:
        return store.searchable_songs(
            conn,
            ids=_ids(ids),
            artist_id=_id(artist_id),
            album_id=_id(album_id),
            after=_id(after),
            limit=limit,
        )


def searchable_albums(
    ids: list[str] | None = None, *, artist_id: str | None = None, after: str | None = None, limit: int = 1000
) -> list[dict[str, Any]]:
    """For search: published albums with a published song ``{id, title, artist_id, artist_name, year}``."""
    with transaction() as conn:
        return store.searchable_albums(
            conn, ids=_ids(ids), artist_id=_id(artist_id), after=_id(after), limit=limit
        )


def searchable_artists(
    ids: list[str] | None = None, *, after: str | None = None, limit: int = 1000
) -> list[dict[str, Any]]:
    """For search: artists with a published song ``{id, name}``."""
    with transaction() as conn:
        return store.searchable_artists(conn, ids=_ids(ids), after=_id(after), limit=limit)


# -- what clients see ------------------------------------------------------------------------------


def song_view(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": doc["id"],
        "title": doc["title"],
        "artist": {"id": doc["artist_id"], "name": doc["artist_name"]},
        "album": {"id": doc["album_id"], "title": doc["album_title"]} if doc["album_id"] else None,
        "track_number": doc["track_number"],
        "duration_ms": doc["duration_ms"],
        "explicit": doc["explicit"],
        "isrc": doc["isrc"],
        "qualities": [q for q in store.QUALITY_ORDER if q in doc["renditions"]],
        "published_at": doc["published_at"],
    }


def video_view(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": doc["id"],
        "title": doc["title"],
        "artist": {"id": doc["artist_id"], "name": doc["artist_name"]},
        "song_id": doc["song_id"],
        "duration_ms": doc["duration_ms"],
        "thumbnail_url": doc["thumbnail_url"],
        "published_at": doc["published_at"],
    }


def get_song(song_id: str) -> Song:
    from sauti.catalog.models import Song

    return Song.model_validate(song_view(published_song(song_id)))


def get_video(video_id: str) -> Video:
    from sauti.catalog.models import Video

    return Video.model_validate(video_view(published_video(video_id)))


def get_artist(artist_id: str) -> Artist:
    from sauti.catalog.models import Artist

    found = artist(artist_id)
    if found is None:
        raise ArtistNotFound("no such artist")
    return Artist.model_validate(
        {
            "id": found["id"],
            "name": found["name"],
            "bio": found["bio"],
            "top_songs": [song_view(doc) for doc in found["top_songs"]],
        }
    )


def get_album(album_id: str) -> Album:
    from sauti.catalog.models import Album

    found = album(album_id)
    if found is None or found["status"] != "published":
        raise AlbumNotFound("no such album")
    return Album.model_validate(
        {
            "id": found["id"],
            "title": found["title"],
            "artist": {"id": found["artist_id"], "name": found["artist_name"]},
            "release_date": found["release_date"],
            "songs": [song_view(doc) for doc in found["songs"]],
        }
    )


def _cursor_key(doc: dict[str, Any]) -> tuple[datetime, str]:
    return datetime.fromisoformat(doc["published_at"]), doc["id"]


def list_songs(limit: int, cursor: str | None) -> SongPage:
    from sauti.catalog.models import SongPage

    after = paging.decode_cursor(cursor)
    with transaction() as conn:
        rows = store.published_songs(conn, limit + 1, after)
    return SongPage.model_validate(paging.page(rows, limit, song_view, _cursor_key))


def list_videos(limit: int, cursor: str | None) -> VideoPage:
    from sauti.catalog.models import VideoPage

    after = paging.decode_cursor(cursor)
    with transaction() as conn:
        rows = store.published_videos(conn, limit + 1, after)
    return VideoPage.model_validate(paging.page(rows, limit, video_view, _cursor_key))


# -- writes (admin and seed); each invalidates what it changed --------------------------------------


def create_artist(name: str, bio: str | None = None, *, user_id: str | None = None) -> str:
    """A new artist, linked to the account ``user_id`` (the artist's own login) if given."""
    with transaction() as conn:
        artist_id = store.insert_artist(conn, name, bio, user_id)
    cache.invalidate([cache.artist_key(artist_id)])
    return artist_id


def create_album(
    artist_id: str, title: str, *, status: str = "published", release_date: date | None = None
) -> str:
    with transaction() as conn:
        album_id = store.insert_album(conn, artist_id, title, status, release_date)
    cache.invalidate([cache.album_key(album_id), cache.artist_key(canonical_id(artist_id) or artist_id)])
    return album_id


def create_song(
    artist_id: str,
    title: str,
    duration_ms: int,
    renditions: list[dict[str, Any]],
    *,
    album_id: str | None = None,
    track_number: int | None = None,
    explicit: bool = False,
    isrc: str | None = None,
    status: str = "published",
) -> str:
    fields = {
        "artist_id": artist_id,
        "album_id": album_id,
        "track_number": track_number,
        "title": title,
        "duration_ms": duration_ms,
        "explicit": explicit,
        "isrc": isrc,
        "status": status,
    }
    with transaction() as conn:
        song_id = store.insert_song(conn, fields)
        for rendition in renditions:
            store.insert_rendition(conn, song_id, rendition)
    album_key = cache.album_key(canonical_id(album_id) or album_id) if album_id else None
    cache.invalidate(
        [cache.song_key(song_id), cache.artist_key(canonical_id(artist_id) or artist_id), album_key]
    )
    return song_id


def update_song(song_id: str, **fields: Any) -> None:
    """Change a song (title, status, album, ...); its cached song, artist and album entries are dropped."""
    if (key := canonical_id(song_id)) is None:
        raise SongNotFound("no such song")
    song_id = key
    with transaction() as conn:
        changed = store.update_song(conn, song_id, fields)
    if changed is None:
        raise SongNotFound("no such song")
    cache.invalidate(
        [
            cache.song_key(song_id),
            cache.artist_key(changed["artist_id"]),
            changed["album_id"] and cache.album_key(changed["album_id"]),
            changed["new_album_id"] and cache.album_key(changed["new_album_id"]),
        ]
    )


def set_song_status(song_id: str, status: str) -> None:
    """Publish, take down or restore a song (``published``, ``taken_down``, ``draft``)."""
    update_song(song_id, status=status)


def create_video(
    artist_id: str,
    title: str,
    stream_uid: str,
    duration_ms: int,
    *,
    song_id: str | None = None,
    thumbnail_url: str | None = None,
    status: str = "published",
) -> str:
    fields = {
        "artist_id": artist_id,
        "song_id": song_id,
        "title": title,
        "stream_uid": stream_uid,
        "duration_ms": duration_ms,
        "thumbnail_url": thumbnail_url,
        "status": status,
    }
    with transaction() as conn:
        video_id = store.insert_video(conn, fields)
    cache.invalidate([cache.video_key(video_id)])
    return video_id


def set_video_status(video_id: str, status: str) -> None:
    if (key := canonical_id(video_id)) is None:
        raise VideoNotFound("no such video")
    video_id = key
    with transaction() as conn:
        if not store.set_video_status(conn, video_id, status):
            raise VideoNotFound("no such video")
    cache.invalidate([cache.video_key(video_id)])


def create_ad(
    title: str,
    advertiser: str,
    object_key: str,
    duration_ms: int,
    *,
    click_url: str | None = None,
    weight: int = 1,
) -> str:
    fields = {
        "title": title,
        "advertiser": advertiser,
        "object_key": object_key,
        "duration_ms": duration_ms,
        "click_url": click_url,
        "weight": weight,
    }
    with transaction() as conn:
        ad_id = store.insert_ad(conn, fields)
    cache.invalidate([cache.ADS_KEY])
    return ad_id


def set_ad_active(ad_id: str, active: bool) -> None:
    with transaction() as conn:
        store.set_ad_active(conn, ad_id, active)
    cache.invalidate([cache.ADS_KEY])


# -- admin writes (docs/admin.md) ------------------------------------------------------------------
# Each runs in the caller's transaction when there is one (the admin module writes its audit entry in the
# same one); the cache is invalidated and ``catalog.changed`` published after the outermost commit.
# Each answers the row before and after the change, for the audit log.


Change = tuple[dict[str, Any] | None, dict[str, Any]]


def _changed(kind: str, row: dict[str, Any], change: str, keys: list[str | None]) -> None:
    """After commit: drop the cached entries, then tell search and notifications (``catalog.changed``)."""
    detail = {
        "kind": kind,
        "id": row["id"],
        "artist_id": row["id"] if kind == "artist" else row.get("artist_id"),
        "status": row.get("status") or "published",
        "change": change,
    }

    def publish() -> None:
        cache.invalidate(keys)
        try:
            publish_event("catalog", "catalog.changed", detail)
        except Exception:  # the change is committed; search catches up on the next change or reindex
            logger.exception("catalog.changed not published", extra={"id": row["id"]})

    after_commit(publish)


def _key(value: str | None, error: type[NotFound]) -> str:
    if value is None or (key := canonical_id(value)) is None:
        raise error(f"no such {error.code.removesuffix('_not_found')}")
    return key


def add_artist(name: str, bio: str | None) -> dict[str, Any]:
    with transaction() as conn:
        artist_id = store.insert_artist(conn, name, bio)
        row = store.artist_row(conn, artist_id)
    assert row is not None
    _changed("artist", row, "updated", [cache.artist_key(artist_id)])
    return row


def edit_artist(artist_id: str, fields: dict[str, Any]) -> Change:
    key = _key(artist_id, ArtistNotFound)
    with transaction() as conn:
        before = store.artist_row(conn, key, lock=True)
        if before is None:
            raise ArtistNotFound("no such artist")
        after = store.update_artist(conn, key, fields)
    assert after is not None
    _changed("artist", after, "updated", [cache.artist_key(key)])
    return before, after


def add_album(artist_id: str, title: str, release_date: date | None) -> dict[str, Any]:
    artist_key = _key(artist_id, ArtistNotFound)
    with transaction() as conn:
        if store.artist_row(conn, artist_key) is None:
            raise ArtistNotFound("no such artist")
        album_id = store.insert_album(conn, artist_key, title, "published", release_date)
        row = store.album_row(conn, album_id)
    assert row is not None
    _changed("album", row, "updated", [cache.album_key(album_id), cache.artist_key(artist_key)])
    return row


def edit_album(album_id: str, fields: dict[str, Any]) -> Change:
    key = _key(album_id, AlbumNotFound)
    with transaction() as conn:
        before = store.album_row(conn, key, lock=True)
        if before is None:
            raise AlbumNotFound("no such album")
        if "artist_id" in fields:
            fields["artist_id"] = _key(fields["artist_id"], ArtistNotFound)
            if store.artist_row(conn, fields["artist_id"]) is None:
                raise ArtistNotFound("no such artist")
        after = store.update_album(conn, key, fields)
    assert after is not None
    keys: list[str | None] = [
        cache.album_key(key),
        cache.artist_key(before["artist_id"]),
        cache.artist_key(after["artist_id"]),
    ]
    _changed("album", after, "updated", keys)
    return before, after


def _check_song_refs(conn: Any, fields: dict[str, Any]) -> None:
    if fields.get("artist_id") is not None:
        fields["artist_id"] = _key(fields["artist_id"], ArtistNotFound)
        if store.artist_row(conn, fields["artist_id"]) is None:
            raise ArtistNotFound("no such artist")
    if fields.get("album_id") is not None:
        fields["album_id"] = _key(fields["album_id"], AlbumNotFound)
        if store.album_row(conn, fields["album_id"]) is None:
            raise AlbumNotFound("no such album")


def _song_keys(*rows: dict[str, Any] | None) -> list[str | None]:
    keys: list[str | None] = []
    for row in rows:
        if row:
            keys += [cache.song_key(row["id"]), cache.artist_key(row["artist_id"])]
            keys.append(row["album_id"] and cache.album_key(row["album_id"]))
    return keys


def add_draft_song(fields: dict[str, Any]) -> dict[str, Any]:
    """A new song, invisible to users until it has a rendition and is published."""
    with transaction() as conn:
        _check_song_refs(conn, fields)
        song_id = store.insert_song(conn, {**fields, "status": "draft"})
        row = store.song_row(conn, song_id)
    assert row is not None
    _changed("song", row, "updated", _song_keys(row))
    return row


def edit_song(song_id: str, fields: dict[str, Any]) -> Change:
    key = _key(song_id, SongNotFound)
    with transaction() as conn:
        before = store.song_row(conn, key, lock=True)
        if before is None:
            raise SongNotFound("no such song")
        _check_song_refs(conn, fields)
        if "artist_id" in fields:  # the store's update does not move a song between artists
            store.move_song(conn, key, fields.pop("artist_id"))
        if fields:
            store.update_song(conn, key, fields)
        after = store.song_row(conn, key)
    assert after is not None
    _changed("song", after, "updated", _song_keys(before, after))
    return before, after


def song_row(song_id: str) -> dict[str, Any]:
    """The song as stored, whatever its status, with its renditions (not cached: admin reads)."""
    key = _key(song_id, SongNotFound)
    with transaction() as conn:
        row = store.song_row(conn, key)
        if row is None:
            raise SongNotFound("no such song")
        return {**row, "renditions": store.renditions(conn, key)}


def set_rendition(song_id: str, rendition: dict[str, Any]) -> Change:
    key = _key(song_id, SongNotFound)
    with transaction() as conn:
        song_before = store.song_row(conn, key, lock=True)
        if song_before is None:
            raise SongNotFound("no such song")
        before = {r["quality"]: r for r in store.renditions(conn, key)}.get(rendition["quality"])
        store.insert_rendition(conn, key, rendition)
    _changed("song", song_before, "updated", _song_keys(song_before))
    return before, {"song_id": key, **rendition}


_RESTORED_STATUS = "CASE WHEN published_at IS NULL THEN 'draft' ELSE 'published' END"


def set_song_state(song_id: str, change: str) -> Change:
    """``published`` (needs a rendition: 409 ``not_ready``), ``taken_down`` or ``restored``."""
    key = _key(song_id, SongNotFound)
    with transaction() as conn:
        before = store.song_row(conn, key, lock=True)
        if before is None:
            raise SongNotFound("no such song")
        if change == "published":
            if before["status"] == "taken_down":
                raise NotReady("a taken-down song is restored, not published")
            if not store.renditions(conn, key):
                raise NotReady("upload and confirm at least one rendition first")
        status = {"published": "published", "taken_down": "taken_down"}.get(change)
        if status is None:
            status = "published" if before["published_at"] else "draft"
        after = store.set_content_status(conn, "songs", key, status)
    assert after is not None
    _changed("song", after, change, _song_keys(after))
    return before, after


def add_draft_video(artist_id: str, title: str, stream_uid: str, song_id: str | None) -> dict[str, Any]:
    artist_key = _key(artist_id, ArtistNotFound)
    fields: dict[str, str | None] = {
        "artist_id": artist_key,
        "title": title,
        "stream_uid": stream_uid,
        "song_id": _key(song_id, SongNotFound) if song_id else None,
    }
    with transaction() as conn:
        if store.artist_row(conn, artist_key) is None:
            raise ArtistNotFound("no such artist")
        if fields["song_id"] and store.song_row(conn, fields["song_id"]) is None:
            raise SongNotFound("no such song")
        row = store.insert_draft_video(conn, fields)
    _changed("video", row, "updated", [cache.video_key(row["id"])])
    return row


def video_row(video_id: str) -> dict[str, Any]:
    key = _key(video_id, VideoNotFound)
    with transaction() as conn:
        row = store.video_row(conn, key)
    if row is None:
        raise VideoNotFound("no such video")
    return row


def mark_video_ready(
    stream_uid: str, duration_ms: int, thumbnail_url: str | None, event_at: datetime
) -> Change | None:
    """Stream says the video is ready; None when unknown or a newer notification was applied already."""
    with transaction() as conn:
        changed = store.mark_video_ready(conn, stream_uid, duration_ms, thumbnail_url, event_at)
    if changed is None:
        return None
    _changed("video", changed[1], "updated", [cache.video_key(changed[1]["id"])])
    return changed


def set_video_state(video_id: str, change: str) -> Change:
    key = _key(video_id, VideoNotFound)
    with transaction() as conn:
        before = store.video_row(conn, key, lock=True)
        if before is None:
            raise VideoNotFound("no such video")
        if change == "published" and (before["ready_at"] is None or before["status"] == "taken_down"):
            raise NotReady("Stream has not said this video is ready")
        status = {"published": "published", "taken_down": "taken_down"}.get(change)
        if status is None:
            status = "published" if before["published_at"] else "draft"
        after = store.set_content_status(conn, "videos", key, status)
    assert after is not None
    _changed("video", after, change, [cache.video_key(key)])
    return before, after


def add_ad(fields: dict[str, Any]) -> dict[str, Any]:
    """An ad without audio yet (served only once its audio is confirmed)."""
    with transaction() as conn:
        row = store.insert_ad_draft(conn, fields)
    after_commit(lambda: cache.invalidate([cache.ADS_KEY]))
    return row


def edit_ad(ad_id: str, fields: dict[str, Any]) -> Change:
    key = _key(ad_id, AdNotFound)
    with transaction() as conn:
        before = store.ad_row(conn, key, lock=True)
        if before is None:
            raise AdNotFound("no such ad")
        after = store.update_ad(conn, key, fields)
    assert after is not None
    after_commit(lambda: cache.invalidate([cache.ADS_KEY]))
    return before, after


def ad_row(ad_id: str) -> dict[str, Any]:
    key = _key(ad_id, AdNotFound)
    with transaction() as conn:
        row = store.ad_row(conn, key)
    if row is None:
        raise AdNotFound("no such ad")
    return row


def list_ads(limit: int, cursor: str | None) -> dict[str, Any]:
    with transaction() as conn:
        rows = store.ads_page(conn, limit + 1, paging.decode_cursor(cursor))
    return paging.page(rows, limit, lambda row: row, lambda row: (row["created_at"], row["id"]))


def import_catalog(
    artists: list[tuple[Any, ...]],
    albums: list[tuple[Any, ...]],
    songs: list[tuple[Any, ...]],
    renditions: list[tuple[Any, ...]],
    *,
    statement_timeout_ms: int = 20_000,
) -> list[dict[str, Any]]:
    """Upsert a parsed import (rows as the store's COPY columns) by external ref, in one transaction.

    New rows cannot be cached, so only rows that existed before are invalidated; one
    ``catalog.changed`` per imported song would flood the bus, so one ``catalog.imported`` summary
    is published instead (search reindexes on it).
    """
    with transaction() as conn:
        ids = store.import_catalog(conn, artists, albums, songs, renditions, statement_timeout_ms)
    builders = {"artist": cache.artist_key, "album": cache.album_key, "song": cache.song_key}
    stale = [builders[row["kind"]](row["id"]) for row in ids if row["existed"]]

    def publish() -> None:
        for start in range(0, len(stale), 1000):
            cache.invalidate(stale[start : start + 1000])
        counts = {kind: sum(1 for row in ids if row["kind"] == kind) for kind in builders}
        try:
            publish_event("catalog", "catalog.imported", counts)
        except Exception:
            logger.exception("catalog.imported not published")

    after_commit(publish)
    return [{"type": row["kind"], "ref": row["ref"], "id": row["id"]} for row in ids]


def known_refs(kind: str, refs: list[str]) -> set[str]:
    with transaction() as conn:
        return store.refs_known(conn, kind, refs)


def ref_ids(kind: str, refs: list[str]) -> dict[str, str]:
    with transaction() as conn:
        return store.ref_ids(conn, kind, refs)


def media_owners(keys: list[str]) -> dict[str, set[tuple[str, str]]]:
    """Who uses each of ``keys`` (object keys): ``{key: {(song|ad, id)}}``, keys nobody uses left out."""
    owners: dict[str, set[tuple[str, str]]] = {}
    with transaction() as conn:
        for start in range(0, len(keys), 10_000):
            for row in store.media_owners(conn, keys[start : start + 10_000]):
                owners.setdefault(row["object_key"], set()).add((row["owner_type"], row["owner_id"]))
    return owners
