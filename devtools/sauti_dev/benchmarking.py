"""What every benchmark under bench/ needs: a throw-away local stack, timing and the figures printed."""

from __future__ import annotations

import logging
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sauti_dev.stack import LocalStack


@contextmanager
def bench_stack(prefix: str = "sauti-bench-", keep_in: Path | None = None) -> Iterator[LocalStack]:
    """An isolated stack (free ports, its own data folder) with the schema applied; removed afterwards,
    unless ``keep_in`` names the data folder to use and keep (a big data set reused by the next run)."""
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix=prefix) as temporary:
        stack = LocalStack(data_dir=keep_in or Path(temporary), isolated=True)
        try:
            stack.start()  # inside the try: a half-started stack is stopped too
            from sauti.migrate import apply_migrations

            apply_migrations()
            yield stack
        finally:
            from sauti import db

            db.discard_connection()
            stack.stop()


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest rank: the smallest sample with at least ``fraction`` of the samples at or below it."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def timings_ms(call: Callable[[], object], calls: int, warm_up: int = 50) -> list[float]:
    """``call`` run ``warm_up`` times untimed, then ``calls`` times, each timed; milliseconds."""
    for _ in range(warm_up):
        call()
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def per_second(call: Callable[[], object], calls: int, warm_up: int = 1) -> float:
    """How many times per second ``call`` runs back to back, over ``calls`` runs after ``warm_up``."""
    for _ in range(warm_up):
        call()
    started = time.perf_counter()
    for _ in range(calls):
        call()
    return calls / (time.perf_counter() - started)


def report(name: str, samples_ms: list[float], note: str = "") -> None:
    median, p99 = statistics.median(samples_ms), percentile(samples_ms, 0.99)
    line = f"{name:<58} median {median:8.3f} ms   p99 {p99:8.3f} ms   ({len(samples_ms)} runs)"
    print(f"{line}  {note}" if note else line)


def report_rate(name: str, rate: float, calls: int, unit: str = "per second") -> None:
    print(f"{name:<58} {rate:12,.0f} {unit}   ({calls} runs)")
