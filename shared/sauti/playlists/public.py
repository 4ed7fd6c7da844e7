"""What other modules may call. Playback reports qualified plays started from a playlist; search reads
the playlists others may see (``searchable_playlists``) when ``playlist.changed`` arrives; admin takes
playlists down and restores them."""

from __future__ import annotations

from typing import Any

from sauti.db import transaction
from sauti.ids import canonical_id
from sauti.observability import logger
from sauti.playlists import logic, store

__all__ = ["readable_by", "record_play", "restore", "searchable_playlists", "take_down"]


def record_play(playlist_id: str, user_id: str, song_id: str) -> bool:
    """Playback, after a play counted (30-second rule) in a session started with a playlist ``context``:
    whether it counted for the playlist's ranking. Never raises: this count is secondary to the play."""
    try:
        return logic.record_play(playlist_id, user_id, song_id)
    except Exception:
        logger.exception("playlist play not counted", extra={"playlist_id": playlist_id})
        return False


SEARCH_BATCH_MAX = 5_000


def readable_by(user_id: str, playlist_id: str) -> bool:
    """For admin's reports: whether ``user_id`` may see this playlist (its owner, an editor, or anyone
    when it is visible to others), the rule of ``GET /playlists/{id}``."""
    if (found := canonical_id(playlist_id)) is None:
        return False
    with transaction() as conn:
        row = store.playlist_for(conn, found, user_id)
    return logic.readable(row, user_id)


def searchable_playlists(
    ids: list[str] | None = None, *, after: str | None = None, limit: int = SEARCH_BATCH_MAX
) -> list[dict[str, Any]]:
    """For search: ``{id, name, owner: {id, display_name}}`` of playlists others may see (public, owner
    premium, not taken down), ordered by id: those of ``ids`` that are, or every one after ``after``."""
    wanted = None if ids is None else [found for value in ids if (found := canonical_id(value))]
    with transaction() as conn:
        rows = store.visible_playlists(
            conn, wanted, canonical_id(after) if after else None, max(1, min(limit, SEARCH_BATCH_MAX))
        )
    owners = logic.owner_refs([row["owner_id"] for row in rows])
    return [{"id": row["id"], "name": row["name"], "owner": owners[row["owner_id"]]} for row in rows]


def take_down(playlist_id: str, reason: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Moderation: hide the playlist from everyone but its owner and editors; ``(before, after)`` views
    ``{id, name, owner_id, visibility, status: "active"|"taken_down", visible_to_others}``. 404 if unknown."""
    return logic.set_taken_down(playlist_id, True, reason)


def restore(playlist_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Moderation: undo a takedown; same answer as ``take_down``."""
    return logic.set_taken_down(playlist_id, False)
