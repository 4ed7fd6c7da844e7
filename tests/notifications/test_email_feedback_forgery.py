"""The SES feedback function is safe whatever invokes it: a record suppresses only when SNS signed it
(a real signature, made here by the local stand-in's test certificate), for the feedback topic, and
holds SES feedback's shape. Anything else is refused and suppresses nothing; nothing crashes."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from test_email import _unsigned_event, bounce, sns_event

VICTIM = "victim@example.com"


def _suppressed() -> list[str]:
    from sauti_dev import sql

    return [row["address"] for row in sql.fetch_all("SELECT address FROM email_suppressions")]


def _forged_events(signer) -> dict[str, dict]:
    genuine = sns_event(signer, bounce(VICTIM))
    record = genuine["Records"][0]["Sns"]
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tampered = json.loads(json.dumps(genuine))
    tampered["Records"][0]["Sns"]["Message"] = json.dumps(bounce(VICTIM)).replace("0100018c", "0200018c")
    return {
        "unsigned (as invoked directly)": _unsigned_event(bounce(VICTIM)),
        "signed by another key": {"Records": [{"Sns": signer.sign(record, key=other_key)}]},
        "changed after signing": tampered,
        "another topic": sns_event(signer, bounce(VICTIM), TopicArn="arn:aws:sns:us-east-1:666:attacker"),
        "a certificate elsewhere": {
            "Records": [
                {"Sns": {**record, "SigningCertUrl": "https://evil.example/SimpleNotificationService-1.pem"}}
            ]
        },
        "a lookalike certificate host": {
            "Records": [
                {
                    "Sns": {
                        **record,
                        "SigningCertUrl": "https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-1.pem",
                    }
                }
            ]
        },
        "an unknown signature version": {"Records": [{"Sns": {**record, "SignatureVersion": "3"}}]},
        "not base64": {"Records": [{"Sns": {**record, "Signature": "%%%"}}]},
        "a subscription confirmation": sns_event(signer, bounce(VICTIM), Type="SubscriptionConfirmation"),
    }


FORGERIES = [
    "unsigned (as invoked directly)",
    "signed by another key",
    "changed after signing",
    "another topic",
    "a certificate elsewhere",
    "a lookalike certificate host",
    "an unknown signature version",
    "not base64",
    "a subscription confirmation",
]


@pytest.mark.parametrize("name", FORGERIES)
def test_a_record_snss_did_not_sign_for_the_feedback_topic_suppresses_nothing(
    functions, worker, sns_signer, name
):
    event = _forged_events(sns_signer)[name]

    assert functions.invoke("NotificationsEmailFeedbackFunction", event) == {"suppressed": 0, "refused": 1}
    assert _suppressed() == []


ODD_SHAPES = {
    "bouncedRecipients as a string": {"bounceType": "Permanent", "bouncedRecipients": VICTIM},
    "recipients as strings": {"bounceType": "Permanent", "bouncedRecipients": [VICTIM]},
    "an address as a number": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": 7}]},
    "bounceType as a list": {"bounceType": ["Permanent"], "bouncedRecipients": [{"emailAddress": VICTIM}]},
    "a thousand recipients": {
        "bounceType": "Permanent",
        "bouncedRecipients": [{"emailAddress": f"r{n}@example.com"} for n in range(1000)],
    },
}


@pytest.mark.parametrize("shape", ODD_SHAPES.values(), ids=ODD_SHAPES.keys())
def test_a_signed_record_not_of_ses_feedback_s_shape_is_refused(functions, sns_signer, shape):
    event = sns_event(sns_signer, {"notificationType": "Bounce", "bounce": shape})

    assert functions.invoke("NotificationsEmailFeedbackFunction", event) == {"suppressed": 0, "refused": 1}
    assert _suppressed() == []


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"Records": "x"},
        {"Records": [1, None, "x"]},
        {"Records": [{"Sns": None}]},
        {"Records": [{"Sns": []}]},
    ],
)
def test_an_event_that_is_not_an_sns_event_crashes_nothing(functions, event):
    result = functions.invoke("NotificationsEmailFeedbackFunction", event)

    assert result["suppressed"] == 0


def test_a_genuine_record_suppresses(functions, sns_signer):
    for version in ("1", "2"):
        event = sns_event(sns_signer, bounce(VICTIM), SignatureVersion=version)
        assert functions.invoke("NotificationsEmailFeedbackFunction", event) == {
            "suppressed": 1,
            "refused": 0,
        }
    assert _suppressed() == [VICTIM]
