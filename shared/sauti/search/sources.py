"""Where the index's content comes from: the catalog's, the playlists' and analytics' public functions.

Each source is read for its current truth (never from an event's payload), so events delivered twice,
late or out of order all end in the same index. The playlists feed can be replaced (``use_playlist_feed``)
where the playlists module is not deployed, and by tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from sauti.observability import logger

BATCH = 5_000


class PlaylistFeed(Protocol):
    def visible_playlists(
        self, ids: list[str] | None = None, *, after: str | None = None, limit: int = BATCH
    ) -> list[dict[str, Any]]:
        """``{id, name, owner: {id, display_name}}`` of playlists visible to others, by id (those of ``ids``
        that are, or every one after ``after``, ordered by id)."""
        ...


class PlaylistsModuleFeed:
    """``sauti.playlists.public.searchable_playlists``, or nothing while that module is not deployed."""

    def visible_playlists(
        self, ids: list[str] | None = None, *, after: str | None = None, limit: int = BATCH
    ) -> list[dict[str, Any]]:
        try:
            from sauti.playlists.public import searchable_playlists  # type: ignore[import-not-found]
        except ImportError:
            logger.warning("no playlists module: playlists are not searchable")
            return []
        found: list[dict[str, Any]] = searchable_playlists(ids, after=after, limit=limit)
        return found


_playlists: PlaylistFeed = PlaylistsModuleFeed()


def use_playlist_feed(feed: PlaylistFeed | None) -> None:
    global _playlists
    _playlists = feed or PlaylistsModuleFeed()


def playlists(ids: list[str]) -> list[dict[str, Any]]:
    return _playlists.visible_playlists(ids)


def all_playlists() -> Iterator[list[dict[str, Any]]]:
    after = None
    while batch := _playlists.visible_playlists(None, after=after, limit=BATCH):
        yield batch
        after = batch[-1]["id"]


def songs(**where: Any) -> list[dict[str, Any]]:
    from sauti.catalog.public import searchable_songs

    return _all(searchable_songs, **where)


def albums(**where: Any) -> list[dict[str, Any]]:
    from sauti.catalog.public import searchable_albums

    return _all(searchable_albums, **where)


def artists(**where: Any) -> list[dict[str, Any]]:
    from sauti.catalog.public import searchable_artists

    return _all(searchable_artists, **where)


def _all(read: Any, **where: Any) -> list[dict[str, Any]]:
    return [row for batch in batches(read, **where) for row in batch]


def batches(read: Any, **where: Any) -> Iterator[list[dict[str, Any]]]:
    after = None
    while batch := read(after=after, limit=BATCH, **where):
        yield batch
        if len(batch) < BATCH:
            return
        after = batch[-1]["id"]


def catalog_batches(kind: str) -> Iterator[list[dict[str, Any]]]:
    from sauti.catalog import public

    read = {
        "song": public.searchable_songs,
        "album": public.searchable_albums,
        "artist": public.searchable_artists,
    }
    return batches(read[kind])


def recent_plays(days: int) -> Iterator[tuple[str, int]]:
    """``(song_id, plays)`` of every song played over the last ``days`` finished days."""
    from sauti.analytics.public import song_plays

    after = None
    while batch := song_plays(days=days, after=after, limit=BATCH * 10):
        yield from ((row["song_id"], int(row["plays"])) for row in batch)
        after = batch[-1]["song_id"]
