"""Analytics fixtures: catalog artists and songs, and JSON Lines files of plays."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[date]:
    """The clock fixed at the test's start, for the test, its helpers and every job and route it
    calls, so no test can fail because midnight UTC passed while it ran."""
    from sauti import clock

    with clock.frozen(clock.now()):
        yield clock.today()


@dataclass(frozen=True)
class CatalogArtist:
    id: str
    user_id: str | None
    song_ids: tuple[str, ...]


@pytest.fixture
def make_artist() -> Callable[..., CatalogArtist]:
    """An artist (linked to ``user_id`` if given) with songs titled as given, made by the catalog module."""
    from sauti.catalog import logic

    def make(user_id: str | None = None, titles: tuple[str, ...] = ("One",), status: str = "published"):
        artist_id = logic.create_artist("Test Artist", user_id=user_id)
        song_ids = tuple(logic.create_song(artist_id, title, 200_000, [], status=status) for title in titles)
        return CatalogArtist(artist_id, user_id, song_ids)

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
