"""Analytics fixtures: catalog rows straight in SQL (tests only) and JSON Lines files of plays."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass(frozen=True)
class CatalogArtist:
    id: str
    user_id: str | None
    song_ids: tuple[str, ...]


@pytest.fixture
def make_artist() -> Callable[..., CatalogArtist]:
    """An artist (linked to ``user_id`` if given) with songs titled as given, all published."""
    from sauti import db

    def make(user_id: str | None = None, titles: tuple[str, ...] = ("One",), status: str = "published"):
        artist = db.fetch_one(
            "INSERT INTO artists (name, user_id) VALUES ('Test Artist', %s) RETURNING id::text", (user_id,)
        )
        assert artist is not None
        song_ids = []
        for title in titles:
            song = db.fetch_one(
                """INSERT INTO songs (artist_id, title, duration_ms, status)
                   VALUES (%s, %s, 200000, %s) RETURNING id::text""",
                (artist["id"], title, status),
            )
            assert song is not None
            song_ids.append(song["id"])
        return CatalogArtist(artist["id"], user_id, tuple(song_ids))

    return make


@pytest.fixture
def jsonl(tmp_path: Path) -> Callable[[list[Any]], Path]:
    """A JSON Lines file: dicts are dumped, strings written as they are (to make bad lines)."""
    counter = iter(range(1_000))

    def write(lines: list[Any]) -> Path:
        path = tmp_path / f"plays-{next(counter)}.jsonl"
        path.write_text(
            "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
        )
        return path

    return write
