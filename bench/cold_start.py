"""Cold start per function: handler import time in a fresh interpreter (the Lambda init phase) and the
time of its first request after that, median of several runs, next to a bare interpreter's start.

Run with `make bench` (or `.venv/bin/python bench/cold_start.py`). It starts its own throw-away stack.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "devtools"))

from sauti_dev.benchmarking import bench_stack, timings_ms  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "5"))

# Runs in the fresh interpreter: nothing imported before the handler but what measuring needs.
CHILD = r"""
import importlib.util, json, sys, time
start = time.perf_counter()
spec = importlib.util.spec_from_file_location("handler_module", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
handler = getattr(module, sys.argv[2])
imported = time.perf_counter()

class Context:
    function_name = "bench"; memory_limit_in_mb = 512; aws_request_id = "bench"; function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"; log_group_name = "bench"
    def get_remaining_time_in_millis(self): return 10000

event = json.loads(open(sys.argv[3]).read())
handler(event, Context())
done = time.perf_counter()
print(json.dumps({"import_ms": (imported - start) * 1000, "first_ms": (done - imported) * 1000}))
"""


def _median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples):7.1f}"


def main() -> None:
    from sauti_dev.template import load_template

    with bench_stack("sauti-bench-cold-start-"):
        env = dict(os.environ)
        bare = timings_ms(
            lambda: subprocess.run([sys.executable, "-c", "pass"], check=True, env=env), RUNS, 0
        )
        print(f"python {sys.version.split()[0]}; median of {RUNS} runs; milliseconds")
        print(f"{'bare interpreter start':<32}{_median_ms(bare)}")
        print(f"{'function':<32}{'import':>8}{'first request':>15}")
        for logical_id, spec in sorted(load_template().functions.items()):
            module_name, handler_name = spec.handler.rsplit(".", 1)
            event = ROOT / "events" / f"{logical_id}.json"
            imports, firsts = [], []
            for _ in range(RUNS):
                result = subprocess.run(
                    [
                        sys.executable,
                        "-c",
                        CHILD,
                        str(spec.code_uri / f"{module_name}.py"),
                        handler_name,
                        str(event),
                    ],
                    capture_output=True,
                    text=True,
                    env=env,
                    check=False,
                )
                if result.returncode != 0:
                    print(f"{logical_id:<32} failed: {result.stderr.strip().splitlines()[-1:]}")
                    break
                figures = json.loads(result.stdout.strip().splitlines()[-1])
                imports.append(figures["import_ms"])
                firsts.append(figures["first_ms"])
            if imports:
                print(f"{logical_id:<32}{_median_ms(imports)}{_median_ms(firsts):>15}")


if __name__ == "__main__":
    main()
