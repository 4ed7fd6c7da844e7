"""The demo seed: idempotent, and its songs are real audio a player can fetch through the local edge."""

from __future__ import annotations

import importlib
import io
import wave

import requests


def test_the_seed_is_idempotent_and_its_songs_play_through_the_edge(api, new_user, edge):
    from sauti_dev import sql

    seed = importlib.import_module("sauti_dev.seeds.20_catalog").seed
    seed()
    seed()

    counts = sql.fetch_one(
        """SELECT (SELECT count(*) FROM songs WHERE status = 'published') AS songs,
                  (SELECT count(*) FROM videos) AS videos, (SELECT count(*) FROM ads) AS ads"""
    )
    assert counts == {"songs": 6, "videos": 2, "ads": 2}
    user = new_user()
    song = api.get("/songs", token=user.token, query={"limit": 1}).json()["items"][0]
    session = api.post("/playback/sessions", json={"song_id": song["id"]}, token=user.token).json()

    audio = requests.get(session["stream"]["url"], timeout=5)
    assert audio.status_code == 200
    with wave.open(io.BytesIO(audio.content)) as played:
        assert played.getnframes() / played.getframerate() == 32
    assert requests.get(session["ads"]["ad"]["url"], timeout=5).status_code == 200
