"""Request bodies of the downloads routes."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from sauti.models import ApiModel, RequestModel


class RegisterDevice(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    platform: Literal["ios", "android", "web", "other"]
    public_key: dict[str, Any]


class CreateDownload(BaseModel):
    song_id: str = Field(min_length=1, max_length=64)
    device_id: str = Field(min_length=1, max_length=64)


class SyncRequest(BaseModel):
    key_ids: list[str] = Field(max_length=20_000)


# -- offline plays (POST /me/offline-plays) ----------------------------------------------------------

MAX_OFFLINE_PLAYS = 500
MAX_LISTENED_MS = 24 * 3600 * 1000


class OfflinePlayIn(RequestModel):
    play_id: UUID  # the client's own id of the play: sent again, it is a duplicate
    key_id: str = Field(min_length=1, max_length=64)
    played_at: AwareDatetime  # when the play started
    listened_ms: int = Field(ge=0, le=MAX_LISTENED_MS)


class OfflinePlaysIn(RequestModel):
    device_id: str = Field(min_length=1, max_length=64)
    plays: list[OfflinePlayIn] = Field(min_length=1, max_length=MAX_OFFLINE_PLAYS)


class RefusedPlay(ApiModel):
    play_id: str
    reason: str


class OfflinePlaysResult(ApiModel):
    accepted: int
    duplicates: int
    refused: list[RefusedPlay]
