"""What other modules may call. Playback reports qualified plays started from a playlist; search reads
a public playlist's indexable fields when ``playlist.changed`` arrives; admin takes playlists down and
restores them."""

from __future__ import annotations

from typing import Any

from sauti.db import transaction
from sauti.ids import canonical_id
from sauti.observability import logger
from sauti.playlists import logic, store

__all__ = ["indexable_playlist", "record_play", "restore", "take_down"]


def record_play(playlist_id: str, user_id: str, song_id: str) -> bool:
    """Playback, after a play counted (30-second rule) in a session started with a playlist ``context``:
    whether it counted for the playlist's ranking. Never raises: this count is secondary to the play."""
    try:
        return logic.record_play(playlist_id, user_id, song_id)
    except Exception:
        logger.exception("playlist play not counted", extra={"playlist_id": playlist_id})
        return False


def indexable_playlist(playlist_id: str) -> dict[str, Any] | None:
    """``{id, name, description, owner_id, visible_to_others}``; None when there is no such playlist."""
    if (found := canonical_id(playlist_id)) is None:
        return None
    with transaction() as conn:
        rows = store.playlists_by_id(conn, [found])
    if not rows:
        return None
    row = rows[0]
    return {name: row[name] for name in ("id", "name", "description", "owner_id", "visible_to_others")}


def take_down(playlist_id: str, reason: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Moderation: hide the playlist from everyone but its owner and editors; ``(before, after)`` views
    ``{id, name, owner_id, visibility, status: "active"|"taken_down", visible_to_others}``. 404 if unknown."""
    return logic.set_taken_down(playlist_id, True, reason)


def restore(playlist_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Moderation: undo a takedown; same answer as ``take_down``."""
    return logic.set_taken_down(playlist_id, False)
