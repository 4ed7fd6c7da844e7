"""Import of historical plays from JSON Lines: ``{user_id, song_id, played_at, listened_ms}`` per line.

The same 30-second rule as live playback applies. A line that cannot be read is reported with its
number and skipped; everything else goes in through COPY into a staging table and one INSERT, all
in one transaction, so an import either lands whole or not at all. Each play's id is derived from
(user, song, played_at), so importing the same file twice adds nothing the second time. The days
that received plays are marked for the rollup, which the next scheduled run (or a backfill) redoes.
Plays of an archived day (its raw partition detached, its totals final) are bad lines.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sauti import clock
from sauti.analytics import store
from sauti.analytics.plays import MIN_COUNTED_MS
from sauti.db import transaction
from sauti.ids import canonical_id

MAX_LISTENED_MS = 24 * 3600 * 1000
IMPORT_SOURCE = "import"
PLAY_ID_NAMESPACE = uuid.UUID("4f2b8a3e-6c1d-4e7a-9b0f-5a6d7c8e9f10")


class BadLine(ValueError):
    """A line that cannot be imported; the message says why."""


@dataclass
class ImportReport:
    lines: int = 0
    imported: int = 0
    duplicates: int = 0
    under_30_seconds: int = 0
    bad_lines: list[tuple[int, str]] = field(default_factory=list)
    days: list[date] = field(default_factory=list)


def play_id(user_id: str, song_id: str, played_at: datetime) -> str:
    return str(uuid.uuid5(PLAY_ID_NAMESPACE, f"{user_id}/{song_id}/{played_at.astimezone(UTC).isoformat()}"))


def parse_line(raw: bytes | str, now: datetime) -> tuple[str, datetime, str, str, int]:
    """``(id, played_at, user_id, song_id, listened_ms)`` of one line, or BadLine."""
    try:
        record: Any = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadLine("not valid JSON") from exc
    if not isinstance(record, dict):
        raise BadLine("not a JSON object")
    missing = [name for name in ("user_id", "song_id", "played_at", "listened_ms") if name not in record]
    if missing:
        raise BadLine("missing " + ", ".join(missing))
    user_id, song_id = _uuid(record["user_id"], "user_id"), _uuid(record["song_id"], "song_id")
    played_at = _timestamp(record["played_at"])
    if played_at > now:
        raise BadLine("played_at is in the future")
    listened_ms = record["listened_ms"]
    if isinstance(listened_ms, bool) or not isinstance(listened_ms, int):
        raise BadLine("listened_ms must be a whole number of milliseconds")
    if not 0 <= listened_ms <= MAX_LISTENED_MS:
        raise BadLine("listened_ms must be between 0 and 86400000")
    return play_id(user_id, song_id, played_at), played_at, user_id, song_id, listened_ms


def _uuid(value: Any, name: str) -> str:
    canonical = canonical_id(value)
    if canonical is None:
        raise BadLine(f"{name} is not a UUID")
    return canonical


def _timestamp(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except (ValueError, TypeError) as exc:
        raise BadLine("played_at is not an ISO 8601 timestamp") from exc
    if parsed.tzinfo is None:
        raise BadLine("played_at needs a time zone (e.g. 2024-05-01T12:00:00Z)")
    return parsed


def import_plays(lines: Iterable[bytes | str], *, now: datetime | None = None) -> ImportReport:
    """Import every good line in one transaction; ``lines`` is read once, as a stream."""
    now = now or clock.now()
    report = ImportReport()
    with transaction() as conn:
        store.set_statement_timeout(conn, "0")
        # Shared with other imports, exclusive with the partition upkeep: no day is archived meanwhile.
        store.lock_partitions(conn, shared=True)
        staged = store.stage_import(conn, _rows_to_stage(lines, now, store.archived_days(conn), report))
        per_day = store.insert_staged_plays(conn, IMPORT_SOURCE)
        report.days = [row["day"] for row in per_day]
        report.imported = sum(int(row["plays"]) for row in per_day)
        report.duplicates = staged - report.imported
        if report.days:
            store.mark_pending(conn, report.days)
    return report


def _rows_to_stage(
    lines: Iterable[bytes | str], now: datetime, archived: set[date], report: ImportReport
) -> Iterator[tuple[str, datetime, str, str, int]]:
    """The counted plays among ``lines``; every other line is counted or reported in ``report``."""
    for number, raw in enumerate(lines, start=1):
        report.lines = number
        if not raw.strip():
            continue
        try:
            row = parse_line(raw, now)
        except BadLine as exc:
            report.bad_lines.append((number, str(exc)))
            continue
        if (day := row[1].astimezone(UTC).date()) in archived:
            report.bad_lines.append((number, f"{day} is archived: its raw plays were detached"))
            continue
        if row[4] < MIN_COUNTED_MS:
            report.under_30_seconds += 1
            continue
        yield row


def import_file(path: Path, *, now: datetime | None = None) -> ImportReport:
    with path.open("rb") as lines:
        return import_plays(lines, now=now)
