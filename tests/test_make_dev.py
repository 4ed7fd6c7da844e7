"""`make dev` as a newcomer runs it: no environment at all, every port at its default.

It runs in a throw-away network namespace (so a developer's own stack on the same ports is no obstacle,
and nothing outside can answer for it) over a throw-away data folder mounted on this checkout's
`.local` (visible to that process only). The walk: health, a signed-in request, search finding the
seeded catalog, a song's signed link through the edge, a video upload through the fake Stream, a
password-reset email. Then a restart with every port moved: the same journeys on the new ports, the
media, the email and the demo files kept, and `sauti inbox` attached to that stack with no environment.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from sauti_dev.ports import LOCAL_PORTS
from sauti_dev.template import PROJECT_ROOT

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("ip") is None or shutil.which("nsenter") is None,
    reason="needs root, iproute2 and nsenter (a network namespace of its own)",
)

BARE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
MOVED_PORTS = {name: str(port + 1000) for name, port in LOCAL_PORTS.items()}
DEMO_ADMIN = {"email": "admin@sauti.local", "password": "sauti demo password"}
CLONE_NEWNET = 0x40000000


@contextlib.contextmanager
def network_namespace() -> Iterator[str]:
    name = f"sauti-dev-{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"], check=True)
        yield name
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=False)


class Inside:
    """Runs calls on a thread that entered the namespace's network (sockets it opens live there)."""

    def __init__(self, namespace: str):
        self.pool = ThreadPoolExecutor(1, initializer=self._enter, initargs=(namespace,))

    @staticmethod
    def _enter(namespace: str) -> None:
        with Path(f"/run/netns/{namespace}").open() as handle:
            if ctypes.CDLL(None, use_errno=True).setns(handle.fileno(), CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns failed")

    def __call__(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self.pool.submit(call, *args, **kwargs).result()


class MakeDev:
    """`make dev` in the namespace, its output read as it comes; stopped as Ctrl-C stops it."""

    def __init__(self, namespace: str, data_dir: Path, environment: dict[str, str]):
        self.lines: list[str] = []
        self.ready = threading.Event()
        local = PROJECT_ROOT / ".local"
        local.mkdir(exist_ok=True)
        assignments = [f"{name}={value}" for name, value in environment.items()]
        script = 'mount --bind "$1" "$2" && shift 2 && exec env -i "$@"'
        bare = [f"PATH={BARE_PATH}", *assignments, "make", "-C", str(PROJECT_ROOT), "dev"]
        started = time.monotonic()
        self.process = subprocess.Popen(
            ["ip", "netns", "exec", namespace, "sh", "-c", script, "sh", str(data_dir), str(local), *bare],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(180) or self.process.poll() is not None:
            self.stop()
            pytest.fail("make dev did not get ready:\n" + "".join(self.lines[-40:]))
        self.seconds = time.monotonic() - started

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if "Sauti is ready on" in line:
                self.ready.set()
        self.ready.set()  # it ended

    def command(self, *argv: str) -> subprocess.CompletedProcess[str]:
        """A command in the stack's own network and mounts, with no environment but PATH."""
        return subprocess.run(
            ["nsenter", "--target", str(self.process.pid), "--net", "--mount", "--", *bare_env(*argv)],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def bare_env(*argv: str) -> list[str]:
    return ["env", "-i", f"PATH={BARE_PATH}", *argv]


def walk(api: str, stream_port: str) -> dict[str, Any]:
    """The journeys of a new user of the stack; returns what the restart checks against."""
    with requests.Session() as http:
        health = http.get(f"{api}/health", timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "ok", health.text
        login = http.post(f"{api}/auth/login", json=DEMO_ADMIN, timeout=10)
        assert login.status_code == 200, login.text
        auth = {"authorization": f"Bearer {login.json()['access_token']}"}
        me = http.get(f"{api}/me", headers=auth, timeout=10)
        assert me.status_code == 200 and "super_admin" in me.json()["roles"], me.text

        found = http.get(f"{api}/search", params={"q": "mawimbi"}, headers=auth, timeout=10).json()
        song = next(item for item in found["songs"]["items"] if item["title"] == "Mawimbi")
        started = http.post(
            f"{api}/playback/sessions", json={"song_id": song["id"]}, headers=auth, timeout=10
        )
        assert started.status_code == 201, started.text
        audio = http.get(started.json()["stream"]["url"], timeout=10)
        assert audio.status_code == 200 and audio.content[:4] == b"RIFF"

        artist_id = song["artist"]["id"]
        created = http.post(
            f"{api}/admin/videos",
            json={"artist_id": artist_id, "title": "Demo clip"},
            headers=auth,
            timeout=10,
        )
        assert created.status_code == 201, created.text
        video, upload = created.json()["video"], created.json()["upload"]
        assert upload["url"].startswith(f"http://127.0.0.1:{stream_port}/")
        assert http.post(upload["url"], data=b"\x00\x00\x00\x18ftypmp42" * 64, timeout=10).status_code == 200
        ready = http.get(f"{api}/admin/videos/{video['id']}", headers=auth, timeout=10).json()
        assert ready["ready"] is True, ready

        address = f"reset-{uuid.uuid4().hex[:6]}@sauti.local"
        http.post(
            f"{api}/auth/signup",
            json={"email": address, "password": "a long demo password", "display_name": "Restart"},
            timeout=10,
        )
        assert (
            http.post(f"{api}/auth/password/forgot", json={"email": address}, timeout=10).status_code == 202
        )
    return {"video_id": video["id"], "email": address}


def leftovers(namespace: str) -> list[str]:
    """Processes still in the namespace (none once `make dev` stopped: it stops what it started)."""
    found = subprocess.run(["ip", "netns", "pids", namespace], capture_output=True, text=True, check=True)
    return found.stdout.split()


def emails_to(moto: str, address: str) -> list[str]:
    ses = requests.get(f"{moto}/moto-api/data.json", timeout=10).json().get("ses", {})
    return [raw["raw_data"] for raw in ses.get("RawMessage", []) if address in raw["raw_data"]]


def test_make_dev_starts_bare_walks_the_journeys_and_a_restart_on_other_ports_keeps_its_data():
    data_dir = Path(tempfile.mkdtemp(prefix="sauti-make-dev-"))
    stacks: list[MakeDev] = []
    try:
        with network_namespace() as namespace:
            inside = Inside(namespace)
            first = MakeDev(namespace, data_dir, {})
            stacks.append(first)
            walked = inside(walk, "http://127.0.0.1:3000", "3002")
            deadline = time.monotonic() + 30
            while not inside(emails_to, "http://127.0.0.1:14566", walked["email"]):
                assert time.monotonic() < deadline, "the password-reset email never reached the local SES"
                time.sleep(0.2)
            demo_file = data_dir / "r2" / "sauti-media-local" / "audio" / "mawimbi" / "high.wav"
            generated_at = demo_file.stat().st_mtime
            first.stop()
            assert leftovers(namespace) == [], "Ctrl-C left processes running"

            second = MakeDev(namespace, data_dir, MOVED_PORTS)
            stacks.append(second)
            inside(walk, f"http://127.0.0.1:{MOVED_PORTS['PORT']}", MOVED_PORTS["STREAM_FAKE_PORT"])
            assert demo_file.stat().st_mtime == generated_at, "the demo audio was generated again"

            inbox = second.command(
                str(Path(sys.executable).parent / "sauti"), "inbox", "--json", "--to", walked["email"]
            )
            assert inbox.returncode == 0, inbox.stderr
            emails = json.loads(inbox.stdout)["emails"]
            assert [e for e in emails if "reset-password?token=" in e["text"]], (
                emails
            )  # kept across the restart
            second.stop()
            assert leftovers(namespace) == []
            print(f"first start {first.seconds:.1f} s, second start {second.seconds:.1f} s")
    finally:
        for stack in stacks:
            stack.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
