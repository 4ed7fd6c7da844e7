"""A bounded schemathesis run over every operation of the API description: no input gives a 5xx, and
every answer is what the document says (status, media type, headers, body schema), and the server takes
what the schemas allow and refuses what they do not (positive_data_acceptance, negative_data_rejection).

Each operation gets a few generated requests (``SAUTI_FUZZ_EXAMPLES``, 3 by default so the suite stays
fast; ``make fuzz`` runs many more), sent through the local gateway over HTTP with a real user's token.
Operations that take a body are also sent it under other content types: JSON media types in any case,
with parameters or as ``+json`` are read as JSON; anything else is a 415; never a 5xx.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import PositiveDataAcceptanceConfig
from schemathesis.config._checks import POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES
from schemathesis.core import NOT_SET

from sauti_dev.gateway import LocalGateway, serve
from sauti_dev.openapi import DOCUMENT_PATHS

EXAMPLES = int(os.environ.get("SAUTI_FUZZ_EXAMPLES", "3"))
JSON_VARIANTS = (
    "Application/JSON",
    "application/json; charset=UTF-8",
    "application/JSON;charset=UTF-8",
    "application/merge-patch+json",
    "application/problem+json",
)
OTHER_TYPES = ("text/plain", "application/x-www-form-urlencoded", "")
CONFORMANCE = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Where a schema-valid request can still be refused for what no schema can state; every other operation
# accepts whatever its schema allows (positive_data_acceptance) and refuses what it does not (negative).
BEYOND_THE_SCHEMA = {
    "POST /webhooks/stripe": "a signature over the payload",
    "POST /webhooks/stream": "a signature over the payload",
    "POST /webhooks/apple": "a payload signed by Apple",
    "POST /billing/apple/transactions": "a transaction signed by Apple",
    "POST /auth/signup": "a password's strength (common, predictable, personal)",
    "POST /auth/password/reset": "a one-time token the service sent, and a password's strength",
    "POST /auth/email/verify": "a one-time token the service sent",
    "POST /devices": "a public key that is a point on P-256",
    "PUT /me/player": "an index within the queue's length",
    "POST /playback/sessions": "exactly one of song_id and video_id (a oneOf spoils generated clients)",
}


@schemathesis.serializer("application/x-ndjson")  # the catalog import's JSON Lines, sent as they are
def _json_lines(_ctx: Any, value: Any) -> bytes:
    return value.encode() if isinstance(value, str) else json.dumps(value).encode()


schema = schemathesis.openapi.from_dict(json.loads(DOCUMENT_PATHS[0].read_text()))
# NUL in any text is refused before any route runs (PostgreSQL text cannot hold it), as the document's
# introduction says; its schemas do not repeat that on every string, so none is generated.
schema.config.generation.update(allow_x00=False)
# A valid version that is not the current one is a precondition failing, not a refused input.
schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig.from_dict(
    {"expected-statuses": [*POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES, "412"]}
)


@pytest.fixture(scope="module")
def base_url(gateway: LocalGateway) -> Iterator[str]:
    server = serve(gateway, 0)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def headers(new_user: Any) -> dict[str, str]:
    return {"authorization": f"Bearer {new_user().token}"}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_gives_a_server_error(case: Any, base_url: str, headers: dict[str, str]) -> None:
    response = case.call(base_url=base_url, headers=headers, timeout=30)
    assert not _server_error(response), f"{case.method} {case.formatted_path}: {response.text[:500]}"
    data_checks = [negative_data_rejection]
    if case.operation.label not in BEYOND_THE_SCHEMA:
        data_checks.append(positive_data_acceptance)
    case.validate_response(response, checks=[*CONFORMANCE, *data_checks])

    json_body = case.media_type == "application/json"  # the catalog import reads any type as it is
    if json_body and case.body is not NOT_SET and not isinstance(case.body, bytes | str):
        url = base_url + case.formatted_path
        body = json.dumps(case.body)
        for content_type in (*JSON_VARIANTS, *OTHER_TYPES):
            sent = {**headers, "content-type": content_type}
            answer = requests.request(
                case.method, url, data=body, headers=sent, params=case.query, timeout=30
            )
            assert not _server_error(answer), f"{case.method} {case.formatted_path} as {content_type!r}"
            if content_type in OTHER_TYPES and content_type:
                assert answer.status_code == 415, f"{case.method} {case.formatted_path} as {content_type!r}"
        empty = requests.request(
            case.method, url, data=b"", headers={**headers, "content-type": "text/plain"}, timeout=30
        )
        assert not _server_error(empty), f"{case.method} {case.formatted_path} empty text/plain"


def _server_error(response: requests.Response) -> bool:
    """A 5xx, except the documented 503 problem of a dependency that is off (Stripe unset locally)."""
    content_type = response.headers.get("content-type", "")
    if isinstance(content_type, list):  # schemathesis' responses list each header's values
        content_type = ",".join(content_type)
    documented = response.status_code == 503 and "problem+json" in content_type
    return response.status_code >= 500 and not documented
