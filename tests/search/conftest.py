"""Search fixtures: a small catalog indexed through the real events, a fake playlists feed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from sauti_dev.queues import drain_once


class FakePlaylists:
    """The playlists module's answer, as search reads it: only playlists visible to others."""

    def __init__(self) -> None:
        self.visible: dict[str, dict[str, Any]] = {}

    def visible_playlists(
        self, ids: list[str] | None = None, *, after: str | None = None, limit: int = 5000
    ) -> list[dict[str, Any]]:
        rows = sorted(self.visible.values(), key=lambda row: row["id"])
        if ids is not None:
            return [row for row in rows if row["id"] in ids]
        return [row for row in rows if after is None or row["id"] > after][:limit]


@pytest.fixture
def playlists() -> Iterator[FakePlaylists]:
    from sauti.search.public import use_playlist_feed

    feed = FakePlaylists()
    use_playlist_feed(feed)
    yield feed
    use_playlist_feed(None)


@pytest.fixture
def deliver(stack: Any, functions: Any) -> Any:
    """Publish a domain event on the bus and deliver what the rules route to their functions."""
    from sauti.events import publish_event

    def send(module: str, detail_type: str, detail: dict[str, Any]) -> None:
        publish_event(module, detail_type, detail)
        while drain_once(functions, stack.queue_urls, rule_queues=stack.rule_queues):
            pass

    return send


@pytest.fixture
def shelf(deliver: Any) -> Any:
    """Catalog writes followed by the ``catalog.changed`` the catalog's write logic emits."""
    from sauti.catalog import public as logic

    class Shelf:
        def artist(self, name: str) -> str:
            artist_id = logic.create_artist(name)
            deliver("catalog", "catalog.changed", _change("artist", artist_id, artist_id, "published"))
            return artist_id

        def album(self, artist_id: str, title: str, year: int | None = None) -> str:
            album_id = logic.create_album(artist_id, title, release_date=date(year, 6, 1) if year else None)
            deliver("catalog", "catalog.changed", _change("album", album_id, artist_id, "published"))
            return album_id

        def song(
            self,
            artist_id: str,
            title: str,
            *,
            album_id: str | None = None,
            isrc: str | None = None,
            status: str = "published",
        ) -> str:
            song_id = logic.create_song(
                artist_id, title, 200_000, [], album_id=album_id, isrc=isrc, status=status
            )
            deliver("catalog", "catalog.changed", _change("song", song_id, artist_id, status))
            return song_id

        def set_status(self, song_id: str, artist_id: str, status: str, change: str) -> None:
            logic.set_song_status(song_id, status)
            deliver("catalog", "catalog.changed", _change("song", song_id, artist_id, status, change))

    return Shelf()


def _change(kind: str, id_: str, artist_id: str, status: str, change: str = "published") -> dict[str, Any]:
    return {"kind": kind, "id": id_, "artist_id": artist_id, "status": status, "change": change}


@pytest.fixture
def user(new_user: Any) -> Any:
    return new_user()


@pytest.fixture
def find(api: Any, user: Any) -> Any:
    """``GET /search`` as a signed-in user; the answer's JSON."""

    def search(q: str, **query: Any) -> dict[str, Any]:
        response = api.get("/search", token=user.token, query={"q": q, **query})
        assert response.status == 200, response.body
        return response.json()

    return search
