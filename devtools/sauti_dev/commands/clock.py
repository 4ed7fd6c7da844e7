"""`sauti clock`: the local stack's clock, which can be played forward (sauti_dev.timetravel)."""

from __future__ import annotations

import argparse

from sauti_dev import timetravel
from sauti_dev.running import data_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    clock = subparsers.add_parser("clock", help="the local stack's clock: show, play forward, reset")
    actions = clock.add_subparsers(dest="clock_command", metavar="ACTION")
    clock.set_defaults(run=run_show)
    forward = actions.add_parser("forward", help="play time forward, e.g. `sauti clock forward 31s`")
    forward.add_argument("duration", help="31s, 90 (seconds), 15m, 2h, 31d")
    forward.set_defaults(run=run_forward)
    actions.add_parser("reset", help="back to real time").set_defaults(run=run_reset)


def run_show(_args: argparse.Namespace) -> int:
    print(f"the local clock is {timetravel.offset_seconds(data_dir()):,.0f} s ahead of real time")
    return 0


def run_forward(args: argparse.Namespace) -> int:
    try:
        offset = timetravel.move_forward(data_dir(), timetravel.parse_duration(args.duration))
    except (ValueError, timetravel.NotLocal) as exc:
        print(f"error: {exc}")
        return 2
    print(f"the local clock is now {offset:,.0f} s ahead of real time (`sauti clock reset` goes back)")
    return 0


def run_reset(_args: argparse.Namespace) -> int:
    timetravel.reset(data_dir())
    print("the local clock follows real time again")
    return 0
