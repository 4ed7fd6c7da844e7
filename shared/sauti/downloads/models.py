"""Request bodies and answers of the downloads routes: every request field and list bounded."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from sauti.models import ApiModel, Page, RequestModel

# A sync renews a signed license (about 1 KB) for every key it keeps: 1,000 keys answer about 1.1 MB,
# far under Lambda's 6 MB response limit, and sign in about a second. A device holding more syncs in
# batches (the reference client does).
SYNC_MAX_KEYS = 1_000
KeyId = Annotated[str, Field(max_length=64)]
# A JWK member: a string (kty, crv, x, y, kid, use, alg) or a short list of them (key_ops).
JwkMember = (
    Annotated[str, Field(max_length=512)]
    | Annotated[list[Annotated[str, Field(max_length=32)]], Field(max_length=10)]
)


class RegisterDevice(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    platform: Literal["ios", "android", "web", "other"]
    public_key: Annotated[dict[Annotated[str, Field(max_length=32)], JwkMember], Field(max_length=16)]


class CreateDownload(BaseModel):
    song_id: str = Field(min_length=1, max_length=64)
    device_id: str = Field(min_length=1, max_length=64)


class SyncRequest(BaseModel):
    key_ids: list[KeyId] = Field(max_length=SYNC_MAX_KEYS)


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
