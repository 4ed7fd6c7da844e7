"""The sample events under events/ are real shapes each notifications function handles."""

from __future__ import annotations

import json

from helpers import sample_event


def test_the_sample_events_are_handled(functions, sns_signer):
    assert functions.invoke(
        "NotificationsEventsFunction", sample_event("NotificationsEventsFunction.json")
    ) == {
        "chunks": 0  # the sample song is not in the catalog
    }
    deleted = functions.invoke(
        "NotificationsEventsFunction", sample_event("NotificationsEventsFunction.user-deleted.json")
    )
    assert set(deleted["forgotten"]) >= {"notification_push_tokens", "artist_follows"}
    feedback = sample_event("NotificationsEmailFeedbackFunction.json")
    # its placeholder signature is refused; signed by the local stand-in for SNS, it suppresses
    assert functions.invoke("NotificationsEmailFeedbackFunction", feedback) == {"suppressed": 0, "refused": 1}
    feedback["Records"][0]["Sns"] = sns_signer.sign(feedback["Records"][0]["Sns"])
    assert functions.invoke("NotificationsEmailFeedbackFunction", feedback) == {"suppressed": 1, "refused": 0}

    event = sample_event("NotificationsFunction.json")
    from sauti_dev import sql

    user_id = event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"]
    assert functions.invoke("NotificationsFunction", event)["statusCode"] == 401  # no such account yet
    sql.execute(
        "INSERT INTO users (id, email, display_name) VALUES (%s, 'neema@example.com', 'Neema')", (user_id,)
    )
    preferences = functions.invoke("NotificationsFunction", event)
    assert preferences["statusCode"] == 200
    assert json.loads(preferences["body"])["channels"] == {"push": True, "email": True}
    follow = functions.invoke("NotificationsFunction", sample_event("NotificationsFunction.follow.json"))
    assert follow["statusCode"] == 404  # no such artist in an empty catalog


def test_sauti_inbox_shows_the_latest_emails_and_pushes(api, new_user, worker, fcm, capsys):
    from sauti.notify import notification_message
    from sauti_dev.commands.notifications import latest_emails, latest_pushes

    user = new_user(display_name="Imani")
    api.post("/me/push-tokens", json={"token": "inbox-phone", "platform": "android"}, token=user.token)
    worker.run(
        notification_message(
            "billing.premium_ended", user_id=user.id, channels=("email", "push"), data={"subscription": None}
        )
    )

    [mail] = latest_emails(5, to=user.email)
    assert mail["subject"] == "Your Sauti Premium has ended" and "Hi Imani," in mail["text"]
    [push] = latest_pushes(5)
    assert push["message"]["token"] == "inbox-phone"
    assert push["message"]["notification"]["title"] == "Premium has ended"
