"""What the playlists routes take and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

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


class Playlist(PlaylistSummary):
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
