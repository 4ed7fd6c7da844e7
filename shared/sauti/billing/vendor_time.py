"""Every timestamp a vendor sends is read here: Stripe's epoch seconds, Apple's epoch milliseconds.

A signed payload is authentic, not necessarily sane: a time outside [2000-01-01, 2100-01-01) cannot be
a real subscription date (and 10^20 does not fit a ``datetime``), so it is refused with
``TimestampOutOfRange`` (400 ``timestamp_out_of_range``) before anything is changed; the webhooks
record such an event as ``refused``. Anything that is not a number stays the caller's ``ValueError``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sauti.billing.errors import MalformedPayload

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)  # exclusive
_EARLIEST_SECONDS, _LATEST_SECONDS = int(EARLIEST.timestamp()), int(LATEST.timestamp())


class TimestampOutOfRange(MalformedPayload):
    code, title = "timestamp_out_of_range", "Timestamp out of range"


def _whole(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("a timestamp is a number, not a boolean")
    if isinstance(value, float) and value != value:  # NaN
        raise ValueError("a timestamp is a number")
    try:
        return int(value)
    except OverflowError as exc:  # float('inf')
        raise TimestampOutOfRange("a timestamp is infinite") from exc


def _checked(seconds: int | float, field: str) -> datetime:
    if not _EARLIEST_SECONDS <= seconds < _LATEST_SECONDS:
        raise TimestampOutOfRange(f"{field} is outside {EARLIEST.year}-{LATEST.year}")
    return datetime.fromtimestamp(seconds, UTC)


def from_seconds(value: Any, field: str) -> datetime | None:
    """Epoch seconds (Stripe) as an aware datetime; None for a missing value."""
    if value is None or value == "":
        return None
    return _checked(_whole(value), field)


def from_milliseconds(value: Any, field: str) -> datetime | None:
    """Epoch milliseconds (Apple) as an aware datetime; None for a missing value."""
    if value is None or value == "":
        return None
    return _checked(_whole(value) / 1000, field)
