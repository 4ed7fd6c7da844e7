"""What a restart keeps of what moto holds in memory: queued messages and the emails SES accepted.

moto has no persistence (its backends hold locks and do not pickle), so a stopping stack parks every
queued message in ``<data>/kept/queues.jsonl`` and sends it again at the next start, and appends the
emails of the session to ``<data>/kept/emails.jsonl``, which `sauti inbox` reads with the live ones.
Pushes are kept by the fake FCM itself (``<data>/kept/pushes.jsonl``). Only public AWS calls: a
message waiting out a retry's visibility timeout when the stack stops is not kept.
"""

from __future__ import annotations

import email
import json
import os
from email import policy
from pathlib import Path
from typing import Any

QUEUES_FILE = "queues.jsonl"
EMAILS_FILE = "emails.jsonl"
PUSHES_FILE = "pushes.jsonl"


def folder(data_dir: Path) -> Path:
    path = data_dir / "kept"
    path.mkdir(parents=True, exist_ok=True)
    return path


def park_queues(data_dir: Path, queue_urls: list[str]) -> int:
    """Take every visible message off the queues into the data folder; returns how many."""
    import boto3

    sqs = boto3.client("sqs")
    parked = 0
    with (folder(data_dir) / QUEUES_FILE).open("a") as out:
        for url in queue_urls:
            while messages := sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=10,
                VisibilityTimeout=600,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", []):
                for message in messages:
                    attributes = {
                        name: {key: value for key, value in spec.items() if key in _ATTRIBUTE_FIELDS}
                        for name, spec in message.get("MessageAttributes", {}).items()
                    }
                    kept = {
                        "queue": url.rsplit("/", 1)[-1],
                        "body": message["Body"],
                        "attributes": attributes,
                    }
                    out.write(json.dumps(kept) + "\n")
                parked += len(messages)
                sqs.delete_message_batch(
                    QueueUrl=url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
                    ],
                )
    return parked


_ATTRIBUTE_FIELDS = ("DataType", "StringValue", "BinaryValue")


def unpark_queues(data_dir: Path, queue_urls: list[str]) -> int:
    """Send the parked messages again, each to its queue; returns how many."""
    path = folder(data_dir) / QUEUES_FILE
    if not path.exists():
        return 0
    import boto3

    sqs = boto3.client("sqs")
    by_name = {url.rsplit("/", 1)[-1]: url for url in queue_urls}
    sent = 0
    for line in path.read_text().splitlines():
        kept = json.loads(line)
        url = by_name.get(kept["queue"])
        if url is None:
            continue  # a queue the template no longer has
        extra = {"MessageAttributes": kept["attributes"]} if kept["attributes"] else {}
        sqs.send_message(QueueUrl=url, MessageBody=kept["body"], **extra)
        sent += 1
    path.unlink()
    return sent


def live_emails() -> list[dict[str, Any]]:
    """The emails the running moto's SES accepted, oldest first: ``{to, subject, text, list_unsubscribe}``."""
    import requests

    url = os.environ["AWS_ENDPOINT_URL"].rstrip("/") + "/moto-api/data.json"
    ses = requests.get(url, timeout=10).json().get("ses", {})
    found = [
        {
            "to": sent["destinations"].get("ToAddresses", []),
            "subject": sent["subject"],
            "text": sent["body"],
            "list_unsubscribe": None,
        }
        for sent in ses.get("Message", [])
    ]
    for raw in ses.get("RawMessage", []):
        mime = email.message_from_string(raw["raw_data"], policy=policy.default)
        text = mime.get_body(("plain",))
        found.append(
            {
                "to": [str(mime["To"])],
                "subject": str(mime["Subject"]),
                "text": text.get_content() if text else "",
                "list_unsubscribe": str(mime["List-Unsubscribe"] or "") or None,
            }
        )
    return found


def kept_emails(data_dir: Path) -> list[dict[str, Any]]:
    path = folder(data_dir) / EMAILS_FILE
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def keep_emails(data_dir: Path) -> int:
    """Append this moto session's emails to the kept ones (moto starts empty, so none is kept twice)."""
    emails = live_emails()
    with (folder(data_dir) / EMAILS_FILE).open("a") as out:
        for item in emails:
            out.write(json.dumps(item) + "\n")
    return len(emails)
