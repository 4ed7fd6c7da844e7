"""Analytics' side of offline plays: duplicates, overlaps with earlier uploads, archived days, late days."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from analytics_helpers import days_ago


def _play(song_id: str, played_at: datetime, listened_ms: int = 100_000, play_id: str | None = None):
    from sauti.analytics.public import OfflinePlay

    return OfflinePlay(play_id or str(uuid.uuid4()), song_id, played_at, listened_ms)


def _noon(days: int) -> datetime:
    return datetime.combine(days_ago(days), datetime.min.time(), UTC) + timedelta(hours=12)


def test_a_play_overlapping_one_uploaded_before_is_refused_and_one_after_it_counts(make_artist, frozen_today):
    from sauti.analytics.public import record_offline_plays

    user_id, song = str(uuid.uuid4()), make_artist().song_ids[0]
    first = _play(song, _noon(1))
    assert record_offline_plays(user_id, [first], today=frozen_today).accepted == [first.play_id]

    during = _play(song, first.played_at + timedelta(seconds=50))  # the first still played for 50 s
    just_before = _play(song, first.played_at - timedelta(seconds=60))  # would run 40 s into it
    after = _play(song, first.played_at + timedelta(seconds=99))  # within the 2 s tolerance
    outcome = record_offline_plays(user_id, [during, just_before, after], today=frozen_today)

    assert outcome.accepted == [after.play_id]
    assert sorted(outcome.refused) == sorted(
        [(during.play_id, "overlapping"), (just_before.play_id, "overlapping")]
    )
    # another user's plays never overlap this one's
    assert record_offline_plays(str(uuid.uuid4()), [during], today=frozen_today).accepted == [during.play_id]


def test_a_play_id_is_one_play_whatever_else_is_resent_with_it(make_artist, frozen_today):
    from sauti import db
    from sauti.analytics.public import record_offline_plays

    user_id, song = str(uuid.uuid4()), make_artist().song_ids[0]
    play = _play(song, _noon(2))
    changed = _play(song, _noon(3), play_id=play.play_id)  # same id, another time

    assert record_offline_plays(user_id, [play, play], today=frozen_today).duplicates == [play.play_id]
    assert record_offline_plays(user_id, [changed], today=frozen_today).duplicates == [play.play_id]
    rows = db.fetch_all("SELECT source FROM plays WHERE user_id = %s", (user_id,))
    assert [row["source"] for row in rows] == ["offline"]


def test_a_play_of_an_archived_day_is_refused(make_artist, frozen_today):
    from sauti import db
    from sauti.analytics.public import record_offline_plays

    day = days_ago(40)
    db.execute("INSERT INTO rollup_days (day, status) VALUES (%s, 'archived')", (day,))
    play = _play(make_artist().song_ids[0], _noon(40))

    outcome = record_offline_plays(str(uuid.uuid4()), [play], today=frozen_today)

    assert outcome.refused == [(play.play_id, "day_archived")]


def test_a_late_play_older_than_the_late_window_marks_its_day_pending(make_artist, frozen_today):
    from sauti import db
    from sauti.analytics.public import record_offline_plays
    from sauti.analytics.rollup import roll_up_day

    song = make_artist().song_ids[0]
    old, recent = days_ago(12), days_ago(3)
    roll_up_day(old)
    roll_up_day(recent)

    record_offline_plays(
        str(uuid.uuid4()), [_play(song, _noon(12)), _play(song, _noon(3))], today=frozen_today
    )

    statuses = {
        row["day"]: row["status"]
        for row in db.fetch_all("SELECT day, status FROM rollup_days WHERE day IN (%s, %s)", (old, recent))
    }
    # the old day is re-opened explicitly; the recent one is found by the catch-up through recorded_at
    assert statuses == {old: "pending", recent: "done"}
