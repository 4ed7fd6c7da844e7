"""Recording offline plays: what a device played with no network, uploaded on its next sync.

The caller (offline downloads) has checked what only it knows: the key, the device, the license and
the song's length. Analytics adds its own rules, the same as for every play it counts:

- a ``play_id`` this user's devices uploaded before is a ``duplicate`` (never a second play);
- plausibility: one device plays one song at a time, so a play whose listening overlaps another
  offline play of the user (in the batch or recorded before) by more than the tolerance is
  ``overlapping``; the user has one offline device at a time, so these are that device's plays;
- a play of a day whose raw plays were archived is refused (``day_archived``), as the import does.

Accepted plays go into ``plays`` with ``source = 'offline'`` and into the ``offline_plays`` ledger,
in set-based statements (no round trip per play). They count on the UTC day they were played: a day
inside the rollup's late window is found again through ``recorded_at``, like late online plays; an
older finished day is marked ``pending``, so the next catch-up rolls it up again. The daily cap
applies in the rollup, as for every play.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from psycopg import Connection

from sauti import clock
from sauti.analytics import rollup, store
from sauti.db import Row, transaction

OFFLINE_SOURCE = "offline"
# Clock drift between a phone's plays and the phone's own idea of when each started.
OVERLAP_TOLERANCE_MS = 2_000
PLAY_ID_NAMESPACE = uuid.UUID("8d0f6a52-1c4b-4b7e-9a35-2f6e0c9d7b41")

DUPLICATE = "duplicate"
OVERLAPPING = "overlapping"
DAY_ARCHIVED = "day_archived"


@dataclass(frozen=True)
class OfflinePlay:
    play_id: str  # the client's uuid, canonical
    song_id: str
    played_at: datetime
    listened_ms: int


@dataclass
class OfflineOutcome:
    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (play_id, reason)


def counted_play_id(user_id: str, play_id: str) -> str:
    """The id of the counted play in ``plays`` (and in ``play.counted`` events): derived, so two
    users' clients can never collide on a play id they chose."""
    return str(uuid.uuid5(PLAY_ID_NAMESPACE, f"{user_id}/{play_id}"))


def record_offline_plays(
    user_id: str,
    plays: list[OfflinePlay],
    conn: Connection[Row] | None = None,
    *,
    today: date | None = None,
) -> OfflineOutcome:
    """Record the plays that pass analytics' rules; pass ``conn`` to write in the caller's transaction
    (``today``, UTC, defaults to the clock's)."""
    today = today or clock.today()
    if conn is not None:
        return _record(conn, user_id, plays, today)
    with transaction() as own:
        return _record(own, user_id, plays, today)


def _record(conn: Connection[Row], user_id: str, plays: list[OfflinePlay], today: date) -> OfflineOutcome:
    outcome = OfflineOutcome()
    if not plays:
        return outcome
    # Shared with imports, exclusive with the partition upkeep: no day is archived meanwhile.
    store.lock_partitions(conn, shared=True)
    store.lock_offline_user(conn, user_id)  # two uploads of one phone at once: one after the other
    seen = store.offline_duplicates(conn, user_id, [play.play_id for play in plays])
    archived = store.archived_days(conn, sorted({_day(play) for play in plays}))
    fresh: list[OfflinePlay] = []
    for play in plays:
        if play.play_id in seen:
            outcome.duplicates.append(play.play_id)
        elif _day(play) in archived:
            outcome.refused.append((play.play_id, DAY_ARCHIVED))
        else:
            seen.add(play.play_id)  # the same play_id twice in one batch: the second is a duplicate
            fresh.append(play)
    # First against what was recorded before, then among the batch's remaining plays.
    overlapping = store.overlapping_offline_plays(
        conn,
        user_id,
        [(play.play_id, play.played_at, play.listened_ms) for play in fresh],
        OVERLAP_TOLERANCE_MS,
    )
    overlapping |= _overlapping_each_other([play for play in fresh if play.play_id not in overlapping])
    kept = []
    for play in fresh:
        if play.play_id in overlapping:
            outcome.refused.append((play.play_id, OVERLAPPING))
        else:
            kept.append(play)
    inserted = store.insert_offline_plays(
        conn,
        user_id,
        [
            (
                play.play_id,
                counted_play_id(user_id, play.play_id),
                play.played_at,
                play.song_id,
                play.listened_ms,
            )
            for play in kept
        ],
    )
    taken = {row["play_id"] for row in inserted}
    for play in kept:  # a concurrent upload of the same play took it first: a duplicate here
        (outcome.accepted if play.play_id in taken else outcome.duplicates).append(play.play_id)
    _reopen_old_days(conn, {row["played_at"].astimezone(UTC).date() for row in inserted}, today)
    return outcome


def _day(play: OfflinePlay) -> date:
    return play.played_at.astimezone(UTC).date()


def _overlapping_each_other(plays: list[OfflinePlay]) -> set[str]:
    """Within one batch: sorted by start, a play starting before the previous kept one ended."""
    overlapping: set[str] = set()
    ends_at: datetime | None = None
    for play in sorted(plays, key=lambda item: (item.played_at, item.play_id)):
        tolerance = timedelta(milliseconds=OVERLAP_TOLERANCE_MS)
        if ends_at is not None and play.played_at < ends_at - tolerance:
            overlapping.add(play.play_id)
            continue
        ends_at = play.played_at + timedelta(milliseconds=play.listened_ms)
    return overlapping


def _reopen_old_days(conn: Connection[Row], days: set[date], today: date) -> None:
    """Finished days older than the rollup's late window are not looked at again by themselves."""
    # One day more than the window, so a day leaving it at midnight meanwhile is not missed.
    last_watched = today - timedelta(days=rollup.LATE_PLAYS_WINDOW_DAYS)
    old = sorted(day for day in days if day <= last_watched)
    if old:
        store.mark_pending(conn, old)
