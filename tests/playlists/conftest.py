"""Playlists test helpers: create playlists and add songs through the API."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def playlists(api: Any) -> Any:
    class Playlists:
        def create(self, user: Any, name: str = "Road trip", visibility: str = "private") -> dict[str, Any]:
            response = api.post("/playlists", json={"name": name, "visibility": visibility}, token=user.token)
            assert response.status == 201, response.body
            return response.json()

        def add(self, user: Any, playlist_id: str, song_ids: list[str], **body: Any) -> dict[str, Any]:
            response = api.post(
                f"/playlists/{playlist_id}/tracks", json={"song_ids": song_ids, **body}, token=user.token
            )
            assert response.status == 201, response.body
            return response.json()

        def get(self, user: Any, playlist_id: str, **query: Any) -> Any:
            return api.get(f"/playlists/{playlist_id}", token=user.token, query=query)

        def titles(self, user: Any, playlist_id: str) -> list[str]:
            response = self.get(user, playlist_id, limit=500)
            assert response.status == 200, response.body
            return [item["song"]["title"] for item in response.json()["tracks"]["items"]]

        def invite_editor(self, owner: Any, playlist_id: str, editor: Any) -> None:
            invite = api.post(f"/playlists/{playlist_id}/invites", token=owner.token)
            assert invite.status == 201, invite.body
            accepted = api.post(f"/playlist-invites/{invite.json()['token']}", token=editor.token)
            assert accepted.status == 200, accepted.body

    return Playlists()


@pytest.fixture
def premium_user(new_user: Any, make_premium: Any) -> Any:
    def make(**kwargs: Any) -> Any:
        user = new_user(**kwargs)
        make_premium(user.id)
        return user

    return make
