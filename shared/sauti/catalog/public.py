"""What other modules may call in the catalog."""

from __future__ import annotations

from typing import Any

from sauti.catalog import store
from sauti.db import transaction
from sauti.ids import canonical_id


def _ids(values: list[str] | None) -> list[str] | None:
    return None if values is None else [key for value in values if (key := canonical_id(value))]


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
            conn, ids=_ids(ids), artist_id=artist_id, album_id=album_id, after=after, limit=limit
        )


def searchable_albums(
    ids: list[str] | None = None, *, artist_id: str | None = None, after: str | None = None, limit: int = 1000
) -> list[dict[str, Any]]:
    """For search: published albums with a published song ``{id, title, artist_id, artist_name, year}``."""
    with transaction() as conn:
        return store.searchable_albums(conn, ids=_ids(ids), artist_id=artist_id, after=after, limit=limit)


def searchable_artists(
    ids: list[str] | None = None, *, after: str | None = None, limit: int = 1000
) -> list[dict[str, Any]]:
    """For search: artists with a published song ``{id, name}``."""
    with transaction() as conn:
        return store.searchable_artists(conn, ids=_ids(ids), after=after, limit=limit)
