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

from sauti.analytics import store
from sauti.analytics.plays import PARTITIONS_LOCK, ensure_daily_partitions
from sauti.analytics.rollup import today_utc
from sauti.config import config
from sauti.db import transaction

DAYS_AHEAD = 7
DETACHED_KEPT_DAYS = 7
_ATTACHED = """SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
               WHERE i.inhparent = 'plays'::regclass AND c.relname ~ '^plays_[0-9]{8}$'"""
_DETACHED = """SELECT relname AS name, obj_description(oid, 'pg_class') AS detached_on FROM pg_class
               WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace
                 AND relname ~ '^plays_detached_[0-9]{8}$'"""


@dataclass
class Upkeep:
    created: list[str] = field(default_factory=list)
    detached: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def _day_of(name: str) -> date:
    return datetime.strptime(name[-8:], "%Y%m%d").date()


def maintain_partitions(today: date | None = None) -> Upkeep:
    today = today or today_utc()
    upkeep = Upkeep(created=ensure_daily_partitions(today, DAYS_AHEAD))
    oldest_kept = today - timedelta(days=config().int("ANALYTICS_RAW_RETENTION_DAYS"))
    with transaction() as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (PARTITIONS_LOCK,))
        rolled_up = {
            row["day"] for row in conn.execute("SELECT day FROM rollup_days WHERE status = 'done'").fetchall()
        }
        for row in conn.execute(_ATTACHED).fetchall():
            day = _day_of(row["name"])
            if day < oldest_kept and day in rolled_up:
                conn.execute(f"ALTER TABLE plays DETACH PARTITION {row['name']}")
                conn.execute(f"ALTER TABLE {row['name']} RENAME TO plays_detached_{day:%Y%m%d}")
                conn.execute(f"COMMENT ON TABLE plays_detached_{day:%Y%m%d} IS '{today.isoformat()}'")
                store.mark_archived(conn, day)
                upkeep.detached.append(row["name"])
        for row in conn.execute(_DETACHED).fetchall():
            detached_on = date.fromisoformat(row["detached_on"] or today.isoformat())
            if detached_on <= today - timedelta(days=DETACHED_KEPT_DAYS):
                conn.execute(f"DROP TABLE {row['name']}")
                upkeep.dropped.append(row["name"])
    return upkeep
