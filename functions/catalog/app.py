"""Catalog reads: songs, artists, albums, videos (published content only, cached in Redis)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query

from sauti.catalog import logic
from sauti.catalog.models import Album, Artist, Song, SongPage, Video, VideoPage
from sauti.core_settings import CoreSettings, DatabaseSettings
from sauti.http import errors, http_app, lambda_entry
from sauti.settings import require

app = http_app()  # no public routes: every route needs a signed-in user
require(CoreSettings, DatabaseSettings)

Limit = Annotated[int, Query(ge=1, le=logic.MAX_LIMIT)]
Cursor = Annotated[str | None, Query(max_length=500)]


@app.get("/songs")
def list_songs(limit: Limit = logic.DEFAULT_LIMIT, cursor: Cursor = None) -> SongPage:
    return logic.list_songs(limit, cursor)  # type: ignore[return-value]


@app.get("/songs/<song_id>", responses=errors(404))
def get_song(song_id: str) -> Song:
    return logic.get_song(song_id)  # type: ignore[return-value]


@app.get("/artists/<artist_id>", responses=errors(404))
def get_artist(artist_id: str) -> Artist:
    return logic.get_artist(artist_id)  # type: ignore[return-value]


@app.get("/albums/<album_id>", responses=errors(404))
def get_album(album_id: str) -> Album:
    return logic.get_album(album_id)  # type: ignore[return-value]


@app.get("/videos")
def list_videos(limit: Limit = logic.DEFAULT_LIMIT, cursor: Cursor = None) -> VideoPage:
    return logic.list_videos(limit, cursor)  # type: ignore[return-value]


@app.get("/videos/<video_id>", responses=errors(404))
def get_video(video_id: str) -> Video:
    return logic.get_video(video_id)  # type: ignore[return-value]


lambda_handler: Any = lambda_entry(app)
