"""What search's routes take and answer (docs/search.md)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict

from sauti.models import ApiModel

ResultType = Literal["song", "artist", "album", "playlist"]
SuggestionType = ResultType


class ArtistRef(ApiModel):
    id: str
    name: str


class AlbumRef(ApiModel):
    id: str
    title: str


class Owner(ApiModel):
    id: str
    display_name: str | None


class SongHit(ApiModel):
    id: str
    title: str
    artist: ArtistRef
    album: AlbumRef | None
    duration_ms: int


class ArtistHit(ApiModel):
    id: str
    name: str


class AlbumHit(ApiModel):
    id: str
    title: str
    artist: ArtistRef


class PlaylistHit(ApiModel):
    id: str
    name: str
    owner: Owner


class SongHits(ApiModel):
    items: list[SongHit]


class ArtistHits(ApiModel):
    items: list[ArtistHit]


class AlbumHits(ApiModel):
    items: list[AlbumHit]


class PlaylistHits(ApiModel):
    items: list[PlaylistHit]


SEARCH_RESULTS_EXAMPLE: dict[str, Any] = {
    "query": "amani jua",
    "corrected_query": None,
    "songs": {
        "items": [
            {
                "id": "5f0c6b1e-8d2a-4c51-9e0b-3a7d2f6c4b10",
                "title": "Jua Kali",
                "artist": {"id": "0b9d3c7e-2f4a-4e1b-8c6d-9a5e7f3b2d41", "name": "Amani Kijana"},
                "album": {"id": "7c2e9a4b-6d1f-4b3e-a8c5-2e9f4d7b1a63", "title": "Mji Mkuu"},
                "duration_ms": 214000,
            }
        ]
    },
    "artists": {"items": [{"id": "0b9d3c7e-2f4a-4e1b-8c6d-9a5e7f3b2d41", "name": "Amani Kijana"}]},
    "albums": {"items": []},
    "playlists": {"items": []},
}


class SearchResults(ApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [SEARCH_RESULTS_EXAMPLE]})

    query: str
    corrected_query: str | None
    songs: SongHits
    artists: ArtistHits
    albums: AlbumHits
    playlists: PlaylistHits


class Suggestion(ApiModel):
    type: SuggestionType
    id: str
    text: str


class Suggestions(ApiModel):
    items: list[Suggestion]
