"""`sauti preflight --env dev|prod`: before `sam deploy`, what the account must have that the
template cannot create (docs/deploy.md, the runbook). Exit 1 on any failure."""

from __future__ import annotations

import argparse
import os


def register(subparsers: argparse._SubParsersAction) -> None:
    preflight = subparsers.add_parser(
        "preflight",
        help="check the AWS account (deployer's credentials) and the Cloudflare zone before a deploy",
    )
    preflight.add_argument("--env", required=True, choices=["dev", "prod"], help="the samconfig environment")
    preflight.add_argument(
        "--parameter-overrides",
        default=os.environ.get("SAUTI_PARAMETER_OVERRIDES", ""),
        help="what `sam deploy --parameter-overrides` adds to samconfig's (Key=Value ...)",
    )
    preflight.add_argument(
        "--cloudflare-zone-id",
        default=os.environ.get("CLOUDFLARE_ZONE_ID", ""),
        help="the zone of the API's host; with CLOUDFLARE_API_TOKEN set, its rules are checked",
    )
    preflight.set_defaults(run=run_preflight)


def run_preflight(args: argparse.Namespace) -> int:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from sauti_dev.preflight import Aws, Cloudflare, checks
    from sauti_dev.template import load_template

    token = os.environ.get("CLOUDFLARE_API_TOKEN", "")
    if token and not args.cloudflare_zone_id:
        print(
            "preflight: CLOUDFLARE_API_TOKEN is set: name the zone too "
            "(--cloudflare-zone-id or CLOUDFLARE_ZONE_ID)"
        )
        return 2
    session = boto3.Session()
    failures = 0
    try:
        for finding in checks(
            load_template(),
            args.env,
            Aws(session.client),
            extra_overrides=args.parameter_overrides,
            cloudflare=Cloudflare(token, args.cloudflare_zone_id) if token else None,
        ):
            print(finding.line(), flush=True)
            failures += not finding.ok
    except (BotoCoreError, ClientError) as error:
        print(f"FAIL aws: {error}")
        print("       fix: the deployer's credentials and region, allowed to read what preflight checks")
        return 1
    print(
        f"preflight {args.env}: {failures} failure(s)"
        if failures
        else f"preflight {args.env}: ready to deploy"
    )
    return 1 if failures else 0
