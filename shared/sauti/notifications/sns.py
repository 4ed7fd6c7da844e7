"""Amazon SNS message signatures, checked as AWS documents them
(docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html): no SDK for Python does it.

A message is genuine when it is a ``Notification`` of the expected topic, its ``SigningCertURL`` is one of
SNS's certificate addresses (``SNS_SIGNING_CERT_URL_PATTERN``: HTTPS on ``sns.<region>.amazonaws.com``),
that certificate is SNS's (subject ``sns.amazonaws.com``, valid now) and its RSA key verifies
``Signature`` over the string to sign (SHA1 for ``SignatureVersion`` 1, SHA256 for 2). Certificates are
kept per container once fetched: SNS signs with few, and rotates them rarely.
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

SIGNED_KEYS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")  # in this order
SNS_SUBJECT = "sns.amazonaws.com"
CERT_TIMEOUT_SECONDS = 5.0
CERT_MAX_BYTES = 64 * 1024
_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {"1": hashes.SHA1, "2": hashes.SHA256}

_certificates: dict[str, x509.Certificate] = {}
_lock = threading.Lock()


class NotFromSns(ValueError):
    """The message is not a genuine SNS notification of the expected topic (the reason says why)."""


def string_to_sign(message: dict[str, Any]) -> bytes:
    """``Key\\nvalue\\n`` of each signed key present (a Notification's ``Subject`` may be absent or null)."""
    return "".join(f"{key}\n{message[key]}\n" for key in SIGNED_KEYS if message.get(key) is not None).encode()


def fetch_certificate(url: str) -> x509.Certificate:
    """The PEM certificate at ``url`` (already matched against the allowed pattern), once per container."""
    with _lock:
        found = _certificates.get(url)
    if found is None:
        with urllib.request.urlopen(url, timeout=CERT_TIMEOUT_SECONDS) as response:  # noqa: S310 (pattern-checked)
            found = x509.load_pem_x509_certificate(response.read(CERT_MAX_BYTES))
        with _lock:
            _certificates[url] = found
    return found


def verify(
    message: Any,
    *,
    topic_arn: str,
    cert_url_pattern: str,
    certificate: Callable[[str], x509.Certificate] = fetch_certificate,
) -> dict[str, Any]:
    """``message`` (a record's ``Sns``) when it is genuine; else NotFromSns. Fetching a certificate
    may raise OSError: a transient failure, for the caller to retry."""
    if not isinstance(message, dict):
        raise NotFromSns("not an SNS message")
    for key in ("Type", "MessageId", "TopicArn", "Message", "Timestamp", "Signature", "SignatureVersion"):
        if not isinstance(message.get(key), str):
            raise NotFromSns(f"{key} missing or not a string")
    if not isinstance(message.get("Subject"), str | None):
        raise NotFromSns("Subject not a string")
    if message["Type"] != "Notification":
        raise NotFromSns("not a Notification")
    if message["TopicArn"] != topic_arn:
        raise NotFromSns("from another topic")
    algorithm = _HASHES.get(message["SignatureVersion"])
    if algorithm is None:
        raise NotFromSns("unknown SignatureVersion")
    # Delivered over HTTP it is SigningCertURL; in a Lambda function's event, SigningCertUrl.
    url = message.get("SigningCertURL") or message.get("SigningCertUrl")
    if not isinstance(url, str) or not re.fullmatch(cert_url_pattern, url):
        raise NotFromSns("the signing certificate is not SNS's")
    cert = certificate(url)
    _check_certificate(cert)
    try:
        signature = base64.b64decode(message["Signature"], validate=True)
    except (binascii.Error, ValueError):
        raise NotFromSns("Signature is not base64") from None
    public_key = cert.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise NotFromSns("the signing certificate's key is not RSA")
    try:
        public_key.verify(signature, string_to_sign(message), padding.PKCS1v15(), algorithm())
    except InvalidSignature:
        raise NotFromSns("the signature does not match") from None
    return message


def _check_certificate(cert: x509.Certificate) -> None:
    names = [attribute.value for attribute in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    if names != [SNS_SUBJECT]:
        raise NotFromSns("the signing certificate is not issued to SNS")
    now = datetime.now(UTC)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise NotFromSns("the signing certificate is not valid now")
