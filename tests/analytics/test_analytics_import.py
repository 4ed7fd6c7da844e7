"""`sauti plays import FILE`: the 30-second rule, bad lines reported by number, all or nothing."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
from analytics_helpers import days_ago, play


def plays_count() -> int:
    from sauti_dev import sql

    return sql.fetch_one("SELECT count(*) AS n FROM plays")["n"]


def test_bad_lines_are_reported_with_their_numbers_and_the_rest_is_imported(jsonl):
    from sauti.analytics.importer import import_file

    user, song = str(uuid.uuid4()), str(uuid.uuid4())
    good = play(user, song, days_ago(2), 1)
    path = jsonl(
        [
            good,
            "{not json",
            {**play(user, song, days_ago(2), 2), "user_id": "bob"},
            {"user_id": user, "song_id": song, "listened_ms": 40_000},
            {**play(user, song, days_ago(2), 3), "played_at": "2024-05-01T12:00:00"},
            {**play(user, song, days_ago(2), 4), "listened_ms": "lots"},
            "",
            play(user, song, days_ago(2), 5, listened_ms=29_000),
            "[1, 2]",
            {**play(user, song, days_ago(2), 6), "played_at": "2999-01-01T00:00:00Z"},
            play(user, song, days_ago(1), 7),
        ]
    )

    report = import_file(path)

    assert report.bad_lines == [
        (2, "not valid JSON"),
        (3, "user_id is not a UUID"),
        (4, "missing played_at"),
        (5, "played_at needs a time zone (e.g. 2024-05-01T12:00:00Z)"),
        (6, "listened_ms must be a whole number of milliseconds"),
        (9, "not a JSON object"),
        (10, "played_at is in the future"),
    ]
    assert (report.imported, report.under_30_seconds, report.lines) == (2, 1, 11)
    assert report.days == [days_ago(2), days_ago(1)]
    assert plays_count() == 2


def test_importing_the_same_file_twice_adds_nothing(jsonl):
    from sauti.analytics.importer import import_file

    path = jsonl([play(str(uuid.uuid4()), str(uuid.uuid4()), days_ago(3), minute) for minute in range(5)])

    first, second = import_file(path), import_file(path)

    assert (first.imported, second.imported, second.duplicates) == (5, 0, 5)
    assert plays_count() == 5


def test_an_import_that_fails_half_way_imports_nothing():
    from sauti.analytics.importer import import_plays

    def lines_then_a_read_error():
        for minute in range(50):
            yield (str(play(str(uuid.uuid4()), str(uuid.uuid4()), days_ago(2), minute)).replace("'", '"'))
        raise OSError("the disk went away")

    with pytest.raises(OSError):
        import_plays(lines_then_a_read_error())

    assert plays_count() == 0


def test_imported_days_are_marked_for_the_next_rollup(jsonl):
    from sauti.analytics.importer import import_file
    from sauti.analytics.rollup import catch_up, roll_up_day
    from sauti_dev import sql

    song = str(uuid.uuid4())
    roll_up_day(days_ago(5))  # a day already rolled up, before its history arrives
    import_file(
        jsonl([play(str(uuid.uuid4()), song, days_ago(5), 1), play(str(uuid.uuid4()), song, days_ago(9), 1)])
    )

    rolled = [r.day for r in catch_up()]

    assert days_ago(5) in rolled and days_ago(9) in rolled
    totals = sql.fetch_all("SELECT day, plays FROM song_daily_stats ORDER BY day")
    assert [(row["day"], row["plays"]) for row in totals] == [(days_ago(9), 1), (days_ago(5), 1)]


def test_the_command_line_tool_reports_bad_lines(stack, jsonl):
    path = jsonl([play(str(uuid.uuid4()), str(uuid.uuid4()), days_ago(2), 1), "oops"])

    result = subprocess.run(
        [sys.executable, "-m", "sauti_dev.cli", "plays", "import", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "line 2: not valid JSON (skipped)" in result.stdout
    assert "imported 1 plays" in result.stdout
    assert plays_count() == 1
