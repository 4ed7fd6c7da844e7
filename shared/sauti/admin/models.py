"""What the admin routes take and answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sauti.auth import public as auth
from sauti.models import ApiModel, Page, RequestModel

Quality = Literal["low", "normal", "high"]
Name = Field(min_length=1, max_length=300)
Id = Field(min_length=1, max_length=100)
Text = Field(default=None, max_length=5000)
Reason = Field(min_length=1, max_length=2000)


class ArtistIn(RequestModel):
    name: str = Name
    bio: str | None = Text


class ArtistPatch(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=300)
    bio: str | None = Text


class AccountLink(RequestModel):
    email: auth.Email

    _email = field_validator("email")(auth.normalize_email)


class AlbumIn(RequestModel):
    artist_id: str = Id
    title: str = Name
    release_date: date | None = None


class AlbumPatch(RequestModel):
    artist_id: str | None = Field(default=None, min_length=1, max_length=100)
    title: str | None = Field(default=None, min_length=1, max_length=300)
    release_date: date | None = None


class SongIn(RequestModel):
    artist_id: str = Id
    title: str = Name
    duration_ms: int = Field(ge=1, le=86_400_000)
    album_id: str | None = Field(default=None, max_length=100)
    track_number: int | None = Field(default=None, ge=1, le=10_000)
    explicit: bool = False
    isrc: str | None = Field(default=None, max_length=20)


class SongPatch(RequestModel):
    artist_id: str | None = Field(default=None, min_length=1, max_length=100)
    title: str | None = Field(default=None, min_length=1, max_length=300)
    duration_ms: int | None = Field(default=None, ge=1, le=86_400_000)
    album_id: str | None = Field(default=None, max_length=100)
    track_number: int | None = Field(default=None, ge=1, le=10_000)
    explicit: bool | None = None
    isrc: str | None = Field(default=None, max_length=20)


class UploadIn(RequestModel):
    quality: Quality
    content_type: str = Field(max_length=66, pattern=r"^audio/[A-Za-z0-9.+-]{1,60}$")
    size_bytes: int = Field(ge=1, le=10_000_000_000)


class AdUploadIn(RequestModel):
    content_type: str = Field(max_length=66, pattern=r"^audio/[A-Za-z0-9.+-]{1,60}$")
    size_bytes: int = Field(ge=1, le=10_000_000_000)


class UploadTicket(ApiModel):
    url: str
    method: Literal["PUT"]
    headers: dict[str, str]
    object_key: str
    expires_at: datetime


class RenditionIn(RequestModel):
    object_key: str = Field(min_length=1, max_length=500)
    codec: str = Field(min_length=1, max_length=40)
    bitrate_kbps: int = Field(ge=1, le=10_000)


class AdAudioIn(RequestModel):
    object_key: str = Field(min_length=1, max_length=500)


class Rendition(ApiModel):
    quality: Quality
    codec: str
    bitrate_kbps: int
    object_key: str
    size_bytes: int | None


class AdminArtist(ApiModel):
    id: str
    name: str
    bio: str | None
    user_id: str | None
    updated_at: datetime


class AdminAlbum(ApiModel):
    id: str
    artist_id: str
    title: str
    release_date: date | None
    status: str
    updated_at: datetime


class AdminSong(ApiModel):
    id: str
    artist_id: str
    album_id: str | None
    track_number: int | None
    title: str
    duration_ms: int
    explicit: bool
    isrc: str | None
    status: str
    published_at: datetime | None
    renditions: list[Rendition] = []


class AdminVideo(ApiModel):
    id: str
    artist_id: str
    song_id: str | None
    title: str
    stream_uid: str
    duration_ms: int | None
    thumbnail_url: str | None
    status: str
    ready: bool
    published_at: datetime | None


class VideoIn(RequestModel):
    artist_id: str = Id
    title: str = Name
    song_id: str | None = Field(default=None, max_length=100)


class StreamUpload(ApiModel):
    url: str
    expires_at: datetime


class VideoCreated(ApiModel):
    video: AdminVideo
    upload: StreamUpload


class StreamState(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    state: str = Field(max_length=100)


class StreamNotification(BaseModel):
    """What of Stream's webhook body is read (developers.cloudflare.com/stream/manage-video-library/
    using-webhooks): its fields strictly typed (``duration: true`` is not one second), others ignored."""

    model_config = ConfigDict(extra="ignore", strict=True, allow_inf_nan=False)

    uid: str = Field(min_length=1, max_length=100)
    ready_to_stream: bool = Field(default=False, alias="readyToStream")
    status: StreamState
    duration: float | None = None  # seconds; -1 while Stream does not know it yet
    thumbnail: str | None = Field(default=None, max_length=2000)


class AdIn(RequestModel):
    title: str = Name
    advertiser: str = Name
    duration_ms: int = Field(ge=1, le=600_000)
    click_url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://")
    weight: int = Field(default=1, ge=1, le=1000)
    active: bool = True


class AdPatch(RequestModel):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    advertiser: str | None = Field(default=None, min_length=1, max_length=300)
    duration_ms: int | None = Field(default=None, ge=1, le=600_000)
    click_url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://")
    weight: int | None = Field(default=None, ge=1, le=1000)
    active: bool | None = None


class AdminAd(ApiModel):
    id: str
    title: str
    advertiser: str
    object_key: str | None
    duration_ms: int
    click_url: str | None
    weight: int
    active: bool


class ReasonIn(RequestModel):
    reason: str = Reason


class Moderated(ApiModel):
    target_type: str
    target_id: str
    status: str


class AdminUser(ApiModel):
    id: str
    email: str | None
    display_name: str
    roles: list[str]
    suspended: bool


class ReportIn(RequestModel):
    target_type: Literal["song", "video", "playlist", "user"]
    target_id: str = Id
    reason: str = Reason


class Report(ApiModel):
    id: str
    reporter_id: str
    target_type: str
    target_id: str
    reason: str
    status: str
    resolution: str | None
    note: str | None
    resolved_by: str | None
    resolved_at: datetime | None
    created_at: datetime


class ResolveIn(RequestModel):
    action: Literal["dismiss", "takedown", "suspend"]
    note: str | None = Field(default=None, max_length=2000)


class AuditEntry(ApiModel):
    id: int
    actor_id: str | None = Field(description="the account that acted; null when a system did")
    system_actor: str | None = Field(
        description="the webhook, job or command that acted (e.g. stream_webhook); null when a person did"
    )
    action: str
    target_type: str
    target_id: str | None
    before: Any
    after: Any
    reason: str | None
    created_at: datetime


class ImportedRef(ApiModel):
    type: str
    ref: str
    id: str


class ImportResult(ApiModel):
    imported: dict[str, int]
    ids: list[ImportedRef]


UserPage = Page[AdminUser]
ReportPage = Page[Report]
AuditPage = Page[AuditEntry]
AdPage = Page[AdminAd]
