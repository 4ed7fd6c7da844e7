"""GET /artists/{id}/stats and GET /songs/{id}/stats: dashboards for the artist and the admins."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query

from sauti.analytics.dashboard import artist_stats, song_stats
from sauti.analytics.models import ArtistStats, Range, SongStats
from sauti.core_settings import CoreSettings, DatabaseSettings
from sauti.http import errors, http_app, lambda_entry
from sauti.settings import require

app = http_app()
require(CoreSettings, DatabaseSettings)


@app.get("/artists/<artist_id>/stats", responses=errors(403, 404))
def get_artist_stats(
    artist_id: str, range_: Annotated[Range, Query(alias="range")] = "last_30_days"
) -> ArtistStats:
    return artist_stats(app.principal(), artist_id, range_)


@app.get("/songs/<song_id>/stats", responses=errors(403, 404))
def get_song_stats(
    song_id: str, range_: Annotated[Range, Query(alias="range")] = "last_30_days"
) -> SongStats:
    return song_stats(app.principal(), song_id, range_)


lambda_handler: Any = lambda_entry(app)
