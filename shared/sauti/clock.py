"""The one clock every module reads, settable in tests.

Code asks ``clock.now()`` (an aware UTC datetime), ``clock.today()`` (the UTC date)
or ``clock.epoch()`` (seconds), never ``datetime.now`` or ``time.time`` directly,
so a test can fix or move time with ``clock.frozen(at)`` instead of patching
modules, and the local stack can play time forward (``sauti clock forward``, devtools only: nothing
deployed calls ``set_source``). Durations (timeouts, benchmarks) use ``time.monotonic``, not this clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

_source: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def set_source(source: Callable[[], datetime]) -> None:
    """Read time from ``source`` (aware UTC datetimes) from now on."""
    global _source
    _source = source


def now() -> datetime:
    return _source()


def today() -> date:
    return now().date()


def epoch() -> float:
    return now().timestamp()


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with a ``Z``, the API's timestamp format; None stays None."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


@contextmanager
def frozen(at: datetime) -> Iterator[Callable[[datetime], None]]:
    """Fix the clock at ``at`` (aware) for the block; the yielded function moves it."""
    global _source
    previous, current = _source, [at]

    def move_to(moment: datetime) -> None:
        current[0] = moment

    _source = lambda: current[0]  # noqa: E731
    try:
        yield move_to
    finally:
        _source = previous
