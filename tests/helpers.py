"""Helpers the tests share: a client of the local API Gateway and problem+json checks."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

from sauti_dev.gateway import GatewayResponse, LocalGateway

PROJECT_ROOT = Path(__file__).resolve().parents[1]
EVENTS = PROJECT_ROOT / "events"


@dataclass(frozen=True)
class TestUser:
    __test__ = False  # not a test class, whatever pytest thinks of the name

    id: str
    email: str
    roles: tuple[str, ...]
    token: str


class Api:
    """Requests through the local API Gateway, exactly as a client's would arrive."""

    def __init__(self, gateway: LocalGateway):
        self.gateway = gateway

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        body: bytes | str | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        query: dict[str, Any] | None = None,
        source_ip: str = "198.51.100.7",
    ) -> GatewayResponse:
        all_headers = {"user-agent": "pytest", **(headers or {})}
        if token:
            all_headers["authorization"] = f"Bearer {token}"
        raw = b""
        if json_body is not None:
            raw = json.dumps(json_body).encode()
            all_headers.setdefault("content-type", "application/json")
        elif body is not None:
            raw = body.encode() if isinstance(body, str) else body
            all_headers.setdefault("content-type", "application/json")
        return self.gateway.handle(
            method,
            path,
            query=urlencode(query or {}, doseq=True),
            headers=all_headers,
            body=raw,
            source_ip=source_ip,
        )

    def get(self, path: str, **kwargs: Any) -> GatewayResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> GatewayResponse:
        return self.request("POST", path, json_body=json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> GatewayResponse:
        return self.request("PUT", path, json_body=json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> GatewayResponse:
        return self.request("PATCH", path, json_body=json, **kwargs)

    def delete(self, path: str, json: Any = None, **kwargs: Any) -> GatewayResponse:
        return self.request("DELETE", path, json_body=json, **kwargs)


def assert_problem(response: GatewayResponse, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is problem+json with this status (and code), and leaks no traceback."""
    assert response.status == status, response.body
    assert response.headers["content-type"] == "application/problem+json", response.headers
    problem = response.json()
    assert {"type", "title", "status", "detail", "code"} <= problem.keys()
    assert problem["status"] == status
    if code is not None:
        assert problem["code"] == code, problem
    assert "Traceback" not in response.body.decode()
    return problem


def gateway_claims_for(user_id: str) -> dict[str, str]:
    """The claims the gateway would hand a function for a fresh token of ``user_id`` (no roles)."""
    import time

    now = int(time.time())
    return {"sub": user_id, "iat": str(now), "exp": str(now + 900), "roles": "[]"}


def sample_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


# Run in a fresh interpreter: import one handler (a Lambda cold start), then serve the events on stdin.
_COLD_START = r"""
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)

class Context:
    function_name = "test"; memory_limit_in_mb = 512; aws_request_id = "test"; function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test"; log_group_name = "test"
    def get_remaining_time_in_millis(self): return 10000

statuses = [module.lambda_handler(event, Context())["statusCode"] for event in json.load(sys.stdin)]
watched = tuple(sys.argv[2:])
loaded = sorted(m for m in sys.modules if m in watched or m.startswith(tuple(w + "." for w in watched)))
print(json.dumps({"statuses": statuses, "loaded": loaded}))
"""


def cold_start(
    function: str, events: list[dict[str, Any]], watched: tuple[str, ...]
) -> tuple[list[int], list[str]]:
    """Import ``functions/<function>/app.py`` in a fresh interpreter, handle ``events`` in order, and
    answer their statuses and which of the ``watched`` packages (or their submodules) were loaded."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", _COLD_START, str(PROJECT_ROOT / "functions" / function / "app.py"), *watched],
        input=json.dumps(events),
        capture_output=True,
        text=True,
        check=True,
        env=os.environ,
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    return answer["statuses"], answer["loaded"]


def drain_queue(queue_url: str) -> list[dict[str, Any]]:
    """Take every message off a queue and return their JSON bodies (PurgeQueue is rate-limited)."""
    from sauti.aws import client

    sqs = client("sqs")
    bodies: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return bodies
        bodies.extend(json.loads(message["Body"]) for message in messages)
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )


def mailbox(address: str) -> list[dict[str, Any]]:
    """The emails SES (moto) accepted for ``address``, oldest first: ``{subject, body, source, ...}``;
    a raw (MIME) email also has ``html`` and ``headers``, ``body`` being its text part."""
    url = os.environ["AWS_ENDPOINT_URL"].rstrip("/") + "/moto-api/data.json"
    ses = requests.get(url, timeout=10).json()["ses"]
    sent = [*ses.get("Message", []), *(_parsed_raw(raw) for raw in ses.get("RawMessage", []))]
    return [email for email in sent if address in email["destinations"].get("ToAddresses", [])]


def _parsed_raw(raw: dict[str, Any]) -> dict[str, Any]:
    from email import message_from_string, policy

    mime = message_from_string(raw["raw_data"], policy=policy.default)
    text, html = mime.get_body(("plain",)), mime.get_body(("html",))
    return {
        "id": raw["id"],
        "source": raw["source"],
        "destinations": {"ToAddresses": [str(mime["To"])]},
        "subject": str(mime["Subject"]),
        "body": text.get_content() if text else "",
        "html": html.get_content() if html else "",
        "headers": {name: str(value) for name, value in mime.items()},
    }


AUDIO = b"RIFF" + bytes(range(256)) * 64  # stands in for a rendition's bytes


def put_object(key: str, body: bytes = AUDIO) -> None:
    from sauti.settings import settings
    from sauti.signing.r2 import client
    from sauti.signing.settings import MediaSettings

    client().put_object(
        Bucket=settings(MediaSettings).media_bucket, Key=key, Body=body, ContentType="audio/wav"
    )


@dataclass
class Catalog:
    artist_id: str
    album_id: str

    def song(
        self,
        title: str = "Mawimbi",
        *,
        qualities: tuple[str, ...] = ("low", "normal", "high"),
        status: str = "published",
        track_number: int | None = None,
        album: bool = True,
    ) -> str:
        from sauti.catalog import logic

        slug = f"{title.lower().replace(' ', '-')}-{os.urandom(3).hex()}"
        renditions = []
        for quality in qualities:
            key = f"audio/{slug}/{quality}.wav"
            put_object(key)
            renditions.append(
                {
                    "quality": quality,
                    "codec": "pcm_s16le",
                    "bitrate_kbps": 128,
                    "object_key": key,
                    "size_bytes": 1,
                }
            )
        return logic.create_song(
            self.artist_id,
            title,
            200_000,
            renditions,
            album_id=self.album_id if album else None,
            track_number=track_number,
            status=status,
        )

    def ad(self, title: str = "Chai ya Asubuhi") -> str:
        from sauti.catalog import logic

        key = f"ads/{os.urandom(4).hex()}.wav"
        put_object(key)
        return logic.create_ad(title, "Kahawa Co.", key, 5_000)
