"""What the analytics routes answer: the artist and song dashboards."""

from __future__ import annotations

from typing import Literal

from sauti.models import ApiModel

Range = Literal["last_7_days", "last_30_days", "last_365_days", "all_time"]


class DailyPlays(ApiModel):
    date: str
    plays: int


class SongPlays(ApiModel):
    song_id: str
    title: str
    plays: int


class _Stats(ApiModel):
    range: Range
    through: str  # yesterday (UTC): today is never included
    total_plays: int
    daily: list[DailyPlays]
    top_songs: list[SongPlays]


class ArtistStats(_Stats):
    artist_id: str


class SongStats(_Stats):
    song_id: str
