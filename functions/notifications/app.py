"""Push tokens, notification preferences, followed artists, and the one-click unsubscribe link."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from sauti.http import Cursor, errors, http_app, lambda_entry
from sauti.notifications import logic
from sauti.notifications.models import (
    MAX_TOKEN_LENGTH,
    FollowedArtistPage,
    Preferences,
    PreferencesChange,
    PushToken,
    RegisterPushToken,
)
from sauti.notifications.settings import NotificationsSettings
from sauti.paging import MAX_LIMIT
from sauti.settings import require

UNSUBSCRIBE = "POST /notifications/unsubscribe"
PUBLIC = (UNSUBSCRIBE,)
app = http_app(public=PUBLIC)
require(NotificationsSettings)

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
TokenPath = Annotated[str, Path(max_length=MAX_TOKEN_LENGTH)]
IdPath = Annotated[str, Path(max_length=100)]


@app.post(
    "/me/push-tokens", status_code=201, responses={200: {"description": "already registered"}, **errors(409)}
)
def register_push_token(body: RegisterPushToken) -> Response[PushToken]:
    token, created = logic.register_push_token(app.principal(), body)
    return Response(201 if created else 200, "application/json", body=token)


@app.delete("/me/push-tokens/<token>", status_code=204)
def delete_push_token(token: TokenPath) -> Response[None]:
    logic.delete_push_token(app.principal(), token)
    return Response(204)


@app.get("/me/notification-preferences")
def get_preferences() -> Preferences:
    return logic.get_preferences(app.principal())


@app.put("/me/notification-preferences")
def put_preferences(body: PreferencesChange) -> Preferences:
    return logic.update_preferences(app.principal(), body)


@app.put("/me/following/artists/<artist_id>", status_code=204, responses=errors(404))
def follow_artist(artist_id: IdPath) -> Response[None]:
    logic.follow_artist(app.principal(), artist_id)
    return Response(204)


@app.delete("/me/following/artists/<artist_id>", status_code=204)
def unfollow_artist(artist_id: IdPath) -> Response[None]:
    logic.unfollow_artist(app.principal(), artist_id)
    return Response(204)


@app.get("/me/following/artists")
def followed_artists(limit: Limit = 50, cursor: Cursor = None) -> FollowedArtistPage:
    return logic.followed_artists(app.principal(), limit, cursor)


@app.post("/notifications/unsubscribe", status_code=204, responses=errors(404))
def unsubscribe(token: Annotated[str, Query(max_length=1000)]) -> Response[None]:
    logic.unsubscribe(token)
    return Response(204)


_entry = lambda_entry(app)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event.get("routeKey") == UNSUBSCRIBE:
        # Mail providers post RFC 8058's form body ("List-Unsubscribe=One-Click"); the link says it all.
        event = {**event, "body": None, "isBase64Encoded": False}
    return _entry(event, context)
