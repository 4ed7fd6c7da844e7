"""Catalog reads: songs, artists, albums, videos (published content only, cached in Redis)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query

from sauti.catalog import logic
from sauti.http import http_app, lambda_entry

app = http_app()

Limit = Annotated[int, Query(ge=1, le=logic.MAX_LIMIT)]
Cursor = Annotated[str | None, Query(max_length=500)]


@app.get("/songs")
def list_songs(limit: Limit = logic.DEFAULT_LIMIT, cursor: Cursor = None) -> dict[str, Any]:
    app.principal()
    return logic.list_songs(limit, cursor)


@app.get("/songs/<song_id>")
def get_song(song_id: str) -> dict[str, Any]:
    app.principal()
    return logic.get_song(song_id)


@app.get("/artists/<artist_id>")
def get_artist(artist_id: str) -> dict[str, Any]:
    app.principal()
    return logic.get_artist(artist_id)


@app.get("/albums/<album_id>")
def get_album(album_id: str) -> dict[str, Any]:
    app.principal()
    return logic.get_album(album_id)


@app.get("/videos")
def list_videos(limit: Limit = logic.DEFAULT_LIMIT, cursor: Cursor = None) -> dict[str, Any]:
    app.principal()
    return logic.list_videos(limit, cursor)


@app.get("/videos/<video_id>")
def get_video(video_id: str) -> dict[str, Any]:
    app.principal()
    return logic.get_video(video_id)


lambda_handler: Any = lambda_entry(app)
