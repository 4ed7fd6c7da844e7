"""Dates and JSON Lines records the analytics tests share."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any


def today() -> date:
    """Analytics' own clock, which the ``frozen_today`` fixture fixes for the whole test: a test
    running across midnight UTC and the code it calls never disagree about the date."""
    from sauti import clock

    return clock.today()


def days_ago(count: int) -> date:
    return today() - timedelta(days=count)


def at(day: date, hour: int = 12, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), UTC).isoformat().replace("+00:00", "Z")


def play(
    user_id: str, song_id: str, day: date, minute: int, listened_ms: int = 95_000, hour: int = 10
) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "song_id": song_id,
        "played_at": at(day, hour, minute),
        "listened_ms": listened_ms,
    }
