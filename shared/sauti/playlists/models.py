"""What the playlists routes take and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from sauti.models import ApiModel, Page, RequestModel

Id = Annotated[str, Field(min_length=1, max_length=64)]
Name = Annotated[str, Field(min_length=1, max_length=100, pattern=r"\S")]
Description = Annotated[str, Field(max_length=1000)]
Visibility = Literal["private", "public"]
Relation = Literal["owner", "editor", "follower"]
MAX_BATCH = 100  # song_ids / item_ids per request


class CreatePlaylist(RequestModel):
    name: Name
    description: Description = ""
    visibility: Visibility = "private"


class UpdatePlaylist(RequestModel):
    name: Name | None = None
    description: Description | None = None
    visibility: Visibility | None = None


class AddTracks(RequestModel):
    song_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_BATCH)]
    before_item_id: Id | None = None


class RemoveTracks(RequestModel):
    item_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_BATCH)]


class MoveTracks(RequestModel):
    item_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_BATCH)]
    before_item_id: Id | None = None


# -- answers ---------------------------------------------------------------------------------------


class Owner(ApiModel):
    id: str
    display_name: str | None


class ArtistRef(ApiModel):
    id: str
    name: str


class SongRef(ApiModel):
    id: str
    title: str | None
    artist: ArtistRef | None
    duration_ms: int | None


class Item(ApiModel):
    item_id: str
    song: SongRef
    available: bool
    added_by: str | None
    added_at: datetime


class PlaylistSummary(ApiModel):
    id: str
    name: str
    description: str
    visibility: Visibility
    visible_to_others: bool
    owner: Owner
    version: int
    track_count: int
    duration_ms: int
    followers: int
    relation: Relation | None
    created_at: datetime
    updated_at: datetime


PLAYLIST_EXAMPLE: dict[str, Any] = {
    "id": "3d8f1a6c-9b2e-4f7d-a1c3-5e8b2d9f4a70",
    "name": "Road trip",
    "description": "Nairobi to Mombasa",
    "visibility": "public",
    "visible_to_others": True,
    "owner": {"id": "9a4c2e7b-1d5f-4a8e-b3c6-7f2d9e1b5a84", "display_name": "Wanjiru"},
    "version": 7,
    "track_count": 1,
    "duration_ms": 214000,
    "followers": 12,
    "relation": "owner",
    "created_at": "2025-05-01T09:30:00Z",
    "updated_at": "2025-05-03T18:02:11Z",
    "tracks": {
        "items": [
            {
                "item_id": "e1b7c3a9-4f2d-4c8e-9a6b-1d5f3e7c2b98",
                "song": {
                    "id": "5f0c6b1e-8d2a-4c51-9e0b-3a7d2f6c4b10",
                    "title": "Jua Kali",
                    "artist": {"id": "0b9d3c7e-2f4a-4e1b-8c6d-9a5e7f3b2d41", "name": "Amani Kijana"},
                    "duration_ms": 214000,
                },
                "available": True,
                "added_by": "9a4c2e7b-1d5f-4a8e-b3c6-7f2d9e1b5a84",
                "added_at": "2025-05-01T09:31:00Z",
            }
        ],
        "next_cursor": None,
    },
}


class Playlist(PlaylistSummary):
    model_config = ConfigDict(json_schema_extra={"examples": [PLAYLIST_EXAMPLE]})

    tracks: Page[Item]


class AddedItem(ApiModel):
    item_id: str
    song_id: str


class TracksAdded(ApiModel):
    version: int
    items: list[AddedItem]


class Version(ApiModel):
    version: int


class Invite(ApiModel):
    invite_id: str
    token: str
    expires_at: datetime


class RankedPlaylist(ApiModel):
    id: str
    name: str
    description: str
    owner: Owner
    track_count: int
    followers: int
    score: int
    viewers: int
    players: int


class Ranking(ApiModel):
    period: Literal["day", "week", "month"]
    computed_at: datetime | None
    items: list[RankedPlaylist]


PlaylistPage = Page[PlaylistSummary]
