"""`sauti smoke` against the local stack served over HTTP, as it runs against a deployed one: the
issuer is the served URL (as JwtIssuer is the API's domain), the CDN link goes to the local edge."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from sauti_dev.cli import main
from sauti_dev.gateway import LocalGateway, serve
from sauti_dev.services import free_port
from sauti_dev.smoke import smoke


def set_issuer(url: str | None) -> None:
    from sauti.config import config

    if url is None:
        os.environ.pop("JWT_ISSUER", None)
    else:
        os.environ["JWT_ISSUER"] = url
    config.cache_clear()


@pytest.fixture
def deployed(gateway: LocalGateway, edge: str) -> Iterator[str]:
    server = serve(gateway, 0)
    base_url = f"http://127.0.0.1:{server.server_port}"
    previous = os.environ.get("JWT_ISSUER")
    set_issuer(base_url)
    yield base_url
    set_issuer(previous)
    server.shutdown()


def accounts() -> int:
    """Live accounts: a deleted one is anonymised (no email, no password), its row kept (docs/auth.md)."""
    from sauti import db

    with db.transaction() as conn:
        row = conn.execute(
            "SELECT count(*) AS n FROM users WHERE deleted_at IS NULL OR email IS NOT NULL"
        ).fetchone()
    return int(row["n"])


def test_smoke_walks_every_journey_and_leaves_no_account_behind(deployed, catalog, capsys):
    catalog.song("Mawimbi")

    assert main(["smoke", "--base-url", deployed]) == 0

    printed = capsys.readouterr().out
    steps = [
        line.split(":")[0].removeprefix("ok   ") for line in printed.splitlines() if line.startswith("ok")
    ]
    assert steps == [
        "health",
        "sign up",
        "log in",
        "issuer",
        "browse",
        "play",
        "heartbeat",
        "end",
        "playlist",
        "search",
        "clean up",
    ], printed
    assert "bytes through the CDN" in printed
    assert accounts() == 0


def test_the_first_broken_step_stops_the_walk_with_its_request_and_answer_and_the_account_is_still_deleted(
    deployed,
):
    lines: list[str] = []

    assert smoke(deployed, lines.append) == 1  # an empty catalog: nothing to play

    report = "\n".join(lines)
    assert "FAIL browse: the catalog has no song to play" in report
    assert f"request: GET {deployed}/songs?limit=5" in report
    assert "answer: 200 application/json" in report and '"items"' in report
    assert "play" not in [line.split(":")[0].removeprefix("ok   ") for line in lines if line.startswith("ok")]
    assert "ok   clean up" in report
    assert accounts() == 0


def test_an_issuer_the_authorizer_cannot_reach_fails_the_walk(deployed, catalog):
    catalog.song()
    set_issuer(f"http://127.0.0.1:{free_port()}")  # what samconfig's issuer was with no API domain
    lines: list[str] = []

    assert smoke(deployed, lines.append) == 1

    assert any(line.startswith("FAIL issuer:") and "openid-configuration" in line for line in lines), lines
    assert accounts() == 0
