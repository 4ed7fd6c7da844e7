"""What the catalog's routes answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import ConfigDict

from sauti.models import ApiModel, Page

Quality = Literal["low", "normal", "high"]


class ArtistRef(ApiModel):
    id: str
    name: str


class AlbumRef(ApiModel):
    id: str
    title: str


SONG_EXAMPLE: dict[str, Any] = {
    "id": "5f0c6b1e-8d2a-4c51-9e0b-3a7d2f6c4b10",
    "title": "Jua Kali",
    "artist": {"id": "0b9d3c7e-2f4a-4e1b-8c6d-9a5e7f3b2d41", "name": "Amani Kijana"},
    "album": {"id": "7c2e9a4b-6d1f-4b3e-a8c5-2e9f4d7b1a63", "title": "Mji Mkuu"},
    "track_number": 3,
    "duration_ms": 214000,
    "explicit": False,
    "isrc": "KEA012500003",
    "qualities": ["low", "normal", "high"],
    "published_at": "2025-05-01T09:30:00Z",
}


class Song(ApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [SONG_EXAMPLE]})

    id: str
    title: str
    artist: ArtistRef
    album: AlbumRef | None
    track_number: int | None
    duration_ms: int
    explicit: bool
    isrc: str | None
    qualities: list[Quality]
    published_at: datetime | None


class Video(ApiModel):
    id: str
    title: str
    artist: ArtistRef
    song_id: str | None
    duration_ms: int | None
    thumbnail_url: str | None
    published_at: datetime | None


class Artist(ApiModel):
    id: str
    name: str
    bio: str | None
    top_songs: list[Song]


class Album(ApiModel):
    id: str
    title: str
    artist: ArtistRef
    release_date: date | None
    songs: list[Song]


SongPage = Page[Song]
VideoPage = Page[Video]
