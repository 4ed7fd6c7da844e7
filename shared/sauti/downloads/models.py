"""Request bodies of the downloads routes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class RegisterDevice(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    platform: Literal["ios", "android", "web", "other"]
    public_key: dict[str, Any]


class CreateDownload(BaseModel):
    song_id: str = Field(min_length=1, max_length=64)
    device_id: str = Field(min_length=1, max_length=64)


class SyncRequest(BaseModel):
    key_ids: list[str] = Field(max_length=20_000)
