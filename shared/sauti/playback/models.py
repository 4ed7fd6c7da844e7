"""Request bodies of the playback routes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

Id = Annotated[str, Field(min_length=1, max_length=64)]
Milliseconds = Annotated[int, Field(ge=0, le=24 * 3600 * 1000)]


class PlayContext(BaseModel):
    """Where the play was started from: a playlist's qualified plays count for its ranking."""

    type: Literal["playlist", "album", "artist"]
    id: Id


class StartSession(BaseModel):
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
