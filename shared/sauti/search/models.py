"""What search's routes take and answer (docs/search.md)."""

from __future__ import annotations

from typing import Literal

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


class SearchResults(ApiModel):
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
