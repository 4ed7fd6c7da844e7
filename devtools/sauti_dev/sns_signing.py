"""A local stand-in for Amazon SNS's message signing (laptop and tests only): an RSA key and a
certificate issued to ``sns.amazonaws.com``, kept in the local data folder. The local stack lets the
SES feedback function fetch that certificate by adding its ``file://`` address to
``SNS_SIGNING_CERT_URL_PATTERN``; ``sign`` signs a message exactly as SNS does (the string to sign of
``sauti.notifications.sns``, PKCS#1 v1.5 with SHA1 or SHA256)."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

NOT_BEFORE = datetime(2020, 1, 1, tzinfo=UTC)
NOT_AFTER = datetime(2045, 1, 1, tzinfo=UTC)
_HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}


@dataclass(frozen=True)
class LocalSnsSigner:
    directory: Path

    @property
    def key_path(self) -> Path:
        return self.directory / "signing-key.pem"

    @property
    def certificate_path(self) -> Path:
        return self.directory / "SimpleNotificationService-0123456789abcdef0123456789abcdef.pem"

    @property
    def certificate_url(self) -> str:
        return self.certificate_path.resolve().as_uri()

    def url_pattern(self) -> str:
        """``SNS_SIGNING_CERT_URL_PATTERN`` locally: SNS's own addresses, and this certificate's."""
        from sauti.notifications.settings import EmailFeedbackSettings

        aws = EmailFeedbackSettings.fields["sns_signing_cert_url_pattern"][0].default
        return f"(?:{aws})|{re.escape(self.certificate_url)}"

    def sign(
        self, message: dict[str, Any], version: str = "1", key: rsa.RSAPrivateKey | None = None
    ) -> dict[str, Any]:
        """``message`` (an SNS record's ``Sns``) signed as SNS signs it; ``key`` another key, to forge."""
        from sauti.notifications.sns import string_to_sign

        signing_key = key or serialization.load_pem_private_key(self.key_path.read_bytes(), password=None)
        assert isinstance(signing_key, rsa.RSAPrivateKey)
        signed = {
            **{name: value for name, value in message.items() if name != "SigningCertURL"},
            "SignatureVersion": version,
            "SigningCertUrl": self.certificate_url,
        }
        signature = signing_key.sign(string_to_sign(signed), padding.PKCS1v15(), _HASHES[version]())
        return {**signed, "Signature": base64.b64encode(signature).decode()}


def ensure_local_signer(data_dir: Path) -> LocalSnsSigner:
    signer = LocalSnsSigner(data_dir / "sns-signing")
    if signer.key_path.exists() and signer.certificate_path.exists():
        return signer
    signer.directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .sign(key, hashes.SHA256())
    )
    signer.key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    signer.certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return signer
