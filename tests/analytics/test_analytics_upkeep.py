"""Partition upkeep and the batched play.counted events."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, time, timedelta

from analytics_helpers import days_ago, play, today


def partition_of(play_id: str) -> str:
    from sauti_dev import sql

    return sql.fetch_one("SELECT tableoid::regclass::text AS name FROM plays WHERE id = %s", (play_id,))[
        "name"
    ]


def insert_play(played_at: datetime) -> str:
    from sauti_dev import sql

    row = sql.fetch_one(
        """INSERT INTO plays (played_at, user_id, song_id, listened_ms)
           VALUES (%s, gen_random_uuid(), gen_random_uuid(), 60000) RETURNING id::text""",
        (played_at,),
    )
    return row["id"]


def test_the_upkeep_creates_the_next_partitions_and_moves_waiting_rows_out_of_the_default(functions):
    from sauti_dev import sql

    future = today() + timedelta(days=30)  # no partition yet: the row waits in the default partition
    waiting = insert_play(datetime.combine(future, time(8), UTC))
    assert partition_of(waiting) == "plays_default"

    functions.invoke("AnalyticsPartitionsFunction", {})

    names = {
        row["name"]
        for row in sql.fetch_all(
            "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = 'plays'::regclass"
        )
    }
    assert {f"plays_{today() + timedelta(days=n):%Y%m%d}" for n in range(7)} <= names

    from sauti.analytics.plays import ensure_daily_partitions

    ensure_daily_partitions(future, 1)
    assert partition_of(waiting) == f"plays_{future:%Y%m%d}"


def test_old_partitions_are_detached_only_once_rolled_up(stack):
    from sauti.analytics.partitions import maintain_partitions
    from sauti.analytics.plays import ensure_daily_partitions
    from sauti.analytics.rollup import roll_up_day
    from sauti_dev import sql

    rolled, not_rolled = days_ago(60), days_ago(61)
    ensure_daily_partitions(not_rolled, 2)
    roll_up_day(rolled)

    upkeep = maintain_partitions()

    assert f"plays_{rolled:%Y%m%d}" in upkeep.detached
    assert f"plays_{not_rolled:%Y%m%d}" not in upkeep.detached
    assert sql.fetch_one("SELECT to_regclass(%s) IS NOT NULL AS found", (f"plays_detached_{rolled:%Y%m%d}",))[
        "found"
    ]
    # the rollup already holds that day's totals, so nothing is lost for the dashboards
    assert sql.fetch_one("SELECT status FROM rollup_days WHERE day = %s", (rolled,))["status"] == "archived"
    # a week later the detached table is dropped
    later = maintain_partitions(today() + timedelta(days=7))
    assert f"plays_detached_{rolled:%Y%m%d}" in later.dropped
    sql.execute(f"DROP TABLE plays_{not_rolled:%Y%m%d}")


def test_counted_plays_are_published_in_batches_once(stack):
    from sauti.analytics.play_events import PLAYS_PER_EVENT, publish_counted_plays
    from sauti.analytics.plays import CountedPlay, record_play

    sent: list[dict] = []
    publish = sent.extend
    publish_counted_plays(publish=publish)  # the cursor starts now
    song = str(uuid.uuid4())
    for _ in range(PLAYS_PER_EVENT + 5):
        record_play(CountedPlay(str(uuid.uuid4()), song, datetime.now(UTC), 45_000, source="album"))
    insert_imported = CountedPlay(str(uuid.uuid4()), song, datetime.now(UTC), 45_000, source="import")
    record_play(insert_imported)

    later = datetime.now(UTC) + timedelta(minutes=2)
    published = publish_counted_plays(now=later, publish=publish)
    again = publish_counted_plays(now=later + timedelta(minutes=5), publish=publish)

    assert (published.plays, published.events, again.plays) == (PLAYS_PER_EVENT + 5, 2, 0)
    assert {entry["DetailType"] for entry in sent} == {"play.counted"}
    assert {entry["Source"] for entry in sent} == {"sauti.analytics"}
    details = [json.loads(entry["Detail"]) for entry in sent]
    plays = [p for detail in details for p in detail["plays"]]
    assert len(plays) == PLAYS_PER_EVENT + 5
    assert len({p["play_id"] for p in plays}) == len(plays)
    assert {"event_id", "occurred_at", "plays"} <= details[0].keys()
    assert {"play_id", "user_id", "song_id", "played_at", "listened_ms", "source"} == plays[0].keys()


def test_the_publisher_job_puts_settled_plays_on_the_bus(functions):
    from sauti_dev import sql

    sql.execute("INSERT INTO analytics_state (publish_cursor) VALUES (now() - interval '10 minutes')")
    for recorded_ago in ("2 minutes", "10 seconds"):  # the second is not settled yet
        sql.execute(
            """INSERT INTO plays (played_at, user_id, song_id, listened_ms, recorded_at)
               VALUES (now() - interval '5 minutes', gen_random_uuid(), gen_random_uuid(), 45000,
                       now() - %s::interval)""",
            (recorded_ago,),
        )

    result = functions.invoke("AnalyticsPlayEventsFunction", {})  # moto's EventBridge accepts them

    assert (result["plays"], result["events"]) == (1, 1)


def test_a_detached_day_is_archived_and_its_totals_survive_rollups_backfills_and_imports(
    functions, make_artist, jsonl
):
    import pytest

    from sauti.analytics.errors import DayArchived
    from sauti.analytics.importer import import_file
    from sauti.analytics.partitions import maintain_partitions
    from sauti.analytics.plays import ensure_daily_partitions
    from sauti.analytics.rollup import catch_up, roll_up_day, roll_up_range
    from sauti_dev import sql

    song = make_artist().song_ids[0]
    old = days_ago(60)
    ensure_daily_partitions(old, 1)
    import_file(jsonl([play(str(uuid.uuid4()), song, old, minute) for minute in range(3)]))
    roll_up_day(old)
    assert f"plays_{old:%Y%m%d}" in maintain_partitions().detached
    totals = "SELECT plays FROM song_daily_stats WHERE day = %s"
    assert sql.fetch_one(totals, (old,))["plays"] == 3
    assert sql.fetch_one("SELECT status FROM rollup_days WHERE day = %s", (old,))["status"] == "archived"

    with pytest.raises(DayArchived, match=old.isoformat()):
        roll_up_day(old)
    with pytest.raises(DayArchived):
        roll_up_range(old - timedelta(days=1), old + timedelta(days=1))
    assert old not in [d.day for d in catch_up()]
    report = import_file(
        jsonl([play(str(uuid.uuid4()), song, old, 30), play(str(uuid.uuid4()), song, days_ago(2), 1)])
    )

    assert [number for number, _reason in report.bad_lines] == [1]
    assert "archived" in report.bad_lines[0][1]
    assert report.imported == 1
    assert sql.fetch_one(totals, (old,))["plays"] == 3
    assert sql.fetch_one("SELECT status FROM rollup_days WHERE day = %s", (old,))["status"] == "archived"
    sql.execute(f"DROP TABLE plays_detached_{old:%Y%m%d}")


def _other_connection():
    import psycopg

    from sauti.config import config

    return psycopg.connect(config().database_url())


def test_the_upkeep_creates_days_after_today_only_and_never_todays_partition(stack):
    import pytest

    from sauti.analytics.partitions import DAYS_AHEAD, maintain_partitions
    from sauti.analytics.plays import TodayHasNoPartition, ensure_daily_partitions
    from sauti_dev import sql

    pretend_today = today() + timedelta(days=40)
    waiting = insert_play(datetime.combine(pretend_today, time(8), UTC))

    upkeep = maintain_partitions(pretend_today)

    days = [pretend_today + timedelta(days=n) for n in range(1, DAYS_AHEAD + 1)]
    assert upkeep.created == [f"plays_{day:%Y%m%d}" for day in days]
    assert partition_of(waiting) == "plays_default"
    with pytest.raises(TodayHasNoPartition):
        ensure_daily_partitions(today(), 3)
    for name in upkeep.created:
        sql.execute(f"DROP TABLE {name}")


def test_a_partition_made_while_an_insert_for_its_day_is_open_takes_that_row_along(stack):
    """The insert holds the default partition; the creation waits for it, then moves its row."""
    import threading

    from sauti.analytics.plays import ensure_daily_partitions

    day = today() + timedelta(days=50)
    inserted, done = threading.Event(), threading.Event()
    row_id: list[str] = []

    def insert_and_commit_late() -> None:
        with _other_connection() as conn, conn.transaction():
            row_id.append(
                str(
                    conn.execute(
                        """INSERT INTO plays (played_at, user_id, song_id, listened_ms)
                           VALUES (%s, gen_random_uuid(), gen_random_uuid(), 60000) RETURNING id""",
                        (datetime.combine(day, time(9), UTC),),
                    ).fetchone()[0]
                )
            )
            inserted.set()
            done.wait(0.5)  # still open while the partition is being created

    writer = threading.Thread(target=insert_and_commit_late)
    writer.start()
    assert inserted.wait(5)
    created = ensure_daily_partitions(day, 1)
    writer.join()

    assert created == [f"plays_{day:%Y%m%d}"]
    assert partition_of(row_id[0]) == f"plays_{day:%Y%m%d}"


def test_a_detach_that_cannot_get_its_lock_in_time_waits_for_the_next_run(stack):
    from sauti.analytics import plays
    from sauti.analytics.partitions import maintain_partitions
    from sauti.analytics.rollup import roll_up_day
    from sauti_dev import sql

    old = days_ago(70)
    plays.ensure_daily_partitions(old, 1)
    roll_up_day(old)

    with _other_connection() as reader, reader.transaction():
        reader.execute("SELECT count(*) FROM plays")  # a long read holds plays
        blocked = maintain_partitions(lock_timeout="100ms")
    assert blocked.detached == []
    assert sql.fetch_one("SELECT status FROM rollup_days WHERE day = %s", (old,))["status"] == "done"

    later = maintain_partitions()

    assert later.detached == [f"plays_{old:%Y%m%d}"]
    sql.execute(f"DROP TABLE plays_detached_{old:%Y%m%d}")


def test_a_backlog_is_published_in_batches_over_several_runs_even_within_one_instant(stack):
    from sauti.analytics.play_events import publish_counted_plays
    from sauti.analytics.plays import CountedPlay, record_play
    from sauti.db import transaction

    sent: list[dict] = []
    publish_counted_plays(publish=sent.extend)  # the cursor starts now
    song = str(uuid.uuid4())
    with transaction() as conn:  # seven plays with the same recorded_at
        for _ in range(7):
            record_play(CountedPlay(str(uuid.uuid4()), song, datetime.now(UTC), 45_000), conn=conn)

    later = datetime.now(UTC) + timedelta(minutes=2)
    runs = [publish_counted_plays(now=later, publish=sent.extend, limit=3) for _ in range(4)]

    assert [(run.plays, run.backlog) for run in runs] == [(3, True), (3, True), (1, False), (0, False)]
    plays = [p for entry in sent for p in json.loads(entry["Detail"])["plays"]]
    assert len(plays) == len({p["play_id"] for p in plays}) == 7


def test_the_upkeep_job_logs_its_work_at_info_as_in_production(functions, caplog):
    from sauti.observability import logger

    previous = logger.log_level
    logger.setLevel("INFO")  # the tests run at ERROR; production at INFO
    try:
        result = functions.invoke("AnalyticsPartitionsFunction", {})
    finally:
        logger.setLevel(previous)

    assert result["created"] is not None
    assert "plays partitions maintained" in caplog.text
