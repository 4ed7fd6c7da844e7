"""Play sessions (start, heartbeat, end) and the caller's recently played songs.

The hottest function of the API: it imports only the playback logic, which signs
links locally and keeps session state in Redis.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from sauti import paging
from sauti.analytics.settings import AnalyticsSettings
from sauti.billing.settings import BillingSettings
from sauti.core_settings import CoreSettings, DatabaseSettings
from sauti.function_url import FunctionUrlEntry
from sauti.http import Cursor, Limit, errors, http_app, lambda_entry
from sauti.playback import logic
from sauti.playback.models import (
    EndSession,
    Heartbeat,
    HeartbeatAnswer,
    PlayEnded,
    PlaySession,
    RecentPlayPage,
    StartSession,
)
from sauti.playback.settings import PlaybackSettings
from sauti.settings import require
from sauti.signing.settings import MediaSettings, StreamSettings

app = http_app()
require(
    CoreSettings,
    DatabaseSettings,
    MediaSettings,
    StreamSettings,
    BillingSettings,
    AnalyticsSettings,
    PlaybackSettings,
)


@app.post("/playback/sessions", status_code=201, responses=errors(404))
def start_session(request: StartSession) -> Response[PlaySession]:
    session = logic.start_session(app.principal().user_id, request.model_dump())
    return Response(201, "application/json", body=session, headers={"Cache-Control": "no-store"})


@app.post("/playback/sessions/<session_id>/heartbeat", responses=errors(404))
def heartbeat(session_id: str, report: Heartbeat) -> HeartbeatAnswer:
    return logic.heartbeat(app.principal().user_id, session_id, report.model_dump())


@app.post("/playback/sessions/<session_id>/end", responses=errors(404))
def end_session(session_id: str, report: EndSession) -> PlayEnded:
    return logic.end_session(app.principal().user_id, session_id, report.listened_ms)


@app.get("/me/recently-played")
def recently_played(limit: Limit = paging.DEFAULT_LIMIT, cursor: Cursor = None) -> RecentPlayPage:
    return logic.recently_played(app.principal().user_id, limit, cursor)


lambda_handler: Any = lambda_entry(app)
# HeartbeatFunction: the heartbeat through a function URL behind the front door (docs/cost.md).
HEARTBEAT_ROUTE = "POST /playback/sessions/{id}/heartbeat"
url_handler = FunctionUrlEntry(lambda_handler, (HEARTBEAT_ROUTE,))
