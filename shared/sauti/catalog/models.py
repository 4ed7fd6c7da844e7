"""What the catalog's routes answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from sauti.models import ApiModel, Page

Quality = Literal["low", "normal", "high"]


class ArtistRef(ApiModel):
    id: str
    name: str


class AlbumRef(ApiModel):
    id: str
    title: str


class Song(ApiModel):
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
