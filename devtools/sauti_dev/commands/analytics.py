"""Analytics commands: `sauti plays import FILE` and `sauti analytics backfill FROM [TO]`."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from sauti_dev.session import local_stack

SHOWN_BAD_LINES = 100


def register(subparsers: argparse._SubParsersAction) -> None:
    plays = subparsers.add_parser("plays", help="counted plays")
    plays_commands = plays.add_subparsers(dest="plays_command", required=True, metavar="ACTION")
    importer = plays_commands.add_parser(
        "import", help="import historical plays from JSON Lines (user_id, song_id, played_at, listened_ms)"
    )
    importer.add_argument("file", type=Path)
    importer.set_defaults(run=run_import)

    analytics = subparsers.add_parser("analytics", help="analytics rollups")
    analytics_commands = analytics.add_subparsers(dest="analytics_command", required=True, metavar="ACTION")
    backfill = analytics_commands.add_parser(
        "backfill", help="roll up every day from FROM to TO (default: FROM only), again if already done"
    )
    backfill.add_argument("first", metavar="FROM", type=date.fromisoformat, help="YYYY-MM-DD")
    backfill.add_argument("last", metavar="TO", type=date.fromisoformat, nargs="?", help="YYYY-MM-DD")
    backfill.set_defaults(run=run_backfill)


def run_import(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        print(f"no such file: {args.file}")
        return 2
    with local_stack():
        from sauti.analytics.importer import import_file
        from sauti.migrate import apply_migrations

        apply_migrations()
        report = import_file(args.file)
    for number, reason in report.bad_lines[:SHOWN_BAD_LINES]:
        print(f"line {number}: {reason} (skipped)")
    if len(report.bad_lines) > SHOWN_BAD_LINES:
        print(f"... and {len(report.bad_lines) - SHOWN_BAD_LINES} more bad lines")
    print(
        f"read {report.lines} lines: imported {report.imported} plays, "
        f"{report.under_30_seconds} under 30 s not counted, {report.duplicates} already there, "
        f"{len(report.bad_lines)} bad lines skipped"
    )
    if report.days:
        print(
            f"days to roll up again: {report.days[0]} to {report.days[-1]} "
            f"({len(report.days)} day{'s' if len(report.days) > 1 else ''}); "
            "the next analytics-rollup run does it, or `sauti analytics backfill "
            f"{report.days[0]} {report.days[-1]}`"
        )
    return 0


def run_backfill(args: argparse.Namespace) -> int:
    with local_stack():
        from sauti.analytics.rollup import roll_up_range
        from sauti.errors import DomainError

        try:
            done = roll_up_range(args.first, args.last or args.first)
        except DomainError as exc:
            print(exc.detail)
            return 2
    for day in done:
        print(
            f"{day.day}: {day.raw_plays} raw plays -> {day.counted_plays} counted, "
            f"{day.songs} songs, {day.duration_ms} ms"
        )
    return 0
