"""Password reset and email verification: single-use expiring links sent through the notifications queue."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import pytest

from helpers import assert_problem, drain_queue, mailbox
from sauti import cache
from sauti_dev.events import sqs_event

NEW_PASSWORD = "a brand new evening passphrase"


@pytest.fixture
def outbox(stack):
    def read(type_: str | None = None) -> list[dict]:
        messages = drain_queue(stack.queue_urls["NotificationsQueue"])
        return [m for m in messages if type_ is None or m["type"] == type_]

    return read


def _token_from(message: dict) -> str:
    token = message["data"]["token"]
    assert parse_qs(urlparse(message["data"]["link"]).query)["token"] == [token]
    return token


def test_forgot_password_queues_a_reset_email_in_the_documented_shape(api, signup, outbox):
    account = signup()
    outbox()  # the sign-up's verification email

    response = api.post("/auth/password/forgot", json={"email": account["email"].upper()})

    assert response.status == 202
    [message] = outbox()
    assert message["type"] == "auth.password_reset"
    assert message["channels"] == ["email"]
    assert message["email"] == account["email"]
    assert message["user_id"] == account["user"]["id"]
    assert {"display_name", "link", "token", "expires_at"} <= message["data"].keys()


def test_forgot_password_for_an_unknown_email_answers_the_same_and_sends_nothing(
    api, signup, outbox, functions
):
    account = signup()
    outbox()

    known = api.post("/auth/password/forgot", json={"email": account["email"]})
    [known_message] = outbox()
    unknown = api.post("/auth/password/forgot", json={"email": "stranger@example.com"})

    assert known.status == unknown.status == 202
    assert known.body == unknown.body
    # the same work either way: one message queued, but it names nobody and grants nothing
    [message] = outbox()
    assert message["type"] == known_message["type"] == "auth.password_reset"
    assert (message["user_id"], message["email"], message["data"]) == (None, None, {})
    sent_before = len(mailbox("stranger@example.com")) + len(mailbox(account["email"]))
    record = {"MessageId": "m-unknown", "ReceiptHandle": "rh", "Body": json.dumps(message)}
    assert functions.invoke("NotificationsWorkerFunction", sqs_event([record], "arn:q")) == {
        "batchItemFailures": []
    }
    assert len(mailbox("stranger@example.com")) + len(mailbox(account["email"])) == sent_before
    assert len(list(cache.redis_client().scan_iter("auth:reset:*"))) == 2


def test_reset_sets_the_password_and_revokes_every_session(api, signup, login, outbox):
    account = signup()
    phone = login(account["email"]).json()
    outbox()
    api.post("/auth/password/forgot", json={"email": account["email"]})
    token = _token_from(outbox("auth.password_reset")[0])

    response = api.post("/auth/password/reset", json={"token": token, "new_password": NEW_PASSWORD})

    assert response.status == 204
    for refresh_token in (account["refresh_token"], phone["refresh_token"]):
        assert_problem(api.post("/auth/refresh", json={"refresh_token": refresh_token}), 401)
    assert_problem(login(account["email"]), 401, "invalid_credentials")
    assert login(account["email"], NEW_PASSWORD).status == 200
    assert [m["type"] for m in outbox()] == ["auth.password_changed"]
    # the link was single-use
    again = api.post(
        "/auth/password/reset", json={"token": token, "new_password": "yet another long passphrase"}
    )
    assert_problem(again, 400, "invalid_token")


def test_a_weak_new_password_is_refused_without_using_up_the_link(api, signup, outbox):
    account = signup()
    outbox()
    api.post("/auth/password/forgot", json={"email": account["email"]})
    token = _token_from(outbox("auth.password_reset")[0])

    weak = api.post("/auth/password/reset", json={"token": token, "new_password": "password1"})

    assert_problem(weak, 422, "weak_password")
    assert api.post("/auth/password/reset", json={"token": token, "new_password": NEW_PASSWORD}).status == 204


def test_an_older_reset_link_dies_when_the_password_changes(api, signup, outbox):
    account = signup()
    outbox()
    api.post("/auth/password/forgot", json={"email": account["email"]})
    api.post("/auth/password/forgot", json={"email": account["email"]})
    first, second = (_token_from(m) for m in outbox("auth.password_reset"))

    assert (
        api.post("/auth/password/reset", json={"token": second, "new_password": NEW_PASSWORD}).status == 204
    )
    stale = api.post(
        "/auth/password/reset", json={"token": first, "new_password": "yet another long passphrase"}
    )

    assert_problem(stale, 400, "invalid_token")


def test_an_expired_reset_link_is_refused(api, signup, outbox):
    account = signup()
    outbox()
    api.post("/auth/password/forgot", json={"email": account["email"]})
    token = _token_from(outbox("auth.password_reset")[0])
    redis = cache.redis_client()
    [key] = list(redis.scan_iter("auth:reset:*"))
    assert 0 < redis.ttl(key) <= 1800  # PASSWORD_RESET_TTL_SECONDS
    redis.delete(key)  # what Redis does when the TTL runs out

    assert_problem(api.post("/auth/password/reset", json={"token": token, "new_password": NEW_PASSWORD}), 400)


def test_reset_requests_are_throttled_per_account(api, signup, outbox):
    account = signup()

    statuses = [api.post("/auth/password/forgot", json={"email": account["email"]}).status for _ in range(4)]
    unknown = [
        api.post("/auth/password/forgot", json={"email": "ghost@example.com"}).status for _ in range(4)
    ]

    # 202 always (the contract): a request over the limit is dropped without a word
    assert statuses == unknown == [202, 202, 202, 202]
    assert [m["user_id"] for m in outbox("auth.password_reset")] == [account["user"]["id"]] * 3 + [None] * 3


def test_signup_sends_a_verification_email_and_the_link_verifies(api, signup, outbox):
    account = signup()
    [message] = outbox("auth.email_verification")
    assert message["email"] == account["email"]
    assert api.get("/me", token=account["access_token"]).json()["email_verified"] is False

    response = api.post("/auth/email/verify", json={"token": _token_from(message)})

    assert response.status == 204
    assert api.get("/me", token=account["access_token"]).json()["email_verified"] is True
    assert_problem(api.post("/auth/email/verify", json={"token": _token_from(message)}), 400, "invalid_token")


def test_verification_can_be_sent_again_until_verified(api, signup, outbox):
    account = signup()
    outbox()

    resend = api.post("/auth/email/verify/resend", token=account["access_token"])

    assert resend.status == 202
    [message] = outbox("auth.email_verification")
    api.post("/auth/email/verify", json={"token": _token_from(message)})
    done = api.post("/auth/email/verify/resend", token=account["access_token"])
    assert_problem(done, 409, "email_already_verified")
    assert api.post("/auth/email/verify/resend").status == 401


def test_a_reset_link_also_proves_the_email(api, signup, outbox):
    account = signup()
    outbox()
    api.post("/auth/password/forgot", json={"email": account["email"]})
    token = _token_from(outbox("auth.password_reset")[0])

    api.post("/auth/password/reset", json={"token": token, "new_password": NEW_PASSWORD})

    fresh = api.post("/auth/login", json={"email": account["email"], "password": NEW_PASSWORD}).json()
    assert api.get("/me", token=fresh["access_token"]).json()["email_verified"] is True
