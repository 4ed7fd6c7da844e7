"""Upkeep of the plays table's daily partitions: created ahead, detached after the retention.

Raw plays older than ``ANALYTICS_RAW_RETENTION_DAYS`` live on only as rollups: a day partition
that old, once its day is rolled up, is detached (renamed ``plays_detached_YYYYMMDD``, its comment the
day it was detached) so queries and vacuum no longer see it, and dropped a week after that, which
leaves a week to export it (``pg_dump -t``). The day is then ``archived`` in ``rollup_days``: its
totals are final, since rolling it up again would find no raw plays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from psycopg.errors import LockNotAvailable

from sauti import clock
from sauti.analytics import plays, store
from sauti.analytics.settings import AnalyticsSettings
from sauti.db import transaction
from sauti.observability import logger
from sauti.settings import settings

DAYS_AHEAD = 7
DETACHED_KEPT_DAYS = 7


@dataclass
class Upkeep:
    created: list[str] = field(default_factory=list)
    detached: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def _day_of(name: str) -> date:
    return datetime.strptime(name[-8:], "%Y%m%d").date()


def maintain_partitions(
    today: date | None = None, *, lock_timeout: str = plays.PARTITION_LOCK_TIMEOUT
) -> Upkeep:
    """Create the next days' partitions, detach rolled-up days past the retention (each waiting at most
    ``lock_timeout`` for its locks, else left to the next run) and drop long-detached ones."""
    today = today or clock.today()
    upkeep = Upkeep(created=plays.ensure_daily_partitions(today + timedelta(days=1), DAYS_AHEAD, today=today))
    oldest_kept = today - timedelta(days=settings(AnalyticsSettings).analytics_raw_retention_days)
    with transaction() as conn:
        attached = store.attached_day_partitions(conn)
    for name in sorted(attached):
        day = _day_of(name)
        if day >= oldest_kept:
            continue
        try:
            if _detach(day, today, lock_timeout):
                upkeep.detached.append(name)
        except LockNotAvailable:
            logger.warning("partition not detached: lock timeout, next run retries", extra={"day": str(day)})
    with transaction() as conn:
        store.lock_partitions(conn)
        for row in store.detached_day_partitions(conn):
            detached_on = date.fromisoformat(row["detached_on"] or today.isoformat())
            if detached_on <= today - timedelta(days=DETACHED_KEPT_DAYS):
                store.drop_table(conn, row["name"])
                upkeep.dropped.append(row["name"])
    return upkeep


def _detach(day: date, today: date, lock_timeout: str) -> bool:
    """Detach the day's partition if the day is rolled up; one transaction, bounded lock waits."""
    name, detached = plays.partition_name(day), f"plays_detached_{day:%Y%m%d}"
    with transaction() as conn:
        store.lock_partitions(conn)
        # No rollup of this day runs meanwhile (it would read an empty day and wipe its totals).
        store.lock_rollups(conn)
        if not store.is_done(conn, day):
            return False
        # DETACH takes ACCESS EXCLUSIVE on plays: waiting for it would queue every insert behind it.
        store.set_lock_timeout(conn, lock_timeout)
        store.detach_partition(conn, name, detached, today)
        store.mark_archived(conn, day)
    return True
