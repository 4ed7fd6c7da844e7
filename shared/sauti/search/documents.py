"""Index documents built from what the catalog and the playlists hand over (pure functions).

A document carries the result item exactly as ``GET /search`` answers it (``display``) and the
normalised terms of its fields: title (a song's or album's title, an artist's or playlist's name),
artist (the artist's name) and album (the album's title).
"""

from __future__ import annotations

import math
from typing import Any

from sauti.search import text

SONG, ARTIST, ALBUM, PLAYLIST = 1, 2, 3, 4
KINDS = {"song": SONG, "artist": ARTIST, "album": ALBUM, "playlist": PLAYLIST}
KIND_NAMES = {code: name for name, code in KINDS.items()}
TITLE, ARTIST_FIELD, ALBUM_FIELD = 0, 1, 2


def popularity(plays: int) -> int:
    """The popularity bucket the postings are ordered by (about 6% apart): floor(16 ln(1 + plays))."""
    return min(32_000, int(16 * math.log1p(max(0, plays))))


def _doc(
    kind: int,
    ref: str,
    display: dict[str, Any],
    title: str,
    *,
    artist: str | None = None,
    album: str | None = None,
    artist_ref: str | None = None,
    album_ref: str | None = None,
    year: int | None = None,
    isrc: str | None = None,
) -> dict[str, Any]:
    title_terms, artist_terms, album_terms = text.terms(title), text.terms(artist), text.terms(album)
    return {
        "kind": kind,
        "ref": ref,
        "display": display,
        "title_key": text.title_key(title),
        "terms": list(dict.fromkeys([*title_terms, *artist_terms, *album_terms])),
        "title_terms": title_terms,
        "artist_terms": artist_terms,
        "album_terms": album_terms,
        "artist_ref": artist_ref,
        "album_ref": album_ref,
        "year": year,
        "isrc": isrc.upper() if isrc else None,
    }


def song(row: dict[str, Any]) -> dict[str, Any]:
    """``row``: the catalog's ``searchable_songs`` item."""
    album = {"id": row["album_id"], "title": row["album_title"]} if row.get("album_id") else None
    display = {
        "id": row["id"],
        "title": row["title"],
        "artist": {"id": row["artist_id"], "name": row["artist_name"]},
        "album": album,
        "duration_ms": row["duration_ms"],
    }
    return _doc(
        SONG,
        row["id"],
        display,
        row["title"],
        artist=row["artist_name"],
        album=row.get("album_title"),
        artist_ref=row["artist_id"],
        album_ref=row.get("album_id"),
        year=row.get("year"),
        isrc=row.get("isrc"),
    )


def artist(row: dict[str, Any]) -> dict[str, Any]:
    return _doc(ARTIST, row["id"], {"id": row["id"], "name": row["name"]}, row["name"], artist_ref=row["id"])


def album(row: dict[str, Any]) -> dict[str, Any]:
    display = {
        "id": row["id"],
        "title": row["title"],
        "artist": {"id": row["artist_id"], "name": row["artist_name"]},
    }
    return _doc(
        ALBUM,
        row["id"],
        display,
        row["title"],
        artist=row["artist_name"],
        artist_ref=row["artist_id"],
        album_ref=row["id"],
        year=row.get("year"),
    )


def playlist(row: dict[str, Any]) -> dict[str, Any]:
    """``row``: ``{id, name, owner: {id, display_name}}`` of a playlist visible to others."""
    owner = row.get("owner") or {}
    display = {
        "id": row["id"],
        "name": row["name"],
        "owner": {"id": owner.get("id"), "display_name": owner.get("display_name")},
    }
    return _doc(PLAYLIST, row["id"], display, row["name"])
