"""POST /me/offline-plays: plays the offline device recorded with no network, uploaded on its sync.

Downloads checks what only it knows, each play on its own (a refusal names its reason):

- ``in_future``: the play ends after now (beyond ``CLOCK_SKEW``);
- ``unknown_key``: the key is not one of this user's downloads; ``other_device``: it is, but was
  issued to another of the user's devices;
- ``too_short`` (under 30 s, the rule of every counted play), ``too_long`` (longer than the song),
  ``unknown_song`` (the catalog no longer knows it);
- ``before_download``: played before the download was issued; ``license_revoked``: played at or
  after the key was revoked (a wipe, a device replacement, premium ending, the song taken down);
  ``license_expired``: played after the license's expiry as last renewed.

Then analytics records the rest (``sauti.analytics.public.record_offline_plays``) with its own
rules (``duplicate``, ``overlapping``, ``day_archived``), in the same transaction: a handful of
statements for a batch of 500, never one per play.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sauti import clock
from sauti.analytics import public as analytics
from sauti.db import transaction
from sauti.downloads import store
from sauti.downloads.logic import DeviceNotFound
from sauti.downloads.models import OfflinePlayIn, OfflinePlaysResult, RefusedPlay
from sauti.ids import canonical_id

MIN_COUNTED_MS = 30_000  # the 30-second rule of every counted play
CLOCK_SKEW = timedelta(seconds=60)  # a phone's clock ahead of ours by this much is not "the future"


def _catalog_durations(song_ids: list[str]) -> dict[str, int]:
    from sauti.catalog.logic import songs

    return {song_id: int(doc["duration_ms"]) for song_id, doc in songs(song_ids).items()}


def record_offline_plays(
    user_id: str, device_id: str, plays: Sequence[OfflinePlayIn], *, now: datetime | None = None
) -> OfflinePlaysResult:
    now = now or clock.now()
    device = canonical_id(device_id)
    if device is None:
        raise DeviceNotFound()
    play_ids = [str(play.play_id) for play in plays]
    cited = [canonical_id(play.key_id) for play in plays]
    key_ids = sorted({key for key in cited if key})
    with transaction() as conn:
        if store.device(conn, user_id, device) is None:
            raise DeviceNotFound()
        keys = {row["key_id"]: row for row in store.keys_of_user(conn, user_id, key_ids)}
        durations = _catalog_durations(sorted({row["song_id"] for row in keys.values()}))
        refused: dict[str, str] = {}
        counted: list[analytics.OfflinePlay] = []
        for play, play_id, key_id in zip(plays, play_ids, cited, strict=True):
            key = keys.get(key_id or "")
            reason = _refusal(play, key, device, durations, now)
            if reason or key is None:
                refused.setdefault(play_id, reason or "unknown_key")
            else:
                counted.append(
                    analytics.OfflinePlay(play_id, key["song_id"], play.played_at, play.listened_ms)
                )
        outcome = analytics.record_offline_plays(user_id, counted, conn=conn, today=now.date())
    for play_id, reason in outcome.refused:
        refused[play_id] = reason
    order = {play_id: index for index, play_id in enumerate(play_ids)}
    return OfflinePlaysResult(
        accepted=len(outcome.accepted),
        duplicates=len(outcome.duplicates),
        refused=[
            RefusedPlay(play_id=play_id, reason=reason)
            for play_id, reason in sorted(refused.items(), key=lambda item: order[item[0]])
        ],
    )


def _refusal(
    play: OfflinePlayIn, key: dict[str, Any] | None, device_id: str, durations: dict[str, int], now: datetime
) -> str | None:
    """Why downloads refuses this play, or None when it may count."""
    played_at, listened = play.played_at, timedelta(milliseconds=play.listened_ms)
    # Compared without adding to the play's time: a clock reading near year 9999 would overflow.
    if played_at > now + CLOCK_SKEW - listened:
        return "in_future"
    if key is None:
        return "unknown_key"
    if key["device_id"] != device_id:
        return "other_device"
    if play.listened_ms < MIN_COUNTED_MS:
        return "too_short"
    duration_ms = durations.get(key["song_id"])
    if duration_ms is None:
        return "unknown_song"
    if play.listened_ms > duration_ms:
        return "too_long"
    if played_at < key["issued_at"]:
        return "before_download"
    if key["revoked_at"] is not None and played_at >= key["revoked_at"]:
        return "license_revoked"
    if played_at > key["expires_at"]:
        return "license_expired"
    return None
