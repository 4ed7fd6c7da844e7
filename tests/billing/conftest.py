"""Billing fixtures: signed Stripe and Apple deliveries, a fake Stripe API, and what reached the bus."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest

from helpers import Api, drain_queue
from sauti_dev import billing_samples as samples


@pytest.fixture
def send_stripe(api: Api) -> Any:
    """POST an event to /webhooks/stripe, signed with the local webhook secret (or ``secret``)."""
    from sauti.billing.settings import StripeSettings
    from sauti.settings import settings

    def send(
        event: dict[str, Any],
        *,
        secret: str | None = None,
        timestamp: int | None = None,
        body: str | None = None,
    ):
        payload = body if body is not None else json.dumps(event)
        signature = samples.stripe_signature(
            payload, secret or settings(StripeSettings).stripe_webhook_secret, timestamp
        )
        return api.post("/webhooks/stripe", body=payload, headers={"stripe-signature": signature})

    return send


@pytest.fixture
def chain_dir(stack: Any) -> Any:
    from sauti.config import config
    from sauti_dev.apple_chain import local_chain_directory

    return local_chain_directory(config().data_dir)


@pytest.fixture
def send_apple(api: Api, chain_dir: Any) -> Any:
    def send(notification_type: str, transaction: dict[str, Any], **kwargs: Any):
        body = samples.apple_notification(
            notification_type, transaction, kwargs.pop("chain", chain_dir), **kwargs
        )
        return api.post("/webhooks/apple", json=body), body

    return send


@pytest.fixture
def subscription_of(api: Api) -> Any:
    def read(user: Any) -> dict[str, Any]:
        response = api.get("/billing/subscription", token=user.token)
        assert response.status == 200, response.body
        return response.json()

    return read


SUBSCRIPTION_FIELDS = ("status", "source", "current_period_end", "grace_until", "cancel_at_period_end")


@pytest.fixture
def me_of(api: Api, subscription_of: Any) -> Any:
    """GET /me, checked to tell the same plan, entitlements and subscription as /billing/subscription."""

    def read(user: Any) -> dict[str, Any]:
        response = api.get("/me", token=user.token)
        assert response.status == 200, response.body
        me = response.json()
        view = subscription_of(user)
        assert me["plan"] == view["plan"]
        assert me["entitlements"] == view["entitlements"]
        expected = None if view["status"] is None else {name: view[name] for name in SUBSCRIPTION_FIELDS}
        assert me["subscription"] == expected
        return me

    return read


@dataclass
class Clock:
    """The clock, moved by a test: webhooks, the entitlement cache and /me all read it. It runs as
    usual until the first ``move_to``, then stays where it was moved."""

    stack: ExitStack
    move: Callable[[datetime], None] | None = None

    def move_to(self, moment: datetime) -> None:
        from sauti import clock

        if self.move is None:
            self.move = self.stack.enter_context(clock.frozen(moment))
        self.move(moment)


@pytest.fixture
def clock() -> Iterator[Clock]:
    with ExitStack() as stack:
        yield Clock(stack)


@pytest.fixture(scope="session")
def bus_queue(stack: Any) -> str:
    """An SQS queue receiving every billing event on the local bus (moto delivers rule targets)."""
    from sauti.aws import client

    sqs, events = client("sqs"), client("events")
    url = sqs.create_queue(QueueName="billing-test-domain-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name="billing-test-domain-events",
        EventBusName="sauti-local",
        EventPattern=json.dumps({"source": ["sauti.billing"]}),
    )
    events.put_targets(
        Rule="billing-test-domain-events", EventBusName="sauti-local", Targets=[{"Id": "q", "Arn": arn}]
    )
    return url


@pytest.fixture
def plan_events(bus_queue: str) -> Any:
    """Call it to take the plan.changed details published since the test began."""
    drain_queue(bus_queue)

    def take() -> list[dict[str, Any]]:
        return [
            message["detail"]
            for message in drain_queue(bus_queue)
            if message["detail-type"] == "plan.changed"
        ]

    return take


@pytest.fixture
def notices(stack: Any) -> Any:
    def take() -> list[dict[str, Any]]:
        return drain_queue(stack.queue_urls["NotificationsQueue"])

    return take


@dataclass
class FakeStripe:
    """Stripe's HTTP API at its boundary: the calls it received, subscriptions it will describe (or fail
    to: ``failing``), the sessions it created, and Stripe's idempotency (a repeated key replays)."""

    url: str = ""
    requests: list[tuple[str, str, dict[str, str], dict[str, str]]] = field(default_factory=list)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    failing: set[str] = field(default_factory=set)
    sessions: list[str] = field(default_factory=list)
    replies: dict[str, dict[str, Any]] = field(default_factory=dict)
    on_request: Callable[[str, str], None] | None = None  # called with (method, path) as each call arrives

    def calls(self, path: str) -> list[dict[str, str]]:
        return [body for _method, p, body, _headers in self.requests if p == path]

    def gets(self) -> list[str]:
        return [path for method, path, *_ in self.requests if method == "GET"]


def _fake_stripe_handler(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("request-id", "req_fake")
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            fake.requests.append(("GET", self.path, {}, dict(self.headers)))
            if fake.on_request:
                fake.on_request("GET", self.path)
            found = re.fullmatch(r"/v1/subscriptions/([\w]+)", self.path.split("?")[0])
            if found and found[1] in fake.failing:
                self._answer(500, {"error": {"type": "api_error", "message": "try again"}})
            elif found and found[1] in fake.subscriptions:
                self._answer(200, fake.subscriptions[found[1]])
            else:
                self._answer(
                    404, {"error": {"type": "invalid_request_error", "message": "No such subscription"}}
                )

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            form = dict(parse_qsl(self.rfile.read(length).decode()))
            fake.requests.append(("POST", self.path, form, dict(self.headers)))
            if fake.on_request:
                fake.on_request("POST", self.path)
            key = self.headers.get("Idempotency-Key")
            if key and key in fake.replies:
                self._answer(200, fake.replies[key])
            elif self.path == "/v1/checkout/sessions":
                session_id = f"cs_test_fake{len(fake.sessions) or ''}"
                fake.sessions.append(session_id)
                reply = {
                    "id": session_id,
                    "object": "checkout.session",
                    "url": f"https://checkout.stripe.com/c/pay/{session_id}",
                }
                if key:
                    fake.replies[key] = reply
                self._answer(200, reply)
            elif self.path == "/v1/billing_portal/sessions":
                self._answer(
                    200,
                    {
                        "id": "bps_fake",
                        "object": "billing_portal.session",
                        "url": "https://billing.stripe.com/p/session/fake",
                    },
                )
            else:
                self._answer(404, {"error": {"type": "invalid_request_error", "message": "unknown"}})

    return Handler


@pytest.fixture
def fake_stripe(stack: Any) -> Iterator[FakeStripe]:
    """Configure an API key and point the stripe library at a local fake of Stripe's API."""
    from sauti.config import config

    fake = FakeStripe()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _fake_stripe_handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    os.environ["STRIPE_SECRET_KEY"] = "sk_test_fake_local"
    os.environ["STRIPE_API_BASE"] = fake.url
    config.cache_clear()
    try:
        yield fake
    finally:
        del os.environ["STRIPE_SECRET_KEY"]
        del os.environ["STRIPE_API_BASE"]
        config.cache_clear()
        server.shutdown()
        server.server_close()
