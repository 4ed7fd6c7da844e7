"""Catalog reads: songs, artists, albums, videos (published content only, cached in Redis)."""

from __future__ import annotations

from typing import Any

from sauti import paging
from sauti.catalog import logic
from sauti.catalog.models import Album, Artist, Song, SongPage, Video, VideoPage
from sauti.core_settings import CoreSettings, DatabaseSettings
from sauti.http import Cursor, Limit, errors, http_app, lambda_entry
from sauti.settings import require

app = http_app()  # no public routes: every route needs a signed-in user
require(CoreSettings, DatabaseSettings)


@app.get("/songs")
def list_songs(limit: Limit = paging.DEFAULT_LIMIT, cursor: Cursor = None) -> SongPage:
    return logic.list_songs(limit, cursor)


@app.get("/songs/<song_id>", responses=errors(404))
def get_song(song_id: str) -> Song:
    return logic.get_song(song_id)


@app.get("/artists/<artist_id>", responses=errors(404))
def get_artist(artist_id: str) -> Artist:
    return logic.get_artist(artist_id)


@app.get("/albums/<album_id>", responses=errors(404))
def get_album(album_id: str) -> Album:
    return logic.get_album(album_id)


@app.get("/videos")
def list_videos(limit: Limit = paging.DEFAULT_LIMIT, cursor: Cursor = None) -> VideoPage:
    return logic.list_videos(limit, cursor)


@app.get("/videos/<video_id>", responses=errors(404))
def get_video(video_id: str) -> Video:
    return logic.get_video(video_id)


lambda_handler: Any = lambda_entry(app)
