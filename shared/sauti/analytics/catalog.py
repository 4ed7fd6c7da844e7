"""What analytics needs to know about the catalog: read-only lookups, nothing written.

The catalog module owns these tables; this is the one place analytics reads them, so
swapping these queries for catalog functions later touches nothing else.
"""

from __future__ import annotations

import uuid

from sauti.db import Row, fetch_all, fetch_one


def parse_id(value: str) -> str | None:
    """The canonical form of a UUID, or None when ``value`` is not one (an unknown id, then)."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        return None


def artist(artist_id: str) -> Row | None:
    """``{id, user_id}`` of the artist, or None."""
    return fetch_one("SELECT id::text, user_id::text FROM artists WHERE id = %s", (artist_id,))


def song(song_id: str) -> Row | None:
    """``{id, artist_id, title, status, artist_user_id}`` of the song, or None."""
    return fetch_one(
        """SELECT s.id::text, s.artist_id::text, s.title, s.status::text, a.user_id::text AS artist_user_id
           FROM songs s JOIN artists a ON a.id = s.artist_id WHERE s.id = %s""",
        (song_id,),
    )


def songs_of_artist(artist_id: str) -> dict[str, str]:
    """Song id → title for every song of the artist, whatever its status (plays of taken-down songs count)."""
    rows = fetch_all("SELECT id::text, title FROM songs WHERE artist_id = %s", (artist_id,))
    return {row["id"]: row["title"] for row in rows}
