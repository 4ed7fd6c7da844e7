"""Request bodies and answers of the playback routes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sauti.catalog.models import Song
from sauti.models import ApiModel, Page

Id = Annotated[str, Field(min_length=1, max_length=64)]
Milliseconds = Annotated[int, Field(ge=0, le=24 * 3600 * 1000)]


class PlayContext(BaseModel):
    """Where the play was started from: a playlist's qualified plays count for its ranking."""

    type: Literal["playlist", "album", "artist"]
    id: Id


class StartSession(BaseModel):
    """Exactly one of ``song_id`` and ``video_id`` (422 otherwise). Not a ``oneOf`` in the schema: client
    generators turn that into anonymous union types instead of one ``StartSession`` model."""

    song_id: Id | None = None
    video_id: Id | None = None
    quality: Literal["low", "normal", "high"] | None = None
    device_id: Annotated[str, Field(max_length=200)] | None = None
    source: Annotated[str, Field(max_length=40, pattern=r"^[a-z_]+$")] | None = (
        None  # album, playlist, search...
    )
    source_id: Id | None = None
    next_song_ids: Annotated[list[Id], Field(max_length=10)] | None = None  # what plays next, to prefetch
    context: PlayContext | None = None


class Heartbeat(BaseModel):
    position_ms: Milliseconds
    state: Literal["playing", "paused"]
    app_state: Literal["foreground", "background"]


class EndSession(BaseModel):
    listened_ms: Milliseconds


# -- answers ---------------------------------------------------------------------------------------


class StreamLink(ApiModel):
    url: str
    expires_at: str
    quality: Literal["low", "normal", "high", "auto"]


class PrefetchLink(StreamLink):
    song_id: str


class Ad(ApiModel):
    id: str
    title: str
    advertiser: str
    duration_ms: int
    click_url: str | None
    url: str
    expires_at: str


class AdBreak(ApiModel):
    position: Literal["pre_roll"]
    ad: Ad


PLAY_SESSION_EXAMPLE: dict[str, Any] = {
    "session_id": "c4e8a2f6-3b9d-4e1a-8f5c-2d7b9e3a6c15",
    "kind": "song",
    "stream": {
        "url": "https://media.sauti.app/songs/5f0c6b1e/normal.m4a?exp=1746092100&sig=3q2-7w",
        "expires_at": "2025-05-01T09:45:00Z",
        "quality": "normal",
    },
    "background_allowed": False,
    "ads": None,
    "prefetch": None,
    "next_heartbeat_s": 60,
}


class PlaySession(ApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PLAY_SESSION_EXAMPLE]})

    session_id: str
    kind: Literal["song", "video"]
    stream: StreamLink
    background_allowed: bool
    ads: AdBreak | None
    prefetch: list[PrefetchLink] | None = None  # when the request named what plays next (or an album)
    next_heartbeat_s: int  # send heartbeats this often while playing (and at once on any change)


class HeartbeatAnswer(ApiModel):
    model_config = ConfigDict(populate_by_name=True)

    continue_: bool = Field(alias="continue")
    reason: str | None
    stream: StreamLink | None  # a fresh link when the current one is about to expire
    next_heartbeat_s: int  # the interval until the next heartbeat (the server may change it)


class PlayEnded(ApiModel):
    counted: bool
    reason: str | None


class RecentPlay(ApiModel):
    song_id: str
    song: Song | None  # None when the song is no longer published
    played_at: str
    listened_ms: int
    source: str


RecentPlayPage = Page[RecentPlay]
