"""A local stand-in for Apple's signing chain (laptop and tests only: the local stack trusts it by
adding its root to ``APPLE_ROOT_CERTIFICATES``; it never ships in the layer).

root -> intermediate -> leaf, EC P-256, with what Apple's ``SignedDataVerifier``
checks: a three-certificate x5c chain that OpenSSL verifies strictly
(X509_STRICT) to a trusted root, the Apple intermediate marker extension
(1.2.840.113635.100.6.2.1) on the intermediate and the App Store receipt
signing marker (1.2.840.113635.100.6.11.1) on the leaf. The certificates carry
no OCSP address: online checks are off locally, as they must be for a root
Apple never heard of.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

INTERMEDIATE_MARKER = x509.ObjectIdentifier("1.2.840.113635.100.6.2.1")
LEAF_MARKER = x509.ObjectIdentifier("1.2.840.113635.100.6.11.1")
NOT_BEFORE = datetime(2020, 1, 1, tzinfo=UTC)
NOT_AFTER = datetime(2045, 1, 1, tzinfo=UTC)
FILES = ("root.pem", "intermediate.pem", "leaf.pem", "leaf-key.pem")


@dataclass(frozen=True)
class LocalChain:
    directory: Path

    @property
    def root_path(self) -> Path:
        return self.directory / "root.pem"

    def certificates(self) -> list[x509.Certificate]:
        """leaf, intermediate, root: the x5c order."""
        return [
            x509.load_pem_x509_certificate((self.directory / name).read_bytes())
            for name in ("leaf.pem", "intermediate.pem", "root.pem")
        ]

    def leaf_key(self) -> ec.EllipticCurvePrivateKey:
        key = serialization.load_pem_private_key((self.directory / "leaf-key.pem").read_bytes(), None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return key


def ensure_local_chain(directory: Path) -> LocalChain:
    """The chain in ``directory``, generated on first use."""
    chain = LocalChain(directory)
    if all((directory / name).exists() for name in FILES):
        return chain
    directory.mkdir(parents=True, exist_ok=True)
    root_key, inter_key, leaf_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root = _certificate("Sauti Local Test Root CA", root_key, None, root_key, ca=True)
    intermediate = _certificate(
        "Sauti Local Test Intermediate", inter_key, root, root_key, ca=True, marker=INTERMEDIATE_MARKER
    )
    leaf = _certificate(
        "Sauti Local Test App Store Signer", leaf_key, intermediate, inter_key, marker=LEAF_MARKER
    )
    for name, cert in (("root.pem", root), ("intermediate.pem", intermediate), ("leaf.pem", leaf)):
        (directory / name).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path = directory / "leaf-key.pem"
    key_path.write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_path.chmod(0o600)
    return chain


def _certificate(
    common_name: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate | None,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool = False,
    marker: x509.ObjectIdentifier | None = None,
) -> x509.Certificate:
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Sauti local development"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KE"),
        ]
    )
    public_key = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca and issuer else None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    )
    if marker is not None:
        builder = builder.add_extension(x509.UnrecognizedExtension(marker, b"\x05\x00"), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def local_chain_directory(data_dir: Path) -> Path:
    return data_dir / "apple-test-chain"


def trusted_roots(data_dir: Path) -> str:
    """``APPLE_ROOT_CERTIFICATES`` for the local stack: Apple's real root, then the local test root."""
    from sauti.billing.apple import BUNDLED_ROOT

    return f"{BUNDLED_ROOT},{ensure_local_chain(local_chain_directory(data_dir)).root_path}"
