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
from sauti.catalog.errors import AlbumNotFound, ArtistNotFound, SongNotFound, VideoNotFound
from sauti.db import transaction
from sauti.ids import canonical_id

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
