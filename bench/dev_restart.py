"""`make dev`'s second start: from the command to "Sauti is ready", with the data folder of a first start
(PostgreSQL's files, the local R2's objects, the kept queues), median of several restarts; beside it the
first start and a restart whose local R2 lost its objects (as when R2 lived in moto's memory: every
demo file generated and uploaded again). Target: a second start under 10 s on a quiet machine.

Run with `make bench` (or `.venv/bin/python bench/dev_restart.py`). Every port is a free one and the
data folder a throw-away one, so it never meets a running `make dev`.
"""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "devtools"))

from sauti_dev.ports import LOCAL_PORTS  # noqa: E402
from sauti_dev.services import free_port  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SAUTI = Path(sys.executable).parent / "sauti"


def start_and_stop(environment: dict[str, str]) -> float:
    """Seconds from starting `sauti dev` to its ready line; then Ctrl-C, waited for."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(SAUTI), "dev"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    output = []
    for line in process.stdout:
        output.append(line)
        if "Sauti is ready on" in line:
            break
    else:
        raise SystemExit("sauti dev ended before it was ready:\n" + "".join(output[-30:]))
    seconds = time.perf_counter() - started
    os.killpg(process.pid, signal.SIGINT)
    process.communicate(timeout=60)
    return seconds


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="sauti-bench-restart-"))
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SAUTI_DATA_DIR": str(data_dir),
        "POWERTOOLS_LOG_LEVEL": "ERROR",
        **{name: str(free_port()) for name in LOCAL_PORTS},
    }
    try:
        first = start_and_stop(environment)
        restarts = [start_and_stop(environment) for _ in range(RUNS)]
        emptied = []
        for _ in range(max(1, RUNS // 2)):
            shutil.rmtree(data_dir / "r2")
            emptied.append(start_and_stop(environment))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    print(f"{'first start (empty data folder)':<58} {first:8.1f} s")
    print(f"{'restart, the local R2 emptied (the old in-memory R2)':<58} {statistics.median(emptied):8.1f} s")
    print(f"{'second start (ours; target < 10 s)':<58} {statistics.median(restarts):8.1f} s   ({RUNS} runs)")


if __name__ == "__main__":
    main()
