"""The notifications worker: email through SES, once per message, to the address Auth knows; bad messages
never block the queue."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from helpers import mailbox, sample_event
from sauti.aws import client
from sauti.config import config
from sauti.notify import notification_message, publish_notification
from sauti_dev.events import sqs_event
from sauti_dev.queues import drain_once


def _emails_sent() -> int:
    return int(client("ses").get_send_quota()["SentLast24Hours"])


def _record(body: str, message_id: str = "m-1") -> dict:
    return {"MessageId": message_id, "ReceiptHandle": f"rh-{message_id}", "Body": body}


def test_a_queued_email_is_sent_once_even_when_delivered_twice(functions):
    body = json.dumps(
        notification_message(
            "auth.password_reset",
            user_id=None,
            email="a@example.com",
            data={"token": "T-1", "link": "https://app.sauti.test/reset-password?token=T-1"},
        )
    )
    before = _emails_sent()

    first = functions.invoke("NotificationsWorkerFunction", sqs_event([_record(body, "m-1")], "arn:q"))
    again = functions.invoke("NotificationsWorkerFunction", sqs_event([_record(body, "m-2")], "arn:q"))

    assert first == {"batchItemFailures": []}
    assert again == {"batchItemFailures": []}
    assert _emails_sent() == before + 1


def test_an_unreadable_message_is_dropped_and_the_rest_of_the_batch_goes_through(functions):
    good = json.dumps(
        notification_message("x.y", user_id=None, email="b@example.com", data={"message": "hi"})
    )
    before = _emails_sent()

    result = functions.invoke(
        "NotificationsWorkerFunction",
        sqs_event([_record("{not json", "bad"), _record(good, "good")], "arn:q"),
    )

    assert result == {"batchItemFailures": []}
    assert _emails_sent() == before + 1


def test_a_failed_delivery_is_retried_not_lost(functions, monkeypatch):

    good = json.dumps(notification_message("x.y", user_id=None, email="c@example.com", data={}))
    monkeypatch.setenv("EMAIL_FROM", "unverified@nowhere.example")
    config.cache_clear()
    try:
        # every record failed: the whole batch goes back to the queue (and on to the DLQ after five tries)
        with pytest.raises(BatchProcessingError):
            functions.invoke("NotificationsWorkerFunction", sqs_event([_record(good, "m-9")], "arn:q"))
    finally:
        monkeypatch.undo()
        config.cache_clear()


def test_the_local_stack_feeds_the_queue_to_the_worker(functions, stack):
    before = _emails_sent()
    publish_notification("auth.password_reset", user_id=None, email="d@example.com", data={"token": "x"})

    assert drain_once(functions, stack.queue_urls) == 1
    assert _emails_sent() == before + 1


@pytest.mark.parametrize(
    "case", ["NotificationsWorkerFunction.json", "NotificationsWorkerFunction.billing.json"]
)
def test_the_sample_events_are_valid_messages(functions, case):
    assert functions.invoke("NotificationsWorkerFunction", sample_event(case)) == {"batchItemFailures": []}


def test_a_message_for_a_user_is_sent_to_the_address_auth_knows_once(functions, stack, new_user):
    user = new_user(display_name="Amina Njeri")
    body = json.dumps(
        notification_message(
            "billing.payment_failed",
            user_id=user.id,
            channels=("email", "push"),
            data={"source": "stripe", "grace_until": "2026-11-24T10:30:00Z"},
        )
    )

    for receipt in ("m-1", "m-2"):  # SQS delivers at least once
        result = functions.invoke("NotificationsWorkerFunction", sqs_event([_record(body, receipt)], "arn:q"))
        assert result == {"batchItemFailures": []}

    [email] = mailbox(user.email)
    assert email["subject"] == "Your Sauti Premium payment failed"
    assert "Hi Amina Njeri," in email["body"]
    assert "You keep Premium until 24 November 2026, 10:30 UTC" in email["body"]


def test_deleted_unknown_or_malformed_users_are_acknowledged_and_sent_nothing(functions, api, new_user):
    gone = new_user()
    assert api.delete("/me", token=gone.token).status == 204
    records = [
        _record(json.dumps(notification_message("billing.premium_ended", user_id=user_id, data={})), str(i))
        for i, user_id in enumerate([gone.id, "00000000-0000-4000-8000-000000000000", "not-a-uuid", None])
    ]
    before = _emails_sent()

    result = functions.invoke("NotificationsWorkerFunction", sqs_event(records, "arn:q"))

    assert result == {"batchItemFailures": []}
    assert _emails_sent() == before
    assert mailbox(gone.email) == []


def test_the_reset_email_carries_auths_link_and_the_link_works(functions, stack, api, new_user):
    from sauti.auth.settings import AuthSettings
    from sauti.settings import settings

    user = new_user(display_name="Baraka")
    assert api.post("/auth/password/forgot", json={"email": user.email}).status == 202

    assert drain_once(functions, stack.queue_urls) == 1

    [email] = mailbox(user.email)
    assert email["subject"] == "Reset your Sauti password"
    assert "Hi Baraka," in email["body"]
    [link] = [word for word in email["body"].split() if word.startswith("http")]
    assert link.startswith(settings(AuthSettings).auth_link_base_url + "/reset-password?token=")
    token = parse_qs(urlparse(link).query)["token"][0]
    reset = api.post("/auth/password/reset", json={"token": token, "new_password": "a long river at dusk"})
    assert reset.status == 204, reset.body


def test_the_verification_email_carries_auths_link_and_the_link_works(functions, stack, api):
    address = "new-listener@example.com"
    signup = api.post(
        "/auth/signup",
        json={"email": address, "password": "correct horse battery staple", "display_name": "Neema"},
    )
    assert signup.status == 201, signup.body

    assert drain_once(functions, stack.queue_urls) == 1

    [email] = mailbox(address)
    assert email["subject"] == "Confirm your email for Sauti"
    [link] = [word for word in email["body"].split() if word.startswith("http")]
    token = parse_qs(urlparse(link).query)["token"][0]
    assert api.post("/auth/email/verify", json={"token": token}).status == 204
    assert api.get("/me", token=signup.json()["access_token"]).json()["email_verified"] is True


QUEUED = {  # every type a module queues, with the data it sends (docs/auth.md, docs/billing.md)
    "auth.email_verification": {
        "display_name": "N",
        "token": "t",
        "link": "https://x/v?token=t",
        "expires_at": "2026-11-26T10:00:00Z",
    },
    "auth.password_reset": {
        "display_name": "N",
        "token": "t",
        "link": "https://x/r?token=t",
        "expires_at": "2026-11-24T10:30:00Z",
    },
    "auth.password_changed": {"display_name": "N"},
    "billing.premium_started": {
        "subscription": {
            "status": "active",
            "source": "apple",
            "current_period_end": "2026-12-24T10:00:00Z",
            "grace_until": None,
            "cancel_at_period_end": False,
        }
    },
    "billing.payment_failed": {"source": "apple", "grace_until": None},
    "billing.grace_ending_soon": {"source": "stripe", "grace_until": "2026-11-26T10:00:00Z"},
    "billing.premium_ended": {"subscription": None},
}


@pytest.mark.parametrize("message_type", sorted(QUEUED))
def test_every_queued_type_has_its_own_email(message_type):
    from sauti.notifications.templates import EMAILS, render_email

    subject, body = render_email(message_type, QUEUED[message_type])

    assert message_type in EMAILS
    assert subject != "News from Sauti" and "{" not in body and " ." not in body
    assert "link" not in QUEUED[message_type] or QUEUED[message_type]["link"] in body


def test_a_copy_arriving_while_another_worker_sends_is_retried_not_sent_twice(functions):
    from sauti.cache import redis_client

    message = notification_message("x.y", user_id=None, email="e@example.com", data={})
    redis_client().set(f"notification:{message['id']}", "sending")  # another worker is on it
    before = _emails_sent()

    with pytest.raises(BatchProcessingError):
        functions.invoke(
            "NotificationsWorkerFunction", sqs_event([_record(json.dumps(message), "m-7")], "arn:q")
        )

    assert _emails_sent() == before


def test_the_worker_imports_no_password_or_token_library():
    import subprocess
    import sys

    from helpers import PROJECT_ROOT

    probe = (
        "import importlib.util, sys;"
        "spec = importlib.util.spec_from_file_location('w', 'functions/notifications_worker/app.py');"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec));"
        "print(sorted(m for m in ('argon2', 'jwt', 'stripe') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
