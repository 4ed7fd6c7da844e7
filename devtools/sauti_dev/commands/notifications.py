"""`sauti inbox`: the latest emails (local SES, moto) and pushes (the local FCM) the local stack sent."""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sauti_dev import kept
from sauti_dev.session import local_stack


def register(subparsers: argparse._SubParsersAction) -> None:
    inbox = subparsers.add_parser("inbox", help="show the latest emails and pushes the local stack sent")
    inbox.add_argument("--limit", "-n", type=int, default=10, help="how many of each (default 10)")
    inbox.add_argument("--to", help="only emails to this address")
    inbox.add_argument("--json", action="store_true", help="print JSON instead")
    inbox.set_defaults(run=run_inbox)


def latest_emails(limit: int, to: str | None = None, data_dir: Path | None = None) -> list[dict[str, Any]]:
    """The emails kept from earlier runs of the stack, then the running one's; the latest ``limit``."""
    found = [*(kept.kept_emails(data_dir) if data_dir else []), *kept.live_emails()]
    if to:
        found = [item for item in found if any(to.lower() in address.lower() for address in item["to"])]
    return found[-limit:]


def latest_pushes(limit: int) -> list[dict[str, Any]]:
    import requests

    base = os.environ.get("FCM_API_BASE", "")
    try:
        answer = requests.get(f"{base}/_fake/messages", params={"limit": limit}, timeout=5)
        answer.raise_for_status()
    except requests.RequestException:
        return []
    messages: list[dict[str, Any]] = answer.json()["messages"]
    return messages


def run_inbox(args: argparse.Namespace) -> int:
    with local_stack() as stack:
        emails, pushes = latest_emails(args.limit, args.to, stack.data_dir), latest_pushes(args.limit)
    if args.json:
        print(json.dumps({"emails": emails, "pushes": pushes}, indent=2))
        return 0
    print(f"== emails (local SES), latest {len(emails)}")
    for item in emails:
        print(f"-- to {', '.join(item['to'])}: {item['subject']}")
        print("   " + item["text"].strip().replace("\n", "\n   "))
    print(f"\n== pushes (local FCM), latest {len(pushes)}")
    for push in pushes:
        message = push["message"]
        when = datetime.fromtimestamp(push["received_at"], UTC).strftime("%H:%M:%S")
        platform = next((name for name in ("apns", "android", "webpush") if name in message), "?")
        note = message.get("notification", {})
        print(f"-- {when} {platform} {message['token'][:24]}: {note.get('title')} — {note.get('body')}")
    return 0
