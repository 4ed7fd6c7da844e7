"""Catalog management end to end: a draft song uploaded to R2 (moto) and played through the local edge;
a video uploaded through the Stream fake and made ready by its signed webhook."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import requests

from helpers import assert_problem

AUDIO = b"ID3\x04" + bytes(range(256)) * 40


def _draft_song(api, manager, catalog, **extra):
    created = api.post(
        "/admin/songs",
        json={"artist_id": catalog.artist_id, "title": "Pwani Dawn", "duration_ms": 215000, **extra},
        token=manager.token,
    )
    assert created.status == 201, created.body
    return created.json()


def _upload(api, manager, song_id, data=AUDIO, content_type="audio/mpeg", quality="high"):
    ticket = api.post(
        f"/admin/songs/{song_id}/uploads",
        json={"quality": quality, "content_type": content_type, "size_bytes": len(data)},
        token=manager.token,
    )
    assert ticket.status == 201, ticket.body
    return ticket.json()


def test_a_draft_song_uploaded_to_r2_confirmed_and_published_plays_through_the_edge(
    api, admins, new_user, catalog, edge, audit_entries
):
    manager = admins["content_manager"]
    song = _draft_song(api, manager, catalog)
    assert song["status"] == "draft"
    listener = new_user()
    assert_problem(api.get(f"/songs/{song['id']}", token=listener.token), 404)

    ticket = _upload(api, manager, song["id"])
    assert ticket["method"] == "PUT" and ticket["object_key"].startswith(f"audio/{song['id']}/high/")
    signed = parse_qs(urlparse(ticket["url"]).query)
    assert signed["X-Amz-SignedHeaders"] == ["content-length;content-type;host"]
    assert int(signed["X-Amz-Expires"][0]) <= 900
    confirm = {"object_key": ticket["object_key"], "codec": "mp3", "bitrate_kbps": 320}
    assert_problem(
        api.put(f"/admin/songs/{song['id']}/renditions/high", json=confirm, token=manager.token),
        409,
        "upload_missing",
    )
    assert_problem(api.post(f"/admin/songs/{song['id']}/publish", token=manager.token), 409, "not_ready")

    put = requests.put(ticket["url"], data=AUDIO, headers=ticket["headers"], timeout=10)
    assert put.status_code == 200, put.text
    confirmed = api.put(f"/admin/songs/{song['id']}/renditions/high", json=confirm, token=manager.token)
    assert confirmed.status == 200, confirmed.body
    assert confirmed.json()["renditions"][0]["size_bytes"] == len(AUDIO)
    published = api.post(f"/admin/songs/{song['id']}/publish", token=manager.token)
    assert published.status == 200 and published.json()["status"] == "published"

    started = api.post("/playback/sessions", json={"song_id": song["id"]}, token=listener.token)
    assert started.status == 201, started.body
    fetched = requests.get(started.json()["stream"]["url"], timeout=10)
    assert fetched.status_code == 200 and fetched.content == AUDIO
    actions = [entry["action"] for entry in audit_entries(song["id"])]
    assert actions == ["song.create", "song.upload_url", "song.rendition", "song.publish"]
    assert {entry["actor_id"] for entry in audit_entries(song["id"])} == {manager.id}


def test_a_rendition_whose_object_differs_from_what_was_announced_is_refused(api, admins, catalog, stack):
    manager = admins["content_manager"]
    song = _draft_song(api, manager, catalog)
    ticket = _upload(api, manager, song["id"], quality="normal")
    requests.put(ticket["url"], data=AUDIO[:100], headers={"Content-Type": "audio/mpeg"}, timeout=10)

    refused = api.put(
        f"/admin/songs/{song['id']}/renditions/normal",
        json={"object_key": ticket["object_key"], "codec": "mp3", "bitrate_kbps": 128},
        token=manager.token,
    )
    assert_problem(refused, 409, "upload_missing")
    other_quality = api.put(
        f"/admin/songs/{song['id']}/renditions/low",
        json={"object_key": ticket["object_key"], "codec": "mp3", "bitrate_kbps": 128},
        token=manager.token,
    )
    assert_problem(other_quality, 409, "upload_missing")


def test_a_video_uploaded_through_stream_becomes_ready_by_its_signed_webhook_then_publishes_and_plays(
    api, admins, new_user, catalog, stream, audit_entries
):
    manager = admins["content_manager"]
    created = api.post(
        "/admin/videos", json={"artist_id": catalog.artist_id, "title": "Pwani (video)"}, token=manager.token
    )
    assert created.status == 201, created.body
    video, upload = created.json()["video"], created.json()["upload"]
    assert video["status"] == "draft" and not video["ready"]
    assert stream.requests[-1]["requireSignedURLs"] is True and stream.requests[-1]["maxDurationSeconds"] > 0
    assert_problem(api.post(f"/admin/videos/{video['id']}/publish", token=manager.token), 409, "not_ready")

    forged_body, headers = stream.signed(stream.notification(video["stream_uid"]))
    forged = api.request(
        "POST",
        "/webhooks/stream",
        body=forged_body,
        headers={
            **headers,
            "webhook-signature": headers["webhook-signature"][:-1]
            + ("1" if headers["webhook-signature"][-1] == "0" else "0"),
        },
    )
    assert_problem(forged, 400)
    stale_body, stale_headers = stream.signed(stream.notification(video["stream_uid"]), timestamp=1_000_000)
    assert_problem(api.request("POST", "/webhooks/stream", body=stale_body, headers=stale_headers), 400)
    assert api.get(f"/admin/videos/{video['id']}", token=manager.token).json()["ready"] is False

    uploaded = requests.post(upload["url"], data=b"\x00\x00\x00\x18ftypmp42" * 100, timeout=10)
    assert uploaded.status_code == 200
    assert stream.delivered[-1].status == 200, stream.delivered[-1].body
    ready = api.get(f"/admin/videos/{video['id']}", token=manager.token).json()
    assert ready["ready"] and ready["duration_ms"] == 184200 and ready["thumbnail_url"]

    replay = api.request(
        "POST",
        "/webhooks/stream",
        body=stale_body.replace(b"184.2", b"5.0"),
        headers=stream.signed(stream.notification(video["stream_uid"]))[1],
    )
    assert_problem(replay, 400)  # a changed body does not match its signature
    again = api.request("POST", "/webhooks/stream", body=forged_body, headers=headers)
    assert again.status == 200 and again.json()["applied"] is False  # the same notification again

    assert api.post(f"/admin/videos/{video['id']}/publish", token=manager.token).status == 200
    listener = new_user()
    started = api.post("/playback/sessions", json={"video_id": video["id"]}, token=listener.token)
    assert started.status == 201, started.body
    assert "cloudflarestream.com" in started.json()["stream"]["url"]
    assert [e["action"] for e in audit_entries(video["id"])] == [
        "video.create",
        "video.ready",
        "video.publish",
    ]
    ready_entry = audit_entries(video["id"], "video.ready")[0]
    assert ready_entry["actor_id"] is None and ready_entry["system_actor"] == "stream_webhook"
    shown = api.get(
        "/admin/audit-log", query={"action": "video.ready"}, token=admins["super_admin"].token
    ).json()["items"]
    assert [(e["actor_id"], e["system_actor"]) for e in shown] == [(None, "stream_webhook")]
    by_system = api.get(
        "/admin/audit-log", query={"actor": "stream_webhook"}, token=admins["super_admin"].token
    ).json()["items"]
    assert [e["action"] for e in by_system] == ["video.ready"]


def test_an_ad_gets_its_audio_like_a_song_and_is_served_once_active(api, admins, catalog, stack):
    manager = admins["content_manager"]
    created = api.post(
        "/admin/ads",
        json={"title": "Chai Time", "advertiser": "Kettle Co", "duration_ms": 15000, "weight": 3},
        token=manager.token,
    )
    assert created.status == 201, created.body
    ad = created.json()
    from sauti.catalog import logic

    assert ad["id"] not in {item["id"] for item in logic.active_ads()}
    ticket = api.post(
        f"/admin/ads/{ad['id']}/uploads",
        json={"content_type": "audio/mpeg", "size_bytes": len(AUDIO)},
        token=manager.token,
    ).json()
    requests.put(ticket["url"], data=AUDIO, headers=ticket["headers"], timeout=10)
    audio = api.put(
        f"/admin/ads/{ad['id']}/audio", json={"object_key": ticket["object_key"]}, token=manager.token
    )
    assert audio.status == 200, audio.body
    assert ad["id"] in {item["id"] for item in logic.active_ads()}

    paused = api.patch(f"/admin/ads/{ad['id']}", json={"active": False}, token=manager.token)
    assert paused.status == 200 and paused.json()["active"] is False
    assert ad["id"] not in {item["id"] for item in logic.active_ads()}
    listed = api.get("/admin/ads", token=manager.token).json()
    assert [item["id"] for item in listed["items"]] == [ad["id"]]
