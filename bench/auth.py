"""Auth figures against the local stack, in-process: token verification per second (as the gateway's
JWT authorizer verifies), and login and refresh latency (median and p99) through the local gateway.

Run with `make bench` or `.venv/bin/python bench/auth.py`. Figures depend on the machine; login is
dominated by Argon2id (19 MiB, t=2, p=1) by design.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")

VERIFICATIONS = 2000
LOGINS = 100
REFRESHES = 300
PASSWORD = "correct horse battery staple"


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(name: str, samples: list[float]) -> None:
    print(
        f"{name}: median {statistics.median(samples) * 1000:.1f} ms, "
        f"p99 {percentile(samples, 0.99) * 1000:.1f} ms  (n={len(samples)})"
    )


def post(gateway, path: str, body: dict):
    response = gateway.handle(
        "POST",
        path,
        headers={"content-type": "application/json", "user-agent": "bench"},
        body=json.dumps(body).encode(),
        source_ip="198.51.100.1",
    )
    assert response.status in (200, 201), response.body
    return response.json()


def main() -> None:
    from sauti_dev.stack import LocalStack

    with tempfile.TemporaryDirectory(prefix="sauti-bench-auth-") as data_dir:
        stack = LocalStack(isolated=True, data_dir=Path(data_dir))
        stack.start()
        try:
            from sauti.migrate import apply_migrations
            from sauti_dev.gateway import LocalGateway

            apply_migrations()
            gateway = LocalGateway()
            account = post(
                gateway,
                "/auth/signup",
                {"email": "bench@example.com", "password": PASSWORD, "display_name": "Bench"},
            )

            authorization = f"Bearer {account['access_token']}"
            gateway.verify_bearer(authorization)  # JWKS fetched and cached, as API Gateway caches it
            started = time.perf_counter()
            for _ in range(VERIFICATIONS):
                gateway.verify_bearer(authorization)
            elapsed = time.perf_counter() - started
            print(f"token verification (RS256, cached JWKS): {VERIFICATIONS / elapsed:,.0f} per second")

            logins = []
            for _ in range(LOGINS):
                started = time.perf_counter()
                post(gateway, "/auth/login", {"email": "bench@example.com", "password": PASSWORD})
                logins.append(time.perf_counter() - started)
            report("login (POST /auth/login)", logins)

            refresh_token = account["refresh_token"]
            refreshes = []
            for _ in range(REFRESHES):
                started = time.perf_counter()
                refresh_token = post(gateway, "/auth/refresh", {"refresh_token": refresh_token})[
                    "refresh_token"
                ]
                refreshes.append(time.perf_counter() - started)
            report("refresh (POST /auth/refresh)", refreshes)
        finally:
            from sauti import db

            db.discard_connection()
            stack.stop()


if __name__ == "__main__":
    main()
