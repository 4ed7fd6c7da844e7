"""Request bodies and answers of the downloads routes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from sauti.models import ApiModel, Page


class RegisterDevice(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    platform: Literal["ios", "android", "web", "other"]
    public_key: dict[str, Any]


class CreateDownload(BaseModel):
    song_id: str = Field(min_length=1, max_length=64)
    device_id: str = Field(min_length=1, max_length=64)


class SyncRequest(BaseModel):
    key_ids: list[str] = Field(max_length=20_000)


# -- answers ---------------------------------------------------------------------------------------


class Device(ApiModel):
    device_id: str
    name: str
    platform: str
    is_offline: bool
    created_at: str | None
    last_synced_at: str | None


class OfflineDevice(Device):
    revoked_downloads: int  # download keys of the user's other devices revoked by this change


class Download(ApiModel):
    download_id: str
    key_id: str
    song_id: str
    device_id: str
    issued_at: str | None
    expires_at: str | None


class IssuedDownload(ApiModel):
    download_id: str
    key_id: str
    song_id: str
    device_id: str
    sealed_key: str  # compact JWE (ECDH-ES, A256GCM) of the content key, to the device's public key
    url: str
    url_expires_at: str | None
    expires_at: str | None
    license: str  # compact JWS, checked offline against /.well-known/jwks.json


class KeptKey(ApiModel):
    key_id: str
    license: str
    expires_at: str | None


class SyncAnswer(ApiModel):
    keep: list[KeptKey]
    wipe: list[str]
    wipe_all: bool


DevicePage = Page[Device]
DownloadPage = Page[Download]
