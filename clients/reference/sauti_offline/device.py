"""The device key: an EC P-256 key pair made once; only its public half ever leaves the device.

On a phone the private key lives in secure hardware (Secure Enclave, StrongBox/TEE Keystore) and the
ECDH happens there; this reference keeps it in a PEM file readable by its owner only.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwe
from joserfc.errors import JoseError
from joserfc.jwk import ECKey


class UnsealError(Exception):
    """The sealed key was not made for this device, or was tampered with."""


class DeviceKey:
    def __init__(self, private_key: ec.EllipticCurvePrivateKey):
        self._private_key = private_key
        self._jwk = ECKey.import_key(
            private_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )

    @classmethod
    def generate(cls) -> DeviceKey:
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def load_or_create(cls, path: Path) -> DeviceKey:
        if path.exists():
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if not isinstance(key, ec.EllipticCurvePrivateKey):
                raise ValueError(f"{path} does not hold an EC key")
            return cls(key)
        device_key = cls.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            device_key._private_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        path.chmod(0o600)
        return device_key

    def public_jwk(self) -> dict[str, str]:
        """What the server registers: ``{"kty": "EC", "crv": "P-256", "x", "y"}``."""
        public = self._jwk.as_dict(private=False)
        return {name: public[name] for name in ("kty", "crv", "x", "y")}

    def unseal(self, sealed_key: str) -> bytes:
        """Open a compact JWE (ECDH-ES, A256GCM) sealed to this device; returns the 32-byte content key."""
        try:
            token = jwe.decrypt_compact(sealed_key, self._jwk, algorithms=["ECDH-ES", "A256GCM"])
        except (JoseError, ValueError) as exc:
            raise UnsealError("the content key does not open with this device's key") from exc
        if token.protected.get("alg") != "ECDH-ES" or token.protected.get("enc") != "A256GCM":
            raise UnsealError("unexpected JWE algorithms")
        if token.plaintext is None or len(token.plaintext) != 32:
            raise UnsealError("the content key must be 32 bytes")
        return token.plaintext
