"""``python -m sauti_offline`` (or ``sauti-offline``): try the offline flow from a shell.

    sauti-offline login you@example.com            # signs in; the access token is kept in --home
    sauti-offline register --name "my laptop"      # registers this install and makes it the offline device
    sauti-offline download SONG_ID                 # prints the key id
    sauti-offline play KEY_ID --seconds 31         # checks the license offline, decrypts, records the play
    sauti-offline plays                            # the plays recorded and not uploaded yet
    sauti-offline sync                             # uploads them, then syncs the keys (wipes, renewals)

``--home`` (default ``$SAUTI_OFFLINE_HOME`` or ``~/.sauti-offline``) is this install's storage: device
key, key store, encrypted files, recorded plays. ``--api`` (default ``$PUBLIC_BASE_URL``, else the
``make dev`` of this checkout, whose address it reads from ``stack.json`` in the stack's data folder,
else ``http://127.0.0.1:3000``). Attached to that stack, it also follows the stack's clock
(``sauti clock forward 31s`` lets a fresh download's play count without waiting). Each command prints JSON.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from sauti_offline.client import ApiError, NotDownloaded, OfflineClient
from sauti_offline.license import LicenseInvalid
from sauti_offline.transport import HttpTransport


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sauti-offline", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--home",
        type=Path,
        default=Path(os.environ.get("SAUTI_OFFLINE_HOME", Path.home() / ".sauti-offline")),
    )
    parser.add_argument("--api", default=None, help="the API's address (default: see above)")
    commands = parser.add_subparsers(dest="command", required=True)
    login = commands.add_parser("login", help="sign in and keep the access token")
    login.add_argument("email")
    login.add_argument("--password", help="asked for when absent")
    register = commands.add_parser("register", help="register this install as the offline device")
    register.add_argument("--name", default="sauti-offline")
    register.add_argument("--platform", default="other", choices=["ios", "android", "web", "other"])
    download = commands.add_parser("download", help="download a song to this device")
    download.add_argument("song_id")
    play = commands.add_parser("play", help="play a download offline and record the play")
    play.add_argument("key_id")
    play.add_argument("--seconds", type=float, required=True, help="how long it was listened to")
    play.add_argument("--at", help="when it started (ISO 8601 with a time zone); default: now - seconds")
    commands.add_parser("plays", help="the plays recorded and not uploaded yet")
    commands.add_parser("sync", help="upload the recorded plays, then sync the keys")
    return parser


def _local_stack() -> dict[str, Any]:
    """What the running `make dev` of this checkout wrote into its data folder, or {}."""
    checkout = Path(__file__).resolve().parents[3]
    data_dir = Path(os.environ.get("SAUTI_DATA_DIR") or checkout / ".local")
    try:
        state = json.loads((data_dir / "stack.json").read_text())
        os.kill(int(state["pid"]), 0)
        clock = (
            json.loads((data_dir / "clock.json").read_text()) if (data_dir / "clock.json").exists() else {}
        )
        return {
            "api": state["environment"]["PUBLIC_BASE_URL"],
            "offset": float(clock.get("offset_seconds", 0)),
        }
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _resolve_api(args: argparse.Namespace) -> None:
    """``--api``, else ``PUBLIC_BASE_URL``, else this checkout's stack (and its clock), else the default."""
    args.clock_offset = 0.0
    if args.api is None:
        local = {} if os.environ.get("PUBLIC_BASE_URL") else _local_stack()
        args.api = os.environ.get("PUBLIC_BASE_URL") or local.get("api") or "http://127.0.0.1:3000"
        args.clock_offset = local.get("offset", 0.0)


def _session_path(home: Path) -> Path:
    return home / "session.json"


def _client(args: argparse.Namespace) -> OfflineClient:
    path = _session_path(args.home)
    token = os.environ.get("SAUTI_TOKEN") or (
        json.loads(path.read_text())["access_token"] if path.exists() else None
    )
    if not token:
        raise SystemExit("sign in first: sauti-offline login EMAIL (or set SAUTI_TOKEN)")
    return OfflineClient(args.home, HttpTransport(args.api), token)


def _login(args: argparse.Namespace) -> dict[str, Any]:
    password = args.password or getpass.getpass("password: ")
    status, answer = HttpTransport(args.api).call(
        "POST", "/auth/login", {"email": args.email, "password": password}, None
    )
    if status != 200:
        raise ApiError(status, answer)
    args.home.mkdir(parents=True, exist_ok=True)
    path = _session_path(args.home)
    path.write_text(json.dumps({"access_token": answer["access_token"]}))
    path.chmod(0o600)
    return {"user_id": answer["user"]["id"], "expires_in": answer["expires_in"]}


def _play(client: OfflineClient, args: argparse.Namespace) -> dict[str, Any]:
    listened_ms = int(args.seconds * 1000)
    now = time.time() + args.clock_offset
    started_at = datetime.fromisoformat(args.at).timestamp() if args.at else now - args.seconds
    size = sum(len(chunk) for chunk in client.play(args.key_id, now=started_at))
    return {"decrypted_bytes": size, "recorded": client.record_play(args.key_id, started_at, listened_ms)}


def run(argv: list[str] | None = None) -> Any:
    args = _parser().parse_args(argv)
    _resolve_api(args)
    if args.command == "login":
        return _login(args)
    client = _client(args)
    if args.command == "register":
        device_id = client.register(name=args.name, platform=args.platform)
        client.make_offline_device()
        return {"device_id": device_id, "offline_device": True}
    if args.command == "download":
        return {"key_id": client.download(args.song_id)}
    if args.command == "play":
        return _play(client, args)
    if args.command == "plays":
        return {"pending": client.journal.pending()}
    return _sync_summary(client.sync())


def _sync_summary(answer: dict[str, Any]) -> dict[str, Any]:
    """What a person wants to see of a sync: the plays' outcome and what happened to the keys."""
    return {
        "plays": answer["plays"],
        "kept": [item["key_id"] for item in answer["keep"]],
        "wiped": answer["wipe"],
        "wipe_all": answer["wipe_all"],
    }


def main(argv: list[str] | None = None) -> int:
    try:
        print(json.dumps(run(argv), indent=2))
    except (ApiError, LicenseInvalid, NotDownloaded) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
