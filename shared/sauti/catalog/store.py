"""The catalog's SQL, and nothing else. Reads return plain dicts ready to cache as JSON; every function
takes the caller's connection (the logic owns the transaction)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import psycopg
from psycopg import Connection

from sauti.clock import iso
from sauti.db import Row, lift_client_deadline

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
           FROM ads WHERE active AND object_key IS NOT NULL ORDER BY id"""
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


# -- admin writes (docs/admin.md) -------------------------------------------------------------------

ARTIST_COLUMNS = "id::text, name, bio, user_id::text, created_at, updated_at"
ALBUM_COLUMNS = "id::text, artist_id::text, title, release_date, status::text, created_at, updated_at"
SONG_COLUMNS = """id::text, artist_id::text, album_id::text, track_number, title, duration_ms, explicit, isrc,
                  status::text, published_at, created_at, updated_at"""
VIDEO_COLUMNS = """id::text, artist_id::text, song_id::text, title, stream_uid, duration_ms, thumbnail_url,
                   status::text, ready_at, published_at, created_at, updated_at"""
AD_COLUMNS = "id::text, title, advertiser, object_key, duration_ms, click_url, weight, active, created_at"


def artist_row(conn: Connection[Row], artist_id: str, *, lock: bool = False) -> Row | None:
    suffix = " FOR UPDATE" if lock else ""
    return conn.execute(
        f"SELECT {ARTIST_COLUMNS} FROM artists WHERE id = %s{suffix}", (artist_id,)
    ).fetchone()


def update_artist(conn: Connection[Row], artist_id: str, fields: dict[str, Any]) -> Row | None:
    columns = [name for name in fields if name in {"name", "bio", "user_id"}]
    assignments = "".join(f"{name} = %({name})s, " for name in columns)
    return conn.execute(
        f"UPDATE artists SET {assignments}updated_at = now() WHERE id = %(id)s RETURNING {ARTIST_COLUMNS}",
        {**fields, "id": artist_id},
    ).fetchone()


def album_row(conn: Connection[Row], album_id: str, *, lock: bool = False) -> Row | None:
    suffix = " FOR UPDATE" if lock else ""
    return conn.execute(f"SELECT {ALBUM_COLUMNS} FROM albums WHERE id = %s{suffix}", (album_id,)).fetchone()


def update_album(conn: Connection[Row], album_id: str, fields: dict[str, Any]) -> Row | None:
    columns = [name for name in fields if name in {"artist_id", "title", "release_date", "status"}]
    assignments = "".join(f"{name} = %({name})s, " for name in columns)
    return conn.execute(
        f"UPDATE albums SET {assignments}updated_at = now() WHERE id = %(id)s RETURNING {ALBUM_COLUMNS}",
        {**fields, "id": album_id},
    ).fetchone()


def song_row(conn: Connection[Row], song_id: str, *, lock: bool = False) -> Row | None:
    suffix = " FOR UPDATE" if lock else ""
    return conn.execute(f"SELECT {SONG_COLUMNS} FROM songs WHERE id = %s{suffix}", (song_id,)).fetchone()


def move_song(conn: Connection[Row], song_id: str, artist_id: str) -> None:
    conn.execute("UPDATE songs SET artist_id = %s, updated_at = now() WHERE id = %s", (artist_id, song_id))


def renditions(conn: Connection[Row], song_id: str) -> list[Row]:
    return conn.execute(
        """SELECT quality, codec, bitrate_kbps, object_key, size_bytes FROM song_renditions
           WHERE song_id = %s ORDER BY quality""",
        (song_id,),
    ).fetchall()


def video_row(conn: Connection[Row], video_id: str, *, lock: bool = False) -> Row | None:
    suffix = " FOR UPDATE" if lock else ""
    return conn.execute(f"SELECT {VIDEO_COLUMNS} FROM videos WHERE id = %s{suffix}", (video_id,)).fetchone()


def insert_draft_video(conn: Connection[Row], fields: dict[str, Any]) -> Row:
    return conn.execute(  # type: ignore[return-value]
        f"""INSERT INTO videos (artist_id, song_id, title, stream_uid)
            VALUES (%(artist_id)s, %(song_id)s, %(title)s, %(stream_uid)s) RETURNING {VIDEO_COLUMNS}""",
        fields,
    ).fetchone()


def mark_video_ready(
    conn: Connection[Row], stream_uid: str, duration_ms: int, thumbnail_url: str | None, event_at: datetime
) -> tuple[Row, Row] | None:
    """Ready with its duration, unless a newer notification was applied already; (before, after) or None."""
    before = conn.execute(
        f"SELECT {VIDEO_COLUMNS}, stream_event_at FROM videos WHERE stream_uid = %s FOR UPDATE", (stream_uid,)
    ).fetchone()
    if before is None or (before["stream_event_at"] and before["stream_event_at"] >= event_at):
        return None
    after = conn.execute(
        f"""UPDATE videos SET duration_ms = %s, thumbnail_url = %s, ready_at = coalesce(ready_at, now()),
                   stream_event_at = %s, updated_at = now()
            WHERE id = %s RETURNING {VIDEO_COLUMNS}""",
        (duration_ms, thumbnail_url, event_at, before["id"]),
    ).fetchone()
    before.pop("stream_event_at")
    return before, after  # type: ignore[return-value]


def set_content_status(conn: Connection[Row], table: str, content_id: str, status: str) -> Row | None:
    """Set a song's or video's status (``published`` also stamps published_at once); the row after."""
    columns = SONG_COLUMNS if table == "songs" else VIDEO_COLUMNS
    return conn.execute(
        f"""UPDATE {table} SET status = %(status)s::content_status, updated_at = now(),
                   published_at = CASE WHEN %(status)s::content_status = 'published'
                                       THEN coalesce(published_at, now()) ELSE published_at END
            WHERE id = %(id)s RETURNING {columns}""",
        {"status": status, "id": content_id},
    ).fetchone()


def ad_row(conn: Connection[Row], ad_id: str, *, lock: bool = False) -> Row | None:
    suffix = " FOR UPDATE" if lock else ""
    return conn.execute(f"SELECT {AD_COLUMNS} FROM ads WHERE id = %s{suffix}", (ad_id,)).fetchone()


def ads_page(conn: Connection[Row], limit: int, after: tuple[datetime, str] | None) -> list[Row]:
    return conn.execute(
        f"""SELECT {AD_COLUMNS} FROM ads
            WHERE (%(ts)s::timestamptz IS NULL OR (created_at, id) < (%(ts)s, %(id)s::uuid))
            ORDER BY created_at DESC, id DESC LIMIT %(limit)s""",
        {"ts": after[0] if after else None, "id": after[1] if after else None, "limit": limit},
    ).fetchall()


def insert_ad_draft(conn: Connection[Row], fields: dict[str, Any]) -> Row:
    return conn.execute(  # type: ignore[return-value]
        f"""INSERT INTO ads (title, advertiser, duration_ms, click_url, weight, active)
            VALUES (%(title)s, %(advertiser)s, %(duration_ms)s, %(click_url)s, %(weight)s, %(active)s)
            RETURNING {AD_COLUMNS}""",
        fields,
    ).fetchone()


def update_ad(conn: Connection[Row], ad_id: str, fields: dict[str, Any]) -> Row | None:
    allowed = {"title", "advertiser", "duration_ms", "click_url", "weight", "active", "object_key"}
    assignments = "".join(f"{name} = %({name})s, " for name in fields if name in allowed)
    return conn.execute(
        f"UPDATE ads SET {assignments}updated_at = now() WHERE id = %(id)s RETURNING {AD_COLUMNS}",
        {**fields, "id": ad_id},
    ).fetchone()


# -- bulk import: COPY into temporary tables, then set-based upserts --------------------------------

_IMPORT_TABLES = """
CREATE TEMP TABLE import_artists (ref text, name text, bio text) ON COMMIT DROP;
CREATE TEMP TABLE import_albums (ref text, artist_ref text, title text, release_date date)
    ON COMMIT DROP;
CREATE TEMP TABLE import_songs (ref text, artist_ref text, album_ref text, track_number integer,
    title text, duration_ms integer, explicit boolean, isrc text, status content_status) ON COMMIT DROP;
CREATE TEMP TABLE import_renditions (song_ref text, quality text, codec text, bitrate_kbps integer,
    object_key text) ON COMMIT DROP;
"""


@contextmanager
def _without_reference_checks(conn: Connection[Row]) -> Iterator[None]:
    """Skip the per-row foreign-key triggers (most of a bulk insert's time: two index lookups and a row
    lock per song) where the role may (``session_replication_role``, as pg_restore does); else keep them.

    Safe for the new songs and renditions of an import: every artist, album and song id they carry was
    resolved by an inner join on rows that exist in this same transaction, and catalog rows are never
    deleted. Only for the statements inside; the setting is transaction-local and put back after.
    """
    try:
        with conn.transaction():
            conn.execute("SELECT set_config('session_replication_role', 'replica', true)")
        skipped = True
    except psycopg.errors.InsufficientPrivilege:
        skipped = False
    yield  # on an error the transaction rolls back, and its local setting with it
    if skipped:
        conn.execute("SELECT set_config('session_replication_role', 'origin', true)")


def import_catalog(
    conn: Connection[Row],
    artists: list[tuple[Any, ...]],
    albums: list[tuple[Any, ...]],
    songs: list[tuple[Any, ...]],
    renditions: list[tuple[Any, ...]],
    statement_timeout_ms: int,
) -> list[Row]:
    """Upsert everything by external ref; answers ``{kind, ref, id, existed}`` for every ref imported.
    ``statement_timeout_ms`` (0: none) replaces the session's for this transaction: a big file takes long."""
    conn.execute("SELECT set_config('statement_timeout', %s, true)", (str(statement_timeout_ms),))
    lift_client_deadline(conn)  # the server's timeout above bounds the import, not the default deadline
    # The joins' hash tables and the staging index's sort stay in memory.
    conn.execute(
        "SELECT set_config('work_mem', '64MB', true), set_config('maintenance_work_mem', '256MB', true)"
    )
    conn.execute(_IMPORT_TABLES)
    for table, columns, rows in (
        ("import_artists", "ref, name, bio", artists),
        ("import_albums", "ref, artist_ref, title, release_date", albums),
        (
            "import_songs",
            "ref, artist_ref, album_ref, track_number, title, duration_ms, explicit, isrc, status",
            songs,
        ),
        ("import_renditions", "song_ref, quality, codec, bitrate_kbps, object_key", renditions),
    ):
        with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    conn.execute(
        "ANALYZE import_artists; ANALYZE import_albums; ANALYZE import_songs; ANALYZE import_renditions"
    )
    # Every ref gets its id first (the one it had, or a new one); then every row is written from the staging.
    conn.execute(
        """CREATE TEMP TABLE import_ids ON COMMIT DROP AS
           SELECT s.kind, s.ref, coalesce(x.id, catalog_time_ordered_uuid()) AS id,
                  x.id IS NOT NULL AS existed
           FROM (SELECT 'artist' AS kind, ref FROM import_artists
                 UNION ALL SELECT 'album', ref FROM import_albums
                 UNION ALL SELECT 'song', ref FROM import_songs) s
           LEFT JOIN catalog_external_refs x ON x.kind = s.kind AND x.ref = s.ref;
           CREATE INDEX ON import_ids (kind, ref); ANALYZE import_ids;
           INSERT INTO catalog_external_refs (kind, ref, id)
           SELECT kind, ref, id FROM import_ids WHERE NOT existed ORDER BY kind, ref"""
    )
    conn.execute(
        """INSERT INTO artists (id, name, bio)
           SELECT x.id, i.name, i.bio
           FROM import_artists i JOIN import_ids x ON x.kind = 'artist' AND x.ref = i.ref
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, bio = excluded.bio, updated_at = now()
           WHERE (artists.name, artists.bio) IS DISTINCT FROM (excluded.name, excluded.bio)"""
    )
    conn.execute(
        """INSERT INTO albums (id, artist_id, title, release_date, status)
           SELECT x.id, a.id, i.title, i.release_date, 'published'
           FROM import_albums i JOIN import_ids x ON x.kind = 'album' AND x.ref = i.ref
           JOIN catalog_external_refs a ON a.kind = 'artist' AND a.ref = i.artist_ref
           ON CONFLICT (id) DO UPDATE SET artist_id = excluded.artist_id, title = excluded.title,
               release_date = excluded.release_date, updated_at = now()
           WHERE (albums.artist_id, albums.title, albums.release_date)
                 IS DISTINCT FROM (excluded.artist_id, excluded.title, excluded.release_date)"""
    )
    # Songs: new ones are plain inserts (no conflict to check), existing ones a set-based update.
    conn.execute(
        """CREATE TEMP TABLE import_song_rows ON COMMIT DROP AS
           SELECT x.id, x.existed, a.id AS artist_id, al.id AS album_id, i.track_number, i.title,
                  i.duration_ms, i.explicit, i.isrc, i.status
           FROM import_songs i JOIN import_ids x ON x.kind = 'song' AND x.ref = i.ref
           JOIN catalog_external_refs a ON a.kind = 'artist' AND a.ref = i.artist_ref
           LEFT JOIN catalog_external_refs al ON al.kind = 'album' AND al.ref = i.album_ref"""
    )
    with _without_reference_checks(conn):
        conn.execute(
            """INSERT INTO songs (id, artist_id, album_id, track_number, title, duration_ms, explicit, isrc,
                                  status, published_at)
               SELECT id, artist_id, album_id, track_number, title, duration_ms, explicit, isrc, status,
                      CASE WHEN status = 'published' THEN now() END
               FROM import_song_rows WHERE NOT existed ORDER BY id"""
        )
        conn.execute(
            """INSERT INTO song_renditions (song_id, quality, codec, bitrate_kbps, object_key)
               SELECT x.id, r.quality, r.codec, r.bitrate_kbps, r.object_key
               FROM import_renditions r JOIN import_ids x ON x.kind = 'song' AND x.ref = r.song_ref
               WHERE NOT x.existed ORDER BY x.id, r.quality"""
        )
    conn.execute(
        """UPDATE songs s SET artist_id = r.artist_id, album_id = r.album_id, track_number = r.track_number,
               title = r.title, duration_ms = r.duration_ms, explicit = r.explicit, isrc = r.isrc,
               status = CASE WHEN s.status = 'taken_down' THEN s.status ELSE r.status END,
               published_at = coalesce(s.published_at, CASE WHEN r.status = 'published' THEN now() END),
               updated_at = now()
           FROM import_song_rows r
           WHERE r.existed AND s.id = r.id
             AND (s.artist_id, s.album_id, s.track_number, s.title, s.duration_ms, s.explicit, s.isrc,
                  s.status)
                 IS DISTINCT FROM (r.artist_id, r.album_id, r.track_number, r.title, r.duration_ms,
                  r.explicit, r.isrc, CASE WHEN s.status = 'taken_down' THEN s.status ELSE r.status END)"""
    )
    # Existing songs' renditions: changed ones updated, missing ones added (no per-row conflict checks).
    conn.execute(
        """CREATE TEMP TABLE import_rendition_rows ON COMMIT DROP AS
           SELECT x.id AS song_id, r.quality, r.codec, r.bitrate_kbps, r.object_key
           FROM import_renditions r JOIN import_ids x ON x.kind = 'song' AND x.ref = r.song_ref
           WHERE x.existed"""
    )
    conn.execute(
        """UPDATE song_renditions s
           SET codec = r.codec, bitrate_kbps = r.bitrate_kbps, object_key = r.object_key
           FROM import_rendition_rows r
           WHERE s.song_id = r.song_id AND s.quality = r.quality
             AND (s.codec, s.bitrate_kbps, s.object_key)
                 IS DISTINCT FROM (r.codec, r.bitrate_kbps, r.object_key)"""
    )
    conn.execute(
        """INSERT INTO song_renditions (song_id, quality, codec, bitrate_kbps, object_key)
           SELECT r.song_id, r.quality, r.codec, r.bitrate_kbps, r.object_key FROM import_rendition_rows r
           WHERE NOT EXISTS (SELECT 1 FROM song_renditions s
                             WHERE s.song_id = r.song_id AND s.quality = r.quality)"""
    )
    return conn.execute("SELECT kind, ref, id::text, existed FROM import_ids ORDER BY kind, ref").fetchall()


def ref_ids(conn: Connection[Row], kind: str, refs: list[str]) -> dict[str, str]:
    """The ids of those of ``refs`` of ``kind`` imported before."""
    rows = conn.execute(
        "SELECT ref, id::text FROM catalog_external_refs WHERE kind = %s AND ref = ANY(%s)", (kind, refs)
    ).fetchall()
    return {row["ref"]: row["id"] for row in rows}


def media_owners(conn: Connection[Row], keys: list[str]) -> list[Row]:
    """``{object_key, owner_type, owner_id}`` of every song rendition and ad that uses one of ``keys``."""
    return conn.execute(
        """SELECT object_key, 'song' AS owner_type, song_id::text AS owner_id
           FROM song_renditions WHERE object_key = ANY(%(keys)s)
           UNION ALL
           SELECT object_key, 'ad', id::text FROM ads WHERE object_key = ANY(%(keys)s)""",
        {"keys": keys},
    ).fetchall()


def refs_known(conn: Connection[Row], kind: str, refs: list[str]) -> set[str]:
    """Which of ``refs`` of ``kind`` were imported before (an import may refer to them)."""
    rows = conn.execute(
        "SELECT ref FROM catalog_external_refs WHERE kind = %s AND ref = ANY(%s)", (kind, refs)
    ).fetchall()
    return {row["ref"] for row in rows}


# -- what search indexes (sauti.catalog.public.searchable_*) ----------------------------------------


def searchable_songs(
    conn: Connection[Row],
    *,
    ids: list[str] | None = None,
    artist_id: str | None = None,
    album_id: str | None = None,
    after: str | None = None,
    limit: int = 1000,
) -> list[Row]:
    """Published songs with their artist's name, album title and year, by id."""
    return conn.execute(
        """SELECT s.id::text, s.title, s.artist_id::text, a.name AS artist_name, s.album_id::text,
                  al.title AS album_title, extract(year FROM al.release_date)::int AS year, s.isrc,
                  s.duration_ms
           FROM songs s JOIN artists a ON a.id = s.artist_id LEFT JOIN albums al ON al.id = s.album_id
           WHERE s.status = 'published'
             AND (%(ids)s::uuid[] IS NULL OR s.id = ANY(%(ids)s::uuid[]))
             AND (%(artist)s::uuid IS NULL OR s.artist_id = %(artist)s::uuid)
             AND (%(album)s::uuid IS NULL OR s.album_id = %(album)s::uuid)
             AND (%(after)s::uuid IS NULL OR s.id > %(after)s::uuid)
           ORDER BY s.id LIMIT %(limit)s""",
        {"ids": ids, "artist": artist_id, "album": album_id, "after": after, "limit": limit},
    ).fetchall()


def searchable_albums(
    conn: Connection[Row],
    *,
    ids: list[str] | None = None,
    artist_id: str | None = None,
    after: str | None = None,
    limit: int = 1000,
) -> list[Row]:
    """Published albums holding a published song, with the artist's name and the year, by id."""
    return conn.execute(
        """SELECT al.id::text, al.title, al.artist_id::text, a.name AS artist_name,
                  extract(year FROM al.release_date)::int AS year
           FROM albums al JOIN artists a ON a.id = al.artist_id
           WHERE al.status = 'published'
             AND EXISTS (SELECT 1 FROM songs s WHERE s.album_id = al.id AND s.status = 'published')
             AND (%(ids)s::uuid[] IS NULL OR al.id = ANY(%(ids)s::uuid[]))
             AND (%(artist)s::uuid IS NULL OR al.artist_id = %(artist)s::uuid)
             AND (%(after)s::uuid IS NULL OR al.id > %(after)s::uuid)
           ORDER BY al.id LIMIT %(limit)s""",
        {"ids": ids, "artist": artist_id, "after": after, "limit": limit},
    ).fetchall()


def searchable_artists(
    conn: Connection[Row], *, ids: list[str] | None = None, after: str | None = None, limit: int = 1000
) -> list[Row]:
    """Artists with a published song, by id."""
    return conn.execute(
        """SELECT a.id::text, a.name FROM artists a
           WHERE EXISTS (SELECT 1 FROM songs s WHERE s.artist_id = a.id AND s.status = 'published')
             AND (%(ids)s::uuid[] IS NULL OR a.id = ANY(%(ids)s::uuid[]))
             AND (%(after)s::uuid IS NULL OR a.id > %(after)s::uuid)
           ORDER BY a.id LIMIT %(limit)s""",
        {"ids": ids, "after": after, "limit": limit},
    ).fetchall()
