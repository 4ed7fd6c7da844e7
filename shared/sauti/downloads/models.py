"""Request bodies of the downloads routes: every field and list bounded."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from sauti.models import ApiModel, RequestModel

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
