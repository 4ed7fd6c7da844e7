"""Play sessions through the API: links the local edge serves, plans, ads, one stream, the 30-second rule."""

from __future__ import annotations

import jwt
import pytest
import requests

from helpers import assert_problem


def _rewind(session_id: str, seconds: float) -> None:
    """Make the session look as if it started ``seconds`` earlier (what the server saw is all in Redis)."""
    from sauti.cache import redis_client
    from sauti.playback.sessions import session_key

    key = session_key(session_id)
    for field in ("started_at", "last_seen_at", "stopped_at"):
        value = redis_client().hget(key, field)
        if value:
            redis_client().hset(key, field, repr(float(value) - seconds))


def _heartbeat(api, user, session_id, app_state="foreground", state="playing"):
    return api.post(
        f"/playback/sessions/{session_id}/heartbeat",
        json={"position_ms": 1000, "state": state, "app_state": app_state},
        token=user.token,
    )


def test_a_session_link_serves_the_bytes_through_the_edge_also_as_a_range(
    api, new_user, catalog, edge, start, audio
):
    song_id = catalog.song()
    user = new_user()

    started = start(user, song_id=song_id)

    assert started.status == 201, started.body
    url = started.json()["stream"]["url"]
    assert url.startswith(edge + "/audio/") and "?verify=" in url
    whole = requests.get(url, timeout=5)
    assert whole.status_code == 200 and whole.content == audio
    part = requests.get(url, headers={"Range": "bytes=4-99"}, timeout=5)
    assert part.status_code == 206
    assert part.content == audio[4:100]
    assert part.headers["content-range"] == f"bytes 4-99/{len(audio)}"


def test_the_edge_refuses_a_changed_path_a_changed_token_no_token_and_an_expired_token(catalog, edge):
    from sauti.catalog import logic
    from sauti.signing import links

    key = logic.song(catalog.song())["renditions"]["high"]["object_key"]
    url = links.sign_object(key).url
    assert requests.get(url, timeout=5).status_code == 200

    path, _, token = url.partition("?verify=")
    tampered_path = path[:-1] + ("x" if path[-1] != "x" else "y") + "?verify=" + token
    tampered_token = url[:-1] + ("A" if url[-1] != "A" else "B")
    expired = links.sign_object(key, now=__import__("time").time() - 3600).url
    for refused in (tampered_path, tampered_token, path, expired):
        assert requests.get(refused, timeout=5).status_code == 403, refused


def test_a_taken_down_or_unpublished_song_cannot_be_started(api, new_user, catalog, start):
    from sauti.catalog import logic

    user = new_user()
    song_id = catalog.song()
    assert start(user, song_id=song_id).status == 201

    logic.set_song_status(song_id, "taken_down")

    assert_problem(start(user, song_id=song_id), 404)
    assert_problem(start(user, song_id=catalog.song(status="draft")), 404)
    assert_problem(start(user, song_id="not-a-uuid"), 404)


def test_a_free_user_gets_no_background_play_a_capped_quality_and_an_ad_every_few_songs(
    api, new_user, catalog, start, edge
):
    catalog.ad()
    song_id = catalog.song()
    user = new_user()

    sessions = [start(user, song_id=song_id, quality="high").json() for _ in range(4)]

    first = sessions[0]
    assert first["background_allowed"] is False
    assert first["stream"]["quality"] == "normal"  # free plans stop at normal
    assert first["ads"]["position"] == "pre_roll"
    assert first["ads"]["ad"]["title"] == "Chai ya Asubuhi"
    assert requests.get(first["ads"]["ad"]["url"], timeout=5).status_code == 200
    assert [s["ads"] is not None for s in sessions] == [True, False, False, True]


def test_a_premium_user_gets_background_play_the_high_quality_and_no_ads(
    api, new_user, make_premium, catalog, start
):
    catalog.ad()
    song_id = catalog.song()
    user = new_user()
    make_premium(user.id)

    session = start(user, song_id=song_id).json()
    low = start(user, song_id=song_id, quality="low").json()

    assert session["background_allowed"] is True
    assert session["stream"]["quality"] == "high"
    assert session["ads"] is None
    assert low["stream"]["quality"] == "low"


def test_a_premium_user_in_grace_is_still_premium(api, new_user, make_premium, catalog, start):
    from datetime import UTC, datetime, timedelta

    user = new_user()
    now = datetime.now(UTC)
    make_premium(
        user.id, status="past_due", period_end=now - timedelta(days=1), grace_until=now + timedelta(days=3)
    )

    assert start(user, song_id=catalog.song()).json()["background_allowed"] is True


def test_the_best_rendition_below_the_cap_is_chosen_when_the_capped_one_is_missing(new_user, catalog, start):
    user = new_user()

    assert start(user, song_id=catalog.song(qualities=("low", "high"))).json()["stream"]["quality"] == "low"
    assert start(user, song_id=catalog.song(qualities=("high",))).json()["stream"]["quality"] == "high"


def test_starting_on_a_second_device_stops_the_first_at_its_next_heartbeat(api, new_user, catalog, start):
    song_id = catalog.song()
    user = new_user()
    phone = start(user, song_id=song_id, device_id="phone").json()["session_id"]
    assert _heartbeat(api, user, phone).json() == {
        "continue": True,
        "reason": None,
        "stream": None,
        "next_heartbeat_s": 60,
    }

    laptop = start(user, song_id=song_id, device_id="laptop").json()["session_id"]

    assert _heartbeat(api, user, phone).json() == {
        "continue": False,
        "reason": "playing_elsewhere",
        "stream": None,
        "next_heartbeat_s": 60,
    }
    assert _heartbeat(api, user, laptop).json() == {
        "continue": True,
        "reason": None,
        "stream": None,
        "next_heartbeat_s": 60,
    }


def test_a_free_user_in_the_background_is_told_to_stop_a_premium_user_is_not(
    api, new_user, make_premium, catalog, start
):
    song_id = catalog.song()
    free, premium = new_user(), new_user()
    make_premium(premium.id)
    free_session = start(free, song_id=song_id).json()["session_id"]
    premium_session = start(premium, song_id=song_id).json()["session_id"]

    assert _heartbeat(api, free, free_session, app_state="background").json() == {
        "continue": False,
        "reason": "background_requires_premium",
        "stream": None,
        "next_heartbeat_s": 60,
    }
    assert _heartbeat(api, premium, premium_session, app_state="background").json()["continue"] is True


def test_someone_elses_or_an_unknown_session_is_not_found(api, new_user, catalog, start):
    owner, other = new_user(), new_user()
    session_id = start(owner, song_id=catalog.song()).json()["session_id"]

    assert_problem(_heartbeat(api, other, session_id), 404)
    assert_problem(
        api.post(f"/playback/sessions/{session_id}/end", json={"listened_ms": 0}, token=other.token), 404
    )
    assert_problem(_heartbeat(api, owner, "00000000-0000-4000-8000-000000000000"), 404)
    assert_problem(_heartbeat(api, owner, "nonsense"), 404)


def test_a_heartbeat_renews_a_link_about_to_expire_and_touches_nothing_else(
    api, new_user, catalog, start, edge, audio
):
    import time
    from datetime import datetime

    from sauti.cache import redis_client
    from sauti.playback.sessions import active_key, ads_key, session_key

    catalog.ad()
    user = new_user()
    session = start(user, song_id=catalog.song(), quality="low").json()
    session_id = session["session_id"]
    assert _heartbeat(api, user, session_id).json()["stream"] is None  # the first link is fresh
    redis_client().hset(session_key(session_id), "stream_expires_at", repr(time.time() + 30))
    ads_before = redis_client().hgetall(ads_key(user.id))

    beat = _heartbeat(api, user, session_id).json()

    assert beat["continue"] is True and beat["reason"] is None
    assert beat["stream"]["quality"] == "low"
    assert datetime.fromisoformat(beat["stream"]["expires_at"]).timestamp() > time.time() + 60
    assert requests.get(beat["stream"]["url"], timeout=5).content == audio
    assert _heartbeat(api, user, session_id).json()["stream"] is None  # renewed once, not every beat
    assert redis_client().get(active_key(user.id)) == session_id
    assert redis_client().hgetall(ads_key(user.id)) == ads_before
    assert redis_client().hget(session_key(session_id), "counted") is None


@pytest.fixture
def heartbeat_interval(monkeypatch):
    """Set HEARTBEAT_INTERVAL_SECONDS for one test; the settings are read again before and after."""
    from sauti.config import config

    def set_to(seconds: str) -> None:
        monkeypatch.setenv("HEARTBEAT_INTERVAL_SECONDS", seconds)
        config.cache_clear()

    yield set_to
    monkeypatch.delenv("HEARTBEAT_INTERVAL_SECONDS", raising=False)
    config.cache_clear()


def test_the_server_sets_the_heartbeat_interval_and_renews_links_two_intervals_ahead(
    api, new_user, catalog, start, heartbeat_interval
):
    import time

    from sauti.cache import redis_client
    from sauti.playback.sessions import session_key

    heartbeat_interval("30")
    user = new_user()
    session = start(user, song_id=catalog.song()).json()
    assert session["next_heartbeat_s"] == 30
    redis_client().hset(session_key(session["session_id"]), "stream_expires_at", repr(time.time() + 70))
    assert _heartbeat(api, user, session["session_id"]).json()["stream"] is None  # > two intervals left

    redis_client().hset(session_key(session["session_id"]), "stream_expires_at", repr(time.time() + 50))
    beat = _heartbeat(api, user, session["session_id"]).json()

    assert beat["next_heartbeat_s"] == 30
    assert beat["stream"] is not None


def test_a_heartbeat_interval_outside_30_to_60_seconds_fails_the_settings_check(heartbeat_interval):
    from sauti.config import ConfigurationError, config
    from sauti.playback.settings import PlaybackSettings
    from sauti.settings import load

    for interval in ("15", "61", "abc"):
        heartbeat_interval(interval)
        with pytest.raises(ConfigurationError, match="HEARTBEAT_INTERVAL_SECONDS"):
            load(PlaybackSettings, config())


def test_a_heartbeat_keeps_the_accounts_stream_pointer_alive(api, new_user, catalog, start):
    from sauti.cache import redis_client
    from sauti.playback.sessions import SESSION_SECONDS, active_key

    user = new_user()
    session_id = start(user, song_id=catalog.song()).json()["session_id"]
    redis_client().expire(active_key(user.id), 5)  # a long session, near its pointer's end

    assert _heartbeat(api, user, session_id).json()["continue"] is True
    assert redis_client().ttl(active_key(user.id)) > SESSION_SECONDS - 60


def test_claims_and_endings_never_bring_back_an_expired_session(stack):
    from sauti.cache import redis_client
    from sauti.playback import sessions

    gone = "00000000-0000-4000-8000-0000000000ee"

    assert sessions.claim_count(gone) == "missing"
    sessions.finish(gone, "00000000-0000-4000-8000-0000000000ff", 1.0)
    sessions.set_stream_expiry(gone, 2.0)
    assert redis_client().exists(sessions.session_key(gone)) == 0


def _end(api, user, session_id, listened_ms):
    return api.post(
        f"/playback/sessions/{session_id}/end", json={"listened_ms": listened_ms}, token=user.token
    )


def _plays(user_id):
    from sauti_dev import sql

    return sql.fetch_all(
        "SELECT song_id::text, listened_ms, source FROM plays WHERE user_id = %s", (user_id,)
    )


def test_a_25_second_listen_does_not_count(api, new_user, catalog, start):
    user = new_user()
    session_id = start(user, song_id=catalog.song()).json()["session_id"]
    _rewind(session_id, 60)

    assert _end(api, user, session_id, 25_000).json() == {"counted": False, "reason": "too_short"}
    assert _plays(user.id) == []


def test_31_seconds_claimed_after_20_seconds_of_session_is_implausible(api, new_user, catalog, start):
    user = new_user()
    session_id = start(user, song_id=catalog.song()).json()["session_id"]
    _rewind(session_id, 20)

    assert _end(api, user, session_id, 31_000).json() == {"counted": False, "reason": "implausible"}
    assert _plays(user.id) == []


def test_time_the_server_saw_paused_does_not_back_a_claim(api, new_user, catalog, start):
    user = new_user()
    session_id = start(user, song_id=catalog.song()).json()["session_id"]
    _rewind(session_id, 40)
    _heartbeat(api, user, session_id, state="paused")  # paused from now on, after 40 s of playing
    _rewind(session_id, 60)  # ... and a minute passes, paused

    assert _end(api, user, session_id, 45_000).json()["counted"] is False
    assert _plays(user.id) == []


def test_a_genuine_31_second_listen_counts_once(api, new_user, catalog, start):
    user = new_user()
    song_id = catalog.song()
    session_id = start(user, song_id=song_id, source="album").json()["session_id"]
    _rewind(session_id, 31)

    first = _end(api, user, session_id, 31_000)
    again = _end(api, user, session_id, 31_000)

    assert first.json() == {"counted": True, "reason": None}
    assert again.json() == {"counted": False, "reason": "already_counted"}
    assert _plays(user.id) == [{"song_id": song_id, "listened_ms": 31_000, "source": "album"}]


def test_a_session_taken_over_counts_only_up_to_the_takeover(api, new_user, catalog, start):
    user = new_user()
    song_id = catalog.song()
    phone = start(user, song_id=song_id).json()["session_id"]
    _rewind(phone, 10)
    start(user, song_id=song_id)  # the laptop takes over after 10 s
    _rewind(phone, 60)

    assert _end(api, user, phone, 40_000).json() == {"counted": False, "reason": "implausible"}


def test_recently_played_lists_the_callers_counted_plays_newest_first_paged(api, new_user, catalog, start):
    user, other = new_user(), new_user()
    first, second = catalog.song("Mawimbi"), catalog.song("Upepo")
    for song_id, age in ((first, 120), (second, 60)):
        session_id = start(user, song_id=song_id).json()["session_id"]
        _rewind(session_id, age)
        assert _end(api, user, session_id, 40_000).json()["counted"] is True
    start(other, song_id=first)

    page = api.get("/me/recently-played", token=user.token, query={"limit": 1}).json()
    rest = api.get(
        "/me/recently-played", token=user.token, query={"limit": 1, "cursor": page["next_cursor"]}
    ).json()

    assert [item["song"]["title"] for item in page["items"]] == ["Upepo"]
    assert [item["song"]["title"] for item in rest["items"]] == ["Mawimbi"]
    assert rest["items"][0]["listened_ms"] == 40_000
    assert api.get("/me/recently-played", token=other.token).json() == {"items": [], "next_cursor": None}


def test_recently_played_pages_through_plays_at_the_same_instant(api, new_user, catalog):
    import uuid
    from datetime import UTC, datetime

    from sauti.analytics.plays import CountedPlay, record_play

    user = new_user()
    at = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    songs = {catalog.song(f"Song {n}") for n in range(5)}
    for song_id in songs:
        record_play(CountedPlay(user.id, song_id, at, 40_000, session_id=str(uuid.uuid4())))

    seen, cursor = [], None
    while True:
        page = api.get(
            "/me/recently-played",
            token=user.token,
            query={"limit": 2, **({"cursor": cursor} if cursor else {})},
        ).json()
        seen += [item["song_id"] for item in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break

    assert sorted(seen) == sorted(songs)
    assert_problem(api.get("/me/recently-played", token=user.token, query={"cursor": "garbage"}), 422)


def test_a_video_session_gets_a_stream_manifest_whose_token_names_the_video(api, new_user, catalog, start):
    from datetime import datetime

    from sauti.catalog import logic
    from sauti.settings import settings
    from sauti.signing.links import stream_signer
    from sauti.signing.settings import StreamSettings

    video_id = logic.create_video(
        catalog.artist_id, "Mawimbi (live)", "5d5bc37ffcf54c9b82e996823bffbb81", 180_000
    )
    user = new_user()

    session = start(user, video_id=video_id).json()

    url = session["stream"]["url"]
    assert url.startswith("https://customer-localdev.cloudflarestream.com/") and url.endswith(
        "/manifest/video.m3u8"
    )
    token = url.split("/")[3]
    claims = jwt.decode(token, stream_signer().private_key.public_key(), algorithms=["RS256"])
    assert claims["sub"] == "5d5bc37ffcf54c9b82e996823bffbb81"
    assert claims["exp"] == datetime.fromisoformat(session["stream"]["expires_at"]).timestamp()
    assert claims["exp"] - claims["nbf"] <= 400
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "kid": settings(StreamSettings).stream_key_id}
    assert claims["kid"] == settings(StreamSettings).stream_key_id
    logic.set_video_status(video_id, "taken_down")
    assert_problem(start(user, video_id=video_id), 404)


def test_the_next_album_tracks_links_come_with_the_session_when_asked(new_user, catalog, start):
    user = new_user()
    tracks = [catalog.song(f"Track {n}", track_number=n) for n in (1, 2, 3, 4)]

    session = start(user, song_id=tracks[0], source="album", source_id=catalog.album_id).json()
    chosen = start(user, song_id=tracks[0], next_song_ids=[tracks[3], "unknown"]).json()

    assert [item["song_id"] for item in session["prefetch"]] == tracks[1:3]
    assert all("verify=" in item["url"] for item in session["prefetch"])
    assert [item["song_id"] for item in chosen["prefetch"]] == [tracks[3]]


def test_a_session_request_needs_exactly_one_of_song_and_video(api, new_user, catalog, start):
    user = new_user()

    assert_problem(start(user), 422)
    assert_problem(start(user, song_id=catalog.song(), video_id=catalog.song()), 422)
    assert_problem(start(user, song_id=catalog.song(), quality="ultra"), 422)
    assert api.post("/playback/sessions", json={"song_id": catalog.song()}).status == 401
