"""The console as its people use it, in headless Chromium against the local stack and the real API."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from helpers import AUDIO, put_object


def _song_id(page: Any) -> str:
    match = re.search(r"#/songs/([^/]+)/show", page.url)
    assert match, page.url
    return match[1]


def test_a_content_manager_creates_an_artist_and_a_song_uploads_its_audio_publishes_and_it_plays(
    page, person, sign_in, screenshot, api, new_user, edge
):
    refused = []  # the console works under its strict Content-Security-Policy: nothing is refused
    page.on("console", lambda line: "Content Security Policy" in line.text and refused.append(line.text))
    sign_in(page, person("content_manager"))
    page.get_by_text("Create an artist").wait_for()
    screenshot(page, "home")

    page.get_by_role("link", name="Create an artist").click()
    page.get_by_label("Name").fill("Zawadi Strings")
    page.get_by_label("Bio").fill("Taarab from Zanzibar")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Add an album").click()
    page.get_by_label("Title").fill("Pwani")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Add a song to this album").wait_for()
    album_id = re.search(r"#/albums/([^/]+)/show", page.url)[1]  # type: ignore[index]
    page.get_by_role("link", name="Add a song to this album").click()
    page.get_by_label("Title").fill("Upepo wa Kusi")
    page.get_by_label("Duration (seconds)").fill("215")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("draft", exact=True).wait_for()
    song_id = _song_id(page)

    page.get_by_role("button", name="Publish").click()  # no audio yet: the API says why not, in words
    refusal = page.get_by_role("alert").first
    refusal.wait_for()
    assert "{" not in refusal.inner_text() and refusal.inner_text().strip()

    page.get_by_label("Audio file").set_input_files(
        {"name": "take.wav", "mimeType": "audio/wav", "buffer": AUDIO}
    )
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("The normal rendition is stored.").wait_for()
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Upepo wa Kusi is published.").wait_for()
    page.get_by_text("published", exact=True).wait_for()
    screenshot(page, "song")
    page.get_by_role("menuitem", name="Songs").click()
    page.get_by_role("cell", name="Upepo wa Kusi").wait_for()
    screenshot(page, "songs")

    listener = new_user()
    started = api.post("/playback/sessions", json={"song_id": song_id}, token=listener.token)
    assert started.status == 201, started.body
    played = requests.get(started.json()["stream"]["url"], timeout=5)
    assert played.status_code == 200 and played.content == AUDIO
    album = api.get(f"/albums/{album_id}", token=listener.token).json()
    assert album["title"] == "Pwani" and [song["id"] for song in album["songs"]] == [song_id]
    assert refused == []


def test_a_content_manager_creates_a_video_uploads_it_to_stream_retrying_once_and_publishes_it(
    page, person, sign_in, screenshot, api, new_user, catalog, stream
):
    video = b"\x00\x00\x00\x18ftypmp42" * 2000
    stream.refuse_next_uploads = 1  # the first attempt fails, as on a slow link
    sign_in(page, person("content_manager"))
    page.get_by_text("Create an artist").wait_for()
    page.goto(f"{page.console_url}/#/artists/{catalog.artist_id}/show")
    page.get_by_role("link", name="Add a video").click()
    page.get_by_label("Title").fill("Upepo (live)")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Processing: waiting for the upload").wait_for()
    video_id = re.search(r"#/videos/([^/]+)/show", page.url)[1]  # type: ignore[index]

    page.get_by_label("Video file").set_input_files(
        {"name": "live.mp4", "mimeType": "video/mp4", "buffer": video}
    )
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("Stream refused the file (500): try again.").wait_for()
    page.get_by_role("button", name="Retry upload").click()
    page.get_by_text("Ready: Stream has encoded it (184 s).").wait_for()
    screenshot(page, "video")
    assert [upload["bytes"] for upload in stream.uploads.values()][-1] > len(
        video
    )  # multipart, the whole file

    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Upepo (live) is published.").wait_for()
    assert api.get(f"/videos/{video_id}", token=new_user().token).status == 200


def test_a_content_manager_adds_an_ad_to_the_inventory_with_its_audio(page, person, sign_in, screenshot, api):
    manager = person("content_manager")
    for n in range(26):  # a page and one: paging on the API's cursor says what is shown, never a total
        ad = {"title": f"Spot {n}", "advertiser": "Earlier", "duration_ms": 10000}
        assert api.post("/admin/ads", json=ad, token=manager.token).status == 201
    sign_in(page, manager)
    page.get_by_role("menuitem", name="Ads").click()
    page.get_by_text("1-25, more after").wait_for()
    page.get_by_role("button", name="Next").click()
    page.get_by_text("26, the last").wait_for()
    page.get_by_role("link", name="Create").click()
    page.get_by_role("textbox", name="Title").fill("Chai ya Asubuhi")
    page.get_by_label("Advertiser").fill("Kahawa Ltd")
    page.get_by_label("Duration (ms)").fill("15000")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("None yet: the ad is not served until it has audio.").wait_for()
    ad_id = re.search(r"#/ads/([^/]+)/show", page.url)[1]  # type: ignore[index]

    page.get_by_label("Ad audio file").set_input_files(
        {"name": "ad.wav", "mimeType": "audio/wav", "buffer": AUDIO}
    )
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("The ad's audio is stored.").wait_for()
    page.get_by_text("Replace the audio").wait_for()
    screenshot(page, "ad")
    stored = api.get(f"/admin/ads/{ad_id}", token=manager.token).json()
    assert stored["object_key"] and stored["advertiser"] == "Kahawa Ltd" and stored["weight"] == 1


def _jsonl(*lines: Any) -> bytes:
    return "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines).encode()


def test_a_content_manager_imports_a_catalog_sees_every_refused_line_then_the_refs_created(
    page, person, sign_in, screenshot, api
):
    artist = {"type": "artist", "ref": "imp-a1", "name": "Nyota Band"}
    song = {"type": "song", "ref": "imp-s1", "artist": "imp-a1", "title": "Kesho", "duration_ms": 200000}
    draft = {**song, "ref": "imp-s2", "title": "Jana", "status": "draft"}
    manager = person("content_manager")
    sign_in(page, manager)
    page.get_by_role("menuitem", name="Import").click()

    page.get_by_label("JSON Lines file").set_input_files(
        {
            "name": "bad.jsonl",
            "mimeType": "application/x-ndjson",
            "buffer": _jsonl(artist, song, "{oops", draft),
        }
    )
    page.get_by_role("button", name="Import").click()
    page.get_by_text("Nothing was imported: 2 lines were refused.").wait_for()
    refused = page.get_by_role("table", name="Refused lines").get_by_role("row")
    assert [refused.nth(n).get_by_role("cell").first.inner_text() for n in (1, 2)] == ["2", "3"]
    assert "rendition" in refused.nth(1).inner_text()
    screenshot(page, "import-refused")

    # The label stages its audio in the song's namespace of the bucket first (docs/catalog-import.md).
    put_object("audio/imp-s1/normal.m4a")
    rendition = {
        "quality": "normal",
        "codec": "aac",
        "bitrate_kbps": 128,
        "object_key": "audio/imp-s1/normal.m4a",
    }
    page.get_by_label("JSON Lines file").set_input_files(
        {
            "name": "good.jsonl",
            "mimeType": "application/x-ndjson",
            "buffer": _jsonl(artist, {**song, "renditions": [rendition]}, draft),
        }
    )
    page.get_by_role("button", name="Import again").click()
    page.get_by_text("Imported 1 artist, 0 albums and 2 songs.").wait_for()
    created = page.get_by_role("table", name="Refs created")
    created.get_by_role("cell", name="imp-s2").wait_for()
    screenshot(page, "import")
    row = created.get_by_role("row").filter(has_text="imp-s1")
    song_id = row.get_by_role("link").inner_text()
    assert api.get(f"/songs/{song_id}", token=manager.token).json()["title"] == "Kesho"
    row.get_by_role("link").click()
    page.get_by_text("published", exact=True).wait_for()


def _answer_prompts(page: Any, text: str) -> None:
    page.on("dialog", lambda dialog: dialog.accept(text))


def test_a_moderator_answers_a_report_with_a_takedown_and_the_song_stops_being_served(
    page, person, sign_in, screenshot, api, new_user, catalog
):
    song_id = catalog.song("Mvua ya Mawe")
    listener = new_user()
    filed = api.post(
        "/reports",
        json={"target_type": "song", "target_id": song_id, "reason": "copyright"},
        token=listener.token,
    )
    assert filed.status == 202, filed.body
    assert api.post("/playback/sessions", json={"song_id": song_id}, token=listener.token).status == 201

    sign_in(page, person("moderator"))
    page.get_by_role("menuitem", name="Reports").click()
    page.get_by_text("copyright").wait_for()
    screenshot(page, "reports")
    _answer_prompts(page, "Label confirmed the claim")
    page.get_by_role("button", name="Take down").click()
    page.get_by_text("Report answered: the target is taken out.").wait_for()

    assert api.post("/playback/sessions", json={"song_id": song_id}, token=listener.token).status == 404


def test_a_super_admin_grants_and_revokes_a_role_and_reads_it_in_the_audit_log(
    page, person, sign_in, screenshot, api
):
    admin = person("super_admin")
    colleague = person(name="New Colleague")
    sign_in(page, admin)
    page.get_by_role("menuitem", name="Accounts").click()
    page.get_by_label("Email").fill(colleague.email)
    row = page.get_by_role("row").filter(has_text=colleague.email)
    row.get_by_label("Grant role").click()
    page.get_by_role("option", name="moderator").click()
    row.get_by_role("button", name="Grant").click()
    page.get_by_text(f"{colleague.email} is now moderator.").wait_for()
    screenshot(page, "accounts")
    assert _roles(api, admin, colleague) == ["moderator"]

    row.get_by_role("button", name="Revoke moderator").locator(".MuiChip-deleteIcon").click()
    page.get_by_text(f"{colleague.email} is no longer moderator.").wait_for()
    assert _roles(api, admin, colleague) == []

    page.get_by_role("menuitem", name="Audit log").click()
    page.get_by_text("user.revoke_role").wait_for()
    page.get_by_text("user.grant_role").click()  # opens the entry: before and after side by side
    page.get_by_text("Before").wait_for()
    page.get_by_text("After").wait_for()
    screenshot(page, "audit-log")
    today = datetime.now(UTC).date()
    page.get_by_label("From (UTC day)").fill((today + timedelta(days=1)).isoformat())
    page.get_by_text("user.revoke_role").wait_for(state="hidden")
    page.get_by_label("From (UTC day)").fill(today.isoformat())
    page.get_by_label("To (UTC day)").fill(today.isoformat())
    page.get_by_text("user.revoke_role").wait_for()


def _roles(api: Any, admin: Any, who: Any) -> list[str]:
    found = api.get("/admin/users", query={"email": who.email}, token=admin.token)
    assert found.status == 200, found.body
    return found.json()["items"][0]["roles"]


def test_an_artist_sees_plots_of_the_seeded_plays_and_downloads_the_csv(
    page, person, sign_in, screenshot, api, catalog
):
    from sauti.analytics.rollup import catch_up
    from sauti.search.indexing import reindex
    from sauti_dev import sql

    songs = [catalog.song("Bahari"), catalog.song("Jua Kali")]
    sql.execute(
        """INSERT INTO plays (played_at, user_id, song_id, listened_ms, source)
           SELECT date_trunc('day', now()) - make_interval(days => d) + interval '12 hours',
                  md5('listener' || n)::uuid, (%(songs)s::uuid[])[1 + n %% 2], 60000, 'console-test'
           FROM generate_series(1, 10) AS d, generate_series(1, 3 + d) AS n""",
        {"songs": songs},
    )
    catch_up()
    reindex()
    owner = person("artist", name="Amani")
    linked = api.put(
        f"/admin/artists/{catalog.artist_id}/account",
        json={"email": owner.email},
        token=person("super_admin").token,
    )
    assert linked.status == 200, linked.body
    stats = api.get(f"/artists/{catalog.artist_id}/stats", token=owner.token).json()
    assert stats["total_plays"] == sum(3 + d for d in range(1, 11))

    sign_in(page, owner)
    page.get_by_role("menuitem", name="Artist dashboard").click()
    page.get_by_label("Artist name").fill("Amani Wave")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("button", name="Amani Wave").click()
    page.get_by_text(f"{stats['total_plays']} counted plays through {stats['through']}").wait_for()
    page.locator(".recharts-line").first.wait_for()
    page.locator(".recharts-bar-rectangle").first.wait_for()
    screenshot(page, "artist-dashboard")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0] == "day,plays"
    shown = {line.split(",")[0]: int(line.split(",")[1]) for line in lines[1 : lines.index("")]}
    assert shown == {day["date"]: day["plays"] for day in stats["daily"]}
    assert {line for line in lines if line.startswith(("Bahari,", "Jua Kali,"))} == {
        f"{song['title']},{song['plays']}" for song in stats["top_songs"]
    }


def test_a_moderator_is_not_offered_super_admin_actions(page, person, sign_in):
    colleague = person("content_manager")
    sign_in(page, person("moderator"))
    page.get_by_role("menuitem", name="Accounts").click()
    page.get_by_label("Email").fill(colleague.email)
    row = page.get_by_role("row").filter(has_text=colleague.email)
    row.get_by_text("content_manager", exact=True).wait_for()
    assert row.get_by_label("Grant role").count() == 0
    assert row.get_by_role("button", name="Revoke content_manager").count() == 0
    assert row.get_by_role("button", name="Suspend").count() == 1  # what a moderator may do is offered
    assert page.get_by_role("link", name="Create an artist").count() == 0
    assert page.get_by_role("menuitem", name="Import").count() == 0


def test_a_listener_cannot_open_the_console(page, person, sign_in, screenshot):
    sign_in(page, person())
    page.get_by_text("This account has no access to the console").wait_for()
    screenshot(page, "login-refused")
    page.goto(page.console_url + "/#/songs")
    page.get_by_role("button", name="Sign in").wait_for()
