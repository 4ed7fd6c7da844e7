"""The ``play.counted`` domain event, published in batches off the play path.

``record_play`` stays one insert: the plays table itself is the outbox. Every few minutes a
scheduled job reads the plays recorded after its cursor (``(recorded_at, id)``, BRIN-indexed on
``recorded_at``) and puts them on the bus as ``play.counted`` events of up to ``PLAYS_PER_EVENT``
plays each, ten events per PutEvents call. At 5 million plays a day that is about 12,500 events a
day instead of 5 million. A run publishes at most ``PLAYS_PER_RUN`` plays from at most
``MAX_WINDOW`` of ``recorded_at``, so a backlog (after an outage) drains over several runs.

Delivery is at least once: the cursor moves only after the bus accepted the batch, so a failed run
is repeated whole; consumers deduplicate on each play's ``play_id``. The window closes
``SETTLE_SECONDS`` before now so that transactions still open at its edge are not skipped. Imported
history (``source = 'import'``) and plays recorded more than ``MAX_DELAY_DAYS`` after being played
are not published; they reach the rollups only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sauti import clock
from sauti.analytics import store
from sauti.db import transaction
from sauti.events import domain_event, publish_events

PLAYS_PER_EVENT = 400  # about 40 KB of detail: one 64 KB billing chunk per event
# At most this many plays a run (125 events, 13 PutEvents calls): a 5-minute run at 5 million plays a
# day brings about 17,500, so a backlog drains at about three times the rate plays arrive.
PLAYS_PER_RUN = 50_000
MAX_WINDOW = timedelta(hours=1)  # the most recorded_at time one run reads, so its scan stays bounded
SETTLE_SECONDS = 60
MAX_DELAY_DAYS = 7
AFTER_EVERY_ID = "ffffffff-ffff-ffff-ffff-ffffffffffff"  # cursor id: all plays at its instant are done

Publisher = Callable[[Iterable[dict[str, Any]]], None]


@dataclass(frozen=True)
class Published:
    plays: int
    events: int
    window_start: datetime
    window_end: datetime  # where the cursor stands now
    backlog: bool  # the batch was full: the next run continues


def publish_counted_plays(
    *, now: datetime | None = None, publish: Publisher = publish_events, limit: int | None = None
) -> Published:
    """Publish the next batch (at most ``limit``, default ``PLAYS_PER_RUN``) of settled plays."""
    now = now or clock.now()
    limit = limit or PLAYS_PER_RUN
    settled = now - timedelta(seconds=SETTLE_SECONDS)
    with transaction() as conn:
        # Held to the end: two runs never publish the same plays twice at once.
        store.lock_publisher(conn)
        state = store.publish_cursor(conn)
        if state is None:  # a fresh state row starts publishing from now on
            store.move_publish_cursor(conn, settled, AFTER_EVERY_ID)
            return Published(0, 0, settled, settled, False)
        start_at, start_id = state["publish_cursor"], state["publish_cursor_id"]
        window_end = min(settled, start_at + MAX_WINDOW)
        if start_at >= window_end:
            return Published(0, 0, start_at, start_at, False)
        rows = store.plays_to_publish(
            conn,
            start=start_at,
            start_id=start_id,
            end=window_end,
            max_delay_days=MAX_DELAY_DAYS,
            limit=limit,
        )
        events = [
            domain_event("analytics", "play.counted", {"plays": [_play(row) for row in chunk]})
            for chunk in _chunks(rows, PLAYS_PER_EVENT)
        ]
        if events:
            publish(events)
        full = len(rows) == limit
        cursor = (rows[-1]["recorded_at"], rows[-1]["play_id"]) if full else (window_end, AFTER_EVERY_ID)
        store.move_publish_cursor(conn, *cursor)
    return Published(len(rows), len(events), start_at, cursor[0], full or window_end < settled)


def _play(row: dict[str, Any]) -> dict[str, Any]:
    play = {name: value for name, value in row.items() if name != "recorded_at"}
    return {**play, "played_at": clock.iso(row["played_at"])}


def _chunks(rows: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
