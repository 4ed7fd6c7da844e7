"""Admin fixtures: a user per role, the local fake of Cloudflare Stream, audit-log reads."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from helpers import Api


@pytest.fixture
def admins(new_user: Any) -> dict[str, Any]:
    """One user per admin role, and a plain user."""
    return {
        "super_admin": new_user(roles=("super_admin",)),
        "content_manager": new_user(roles=("content_manager",)),
        "moderator": new_user(roles=("moderator",)),
        "user": new_user(),
    }


@pytest.fixture
def stream(api: Api, stack: Any) -> Iterator[Any]:
    """The fake Stream API (STREAM_API_BASE points at it), delivering its webhook through the gateway."""
    from sauti.config import config
    from sauti_dev.stream_fake import start_fake_stream

    delivered: list[Any] = []

    def deliver(body: bytes, headers: dict[str, str]) -> Any:
        response = api.request("POST", "/webhooks/stream", body=body, headers=headers)
        delivered.append(response)
        return response

    fake = start_fake_stream(deliver)
    fake.delivered = delivered
    previous = os.environ.get("STREAM_API_BASE")
    os.environ["STREAM_API_BASE"] = fake.base_url
    config.cache_clear()
    yield fake
    fake.stop()
    if previous is None:
        os.environ.pop("STREAM_API_BASE", None)
    else:
        os.environ["STREAM_API_BASE"] = previous
    config.cache_clear()


@pytest.fixture
def audit_entries() -> Any:
    """The audit log's entries about a target, oldest first (straight from the table)."""
    from sauti_dev import sql

    def read(target_id: str | None = None, action: str | None = None) -> list[dict[str, Any]]:
        return sql.fetch_all(
            """SELECT actor_id::text, system_actor, action, target_type, target_id, before, after, reason
               FROM audit_log
               WHERE (%(t)s::text IS NULL OR target_id = %(t)s) AND (%(a)s::text IS NULL OR action = %(a)s)
               ORDER BY id""",
            {"t": target_id, "a": action},
        )

    return read
