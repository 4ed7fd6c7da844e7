"""Session-wide real PostgreSQL and Redis, moto for AWS, and a clean slate before every test."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import Api, Catalog, TestUser, drain_queue
from sauti_dev.gateway import LocalGateway
from sauti_dev.lambdas import LocalFunctions
from sauti_dev.stack import LocalStack


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    # Not under pytest's basetemp: a concurrent pytest session prunes old basetemps, databases and all.
    data_dir = Path(tempfile.mkdtemp(prefix="sauti-test-"))
    local = LocalStack(data_dir=data_dir, isolated=True)
    local.start()
    from sauti.migrate import apply_migrations

    apply_migrations()
    yield local
    from sauti import db

    db.discard_connection()
    local.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def functions(stack: LocalStack) -> LocalFunctions:
    return LocalFunctions()


@pytest.fixture(scope="session")
def gateway(functions: LocalFunctions) -> LocalGateway:
    return LocalGateway(functions)


@pytest.fixture(autouse=True)
def clean_state(stack: LocalStack) -> Iterator[None]:
    """Every test starts with empty tables, an empty Redis and empty queues."""
    from sauti import cache, db

    with db.transaction() as conn:
        tables = [
            row["tablename"]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables"
                " WHERE schemaname = 'public' AND tablename <> 'schema_migrations'"
            )
        ]
        if tables:
            conn.execute("TRUNCATE " + ", ".join(f'"{name}"' for name in tables) + " CASCADE")
    cache.redis_client().flushdb()
    for url in [*stack.queue_urls.values(), *stack.rule_queues.values()]:
        drain_queue(url)
    yield


@pytest.fixture
def api(gateway: LocalGateway) -> Api:
    return Api(gateway)


@pytest.fixture
def token_for() -> Any:
    """An access token for any user id and roles, signed by the current key."""
    from sauti.tokens import issue_access_token

    def make(user_id: str, roles: list[str] | tuple[str, ...] = ()) -> str:
        return issue_access_token(user_id, list(roles))[0]

    return make


@pytest.fixture
def new_user(token_for: Any) -> Any:
    """Create a user straight in the database (tests only) and hand back its id, email and a token."""
    from sauti_dev import sql

    counter = iter(range(1, 10_000))

    def make(
        roles: tuple[str, ...] | list[str] = (), email: str | None = None, display_name: str = "Test User"
    ):
        email = email or f"user{next(counter)}-{os.urandom(3).hex()}@example.com"
        row = sql.fetch_one(
            "INSERT INTO users (email, display_name, roles) VALUES (%s, %s, %s) RETURNING id",
            (email, display_name, list(roles)),
        )
        assert row is not None
        user_id = str(row["id"])
        return TestUser(id=user_id, email=email, roles=tuple(roles), token=token_for(user_id, list(roles)))

    return make


@pytest.fixture
def make_premium() -> Any:
    """Give a user a subscription in a given state (tests only; billing's webhooks do this for real)."""
    from datetime import UTC, datetime, timedelta

    from sauti.billing.entitlements import invalidate
    from sauti_dev import sql

    def make(
        user_id: str,
        *,
        status: str = "active",
        source: str = "stripe",
        period_end: datetime | None = None,
        grace_until: datetime | None = None,
    ) -> None:
        now = datetime.now(UTC)
        sql.execute(
            """INSERT INTO subscriptions (user_id, source, external_id, status, current_period_end,
                                          grace_until, source_updated_at)
               VALUES (%s, %s, %s, %s, %s, %s, now())""",
            (
                user_id,
                source,
                f"test_{os.urandom(6).hex()}",
                status,
                period_end or now + timedelta(days=30),
                grace_until,
            ),
        )
        invalidate(user_id)

    return make


@pytest.fixture(scope="session")
def edge(stack: LocalStack) -> Iterator[str]:
    """The local edge, serving the local R2 bucket behind the token rule; CDN_BASE_URL points at it."""
    from sauti.config import config
    from sauti.signing import links
    from sauti_dev.edge import serve_edge

    server = serve_edge(0)
    base_url = f"http://127.0.0.1:{server.server_port}"
    previous = os.environ.get("CDN_BASE_URL")
    os.environ["CDN_BASE_URL"] = base_url
    config.cache_clear()
    links.reset()
    yield base_url
    server.shutdown()
    if previous is None:
        os.environ.pop("CDN_BASE_URL", None)
    else:
        os.environ["CDN_BASE_URL"] = previous
    config.cache_clear()
    links.reset()


@pytest.fixture
def catalog(stack: LocalStack) -> Catalog:
    from sauti.catalog import logic

    artist_id = logic.create_artist("Amani Wave", "Coastal benga")
    return Catalog(artist_id=artist_id, album_id=logic.create_album(artist_id, "Pwani Nights"))
