"""Request and response models of the notifications routes, and the queue's message shape."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, StrictBool

from sauti.models import ApiModel, Page, RequestModel

Platform = Literal["ios", "android", "web"]
Channel = Literal["email", "push"]
TOPICS = ("new_releases", "playlist_activity", "billing", "security", "product_news")
ALWAYS_EMAILED = ("billing", "security")  # their emails cannot be switched off
MAX_TOKEN_LENGTH = 4096


# -- routes ----------------------------------------------------------------------------------------


class RegisterPushToken(RequestModel):
    token: str = Field(min_length=1, max_length=MAX_TOKEN_LENGTH, pattern=r"^[\x21-\x7e]+$")
    platform: Platform
    instance_key: str | None = Field(
        default=None,
        max_length=100,
        description="the key the last registration of this token answered; needed only to move a token "
        "another account holds (a device whose user signed out and another signed in)",
    )


class PushToken(ApiModel):
    token: str
    platform: Platform
    registered_at: datetime
    instance_key: str = Field(
        description="keep it with the token (fresh at every registration); it proves this app instance "
        "holds the token when another account registers it next"
    )


class ChannelSwitches(ApiModel):
    push: bool
    email: bool


class TopicSwitches(ApiModel):
    new_releases: bool
    playlist_activity: bool
    billing: bool
    security: bool
    product_news: bool


class Preferences(ApiModel):
    channels: ChannelSwitches
    topics: TopicSwitches
    always_emailed: list[str] = Field(
        default=list(ALWAYS_EMAILED), description="topics whose emails are sent whatever the switches say"
    )


class ChannelChanges(RequestModel):
    push: StrictBool | None = None
    email: StrictBool | None = None


ALWAYS_ON = "always on: these emails are sent whatever the switches say"


def _a_boolean(value: Any) -> Any:
    """``true`` itself, as the document says: not 1 (which Literal[True] alone would take)."""
    if not isinstance(value, bool):
        raise ValueError("must be true")
    return value


AlwaysOn = Annotated[Literal[True], BeforeValidator(_a_boolean)]


class TopicChanges(RequestModel):
    """``billing`` and ``security`` cannot be switched off (422 naming the topic): the service sends
    their emails whatever the switches say, and the answer never claims otherwise."""

    new_releases: StrictBool | None = None
    playlist_activity: StrictBool | None = None
    billing: AlwaysOn | None = Field(default=None, description=ALWAYS_ON)
    security: AlwaysOn | None = Field(default=None, description=ALWAYS_ON)
    product_news: StrictBool | None = None


class PreferencesChange(RequestModel):
    """PUT body: the switches to set; a switch left out keeps its value."""

    channels: ChannelChanges = Field(default_factory=ChannelChanges)
    topics: TopicChanges = Field(default_factory=TopicChanges)


class FollowedArtist(ApiModel):
    artist_id: str
    followed_at: datetime


FollowedArtistPage = Page[FollowedArtist]


# -- the queue -------------------------------------------------------------------------------------


class Audience(BaseModel):
    """A fan-out chunk: the followers of ``artist_id`` with ``after < user_id <= through``."""

    followers_of: str
    after: str | None = None
    through: str | None = None


class NotificationMessage(BaseModel):
    """The queue's message shape, version 1 (documented in sauti.notify and docs/notifications.md)."""

    version: Literal[1]
    id: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=100)
    user_id: str | None = None
    channels: list[Channel] = Field(max_length=2)
    email: str | None = Field(default=None, max_length=320)
    data: dict = Field(default_factory=dict)
    created_at: datetime
    audience: Audience | None = None
