"""Business metrics: an invocation writes CloudWatch EMF records (JSON lines on stdout) that name them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from helpers import assert_problem


@pytest.fixture(autouse=True)
def metrics_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The local stack turns metrics off (quiet logs); these tests read them."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")


def _emf(output: str) -> list[dict[str, Any]]:
    """The EMF records among the printed lines."""
    records = []
    for line in output.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and "_aws" in record:
            records.append(record)
    return records


def _counted(records: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [
        record
        for record in records
        for directive in record["_aws"]["CloudWatchMetrics"]
        if any(metric["Name"] == name for metric in directive["Metrics"]) and record.get(name)
    ]


def test_a_login_and_a_failed_login_are_counted(api, capsys):
    email, password = "metrics@example.com", "a long enough evening passphrase"
    body = {"email": email, "password": password, "display_name": "Metrics"}
    assert api.post("/auth/signup", json=body).status == 201
    capsys.readouterr()

    assert api.post("/auth/login", json={"email": email, "password": password}).status == 200
    assert api.post("/auth/login", json={"email": email, "password": "wrong " + password}).status == 401

    records = _emf(capsys.readouterr().out)
    [login] = _counted(records, "Logins")
    [failure] = _counted(records, "LoginFailures")
    assert login["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Sauti"
    assert login["Logins"] in (1.0, [1.0])
    assert failure["LoginFailures"] in (1.0, [1.0])


def test_a_refused_webhook_is_counted_for_its_provider(api, capsys):
    capsys.readouterr()

    refused = api.post("/webhooks/stripe", body='{"id": "evt_1"}', headers={"stripe-signature": "t=1,v1=00"})

    assert_problem(refused, 400)
    [record] = _counted(_emf(capsys.readouterr().out), "WebhookRefused")
    assert record["provider"] == "stripe"
    [dimensions] = record["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
    assert "provider" in dimensions
