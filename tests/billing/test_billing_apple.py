"""Apple: notifications and StoreKit transactions signed by the generated local chain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from billing_helpers import FREE, PREMIUM

from helpers import assert_problem
from sauti_dev import billing_samples as samples


def test_subscribed_makes_premium_linked_by_app_account_token(
    new_user, send_apple, subscription_of, me_of, plan_events
):
    user = new_user()

    response, _ = send_apple("SUBSCRIBED", samples.apple_transaction(user.id), subtype="INITIAL_BUY")

    assert response.status == 200, response.body
    assert response.json()["outcome"] == "applied"
    shown = subscription_of(user)
    assert shown["plan"] == "premium" and shown["source"] == "apple" and shown["status"] == "active"
    assert [e["plan"] for e in plan_events()] == ["premium"]
    me = me_of(user)
    assert (
        me["plan"] == "premium" and me["entitlements"] == PREMIUM and me["subscription"]["source"] == "apple"
    )


def test_a_later_notification_without_token_links_by_original_transaction_id(
    new_user, send_apple, subscription_of
):
    user = new_user()
    send_apple("SUBSCRIBED", samples.apple_transaction(user.id, original_transaction_id="7001"))

    response, _ = send_apple(
        "DID_CHANGE_RENEWAL_STATUS",
        samples.apple_transaction(None, original_transaction_id="7001"),
        subtype="AUTO_RENEW_DISABLED",
    )

    assert response.json()["outcome"] == "applied"
    shown = subscription_of(user)
    assert shown["cancel_at_period_end"] is True and shown["plan"] == "premium"


def test_an_untrusted_chain_is_400_and_changes_nothing(new_user, send_apple, me_of, tmp_path):
    user, subscriber = new_user(), new_user()
    send_apple("SUBSCRIBED", samples.apple_transaction(subscriber.id, original_transaction_id="7010"))
    before = me_of(subscriber)
    assert before["plan"] == "premium"

    response, _ = send_apple(
        "SUBSCRIBED", samples.apple_transaction(user.id), chain=tmp_path / "stranger-chain"
    )
    revoke, _ = send_apple(
        "REVOKE",
        samples.apple_transaction(subscriber.id, original_transaction_id="7010", revoked=datetime.now(UTC)),
        chain=tmp_path / "stranger-chain",
    )

    assert_problem(response, 400, "invalid_signature")
    assert_problem(revoke, 400, "invalid_signature")
    me = me_of(user)
    assert me["plan"] == "free" and me["entitlements"] == FREE and me["subscription"] is None
    assert me_of(subscriber) == before


def test_a_wrong_bundle_or_environment_or_garbage_is_400(new_user, api, send_apple, me_of):
    user = new_user()
    other_app, _ = send_apple("SUBSCRIBED", samples.apple_transaction(user.id), bundle_id="com.someone.else")
    production, _ = send_apple("SUBSCRIBED", samples.apple_transaction(user.id), environment="Production")
    garbage = api.post("/webhooks/apple", json={"signedPayload": "not.a.jws"})
    missing = api.post("/webhooks/apple", json={"nothing": True})
    not_json = api.post("/webhooks/apple", body="{{{")

    assert_problem(other_app, 400, "invalid_signature")
    assert_problem(production, 400, "invalid_signature")
    assert_problem(garbage, 400, "invalid_signature")
    assert_problem(missing, 422)
    assert_problem(not_json, 400)
    me = me_of(user)
    assert me["plan"] == "free" and me["subscription"] is None


def test_a_redelivered_notification_is_200_and_changes_nothing(new_user, api, send_apple, me_of, plan_events):
    user = new_user()
    _, subscribed = send_apple(
        "SUBSCRIBED", samples.apple_transaction(user.id, original_transaction_id="7002")
    )
    send_apple(
        "EXPIRED", samples.apple_transaction(user.id, original_transaction_id="7002"), subtype="VOLUNTARY"
    )
    assert [e["plan"] for e in plan_events()] == ["premium", "free"]
    before = me_of(user)
    assert before["plan"] == "free" and before["subscription"]["status"] == "expired"

    again = api.post("/webhooks/apple", json=subscribed)

    assert again.status == 200 and again.json()["outcome"] == "duplicate"
    assert me_of(user) == before
    assert plan_events() == []


def test_notifications_out_of_order_end_in_the_newest_state(new_user, send_apple, subscription_of, me_of):
    user = new_user()
    now = datetime.now(UTC)
    transaction = samples.apple_transaction(user.id, original_transaction_id="7003")

    send_apple("EXPIRED", transaction, subtype="VOLUNTARY", signed=now)
    late, _ = send_apple("DID_RENEW", transaction, signed=now - timedelta(hours=1))

    assert late.json()["outcome"] == "stale"
    assert subscription_of(user)["status"] == "expired"
    assert subscription_of(user)["plan"] == "free"
    me = me_of(user)
    assert me["plan"] == "free" and me["entitlements"] == FREE and me["subscription"]["status"] == "expired"


def test_billing_grace_holds_premium_until_apple_says_and_the_clock_ends_it(
    new_user, send_apple, subscription_of, me_of, clock, functions, plan_events
):
    user = new_user()
    now = datetime.now(UTC)
    transaction = samples.apple_transaction(
        user.id, original_transaction_id="7004", expires=now - timedelta(days=1)
    )
    send_apple(
        "SUBSCRIBED",
        samples.apple_transaction(user.id, original_transaction_id="7004"),
        signed=now - timedelta(days=2),
    )
    grace_end = now + timedelta(days=5)

    send_apple(
        "DID_FAIL_TO_RENEW",
        transaction,
        subtype="GRACE_PERIOD",
        renewal=samples.apple_renewal("7004", grace_expires=grace_end),
    )

    shown = subscription_of(user)
    assert shown["status"] == "in_grace" and shown["plan"] == "premium"
    assert abs(datetime.fromisoformat(shown["grace_until"]) - grace_end) < timedelta(seconds=1)
    me = me_of(user)
    assert me["plan"] == "premium" and me["entitlements"] == PREMIUM
    assert (
        me["subscription"]["status"] == "in_grace"
        and me["subscription"]["grace_until"] == shown["grace_until"]
    )
    plan_events()

    clock.move_to(grace_end - timedelta(hours=1))
    assert me_of(user)["plan"] == "premium"

    after_grace = grace_end + timedelta(minutes=1)
    clock.move_to(after_grace)
    job = {"time": after_grace.strftime("%Y-%m-%dT%H:%M:%SZ"), "detail": {}}
    assert functions.invoke("BillingReconcileFunction", job)["plan_changes"] == 1
    assert [e["plan"] for e in plan_events()] == ["free"]
    me = me_of(user)
    assert me["plan"] == "free" and me["entitlements"] == FREE and me["subscription"]["status"] == "in_grace"


def test_failure_without_grace_and_grace_expired_end_premium(new_user, send_apple, me_of):
    user = new_user()
    now = datetime.now(UTC)
    send_apple(
        "SUBSCRIBED",
        samples.apple_transaction(user.id, original_transaction_id="7005"),
        signed=now - timedelta(days=1),
    )
    lapsed = samples.apple_transaction(
        user.id, original_transaction_id="7005", expires=now - timedelta(minutes=5)
    )

    send_apple("DID_FAIL_TO_RENEW", lapsed)
    me = me_of(user)
    assert me["plan"] == "free" and me["subscription"]["status"] == "billing_retry"

    other = new_user()
    send_apple(
        "DID_FAIL_TO_RENEW",
        samples.apple_transaction(other.id, original_transaction_id="7006"),
        subtype="GRACE_PERIOD",
        renewal=samples.apple_renewal("7006", grace_expires=now + timedelta(days=3)),
        signed=now - timedelta(minutes=1),
    )
    assert me_of(other)["plan"] == "premium"
    send_apple("GRACE_PERIOD_EXPIRED", samples.apple_transaction(other.id, original_transaction_id="7006"))
    me = me_of(other)
    assert me["plan"] == "free" and me["entitlements"] == FREE


def test_refund_and_revoke_end_premium_at_once(new_user, send_apple, subscription_of, me_of, notices):
    for kind in ("REFUND", "REVOKE"):
        user = new_user()
        original = f"71{kind}"
        send_apple(
            "SUBSCRIBED",
            samples.apple_transaction(user.id, original_transaction_id=original),
            signed=datetime.now(UTC) - timedelta(seconds=5),
        )
        assert me_of(user)["plan"] == "premium"
        notices()

        response, _ = send_apple(
            kind,
            samples.apple_transaction(user.id, original_transaction_id=original, revoked=datetime.now(UTC)),
        )

        assert response.status == 200
        shown = subscription_of(user)
        assert shown["plan"] == "free" and shown["status"] in ("refunded", "revoked")
        assert [n["type"] for n in notices()] == ["billing.premium_ended"]
        me = me_of(user)
        assert me["plan"] == "free" and me["entitlements"] == FREE
        assert me["subscription"]["status"] == {"REFUND": "refunded", "REVOKE": "revoked"}[kind]


def test_unknown_types_are_acknowledged_and_ignored(new_user, send_apple, subscription_of):
    user = new_user()

    response, _ = send_apple("PRICE_INCREASE", samples.apple_transaction(user.id), subtype="PENDING")
    invented, _ = send_apple("SOMETHING_NEW", samples.apple_transaction(user.id))

    assert response.status == 200 and response.json()["outcome"] == "ignored"
    assert invented.status == 200 and invented.json()["outcome"] == "ignored"
    assert subscription_of(user)["plan"] == "free"


def test_a_storekit_transaction_from_the_app_grants_premium(api, new_user, chain_dir):
    user = new_user()
    signed = samples.sign_apple(samples.apple_transaction(user.id, original_transaction_id="7100"), chain_dir)

    response = api.post(
        "/billing/apple/transactions", json={"signed_transaction_info": signed}, token=user.token
    )

    assert response.status == 200, response.body
    assert response.json()["plan"] == "premium" and response.json()["source"] == "apple"


def test_a_storekit_transaction_of_someone_else_is_refused(api, new_user, chain_dir, tmp_path):
    owner, thief = new_user(), new_user()
    theirs = samples.sign_apple(
        samples.apple_transaction(owner.id, original_transaction_id="7101"), chain_dir
    )
    untrusted = samples.sign_apple(samples.apple_transaction(thief.id), tmp_path / "stranger")
    api.post("/billing/apple/transactions", json={"signed_transaction_info": theirs}, token=owner.token)
    tokenless = samples.sign_apple(samples.apple_transaction(None, original_transaction_id="7101"), chain_dir)

    assert_problem(
        api.post("/billing/apple/transactions", json={"signed_transaction_info": theirs}, token=thief.token),
        403,
    )
    assert_problem(
        api.post(
            "/billing/apple/transactions", json={"signed_transaction_info": tokenless}, token=thief.token
        ),
        409,
        "purchase_linked_elsewhere",
    )
    assert_problem(
        api.post(
            "/billing/apple/transactions", json={"signed_transaction_info": untrusted}, token=thief.token
        ),
        400,
        "invalid_signature",
    )
    assert api.get("/billing/subscription", token=thief.token).json()["plan"] == "free"


@pytest.fixture
def production(monkeypatch):
    """APPLE_ENVIRONMENT=Production, as in prod (the samples' appAppleId)."""
    from sauti.config import config

    monkeypatch.setenv("APPLE_ENVIRONMENT", "Production")
    monkeypatch.setenv("APPLE_APP_APPLE_ID", "1234567890")
    config.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    config.cache_clear()


def _environment_of(original_transaction_id: str) -> str | None:
    from sauti_dev import sql

    row = sql.fetch_one(
        "SELECT environment FROM subscriptions WHERE source = 'apple' AND external_id = %s",
        (original_transaction_id,),
    )
    return row["environment"] if row else None


def test_in_production_app_review_s_sandbox_purchases_are_verified_with_a_sandbox_verifier(
    production, api, new_user, send_apple, subscription_of, chain_dir
):
    reviewer, customer, app_user = new_user(), new_user(), new_user()

    # Sandbox notifications carry no appAppleId
    sandbox, _ = send_apple(
        "SUBSCRIBED",
        samples.apple_transaction(reviewer.id, original_transaction_id="7200"),
        app_apple_id=None,
    )
    live, _ = send_apple(
        "SUBSCRIBED",
        samples.apple_transaction(customer.id, original_transaction_id="7201", environment="Production"),
        environment="Production",
    )
    signed = samples.sign_apple(
        samples.apple_transaction(app_user.id, original_transaction_id="7202"), chain_dir
    )
    storekit = api.post(
        "/billing/apple/transactions", json={"signed_transaction_info": signed}, token=app_user.token
    )

    assert sandbox.status == 200 and sandbox.json()["outcome"] == "applied"
    assert live.status == 200 and live.json()["outcome"] == "applied"
    assert storekit.status == 200, storekit.body
    for user in (reviewer, customer, app_user):
        assert subscription_of(user)["plan"] == "premium"
    assert [_environment_of(i) for i in ("7200", "7201", "7202")] == ["Sandbox", "Production", "Sandbox"]


def test_sandbox_data_in_production_is_refused_when_turned_off(production, new_user, send_apple, me_of):
    from sauti.config import config

    production.setenv("APPLE_SANDBOX_IN_PRODUCTION", "false")
    config.cache_clear()
    user = new_user()

    response, _ = send_apple("SUBSCRIBED", samples.apple_transaction(user.id, original_transaction_id="7203"))
    # a Production notification wrapping a Sandbox transaction is refused in every case
    mixed, _ = send_apple(
        "SUBSCRIBED",
        samples.apple_transaction(user.id, original_transaction_id="7204"),
        environment="Production",
    )

    assert_problem(response, 400, "invalid_signature")
    assert_problem(mixed, 400, "invalid_signature")
    assert me_of(user)["plan"] == "free"
