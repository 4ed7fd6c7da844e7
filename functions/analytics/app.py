"""GET /artists/{id}/stats and GET /songs/{id}/stats: dashboards for the artist and the admins."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query

from sauti.analytics.dashboard import Range, artist_stats, song_stats
from sauti.core_settings import CoreSettings, DatabaseSettings
from sauti.http import http_app, lambda_entry
from sauti.settings import require

app = http_app()
require(CoreSettings, DatabaseSettings)


@app.get("/artists/<artist_id>/stats")
def get_artist_stats(
    artist_id: str, range_: Annotated[Range, Query(alias="range")] = "last_30_days"
) -> dict[str, Any]:
    return artist_stats(app.principal(), artist_id, range_)


@app.get("/songs/<song_id>/stats")
def get_song_stats(
    song_id: str, range_: Annotated[Range, Query(alias="range")] = "last_30_days"
) -> dict[str, Any]:
    return song_stats(app.principal(), song_id, range_)


lambda_handler: Any = lambda_entry(app)
