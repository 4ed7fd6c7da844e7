"""Where a running `make dev` listens, written into its data folder, so every command of this checkout
(`sauti ...`, `sauti-offline`) attaches to this checkout's stack whatever its shell exports.

``<data>/stack.json``: ``{"pid": ..., "environment": {setting: value}}``, the settings the stack
resolved (ports, addresses, queue URLs; local values only, no secrets). It is removed when the stack
stops; one whose process is gone, or whose API no longer answers, is ignored.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from sauti_dev import ports
from sauti_dev.services import port_is_open
from sauti_dev.template import PROJECT_ROOT

STATE_FILE = "stack.json"


def data_dir() -> Path:
    """This checkout's local data folder: ``SAUTI_DATA_DIR``, else ``.local``."""
    return Path(os.environ.get("SAUTI_DATA_DIR") or PROJECT_ROOT / ".local").resolve()


def announce(data_dir: Path, environment: dict[str, str]) -> None:
    path = data_dir / STATE_FILE
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"pid": os.getpid(), "environment": environment}, indent=2))
    temporary.chmod(0o600)
    temporary.replace(path)


def withdraw(data_dir: Path) -> None:
    path = data_dir / STATE_FILE
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        return


def running_environment(data_dir: Path) -> dict[str, str] | None:
    """The settings of the stack running from ``data_dir``, or None when none runs."""
    try:
        state = json.loads((data_dir / STATE_FILE).read_text())
        pid, environment = int(state["pid"]), dict(state["environment"])
        os.kill(pid, 0)
        api_port = int(environment["PORT"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not port_is_open(api_port):
        return None
    return {str(name): str(value) for name, value in environment.items()}


def api_address() -> str:
    """The API's one address, ``PUBLIC_BASE_URL``: the environment's, else the running stack's, else the
    default port's."""
    if os.environ.get("PUBLIC_BASE_URL"):
        return os.environ["PUBLIC_BASE_URL"].rstrip("/")
    attached = running_environment(data_dir()) or {}
    return attached.get("PUBLIC_BASE_URL") or ports.local_url(ports.port("PORT"))
