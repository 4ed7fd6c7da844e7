"""Auth figures against the local stack, in-process: token verification per second (as the gateway's
JWT authorizer verifies), and login and refresh latency (median and p99) through the local gateway.

Run with `make bench` or `.venv/bin/python bench/auth.py`. Figures depend on the machine; login is
dominated by Argon2id (19 MiB, t=2, p=1) by design.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "devtools"))

from sauti_dev.benchmarking import bench_stack, per_second, report, report_rate, timings_ms  # noqa: E402

VERIFICATIONS = 2000
LOGINS = 100
REFRESHES = 300
PASSWORD = "correct horse battery staple"


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


def run() -> None:
    from sauti_dev.gateway import LocalGateway

    gateway = LocalGateway()
    account = post(
        gateway,
        "/auth/signup",
        {"email": "bench@example.com", "password": PASSWORD, "display_name": "Bench"},
    )

    authorization = f"Bearer {account['access_token']}"
    # The warm-up call fetches and caches the JWKS, as API Gateway caches it.
    rate = per_second(lambda: gateway.verify_bearer(authorization), VERIFICATIONS, warm_up=1)
    report_rate("token verification (RS256, cached JWKS)", rate, VERIFICATIONS)

    credentials = {"email": "bench@example.com", "password": PASSWORD}
    report(
        "login (POST /auth/login)", timings_ms(lambda: post(gateway, "/auth/login", credentials), LOGINS, 0)
    )

    # A fresh session: the logins above ended the sign-up's (at most 50 live sessions per user).
    refresh_token = post(gateway, "/auth/login", credentials)["refresh_token"]

    def refresh() -> None:  # each refresh rotates the token: the next one uses the new token
        nonlocal refresh_token
        refresh_token = post(gateway, "/auth/refresh", {"refresh_token": refresh_token})["refresh_token"]

    report("refresh (POST /auth/refresh)", timings_ms(refresh, REFRESHES, 0))


def main() -> None:
    with bench_stack("sauti-bench-auth-"):
        run()


if __name__ == "__main__":
    main()
