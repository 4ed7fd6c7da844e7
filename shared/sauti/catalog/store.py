"""The catalog's SQL, and nothing else. Reads return plain dicts ready to cache as JSON; every function
takes the caller's connection (the logic owns the transaction)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from psycopg import Connection

from sauti.clock import iso
from sauti.db import Row

QUALITY_ORDER = ("low", "normal", "high")

_SONG_SELECT = """
    SELECT s.id::text, s.title, s.artist_id::text, a.name AS artist_name, s.album_id::text,
           al.title AS album_title, s.track_number, s.duration_ms, s.explicit, s.isrc,
           s.status::text, s.published_at,
           coalesce((SELECT json_object_agg(r.quality, json_build_object(
                        'codec', r.codec, 'bitrate_kbps', r.bitrate_kbps,
                        'object_key', r.object_key, 'size_bytes', r.size_bytes))
                     FROM song_renditions r WHERE r.song_id = s.id), '{}'::json) AS renditions
    FROM songs s JOIN artists a ON a.id = s.artist_id LEFT JOIN albums al ON al.id = s.album_id
"""


def _song(row: Row) -> dict[str, Any]:
    return {**row, "published_at": iso(row["published_at"])}


def song(conn: Connection[Row], song_id: str) -> dict[str, Any] | None:
    row = conn.execute(_SONG_SELECT + " WHERE s.id = %s", (song_id,)).fetchone()
    return _song(row) if row else None


def published_songs(
    conn: Connection[Row], limit: int, after: tuple[datetime, str] | None
) -> list[dict[str, Any]]:
    """Newest first, keyset-paged on (published_at, id)."""
    rows = conn.execute(
        _SONG_SELECT
        + """ WHERE s.status = 'published'
                AND (%(ts)s::timestamptz IS NULL OR (s.published_at, s.id) < (%(ts)s, %(id)s::uuid))
              ORDER BY s.published_at DESC, s.id DESC LIMIT %(limit)s""",
        {"ts": after[0] if after else None, "id": after[1] if after else None, "limit": limit},
    ).fetchall()
    return [_song(row) for row in rows]


def artist(conn: Connection[Row], artist_id: str) -> dict[str, Any] | None:
    """The artist with ``published_song_ids``, newest first."""
    row = conn.execute(
        "SELECT id::text, name, bio, image_key, user_id::text FROM artists WHERE id = %s", (artist_id,)
    ).fetchone()
    if row is None:
        return None
    songs = conn.execute(
        """SELECT id::text FROM songs WHERE artist_id = %s AND status = 'published'
           ORDER BY published_at DESC, id""",
        (artist_id,),
    ).fetchall()
    return {**row, "published_song_ids": [song_row["id"] for song_row in songs]}


def songs_by_id(conn: Connection[Row], song_ids: list[str]) -> list[dict[str, Any]]:
    """The songs, in the order given (unknown ids left out)."""
    rows = conn.execute(_SONG_SELECT + " WHERE s.id = ANY(%s::uuid[])", (song_ids,)).fetchall()
    found = {row["id"]: _song(row) for row in rows}
    return [found[song_id] for song_id in song_ids if song_id in found]


def artist_song_titles(conn: Connection[Row], artist_id: str) -> dict[str, str]:
    """Song id → title of every song of the artist, whatever its status."""
    rows = conn.execute("SELECT id::text, title FROM songs WHERE artist_id = %s", (artist_id,)).fetchall()
    return {row["id"]: row["title"] for row in rows}


def album(conn: Connection[Row], album_id: str) -> dict[str, Any] | None:
    row = conn.execute(
        """SELECT al.id::text, al.title, al.artist_id::text, a.name AS artist_name, al.release_date,
                  al.cover_key, al.status::text
           FROM albums al JOIN artists a ON a.id = al.artist_id WHERE al.id = %s""",
        (album_id,),
    ).fetchone()
    if row is None:
        return None
    songs = conn.execute(
        _SONG_SELECT
        + " WHERE s.album_id = %s AND s.status = 'published' ORDER BY s.track_number NULLS LAST, s.id",
        (album_id,),
    ).fetchall()
    release = row["release_date"]
    return {
        **row,
        "release_date": release.isoformat() if release else None,
        "songs": [_song(s) for s in songs],
    }


_VIDEO_SELECT = """
    SELECT v.id::text, v.title, v.artist_id::text, a.name AS artist_name, v.song_id::text, v.stream_uid,
           v.duration_ms, v.thumbnail_url, v.status::text, v.published_at
    FROM videos v JOIN artists a ON a.id = v.artist_id
"""


def video(conn: Connection[Row], video_id: str) -> dict[str, Any] | None:
    row = conn.execute(_VIDEO_SELECT + " WHERE v.id = %s", (video_id,)).fetchone()
    return {**row, "published_at": iso(row["published_at"])} if row else None


def published_videos(
    conn: Connection[Row], limit: int, after: tuple[datetime, str] | None
) -> list[dict[str, Any]]:
    rows = conn.execute(
        _VIDEO_SELECT
        + """ WHERE v.status = 'published'
                AND (%(ts)s::timestamptz IS NULL OR (v.published_at, v.id) < (%(ts)s, %(id)s::uuid))
              ORDER BY v.published_at DESC, v.id DESC LIMIT %(limit)s""",
        {"ts": after[0] if after else None, "id": after[1] if after else None, "limit": limit},
    ).fetchall()
    return [{**row, "published_at": iso(row["published_at"])} for row in rows]


def active_ads(conn: Connection[Row]) -> list[dict[str, Any]]:
    return conn.execute(
        """SELECT id::text, title, advertiser, object_key, duration_ms, click_url, weight
           FROM ads WHERE active ORDER BY id"""
    ).fetchall()


# -- writes ----------------------------------------------------------------------------------------


def _new_id(row: Row | None) -> str:
    assert row is not None  # INSERT ... RETURNING always returns the row
    return str(row["id"])


def insert_artist(
    conn: Connection[Row], name: str, bio: str | None = None, user_id: str | None = None
) -> str:
    row = conn.execute(
        "INSERT INTO artists (name, bio, user_id) VALUES (%s, %s, %s) RETURNING id::text",
        (name, bio, user_id),
    )
    return _new_id(row.fetchone())


def insert_album(conn: Connection[Row], artist_id: str, title: str, status: str, release_date: Any) -> str:
    row = conn.execute(
        """INSERT INTO albums (artist_id, title, status, release_date) VALUES (%s, %s, %s, %s)
           RETURNING id::text""",
        (artist_id, title, status, release_date),
    )
    return _new_id(row.fetchone())


def insert_song(conn: Connection[Row], fields: dict[str, Any]) -> str:
    row = conn.execute(
        """INSERT INTO songs (artist_id, album_id, track_number, title, duration_ms, explicit, isrc, status,
                              published_at)
           VALUES (%(artist_id)s, %(album_id)s, %(track_number)s, %(title)s, %(duration_ms)s, %(explicit)s,
                   %(isrc)s, %(status)s::content_status,
                   CASE WHEN %(status)s::content_status = 'published' THEN now() END)
           RETURNING id::text""",
        fields,
    )
    return _new_id(row.fetchone())


def insert_rendition(conn: Connection[Row], song_id: str, rendition: dict[str, Any]) -> None:
    conn.execute(
        """INSERT INTO song_renditions (song_id, quality, codec, bitrate_kbps, object_key, size_bytes)
           VALUES (%s, %s, %s, %s, %s, %s)
           ON CONFLICT (song_id, quality) DO UPDATE SET codec = excluded.codec,
               bitrate_kbps = excluded.bitrate_kbps, object_key = excluded.object_key,
               size_bytes = excluded.size_bytes""",
        (
            song_id,
            rendition["quality"],
            rendition["codec"],
            rendition["bitrate_kbps"],
            rendition["object_key"],
            rendition.get("size_bytes"),
        ),
    )


def update_song(conn: Connection[Row], song_id: str, fields: dict[str, Any]) -> Row | None:
    """Set the given columns; returns the song's artist and album before and after, or None if unknown."""
    allowed = {"title", "duration_ms", "explicit", "isrc", "track_number", "album_id", "status"}
    columns = [name for name in fields if name in allowed]
    before = conn.execute(
        "SELECT artist_id::text, album_id::text FROM songs WHERE id = %s", (song_id,)
    ).fetchone()
    if before is None:
        return None
    assignments = ", ".join(f"{name} = %({name})s" for name in columns)
    publish = ", published_at = coalesce(published_at, now())" if fields.get("status") == "published" else ""
    conn.execute(
        f"UPDATE songs SET {assignments}{publish}, updated_at = now() WHERE id = %(song_id)s",
        {**fields, "song_id": song_id},
    )
    return {**before, "new_album_id": fields.get("album_id", before["album_id"])}


def insert_video(conn: Connection[Row], fields: dict[str, Any]) -> str:
    row = conn.execute(
        """INSERT INTO videos (artist_id, song_id, title, stream_uid, duration_ms, thumbnail_url, status,
                               published_at)
           VALUES (%(artist_id)s, %(song_id)s, %(title)s, %(stream_uid)s, %(duration_ms)s, %(thumbnail_url)s,
                   %(status)s::content_status,
                   CASE WHEN %(status)s::content_status = 'published' THEN now() END)
           RETURNING id::text""",
        fields,
    )
    return _new_id(row.fetchone())


def set_video_status(conn: Connection[Row], video_id: str, status: str) -> bool:
    return (
        conn.execute(
            """UPDATE videos SET status = %s::content_status, updated_at = now(),
                   published_at = CASE WHEN %s::content_status = 'published'
                                       THEN coalesce(published_at, now())
                                       ELSE published_at END
               WHERE id = %s""",
            (status, status, video_id),
        ).rowcount
        == 1
    )


def insert_ad(conn: Connection[Row], fields: dict[str, Any]) -> str:
    row = conn.execute(
        """INSERT INTO ads (title, advertiser, object_key, duration_ms, click_url, weight)
           VALUES (%(title)s, %(advertiser)s, %(object_key)s, %(duration_ms)s, %(click_url)s, %(weight)s)
           RETURNING id::text""",
        fields,
    )
    return _new_id(row.fetchone())


def set_ad_active(conn: Connection[Row], ad_id: str, active: bool) -> bool:
    return (
        conn.execute("UPDATE ads SET active = %s, updated_at = now() WHERE id = %s", (active, ad_id)).rowcount
        == 1
    )
