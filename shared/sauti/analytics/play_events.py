"""The ``play.counted`` domain event, published in batches off the play path.

``record_play`` stays one insert: the plays table itself is the outbox. Every few minutes a
scheduled job reads the plays recorded since its cursor (``recorded_at``, BRIN-indexed) and puts
them on the bus as ``play.counted`` events of up to ``PLAYS_PER_EVENT`` plays each, ten events per
PutEvents call. At 5 million plays a day that is about 10,000 events a day instead of 5 million.

Delivery is at least once: the cursor moves only after the bus accepted everything, so a failed run
is repeated whole; consumers deduplicate on each play's ``play_id``. The window closes
``SETTLE_SECONDS`` before now so that transactions still open at its edge are not skipped. Imported
history (``source = 'import'``) and plays recorded more than ``MAX_DELAY_DAYS`` after being played
are not published; they reach the rollups only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sauti.db import transaction
from sauti.events import domain_event, publish_events

PLAYS_PER_EVENT = 400  # about 40 KB of detail: one 64 KB billing chunk per event
SETTLE_SECONDS = 60
MAX_DELAY_DAYS = 7
CURSOR_LOCK = 7_242_518

Publisher = Callable[[Iterable[dict[str, Any]]], None]


@dataclass(frozen=True)
class Published:
    plays: int
    events: int
    window_start: datetime
    window_end: datetime


def publish_counted_plays(*, now: datetime | None = None, publish: Publisher = publish_events) -> Published:
    now = now or datetime.now(UTC)
    window_end = now - timedelta(seconds=SETTLE_SECONDS)
    with transaction() as conn:
        # Held to the end: two runs never publish the same window twice at once.
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (CURSOR_LOCK,))
        state = conn.execute("SELECT publish_cursor FROM analytics_state FOR UPDATE").fetchone()
        if state is None:  # a fresh state row starts publishing from now on
            _move_cursor(conn, window_end)
            return Published(0, 0, window_end, window_end)
        window_start = state["publish_cursor"]
        if window_start >= window_end:
            return Published(0, 0, window_start, window_end)
        rows = conn.execute(
            """SELECT id::text AS play_id, user_id::text, song_id::text, played_at, listened_ms, source
               FROM plays
               WHERE recorded_at > %(start)s AND recorded_at <= %(end)s
                 AND played_at >= %(start)s::timestamptz - make_interval(days => %(delay)s)
                 AND source <> 'import'
               ORDER BY recorded_at, id""",
            {"start": window_start, "end": window_end, "delay": MAX_DELAY_DAYS},
        ).fetchall()
        events = [
            domain_event("analytics", "play.counted", {"plays": [_play(row) for row in chunk]})
            for chunk in _chunks(rows, PLAYS_PER_EVENT)
        ]
        publish(events)
        _move_cursor(conn, window_end)
    return Published(len(rows), len(events), window_start, window_end)


def _move_cursor(conn: Any, to: datetime) -> None:
    conn.execute(
        """INSERT INTO analytics_state (singleton, publish_cursor) VALUES (true, %(to)s)
           ON CONFLICT (singleton) DO UPDATE SET publish_cursor = %(to)s""",
        {"to": to},
    )


def _play(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "played_at": row["played_at"].astimezone(UTC).isoformat().replace("+00:00", "Z")}


def _chunks(rows: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
