"""Play sessions (start, heartbeat, end) and the caller's recently played songs.

The hottest function of the API: it imports only the playback logic, which signs
links locally and keeps session state in Redis.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from sauti.catalog.logic import DEFAULT_LIMIT, MAX_LIMIT
from sauti.function_url import FunctionUrlEntry
from sauti.http import http_app, lambda_entry
from sauti.playback import logic
from sauti.playback.models import EndSession, Heartbeat, StartSession

app = http_app()


@app.post("/playback/sessions")
def start_session(request: StartSession) -> Response[dict[str, Any]]:
    user = app.principal()
    session = logic.start_session(user.user_id, request.model_dump())
    return Response(201, "application/json", body=session, headers={"Cache-Control": "no-store"})


@app.post("/playback/sessions/<session_id>/heartbeat")
def heartbeat(session_id: str, report: Heartbeat) -> dict[str, Any]:
    return logic.heartbeat(app.principal().user_id, session_id, report.model_dump())


@app.post("/playback/sessions/<session_id>/end")
def end_session(session_id: str, report: EndSession) -> dict[str, Any]:
    return logic.end_session(app.principal().user_id, session_id, report.listened_ms)


@app.get("/me/recently-played")
def recently_played(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> dict[str, Any]:
    return logic.recently_played(app.principal().user_id, limit, cursor)


lambda_handler: Any = lambda_entry(app)
# HeartbeatFunction: the heartbeat through a function URL behind the front door (docs/cost.md).
HEARTBEAT_ROUTE = "POST /playback/sessions/{id}/heartbeat"
url_handler = FunctionUrlEntry(lambda_handler, (HEARTBEAT_ROUTE,))
