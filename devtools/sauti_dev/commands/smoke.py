"""`sauti smoke --base-url URL`: after a deploy, the real journeys through the API as a client makes
them (docs/deploy.md, the runbook). Exit 1 on the first broken step, with its request and answer."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    smoke = subparsers.add_parser(
        "smoke", help="walk sign-up, play, playlist, search and the issuer against a deployed API; clean up"
    )
    smoke.add_argument("--base-url", required=True, help="the API's base URL (the stack's ApiBaseUrl output)")
    smoke.set_defaults(run=run_smoke)


def run_smoke(args: argparse.Namespace) -> int:
    from sauti_dev.smoke import smoke

    return smoke(args.base_url)
