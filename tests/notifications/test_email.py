"""Email through SES: text and HTML, List-Unsubscribe where people may unsubscribe, and SES bounce and
complaint feedback (SNS) that suppresses the address."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

from helpers import mailbox
from sauti.notify import notification_message


def sns_event(signer, ses_notification: dict, **changes) -> dict:
    """What SNS hands a subscribed Lambda function (one record per SNS message), signed like SNS signs
    it by the local stand-in; ``changes`` alter the record before it is signed."""
    event = _unsigned_event(ses_notification)
    event["Records"][0]["Sns"] = signer.sign({**event["Records"][0]["Sns"], **changes})
    return event


def _unsigned_event(ses_notification: dict) -> dict:
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:sauti-dev-email-feedback:1a2b",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
                    "TopicArn": "arn:aws:sns:us-east-1:123456789012:sauti-dev-email-feedback",
                    "Subject": None,
                    "Message": json.dumps(ses_notification),
                    "Timestamp": "2026-11-30T10:00:00.000Z",
                    "SignatureVersion": "1",
                    "Signature": "EXAMPLE",
                    "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService.pem",
                    "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
                    "MessageAttributes": {},
                },
            }
        ]
    }


def bounce(address: str, bounce_type: str = "Permanent", key: str = "notificationType") -> dict:
    """A SES bounce notification (docs.aws.amazon.com/ses/latest/dg/notification-contents.html)."""
    return {
        key: "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": "General",
            "bouncedRecipients": [
                {
                    "emailAddress": address,
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550",
                }
            ],
            "timestamp": "2026-11-30T10:00:00.000Z",
            "feedbackId": "0100018c-bounce",
        },
        "mail": {
            "timestamp": "2026-11-30T09:59:59.000Z",
            "source": "no-reply@sauti.app",
            "destination": [address],
        },
    }


def complaint(address: str) -> dict:
    return {
        "eventType": "Complaint",  # a configuration set's event destination says eventType
        "complaint": {
            "complainedRecipients": [{"emailAddress": address}],
            "complaintFeedbackType": "abuse",
            "timestamp": "2026-11-30T10:00:00.000Z",
            "feedbackId": "0100018c-complaint",
        },
        "mail": {
            "timestamp": "2026-11-30T09:59:59.000Z",
            "source": "no-reply@sauti.app",
            "destination": [address],
        },
    }


def _reset(address: str) -> dict:
    return notification_message(
        "auth.password_reset",
        user_id=None,
        email=address,
        data={"link": "https://app.sauti.test/reset-password?token=T"},
    )


def test_a_bounce_suppresses_the_address_and_a_reset_still_reaches_others(functions, worker, sns_signer):
    bounced, fine = "Gone@Example.com", "fine@example.com"

    result = functions.invoke("NotificationsEmailFeedbackFunction", sns_event(sns_signer, bounce(bounced)))
    assert result == {"suppressed": 1, "refused": 0}

    assert worker.run(_reset("gone@example.com"), _reset(fine)) == {"batchItemFailures": []}
    assert mailbox("gone@example.com") == []
    [email] = mailbox(fine)
    assert email["subject"] == "Reset your Sauti password"
    assert '<a href="https://app.sauti.test/reset-password?token=T">' in email["html"]
    assert "List-Unsubscribe" not in email["headers"]  # account mail is not a list


def test_a_complaint_suppresses_and_a_transient_bounce_does_not(functions, worker, sns_signer):
    functions.invoke(
        "NotificationsEmailFeedbackFunction", sns_event(sns_signer, complaint("angry@example.com"))
    )
    functions.invoke(
        "NotificationsEmailFeedbackFunction",
        sns_event(sns_signer, bounce("full@example.com", "Transient", "eventType"), SignatureVersion="2"),
    )
    functions.invoke("NotificationsEmailFeedbackFunction", {"Records": [{"Sns": {"Message": "not json"}}]})

    worker.run(_reset("angry@example.com"), _reset("full@example.com"))

    assert mailbox("angry@example.com") == []
    assert len(mailbox("full@example.com")) == 1


def test_optional_topics_carry_a_one_click_unsubscribe_that_works(api, new_user, worker):
    user = new_user(display_name="Neema")
    message = notification_message(
        "playlist.followed",
        user_id=user.id,
        data={"follower_name": "Baraka", "playlist_name": "Sunday"},
    )
    worker.run(message)

    [email] = mailbox(user.email)
    assert email["subject"] == "Baraka follows your playlist"
    assert email["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = email["headers"]["List-Unsubscribe"].strip("<>")
    token = parse_qs(urlparse(link).query)["token"][0]

    # RFC 8058: the mail provider POSTs a form body to the link, without any credentials
    response = api.request(
        "POST",
        urlparse(link).path,
        query={"token": token},
        body="List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 204, response.body
    topics = api.get("/me/notification-preferences", token=user.token).json()["topics"]
    assert topics["playlist_activity"] is False
    assert api.post("/notifications/unsubscribe", query={"token": token[:-2] + "xx"}).status == 404


def test_a_new_sign_in_on_an_unknown_device_is_emailed_once(api, functions, stack, worker):
    from notify_helpers import queued

    address = "traveller@example.com"
    password = "a long river at dusk"
    signup = api.post(
        "/auth/signup", json={"email": address, "password": password, "display_name": "Tumaini"}
    )
    assert signup.status == 201
    queued(stack)  # the verification email

    same = api.post("/auth/login", json={"email": address, "password": password})
    assert same.status == 200 and queued(stack) == []
    other = api.post(
        "/auth/login",
        json={"email": address, "password": password},
        headers={"user-agent": "Sauti/2.1 (Android 14)"},
    )
    assert other.status == 200

    [notice] = queued(stack)
    assert notice["type"] == "auth.new_sign_in" and notice["channels"] == ["email", "push"]
    worker.run(notice)
    [email] = mailbox(address)
    assert email["subject"] == "New sign-in to your Sauti account"


def test_a_deleted_account_loses_its_tokens_preferences_and_follows(api, functions, catalog, new_user):
    from sauti_dev import sql

    user, other = new_user(), new_user()
    for someone in (user, other):
        api.post("/me/push-tokens", json={"token": f"t-{someone.id}", "platform": "web"}, token=someone.token)
        api.put(f"/me/following/artists/{catalog.artist_id}", token=someone.token)
        api.put("/me/notification-preferences", json={"channels": {"email": False}}, token=someone.token)
    event = {
        "source": "sauti.auth",
        "detail-type": "user.deleted",
        "detail": {"event_id": "e-1", "occurred_at": "2026-11-30T10:00:00Z", "user_id": user.id},
    }

    functions.invoke("NotificationsEventsFunction", event)
    functions.invoke("NotificationsEventsFunction", event)  # EventBridge delivers at least once

    for table in ("notification_push_tokens", "notification_preferences", "artist_follows"):
        rows = sql.fetch_all(f"SELECT user_id::text AS user_id FROM {table}")
        assert rows == [{"user_id": other.id}], table


def test_feedback_as_ses_publishes_it_through_sns_suppresses(functions, worker, monkeypatch, sns_signer):
    """moto's SES simulator publishes a bounce to the identity's SNS topic; the SNS envelope read off a
    subscribed queue is what the function gets in ``Records[].Sns`` (signed again by the local stand-in:
    moto's signature is a placeholder)."""
    from sauti.aws import client
    from sauti.config import config

    monkeypatch.setenv("EMAIL_FROM", "no-reply@sauti.local")
    config.cache_clear()
    sns, sqs, ses = client("sns"), client("sqs"), client("ses")
    topic = sns.create_topic(Name="email-feedback-test")["TopicArn"]
    queue = sqs.create_queue(QueueName="email-feedback-test")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    ses.verify_domain_identity(Domain="sauti.local")
    ses.set_identity_notification_topic(Identity="sauti.local", NotificationType="Bounce", SnsTopic=topic)

    worker.run(_reset("bounce@simulator.amazonses.com"))
    [message] = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    envelope = json.loads(message["Body"])
    assert envelope["Type"] == "Notification" and envelope["TopicArn"] == topic
    if isinstance(envelope["Message"], dict):  # moto hands over the object; SNS sends SES's JSON text
        envelope["Message"] = json.dumps(envelope["Message"])
    event = {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0", "Sns": sns_signer.sign(envelope)}]}
    monkeypatch.setenv("EMAIL_FEEDBACK_TOPIC_ARN", topic)
    config.cache_clear()

    assert functions.invoke("NotificationsEmailFeedbackFunction", event) == {"suppressed": 1, "refused": 0}
    monkeypatch.undo()
    config.cache_clear()
    worker.run(_reset("recipient1@example.com"), _reset("recipient2@example.com"))
    assert mailbox("recipient1@example.com") == []  # moto's bounce: "failed"
    assert len(mailbox("recipient2@example.com")) == 1  # "delayed": not suppressed
