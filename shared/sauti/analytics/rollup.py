"""The daily rollup: one finished UTC day of raw plays into per-song totals, idempotently.

Each day is rolled up in one transaction: its totals are replaced, its bookkeeping row is marked
done and the dashboard cache's generation is bumped, so cached answers never outlive the data they
were computed from. Today (UTC) is never rolled up: it is not over.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sauti import clock
from sauti.analytics import store
from sauti.analytics.errors import DayArchived, DayNotFinished
from sauti.analytics.settings import AnalyticsSettings
from sauti.db import transaction
from sauti.errors import DomainError
from sauti.observability import logger
from sauti.settings import settings

ROLLUP_STATEMENT_TIMEOUT = "10min"
ROLLUP_WORK_MEM = "128MB"
# Plays recorded this many days late (offline listening synced later) still reach the totals.
LATE_PLAYS_WINDOW_DAYS = 7
# A play's recorded_at is when its transaction began, which can be before the rollup read the day
# although it committed after: the day counts as rolled up as of its start minus this margin, so
# such a play is found as late (a redone day is harmless, a lost play is not).
LATE_SETTLE_SECONDS = 60


def _refuse_archived(archived: set[date]) -> None:
    if archived:
        days = ", ".join(day.isoformat() for day in sorted(archived))
        raise DayArchived(
            f"the raw plays of {days} were detached after the retention period; "
            "their totals are final and cannot be rolled up again"
        )


@dataclass(frozen=True)
class DayRollup:
    day: date
    raw_plays: int
    counted_plays: int
    songs: int
    duration_ms: int


def daily_cap() -> int:
    return settings(AnalyticsSettings).analytics_daily_play_cap


def roll_up_day(day: date, *, today: date | None = None) -> DayRollup:
    """Roll up one finished day; running it again gives the same totals. An archived day is refused."""
    today = today or clock.today()
    if day >= today:
        raise DayNotFinished(
            f"{day.isoformat()} is not over yet (UTC); the latest day is {today - timedelta(1)}"
        )
    cap = daily_cap()
    started = time.monotonic()
    with transaction() as conn:
        store.lock_rollups(conn)
        # Re-rolling a detached day would read no raw plays and wipe its totals.
        _refuse_archived(store.archived_days(conn, [day]))
        store.set_statement_timeout(conn, ROLLUP_STATEMENT_TIMEOUT)
        store.set_work_mem(conn, ROLLUP_WORK_MEM)
        read_from = store.database_time(conn) - timedelta(seconds=LATE_SETTLE_SECONDS)
        totals = store.rollup_day(conn, day, cap)
        duration_ms = int((time.monotonic() - started) * 1000)
        store.mark_done(conn, day, totals, cap, duration_ms, rolled_up_at=read_from)
        store.bump_generation(conn)
    result = DayRollup(
        day, int(totals["raw_plays"]), int(totals["counted_plays"]), totals["songs"], duration_ms
    )
    logger.info("day rolled up", extra={"day": day.isoformat(), **_as_log(result)})
    return result


def roll_up_range(first: date, last: date, *, today: date | None = None) -> list[DayRollup]:
    """Backfill: every day from ``first`` to ``last`` inclusive, oldest first; refused whole if any
    of them is archived."""
    today = today or clock.today()
    if last < first:
        raise DomainError(f"the range ends ({last}) before it starts ({first})")
    if last >= today:
        raise DayNotFinished(
            f"{last.isoformat()} is not over yet (UTC); the latest day is {today - timedelta(1)}"
        )
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    with transaction() as conn:
        _refuse_archived(store.archived_days(conn, days))
    return [roll_up_day(day, today=today) for day in days]


def catch_up(
    *, today: date | None = None, keep_going: Callable[[int], bool] = lambda _longest_ms: True
) -> list[DayRollup]:
    """Roll up every finished day that is missing or pending, oldest first.

    ``keep_going(longest_day_ms)`` is asked before each day (a Lambda stops starting days when its
    time runs short); whatever is left is found again by the next run.
    """
    today = today or clock.today()
    with transaction() as conn:
        days = store.days_to_roll_up(conn, today - timedelta(days=1), LATE_PLAYS_WINDOW_DAYS)
    done: list[DayRollup] = []
    for day in days:
        if not keep_going(max((d.duration_ms for d in done), default=0)):
            logger.warning("catch-up stopped early", extra={"left": len(days) - len(done)})
            break
        done.append(roll_up_day(day, today=today))
    return done


def _as_log(result: DayRollup) -> dict[str, int]:
    return {
        "raw_plays": result.raw_plays,
        "counted_plays": result.counted_plays,
        "songs": result.songs,
        "duration_ms": result.duration_ms,
    }
