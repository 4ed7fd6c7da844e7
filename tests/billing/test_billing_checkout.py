"""Checkout, the customer portal and the subscription view, with Stripe's API faked at its HTTP boundary."""

from __future__ import annotations

from helpers import assert_problem
from sauti_dev import billing_samples as samples

URLS = {"success_url": "https://app.sauti.test/ok", "cancel_url": "https://app.sauti.test/cancel"}


def test_without_a_stripe_key_checkout_and_portal_are_503(api, new_user):
    user = new_user()

    assert_problem(api.post("/billing/checkout", json=URLS, token=user.token), 503, "billing_unavailable")
    assert_problem(
        api.post("/billing/portal", json={"return_url": "https://app.sauti.test"}, token=user.token),
        503,
        "billing_unavailable",
    )


def test_checkout_opens_a_subscription_session_carrying_the_user_id(api, new_user, fake_stripe):
    user = new_user()

    response = api.post("/billing/checkout", json=URLS, token=user.token, headers={"idempotency-key": "k-1"})

    assert response.status == 200, response.body
    assert response.json() == {"url": "https://checkout.stripe.com/c/pay/cs_test_fake"}
    [sent] = fake_stripe.calls("/v1/checkout/sessions")
    assert sent["mode"] == "subscription"
    assert sent["client_reference_id"] == user.id
    assert sent["subscription_data[metadata][user_id]"] == user.id
    assert sent["line_items[0][price]"] == "price_sauti_local_premium"
    assert sent["success_url"] == URLS["success_url"]
    headers = fake_stripe.requests[0][3]
    assert headers["Authorization"] == "Bearer sk_test_fake_local"
    assert headers["Idempotency-Key"] == "k-1"


def test_checkout_refuses_a_premium_user_and_bad_urls(api, new_user, make_premium, fake_stripe):
    premium, other = new_user(), new_user()
    make_premium(premium.id)

    assert_problem(api.post("/billing/checkout", json=URLS, token=premium.token), 409, "already_subscribed")
    assert_problem(
        api.post("/billing/checkout", json={**URLS, "success_url": "javascript:x"}, token=other.token), 422
    )
    assert_problem(api.post("/billing/checkout", json={}, token=other.token), 422)
    assert fake_stripe.calls("/v1/checkout/sessions") == []


def test_the_portal_needs_a_stripe_customer_then_opens_for_it(api, new_user, send_stripe, fake_stripe):
    user = new_user()
    body = {"return_url": "https://app.sauti.test/account"}
    assert_problem(api.post("/billing/portal", json=body, token=user.token), 409, "no_stripe_customer")
    subscription = samples.stripe_subscription(user.id, customer_id="cus_Portal1")
    fake_stripe.subscriptions[subscription["id"]] = subscription
    send_stripe(
        samples.stripe_event(
            "checkout.session.completed",
            samples.stripe_checkout_session(user.id, subscription["id"], "cus_Portal1"),
        )
    )

    response = api.post("/billing/portal", json=body, token=user.token)

    assert response.status == 200
    assert response.json()["url"] == "https://billing.stripe.com/p/session/fake"
    [sent] = fake_stripe.calls("/v1/billing_portal/sessions")
    assert sent == {"customer": "cus_Portal1", "return_url": body["return_url"]}


def test_the_subscription_view_needs_a_token_and_shows_free_by_default(api, new_user):
    user = new_user()

    assert api.get("/billing/subscription").status == 401
    shown = api.get("/billing/subscription", token=user.token).json()
    assert shown["plan"] == "free" and shown["status"] is None and shown["source"] is None
    assert shown["entitlements"]["ads"] is True


def test_make_premium_still_grants_premium(api, new_user, make_premium):
    user = new_user()
    make_premium(user.id, status="past_due", grace_until=None)
    assert api.get("/billing/subscription", token=user.token).json()["plan"] == "free"
    other = new_user()
    make_premium(other.id)
    assert api.get("/billing/subscription", token=other.token).json()["plan"] == "premium"


def test_the_stale_stripe_subscription_is_re_read_by_the_job(
    new_user, send_stripe, functions, fake_stripe, subscription_of
):
    from datetime import UTC, datetime, timedelta

    user = new_user()
    ended = datetime.now(UTC) - timedelta(days=2)
    subscription = samples.stripe_subscription(user.id, period_end=ended)
    send_stripe(
        samples.stripe_event(
            "customer.subscription.created", subscription, created=ended - timedelta(days=30)
        )
    )
    renewed = samples.stripe_subscription(user.id, subscription_id=subscription["id"])
    fake_stripe.subscriptions[subscription["id"]] = renewed

    report = functions.invoke(
        "BillingReconcileFunction", {"time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    )

    assert report["refreshed"] == 1
    assert subscription_of(user)["plan"] == "premium"


def test_two_submits_without_an_idempotency_key_open_one_checkout_session(api, new_user, fake_stripe):
    user, other = new_user(), new_user()

    first = api.post("/billing/checkout", json=URLS, token=user.token)
    second = api.post("/billing/checkout", json=URLS, token=user.token)
    theirs = api.post("/billing/checkout", json=URLS, token=other.token)

    assert first.status == second.status == theirs.status == 200
    assert first.json() == second.json() != theirs.json()
    assert len(fake_stripe.sessions) == 2  # one for each user
    keys = [headers["Idempotency-Key"] for _m, _p, _b, headers in fake_stripe.requests]
    assert keys[0] == keys[1] != keys[2]
    assert keys[0].startswith(f"checkout:{user.id}:") and keys[2].startswith(f"checkout:{other.id}:")


def test_a_client_s_own_idempotency_keys_are_passed_as_they_are(api, new_user, fake_stripe):
    user = new_user()

    first = api.post("/billing/checkout", json=URLS, token=user.token, headers={"idempotency-key": "a"})
    second = api.post("/billing/checkout", json=URLS, token=user.token, headers={"idempotency-key": "b"})

    assert first.json() != second.json()
    assert len(fake_stripe.sessions) == 2


def test_an_idempotency_key_stripe_would_refuse_is_422_before_any_stripe_call(api, new_user, fake_stripe):
    user = new_user()

    for key in ("k" * 256, "clé", "tab\there"):
        problem = assert_problem(
            api.post("/billing/checkout", json=URLS, token=user.token, headers={"idempotency-key": key}),
            422,
            "validation_error",
        )
        assert problem["errors"][0]["field"] == "header.idempotency-key"
    assert fake_stripe.requests == []

    longest = "k" * 255
    response = api.post(
        "/billing/checkout", json=URLS, token=user.token, headers={"idempotency-key": longest}
    )
    assert response.status == 200, response.body
    assert fake_stripe.requests[0][3]["Idempotency-Key"] == longest
