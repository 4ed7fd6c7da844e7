"""GET and PUT /me/player: the queue and position that follow a person from device to device."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from sauti.http import ETAG, IfMatch, errors, http_app, lambda_entry
from sauti.player import logic
from sauti.player.models import PlayerState, PlayerStateIn

app = http_app()  # no public routes


def _with_etag(state: PlayerState) -> Response[PlayerState]:
    return Response(200, "application/json", body=state, headers={"ETag": f'"{state.version}"'})


VERSIONED: dict[int, Any] = {200: {"description": "the saved state", "headers": ETAG}}


@app.get("/me/player", responses={**VERSIONED, **errors(404)})
def get_player() -> Response[PlayerState]:
    return _with_etag(logic.get_player(app.principal().user_id))


@app.put("/me/player", responses={**VERSIONED, **errors(412)})
def put_player(body: PlayerStateIn, if_match: IfMatch = None) -> Response[PlayerState]:
    return _with_etag(logic.save_player(app.principal().user_id, body, if_match))


lambda_handler: Any = lambda_entry(app)
