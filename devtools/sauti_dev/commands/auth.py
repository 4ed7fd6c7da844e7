"""Auth commands: grant or revoke a role by email (the first super admin has to come from somewhere)."""

from __future__ import annotations

import argparse

from sauti_dev.session import local_stack

ROLES = ("artist", "super_admin", "content_manager", "moderator")


def register(subparsers: argparse._SubParsersAction) -> None:
    for name, verb in (("grant-role", "give"), ("revoke-role", "take away")):
        parser = subparsers.add_parser(name, help=f"{verb} a role to the account with this email")
        parser.add_argument("email")
        parser.add_argument("role", choices=ROLES)
        parser.set_defaults(run=run_role_change, grant=name == "grant-role")


def run_role_change(args: argparse.Namespace) -> int:
    with local_stack():
        from sauti.admin.logic import change_role_by_email
        from sauti.errors import DomainError

        try:
            user = change_role_by_email(args.email, args.role, grant=args.grant)
        except (DomainError, ValueError) as exc:
            print(f"error: {exc}")
            return 1
        print(
            f"{user['email']}: roles {', '.join(user['roles']) or 'none'} (in tokens from the next refresh)"
        )
    return 0
