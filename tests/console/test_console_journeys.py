"""The console as its people use it, in headless Chromium against the local stack and the real API."""

from __future__ import annotations

import re
from typing import Any

import requests

from helpers import AUDIO


def _song_id(page: Any) -> str:
    match = re.search(r"#/songs/([^/]+)/show", page.url)
    assert match, page.url
    return match[1]


def test_a_content_manager_creates_an_artist_and_a_song_uploads_its_audio_publishes_and_it_plays(
    page, person, sign_in, screenshot, api, new_user, edge
):
    sign_in(page, person("content_manager"))
    page.get_by_text("Create an artist").wait_for()
    screenshot(page, "home")

    page.get_by_role("link", name="Create an artist").click()
    page.get_by_label("Name").fill("Zawadi Strings")
    page.get_by_label("Bio").fill("Taarab from Zanzibar")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Add a song").click()
    page.get_by_label("Title").fill("Upepo wa Kusi")
    page.get_by_label("Duration (seconds)").fill("215")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("draft", exact=True).wait_for()
    song_id = _song_id(page)

    page.get_by_role("button", name="Publish").click()  # no audio yet: the API says why not, in words
    refusal = page.get_by_role("alert").first
    refusal.wait_for()
    assert "{" not in refusal.inner_text() and refusal.inner_text().strip()

    page.get_by_label("Audio file").set_input_files({"name": "take.wav", "mimeType": "audio/wav", "buffer": AUDIO})
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("The normal rendition is stored.").wait_for()
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Upepo wa Kusi is published.").wait_for()
    page.get_by_text("published", exact=True).wait_for()
    screenshot(page, "song")

    listener = new_user()
    started = api.post("/playback/sessions", json={"song_id": song_id}, token=listener.token)
    assert started.status == 201, started.body
    played = requests.get(started.json()["stream"]["url"], timeout=5)
    assert played.status_code == 200 and played.content == AUDIO
