"""Starting, keeping alive and ending play sessions; the quality ladder, ad breaks and the 30-second rule.

Starting a session is the path every song start takes, so it costs three Redis
round trips (entitlements, the cached song, the session script) and no SQL when
the caches are warm, signs locally, and imports neither boto3 nor PyJWT.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime
from typing import Any

from sauti import clock, paging
from sauti.billing.public import entitlements_for
from sauti.catalog import public as catalog
from sauti.errors import ValidationFailed
from sauti.ids import is_uuid
from sauti.observability import count
from sauti.playback import sessions
from sauti.playback.errors import SessionNotFound
from sauti.playback.models import HeartbeatAnswer, PlayEnded, PlaySession, RecentPlayPage
from sauti.playback.settings import PlaybackSettings
from sauti.settings import settings
from sauti.signing import links

# The quality ladder (docs/catalog.md): a plan caps the rendition a session may get.
LADDER = ("low", "normal", "high")
PLAN_CAP = {"free": "normal", "premium": "high"}

# The ad policy for free users: an ad break before the first song, then before every
# AD_EVERY_SONGS-th started song or once AD_INTERVAL_SECONDS passed since the last ad.
AD_EVERY_SONGS = 3
AD_INTERVAL_SECONDS = 15 * 60

PLAUSIBILITY_TOLERANCE_MS = 2_000  # clock skew and request latency between client and server
PREFETCH_TRACKS = 2


def heartbeat_seconds() -> int:
    """The interval a playing client is told to send heartbeats at (``next_heartbeat_s``)."""
    return settings(PlaybackSettings).heartbeat_seconds


def stream_refresh_seconds() -> int:
    """A heartbeat answers a fresh link when the current one expires sooner than this: two intervals,
    so a late or lost heartbeat still leaves the next one a live link to renew."""
    return 2 * heartbeat_seconds()


def _iso(epoch: float) -> str:
    return clock.iso(datetime.fromtimestamp(epoch, UTC)) or ""


def choose_quality(available: dict[str, Any], requested: str | None, plan: str) -> str:
    """The best rendition at or below min(requested, plan cap); the lowest one if none is that low."""
    cap = LADDER.index(PLAN_CAP.get(plan, "normal"))
    if requested is not None:
        cap = min(cap, LADDER.index(requested))
    for quality in reversed(LADDER[: cap + 1]):
        if quality in available:
            return quality
    return next(quality for quality in LADDER if quality in available)


def _audio_stream(song: dict[str, Any], requested: str | None, plan: str, now: float) -> dict[str, Any]:
    if not song["renditions"]:
        raise catalog.SongNotFound("this song has no audio yet")
    quality = choose_quality(song["renditions"], requested, plan)
    return _audio_link(song, quality, now)


def _audio_link(song: dict[str, Any], quality: str, now: float) -> dict[str, Any]:
    link = links.sign_object(song["renditions"][quality]["object_key"], now=now)
    return {"url": link.url, "expires_at": _iso(link.expires_at), "quality": quality}


def _video_link(video: dict[str, Any], now: float) -> dict[str, Any]:
    token = links.sign_video(video["stream_uid"], now=now)
    return {"url": token.manifest_url, "expires_at": _iso(token.expires_at), "quality": "auto"}


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def _ad_break(now: float) -> dict[str, Any] | None:
    inventory = catalog.active_ads()
    if not inventory:
        return None
    ad = random.choices(inventory, weights=[item["weight"] for item in inventory])[0]
    link = links.sign_object(ad["object_key"], now=now)
    return {
        "position": "pre_roll",
        "ad": {
            "id": ad["id"],
            "title": ad["title"],
            "advertiser": ad["advertiser"],
            "duration_ms": ad["duration_ms"],
            "click_url": ad["click_url"],
            "url": link.url,
            "expires_at": _iso(link.expires_at),
        },
    }


def _prefetch(
    song: dict[str, Any], request: dict[str, Any], plan: str, now: float
) -> list[dict[str, Any]] | None:
    next_ids = list(request.get("next_song_ids") or [])
    if not next_ids and request.get("source") == "album" and song["album_id"]:
        album = catalog.album(song["album_id"]) or {"songs": []}
        order = [track["id"] for track in album["songs"]]
        if song["id"] in order:
            next_ids = order[order.index(song["id"]) + 1 :]
    if not next_ids:
        return None
    upcoming = catalog.songs(next_ids[: PREFETCH_TRACKS * 2])
    prefetch = []
    for song_id in next_ids:
        doc = upcoming.get(song_id)
        if doc and doc["status"] == "published" and doc["renditions"]:
            prefetch.append({"song_id": song_id, **_audio_stream(doc, request.get("quality"), plan, now)})
        if len(prefetch) == PREFETCH_TRACKS:
            break
    return prefetch


def start_session(user_id: str, request: dict[str, Any], *, now: float | None = None) -> PlaySession:
    """POST /playback/sessions: ``request`` holds song_id or video_id, and optionally quality, device_id,
    source, source_id, next_song_ids."""
    now = clock.epoch() if now is None else now
    song_id, video_id = request.get("song_id"), request.get("video_id")
    if bool(song_id) == bool(video_id):
        raise ValidationFailed(
            "give either song_id or video_id", errors=[{"field": "song_id", "message": "song_id or video_id"}]
        )
    entitlements = entitlements_for(user_id)
    plan = entitlements.plan
    prefetch = None
    if song_id:
        song = catalog.published_song(song_id)
        kind, content_id, duration_ms = "song", song["id"], song["duration_ms"]
        stream = _audio_stream(song, request.get("quality"), plan, now)
        if request.get("source") or request.get("next_song_ids"):
            prefetch = _prefetch(song, request, plan, now)
    else:
        video = catalog.published_video(str(video_id))
        kind, content_id, duration_ms = "video", video["id"], video["duration_ms"]
        stream = _video_link(video, now)
    session_id = str(uuid.uuid4())
    context = request.get("context")
    background_allowed = entitlements.background_playback
    ad_due = sessions.start(
        session_id,
        user_id,
        {
            "user_id": user_id,
            "kind": kind,
            "content_id": content_id,
            "duration_ms": duration_ms,
            "quality": stream["quality"],
            "stream_expires_at": repr(_epoch(stream["expires_at"])),
            "device_id": request.get("device_id"),
            "source": request.get("source") or (context or {}).get("type") or "unknown",
            "context_type": (context or {}).get("type"),
            "context_id": (context or {}).get("id"),
            "started_at": repr(now),
            "last_seen_at": repr(now),
            "last_state": "playing",
            "paused_ms": 0,
            "background_allowed": "1" if background_allowed else "0",
        },
        now=now,
        free=entitlements.ads,
        ad_every_songs=AD_EVERY_SONGS,
        ad_interval_seconds=AD_INTERVAL_SECONDS,
    )
    answer: dict[str, Any] = {
        "session_id": session_id,
        "kind": kind,
        "stream": stream,
        "background_allowed": background_allowed,
        "ads": _ad_break(now) if ad_due else None,
        "next_heartbeat_s": heartbeat_seconds(),
    }
    if prefetch is not None:
        answer["prefetch"] = prefetch
    count("PlaysStarted", kind=kind)
    return PlaySession.model_validate(answer)


def heartbeat(
    user_id: str, session_id: str, report: dict[str, Any], *, now: float | None = None
) -> HeartbeatAnswer:
    """``{continue, reason, stream, next_heartbeat_s}``: ``stream`` is a fresh link (same content and
    quality) when the current one expires within ``stream_refresh_seconds()``, else null."""
    now = clock.epoch() if now is None else now
    if not is_uuid(session_id):
        raise SessionNotFound("no such play session")
    beat = sessions.heartbeat(
        session_id,
        user_id,
        now=now,
        state=report["state"],
        app_state=report["app_state"],
        position_ms=report["position_ms"],
        background_allowed=entitlements_for(user_id).background_playback,
    )
    if beat.outcome == "missing":
        raise SessionNotFound("no such play session")
    stream = None
    if beat.outcome == "ok" and beat.stream_expires_at - now < stream_refresh_seconds():
        stream = _fresh_stream(beat, now)
        if stream is not None:
            sessions.set_stream_expiry(session_id, _epoch(stream["expires_at"]))
    return HeartbeatAnswer.model_validate(
        {
            "continue": beat.outcome == "ok",
            "reason": beat.reason,
            "stream": stream,
            "next_heartbeat_s": heartbeat_seconds(),
        }
    )


def _fresh_stream(beat: sessions.Beat, now: float) -> dict[str, Any] | None:
    """A new link to what the session plays, or None if it is no longer published (or has lost that
    rendition): the current link then runs out."""
    if beat.kind == "song":
        song = catalog.song(beat.content_id)
        if song and song["status"] == "published" and beat.quality in song["renditions"]:
            return _audio_link(song, beat.quality, now)
    elif beat.kind == "video":
        video = catalog.video(beat.content_id)
        if video and video["status"] == "published":
            return _video_link(video, now)
    return None


def heard_ms(session: dict[str, str], now: float) -> float:
    """The most listening the server can vouch for: playing wall time until the session stopped or now."""
    horizon = float(session["stopped_at"]) if session.get("stopped_at") else now
    paused = float(session.get("paused_ms") or 0)
    if session.get("last_state") == "paused":
        paused += max(0.0, horizon - float(session["last_seen_at"])) * 1000
    return (horizon - float(session["started_at"])) * 1000 - paused


def end_session(user_id: str, session_id: str, listened_ms: int, *, now: float | None = None) -> PlayEnded:
    """POST .../end: counts the play when the 30-second rule holds, at most once per session."""
    from sauti.analytics.public import (  # the 30-second rule: analytics'
        MIN_COUNTED_MS,
        CountedPlay,
        record_play,
    )

    now = clock.epoch() if now is None else now
    session = sessions.load(session_id) if is_uuid(session_id) else {}
    if not session or session.get("user_id") != user_id:
        raise SessionNotFound("no such play session")
    sessions.finish(session_id, user_id, now)
    if session["kind"] != "song":
        return PlayEnded(counted=False, reason="not_a_song")
    if listened_ms < MIN_COUNTED_MS:
        return PlayEnded(counted=False, reason="too_short")
    if listened_ms > heard_ms(session, now) + PLAUSIBILITY_TOLERANCE_MS:
        return PlayEnded(counted=False, reason="implausible")
    claim = sessions.claim_count(session_id)
    if claim == "missing":
        raise SessionNotFound("no such play session")
    if claim == "already":
        return PlayEnded(counted=False, reason="already_counted")
    play = CountedPlay(
        user_id=user_id,
        song_id=session["content_id"],
        played_at=datetime.fromtimestamp(float(session["started_at"]), UTC),
        listened_ms=listened_ms,
        source=session.get("source") or "unknown",
        session_id=session_id,
    )
    try:
        record_play(play)
    except Exception:
        sessions.release_count(session_id)
        raise
    if session.get("context_type") == "playlist" and session.get("context_id"):
        from sauti.playlists.public import record_play as record_playlist_play

        record_playlist_play(session["context_id"], user_id, session["content_id"])
    count("PlaysCounted")
    return PlayEnded(counted=True, reason=None)


def recently_played(user_id: str, limit: int, cursor: str | None) -> RecentPlayPage:
    from sauti.analytics.public import recently_played as plays_of

    rows = plays_of(user_id, limit=limit + 1, before=paging.decode_cursor(cursor))
    songs = catalog.songs([str(row["song_id"]) for row in rows[:limit]])

    def view(row: dict[str, Any]) -> dict[str, Any]:
        doc = songs.get(str(row["song_id"]))
        return {
            "song_id": str(row["song_id"]),
            "song": catalog.song_view(doc) if doc and doc["status"] == "published" else None,
            "played_at": clock.iso(row["played_at"]),
            "listened_ms": row["listened_ms"],
            "source": row["source"],
        }

    return RecentPlayPage.model_validate(
        paging.page(rows, limit, view, lambda row: (row["played_at"], row["id"]))
    )


def end_account_sessions(user_id: str, *, now: float | None = None) -> None:
    """``user.deleted``: the account's play session stops at once and its ad state is forgotten. Plays
    already counted stay with analytics (docs/auth.md, what is kept)."""
    sessions.end_account(user_id, clock.epoch() if now is None else now)
