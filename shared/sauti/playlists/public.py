"""What other modules may call. Playback reports qualified plays started from a playlist; search reads
a public playlist's indexable fields when ``playlist.changed`` arrives."""

from __future__ import annotations

from typing import Any

from sauti.db import transaction
from sauti.ids import canonical_id
from sauti.playlists import store
from sauti.playlists.logic import record_play

__all__ = ["record_play", "indexable_playlist"]


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
