"""The reference client's cryptography on its own: sealing, chunked files, offline licenses."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from sauti import tokens
from sauti.downloads.licenses import issue_license
from sauti.downloads.sealing import (
    InvalidDeviceKey,
    new_content_key,
    parse_device_public_key,
    seal_content_key,
)
from sauti_offline.device import DeviceKey, UnsealError
from sauti_offline.license import LicenseInvalid, verify_license
from sauti_offline.vault import VaultError, decrypt_file, encrypt_to_file, key_id_of

CHUNK = 1024


def _encrypted(tmp_path: Path, data: bytes, key: bytes) -> Path:
    path = tmp_path / "song.sauti"
    encrypt_to_file(
        [data[i : i + 700] for i in range(0, len(data), 700)], path, key, "key-1", chunk_size=CHUNK
    )
    return path


def _chunk_offsets(path: Path) -> tuple[int, int]:
    header_length = 22 + len("key-1")
    return header_length, CHUNK + 16


def test_a_sealed_key_opens_only_on_its_own_device():
    phone_a, phone_b = DeviceKey.generate(), DeviceKey.generate()
    key = new_content_key()
    sealed = seal_content_key(key, parse_device_public_key(phone_a.public_jwk()), "key-1")

    assert phone_a.unseal(sealed) == key
    with pytest.raises(UnsealError):
        phone_b.unseal(sealed)


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"},
        {"kty": "RSA", "n": "AA", "e": "AQAB"},
        {"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"},
        "not a key",
    ],
)
def test_device_keys_that_are_not_p256_points_are_refused(jwk):
    with pytest.raises(InvalidDeviceKey):
        parse_device_public_key(jwk)


def test_a_private_jwk_is_refused():
    private = DeviceKey.generate()._jwk.as_dict(private=True)
    with pytest.raises(InvalidDeviceKey):
        parse_device_public_key(private)


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK, 5 * CHUNK + 17])
def test_files_round_trip_whatever_their_size(tmp_path, size):
    data, key = os.urandom(size), new_content_key()

    path = _encrypted(tmp_path, data, key)

    assert b"".join(decrypt_file(path, key)) == data
    assert key_id_of(path) == "key-1"


def test_a_file_does_not_open_with_another_key(tmp_path):
    path = _encrypted(tmp_path, os.urandom(3 * CHUNK), new_content_key())
    with pytest.raises(VaultError):
        b"".join(decrypt_file(path, new_content_key()))


def test_reordered_truncated_extended_or_edited_files_fail(tmp_path):
    data, key = os.urandom(4 * CHUNK + 10), new_content_key()
    original = _encrypted(tmp_path, data, key).read_bytes()
    header, sealed = _chunk_offsets(tmp_path)
    chunks = [original[header + i * sealed : header + (i + 1) * sealed] for i in range(5)]

    variants = {
        "swapped": original[:header] + chunks[1] + chunks[0] + b"".join(chunks[2:]),
        "truncated at a chunk boundary": original[:header] + b"".join(chunks[:3]),
        "extended": original + chunks[0],
        "one bit flipped": original[:-1] + bytes([original[-1] ^ 1]),
        "header edited": original[:15] + bytes([original[15] ^ 1]) + original[16:],
    }
    for name, content in variants.items():
        path = tmp_path / f"{name}.sauti"
        path.write_bytes(content)
        with pytest.raises(VaultError):
            b"".join(decrypt_file(path, key))


def _license(stack, device_id: str = "device-a", days_offset: float = 0) -> str:
    token, _expires = issue_license(
        download_id="d1",
        key_id="key-1",
        device_id=device_id,
        user_id="u1",
        song_id="s1",
        now=time.time() + days_offset * 86_400,
    )
    return token


def test_a_license_is_checked_offline_against_the_published_keys(stack):
    jwks = tokens.key_set().jwks()

    claims = verify_license(_license(stack), jwks, device_id="device-a", key_id="key-1")

    assert claims["song_id"] == "s1"
    assert claims["exp"] - claims["iat"] == 30 * 86_400


def test_tampered_foreign_and_expired_licenses_fail_offline(stack):
    jwks = tokens.key_set().jwks()
    header, payload, signature = _license(stack).split(".")
    tampered = f"{header}.{payload[:-4]}AAAA.{signature}"

    for token, device in (
        (tampered, "device-a"),
        (_license(stack, "device-b"), "device-a"),
        (_license(stack, days_offset=-31), "device-a"),
    ):
        with pytest.raises(LicenseInvalid):
            verify_license(token, jwks, device_id=device, key_id="key-1")
    with pytest.raises(LicenseInvalid):
        verify_license(_license(stack), jwks, device_id="device-a", key_id="key-1", song_id="another-song")
    with pytest.raises(LicenseInvalid):
        verify_license(
            _license(stack), jwks, device_id="device-a", key_id="key-1", now=time.time() + 31 * 86_400
        )
