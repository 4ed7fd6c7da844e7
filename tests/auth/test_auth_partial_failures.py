"""A dependency failing half-way: PostgreSQL changes commit together or not at all, and Redis, written
after PostgreSQL, can neither revive an ended session nor turn a client's retry into token theft."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from helpers import assert_problem, drain_queue
from sauti import cache
from sauti_dev import sql

NEW_PASSWORD = "a brand new evening passphrase"


@contextmanager
def postgres_fails(operation: str, table: str = "auth_sessions") -> Iterator[None]:
    """PostgreSQL itself fails every ``operation`` (INSERT, UPDATE, DELETE) on ``table`` for the block,
    as a dropped connection would (SQLSTATE 08006): no code of ours is patched."""
    sql.execute(
        """CREATE OR REPLACE FUNCTION test_connection_lost() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'connection lost' USING ERRCODE = '08006'; END $$"""
    )
    sql.execute(
        f"CREATE TRIGGER test_connection_lost BEFORE {operation} ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION test_connection_lost()"
    )
    try:
        yield
    finally:
        sql.execute(f"DROP TRIGGER IF EXISTS test_connection_lost ON {table}")


@contextmanager
def redis_refuses(*rules: str) -> Iterator[None]:
    """Redis itself refuses commands (an ACL on its default user) for the block: ``-del`` refuses
    deletes, ``-@all`` everything; the app sees the error a broken Redis gives."""
    client = cache.redis_client()
    client.execute_command("ACL", "SETUSER", "default", *rules, "+acl")
    try:
        yield
    finally:
        client.execute_command("ACL", "SETUSER", "default", "+@all")


def _refresh(api, token: str):
    return api.post("/auth/refresh", json={"refresh_token": token})


@pytest.fixture
def reset_link(api, stack):
    def issue(email: str) -> str:
        drain_queue(stack.queue_urls["NotificationsQueue"])
        api.post("/auth/password/forgot", json={"email": email})
        [message] = [
            m
            for m in drain_queue(stack.queue_urls["NotificationsQueue"])
            if m["type"] == "auth.password_reset"
        ]
        return message["data"]["token"]

    return issue


def test_a_reset_that_fails_before_commit_changes_nothing_and_the_link_still_works(
    api, signup, login, reset_link
):
    account = signup()
    token = reset_link(account["email"])
    with postgres_fails("UPDATE"):  # ending the sessions, after the new password was written
        failed = api.post("/auth/password/reset", json={"token": token, "new_password": NEW_PASSWORD})

    assert_problem(failed, 503, "service_unavailable")
    assert login(account["email"]).status == 200  # the old password: set_password was rolled back
    current = _refresh(api, account["refresh_token"])
    assert current.status == 200
    assert api.post("/auth/password/reset", json={"token": token, "new_password": NEW_PASSWORD}).status == 204
    assert_problem(_refresh(api, current.json()["refresh_token"]), 401)


def test_a_redis_failure_after_the_reset_commits_cannot_bring_sessions_back(api, signup, login, reset_link):
    account = signup()
    phone = login(account["email"]).json()
    token = reset_link(account["email"])
    with redis_refuses("-del", "-unlink"):
        response = api.post("/auth/password/reset", json={"token": token, "new_password": NEW_PASSWORD})

        assert response.status == 204
        assert cache.redis_client().keys("auth:family:*")  # the ended sessions are still mirrored...
        for refresh_token in (account["refresh_token"], phone["refresh_token"]):
            assert_problem(_refresh(api, refresh_token), 401)  # ...and refused all the same
    assert login(account["email"], NEW_PASSWORD).status == 200


def test_deleting_an_account_is_all_or_nothing(api, signup):
    account = signup()
    with postgres_fails("DELETE"):  # removing the sessions, after the account was anonymised
        assert_problem(api.delete("/me", token=account["access_token"]), 503)

    assert api.get("/me", token=account["access_token"]).json()["email"] == account["email"]
    fresh = _refresh(api, account["refresh_token"])
    assert fresh.status == 200
    with redis_refuses("-del", "-unlink"):
        assert api.delete("/me", token=account["access_token"]).status == 204
        assert_problem(_refresh(api, fresh.json()["refresh_token"]), 401)


def test_a_signup_whose_session_cannot_be_written_leaves_no_account(api):
    body = {"email": "half@example.com", "password": "correct horse battery staple", "display_name": "Half"}
    with postgres_fails("INSERT"):  # the first session, after the account row
        assert_problem(api.post("/auth/signup", json=body), 503)

    assert sql.fetch_one("SELECT id FROM users WHERE email = %s", (body["email"],)) is None
    assert api.post("/auth/signup", json=body, source_ip="192.0.2.9").status == 201


def test_a_refresh_that_fails_in_postgresql_can_be_retried_with_the_same_token(api, signup):
    account = signup()
    with postgres_fails("UPDATE"):  # the rotation
        assert_problem(_refresh(api, account["refresh_token"]), 503)

    retry = _refresh(api, account["refresh_token"])
    assert retry.status == 200
    assert _refresh(api, retry.json()["refresh_token"]).status == 200


def test_refresh_works_while_redis_is_down_and_reuse_is_still_detected(api, signup):
    account = signup()
    with redis_refuses("-@all"):
        first = _refresh(api, account["refresh_token"])
        assert first.status == 200
        second = _refresh(api, first.json()["refresh_token"])
        assert second.status == 200
        assert_problem(_refresh(api, first.json()["refresh_token"]), 401, "refresh_token_reused")

    # Redis is back, its copy stale: PostgreSQL still decides
    assert_problem(_refresh(api, second.json()["refresh_token"]), 401, "invalid_refresh_token")
