"""Session-wide real PostgreSQL and Redis, moto for AWS, and a clean slate before every test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import Api, drain_queue
from sauti_dev.gateway import LocalGateway
from sauti_dev.lambdas import LocalFunctions
from sauti_dev.stack import LocalStack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    local = LocalStack(data_dir=tmp_path_factory.mktemp("sauti-data"), isolated=True)
    local.start()
    from sauti.migrate import apply_migrations

    apply_migrations()
    yield local
    from sauti import db

    db.discard_connection()
    local.stop()


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
    from sauti.aws import client

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
    for url in stack.queue_urls.values():
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
