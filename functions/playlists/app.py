"""Playlists: create, read, versioned edits, collaborators, followers, the caller's playlists, the ranking."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from sauti.http import errors, http_app, lambda_entry
from sauti.models import Page
from sauti.playlists import logic
from sauti.playlists.models import (
    AddTracks,
    CreatePlaylist,
    Invite,
    MoveTracks,
    Playlist,
    PlaylistSummary,
    Ranking,
    RemoveTracks,
    TracksAdded,
    UpdatePlaylist,
    Version,
)
from sauti.playlists.settings import PlaylistsSettings
from sauti.settings import require

app = http_app()  # no public routes
require(PlaylistsSettings)

Limit = Annotated[int, Query(ge=1, le=logic.MAX_LIMIT)]
PageLimit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=500)]
Token = Annotated[str, Path(max_length=200)]


def _if_match() -> str | None:
    return app.current_event.headers.get("if-match")


def _tagged(status: int, body: Any, version: int) -> Response[Any]:
    return Response(status, "application/json", body=body, headers={"ETag": f'"{version}"'})


def _empty() -> Response[None]:
    return Response(204)


@app.post("/playlists", status_code=201, responses=errors(403))
def create_playlist(body: CreatePlaylist) -> Response[Playlist]:
    playlist = logic.create_playlist(app.principal().user_id, body)
    return _tagged(201, playlist, playlist.version)


@app.get("/me/playlists")
def my_playlists(
    relation: Annotated[Literal["owner", "editor", "follower"] | None, Query()] = None,
    limit: PageLimit = 20,
    cursor: Cursor = None,
) -> Page[PlaylistSummary]:
    return logic.my_playlists(app.principal().user_id, relation, limit, cursor)


RANKING_RESPONSE = {
    200: {
        "description": "the ranking",
        "content": {"application/json": {"model": Ranking}},
    }
}


@app.get("/playlists/top", responses=RANKING_RESPONSE)
def top_playlists(period: Annotated[Literal["day", "week", "month"], Query()] = "week") -> Response[str]:
    app.principal()
    # The job stored the ranking's JSON (a Ranking): it is served as it is, not parsed again.
    ranking = logic.top(period)
    return Response(200, "application/json", body=ranking, headers={"Cache-Control": "private, max-age=60"})


@app.get("/playlists/<playlist_id>", responses=errors(404))
def get_playlist(
    playlist_id: str, limit: Limit = logic.DEFAULT_LIMIT, cursor: Cursor = None
) -> Response[Playlist]:
    playlist = logic.get_playlist(app.principal().user_id, playlist_id, limit, cursor)
    return _tagged(200, playlist, playlist.version)


@app.patch("/playlists/<playlist_id>", responses=errors(403, 404, 412))
def update_playlist(playlist_id: str, body: UpdatePlaylist) -> Response[Playlist]:
    playlist = logic.update_playlist(app.principal().user_id, playlist_id, body, _if_match())
    return _tagged(200, playlist, playlist.version)


@app.delete("/playlists/<playlist_id>", status_code=204, responses=errors(403, 404, 412))
def delete_playlist(playlist_id: str) -> Response[None]:
    logic.delete_playlist(app.principal().user_id, playlist_id, _if_match())
    return _empty()


@app.post("/playlists/<playlist_id>/tracks", status_code=201, responses=errors(403, 404, 412))
def add_tracks(playlist_id: str, body: AddTracks) -> Response[TracksAdded]:
    added = logic.add_tracks(app.principal().user_id, playlist_id, body, _if_match())
    return _tagged(201, added, added.version)


@app.delete("/playlists/<playlist_id>/tracks", responses=errors(403, 404, 412))
def remove_tracks(playlist_id: str, body: RemoveTracks) -> Response[Version]:
    answer = logic.remove_tracks(app.principal().user_id, playlist_id, body, _if_match())
    return _tagged(200, answer, answer.version)


@app.post("/playlists/<playlist_id>/tracks/move", responses=errors(403, 404, 412))
def move_tracks(playlist_id: str, body: MoveTracks) -> Response[Version]:
    answer = logic.move_tracks(app.principal().user_id, playlist_id, body, _if_match())
    return _tagged(200, answer, answer.version)


@app.post("/playlists/<playlist_id>/invites", status_code=201, responses=errors(403, 404, 412))
def create_invite(playlist_id: str) -> Response[Invite]:
    invite = logic.create_invite(app.principal().user_id, playlist_id, _if_match())
    return Response(201, "application/json", body=invite, headers={"Cache-Control": "no-store"})


@app.delete("/playlists/<playlist_id>/invites/<invite_id>", status_code=204, responses=errors(403, 404))
def revoke_invite(playlist_id: str, invite_id: str) -> Response[None]:
    logic.revoke_invite(app.principal().user_id, playlist_id, invite_id)
    return _empty()


@app.post("/playlist-invites/<token>", responses=errors(404))
def accept_invite(token: Token) -> Response[Playlist]:
    playlist = logic.accept_invite(app.principal().user_id, token)
    return _tagged(200, playlist, playlist.version)


@app.delete(
    "/playlists/<playlist_id>/collaborators/<user_id>", status_code=204, responses=errors(403, 404, 412)
)
def remove_collaborator(playlist_id: str, user_id: str) -> Response[None]:
    logic.remove_collaborator(app.principal().user_id, playlist_id, user_id, _if_match())
    return _empty()


@app.put("/playlists/<playlist_id>/followers/me", status_code=204, responses=errors(404, 409))
def follow(playlist_id: str) -> Response[None]:
    logic.follow(app.principal().user_id, playlist_id)
    return _empty()


@app.delete("/playlists/<playlist_id>/followers/me", status_code=204, responses=errors(404))
def unfollow(playlist_id: str) -> Response[None]:
    logic.unfollow(app.principal().user_id, playlist_id)
    return _empty()


lambda_handler: Any = lambda_entry(app)
