"""Event shapes that AWS hands to functions, for invoking them locally."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qsl

from sauti.bearer import gateway_claims

TEXT_TYPES = (
    "application/json",
    "application/problem+json",
    "text/",
    "application/x-www-form-urlencoded",
    "application/xml",
    "application/javascript",
)


def http_event(
    route_key: str,
    method: str,
    path: str,
    *,
    query: str = "",
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    path_parameters: dict[str, str] | None = None,
    claims: dict[str, Any] | None = None,
    source_ip: str = "127.0.0.1",
    client_cert: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An HTTP API (payload format 2.0) event as API Gateway builds it; ``client_cert`` is the
    mutual-TLS certificate a custom domain with a truststore saw (``requestContext.authentication``)."""
    headers = {name.lower(): value for name, value in (headers or {}).items()}
    now = datetime.now(UTC)
    query_parameters: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        query_parameters[name] = f"{query_parameters[name]},{value}" if name in query_parameters else value
    is_text = not body or headers.get("content-type", "").startswith(TEXT_TYPES)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": {name: value for name, value in headers.items() if name != "cookie"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": headers.get("host", "127.0.0.1"),
            "domainPrefix": headers.get("host", "127.0.0.1").split(".")[0],
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": uuid.uuid4().hex[:16],
            "routeKey": route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": not is_text,
    }
    if "cookie" in headers:
        event["cookies"] = [c.strip() for c in headers["cookie"].split(";") if c.strip()]
    if query_parameters:
        event["queryStringParameters"] = query_parameters
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body:
        event["body"] = body.decode("utf-8", "replace") if is_text else base64.b64encode(body).decode()
    if client_cert is not None:
        event["requestContext"]["authentication"] = {"clientCert": client_cert}
    if claims is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": gateway_claims(claims), "scopes": None}}
    return event


def scheduled_event(job_date: date | None = None) -> dict[str, Any]:
    """An EventBridge schedule event. With ``job_date`` the job acts on that day (``detail.date``)."""
    fired_at = (
        datetime.now(UTC)
        if job_date is None
        else datetime.combine(job_date + timedelta(days=1), time(0, 5), UTC)
    )
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": fired_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": [],
        "detail": {"date": job_date.isoformat()} if job_date else {},
    }


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """An SQS trigger event for messages as ``receive_message`` returns them."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": {
                    "ApproximateReceiveCount": message.get("Attributes", {}).get(
                        "ApproximateReceiveCount", "1"
                    )
                },
                "messageAttributes": {
                    name: {"stringValue": value.get("StringValue"), "dataType": value.get("DataType")}
                    for name, value in message.get("MessageAttributes", {}).items()
                },
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1",
            }
            for message in messages
        ]
    }


def dumps(value: Any) -> str:
    return json.dumps(value, indent=2, default=str)
