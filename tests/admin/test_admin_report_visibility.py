"""A report names only what its reporter may see: a private playlist, a draft song or video of
someone else answers exactly as an id that does not exist."""

from __future__ import annotations

import uuid

from helpers import assert_problem


def _report(api, user, target_type, target_id):
    body = {"target_type": target_type, "target_id": target_id, "reason": "offensive"}
    return api.post("/reports", json=body, token=user.token)


def _same_answer(unknown, hidden):
    assert (hidden.status, hidden.json()) == (unknown.status, unknown.json())


def test_someone_elses_private_playlist_answers_like_an_unknown_id(api, new_user):
    owner, reporter = new_user(), new_user()
    private = api.post("/playlists", json={"name": "Mine", "visibility": "private"}, token=owner.token).json()

    hidden = _report(api, reporter, "playlist", private["id"])
    unknown = _report(api, reporter, "playlist", str(uuid.uuid4()))

    assert_problem(unknown, 404, "target_not_found")
    _same_answer(unknown, hidden)


def test_an_editor_may_report_a_private_playlist_they_edit(api, new_user):
    owner, editor = new_user(), new_user()
    private = api.post("/playlists", json={"name": "Ours", "visibility": "private"}, token=owner.token).json()
    invite = api.post(f"/playlists/{private['id']}/invites", token=owner.token).json()
    assert api.post(f"/playlist-invites/{invite['token']}", token=editor.token).status in (200, 201, 204)

    assert _report(api, editor, "playlist", private["id"]).status == 202


def test_a_draft_song_answers_like_an_unknown_id(api, new_user, catalog):
    reporter = new_user()
    draft = catalog.song("Unreleased", status="draft")

    _same_answer(_report(api, reporter, "song", str(uuid.uuid4())), _report(api, reporter, "song", draft))
    assert _report(api, reporter, "song", catalog.song("Released")).status == 202
