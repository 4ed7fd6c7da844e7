"""The daily rollup: the 30-second rule, the daily cap, idempotence, today never shown, catch-up."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from analytics_helpers import days_ago, play, today

from sauti_dev.events import scheduled_event


def cap() -> int:
    from sauti.analytics.settings import AnalyticsSettings
    from sauti.settings import settings

    return settings(AnalyticsSettings).analytics_daily_play_cap


def stats() -> list[dict]:
    from sauti_dev import sql

    return sql.fetch_all(
        "SELECT day, song_id::text, plays, listeners, raw_plays FROM song_daily_stats ORDER BY day, song_id"
    )


def roll_up(functions, day=None) -> dict:
    return functions.invoke("AnalyticsRollupFunction", scheduled_event(day))


@pytest.fixture
def two_days(make_artist, jsonl):
    """Two past days of imported plays: some under 30 s, one listener over the daily cap."""
    from sauti.analytics.importer import import_file

    artist = make_artist(titles=("Alpha", "Beta"))
    alpha, beta = artist.song_ids
    fan, casual, other = (str(uuid.uuid4()) for _ in range(3))
    first, second = days_ago(2), days_ago(1)
    lines = (
        [play(fan, alpha, first, minute) for minute in range(cap() + 2)]  # over the cap by 2
        + [play(fan, alpha, first, 50 + minute, listened_ms=12_000) for minute in range(3)]  # under 30 s
        + [play(casual, alpha, first, minute) for minute in range(2)]
        + [play(other, beta, first, 1)]
        + [play(fan, beta, second, 1)]
        + [
            play(casual, alpha, second, 2, listened_ms=29_999),
            play(casual, alpha, second, 3, listened_ms=30_000),
        ]
    )
    report = import_file(jsonl(lines))
    assert report.imported == cap() + 2 + 2 + 1 + 1 + 1
    assert report.under_30_seconds == 4
    return artist, first, second


def test_imported_plays_give_exactly_the_expected_totals_after_the_rollup(functions, two_days):
    artist, first, second = two_days
    alpha, beta = artist.song_ids

    roll_up(functions, first)
    roll_up(functions, second)

    expected = {
        (first, alpha): (cap() + 2, 2, cap() + 4),  # the fan counts cap times, the casual listener twice
        (first, beta): (1, 1, 1),
        (second, alpha): (1, 1, 1),  # 29 999 ms does not count, 30 000 ms does
        (second, beta): (1, 1, 1),
    }
    got = {
        (row["day"], row["song_id"]): (row["plays"], row["listeners"], row["raw_plays"]) for row in stats()
    }
    assert got == expected


def test_rolling_up_a_day_again_changes_nothing(functions, two_days):
    _artist, first, second = two_days
    roll_up(functions, first)
    roll_up(functions, second)
    before = stats()

    roll_up(functions, first)
    roll_up(functions, second)
    roll_up(functions)  # the scheduled run finds nothing left to do

    assert stats() == before


def test_a_play_from_today_is_never_rolled_up(functions, make_artist):
    from sauti.analytics.errors import DayNotFinished
    from sauti.analytics.plays import CountedPlay, record_play
    from sauti.analytics.rollup import roll_up_day

    artist = make_artist()
    song = artist.song_ids[0]
    record_play(CountedPlay(str(uuid.uuid4()), song, datetime.combine(today(), time(0), UTC), 60_000))
    record_play(CountedPlay(str(uuid.uuid4()), song, datetime.combine(days_ago(1), time(12), UTC), 60_000))

    roll_up(functions)

    assert [row["day"] for row in stats()] == [days_ago(1)]
    with pytest.raises(DayNotFinished):
        roll_up_day(today())


def test_a_missed_day_is_caught_up_by_the_next_scheduled_run(functions, make_artist, jsonl):
    from sauti.analytics.importer import import_file
    from sauti_dev import sql

    artist = make_artist()
    song = artist.song_ids[0]
    import_file(jsonl([play(str(uuid.uuid4()), song, days_ago(n), 5) for n in (1, 2, 3, 3)]))
    sql.execute("UPDATE plays SET recorded_at = recorded_at - interval '1 hour'")  # imported long before
    roll_up(functions, days_ago(3))  # the last successful run; then two nightly runs were missed

    result = roll_up(functions)

    assert [entry["day"] for entry in result["rolled_up"]] == [
        days_ago(2).isoformat(),
        days_ago(1).isoformat(),
    ]
    assert {(row["day"], row["plays"]) for row in stats()} == {
        (days_ago(3), 2),
        (days_ago(2), 1),
        (days_ago(1), 1),
    }
    done = sql.fetch_all("SELECT day FROM rollup_days WHERE status = 'done' ORDER BY day")
    assert [row["day"] for row in done] == [days_ago(3), days_ago(2), days_ago(1)]


def test_plays_recorded_late_for_a_rolled_up_day_are_picked_up(functions, make_artist):
    from sauti.analytics.plays import CountedPlay, record_play
    from sauti.analytics.rollup import roll_up_day

    artist = make_artist()
    played = datetime.combine(days_ago(2), time(9), UTC)
    record_play(CountedPlay(str(uuid.uuid4()), artist.song_ids[0], played, 60_000))
    roll_up_day(days_ago(2))
    roll_up_day(days_ago(1))

    # an offline play synced today, for a day already rolled up
    record_play(CountedPlay(str(uuid.uuid4()), artist.song_ids[0], played + timedelta(hours=1), 60_000))
    result = roll_up(functions)

    assert [entry["day"] for entry in result["rolled_up"]] == [days_ago(2).isoformat()]
    assert [row["plays"] for row in stats()] == [2]


def test_a_backfill_rolls_up_a_range_and_refuses_unfinished_days(make_artist, jsonl):
    from sauti.analytics.errors import DayNotFinished
    from sauti.analytics.importer import import_file
    from sauti.analytics.rollup import roll_up_range

    song = make_artist().song_ids[0]
    import_file(jsonl([play(str(uuid.uuid4()), song, days_ago(n), 5) for n in (4, 5)]))

    done = roll_up_range(days_ago(6), days_ago(3))

    assert [d.counted_plays for d in done] == [0, 1, 1, 0]
    with pytest.raises(DayNotFinished):
        roll_up_range(days_ago(1), today())


def test_a_play_whose_insert_began_before_the_rollup_but_committed_after_it_is_found_late(
    functions, make_artist
):
    from sauti.analytics.rollup import roll_up_day
    from sauti_dev import sql

    song = make_artist().song_ids[0]
    yesterday = days_ago(1)
    roll_up_day(yesterday)

    # recorded_at is its transaction's start: 20 s before it committed, after the rollup had read the day
    sql.execute(
        """INSERT INTO plays (played_at, user_id, song_id, listened_ms, recorded_at)
           VALUES (%s, gen_random_uuid(), %s, 60000, now() - interval '20 seconds')""",
        (datetime.combine(yesterday, time(23, 50), UTC), song),
    )
    result = roll_up(functions)

    assert [entry["day"] for entry in result["rolled_up"]] == [yesterday.isoformat()]
    assert [row["plays"] for row in stats()] == [1]
