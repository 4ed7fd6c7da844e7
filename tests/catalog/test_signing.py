"""The signers on their own: the WAF token format, Stream tokens, R2 presigned URLs."""

from __future__ import annotations

import base64
import hashlib
import hmac

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from sauti.signing import cdn
from sauti.signing.stream import StreamSigner, load_private_key

SECRET = "thisisasharedsecret"


def test_a_cdn_link_is_the_path_then_verify_with_the_issue_time_and_an_hmac_of_path_and_time():
    link = cdn.sign_path(
        "/audio/a/high.m4a",
        secret=SECRET,
        base_url="https://media.sauti.app",
        ttl_seconds=300,
        now=1_800_000_030,
    )

    url, _, token = link.url.rpartition("?verify=")
    timestamp, mac = token.split("-", 1)
    assert url == "https://media.sauti.app/audio/a/high.m4a"
    assert timestamp == "1800000000"  # rounded down to the minute: every listener gets the same URL
    expected = hmac.new(SECRET.encode(), b"/audio/a/high.m4a1800000000", hashlib.sha256).digest()
    assert mac == base64.urlsafe_b64encode(expected).rstrip(b"=").decode()
    assert len(mac) == 43
    assert link.expires_at == 1_800_000_300


def test_verify_stays_the_last_query_parameter_and_urls_are_stable_within_the_time_bucket():
    first = cdn.sign_path(
        "/a.m4a?v=2", secret=SECRET, base_url="https://m", ttl_seconds=300, now=1_800_000_001
    )
    again = cdn.sign_path(
        "/a.m4a?v=2", secret=SECRET, base_url="https://m", ttl_seconds=300, now=1_800_000_059
    )
    later = cdn.sign_path(
        "/a.m4a?v=2", secret=SECRET, base_url="https://m", ttl_seconds=300, now=1_800_000_060
    )

    assert first.url == again.url != later.url
    assert "&verify=" in first.url and first.url.rsplit("&", 1)[1].startswith("verify=")
    uri = first.url.removeprefix("https://m")
    assert cdn.is_timed_hmac_valid(uri, secret=SECRET, ttl_seconds=300, now=1_800_000_100)


def test_the_rule_refuses_a_changed_character_a_wrong_secret_and_an_expired_token():
    uri = cdn.sign_path("/a.m4a", secret=SECRET, base_url="", ttl_seconds=300, now=1_800_000_000).url

    def valid(candidate: str, secret: str = SECRET, now: int = 1_800_000_100) -> bool:
        return cdn.is_timed_hmac_valid(candidate, secret=secret, ttl_seconds=300, now=now)

    assert valid(uri)
    assert not valid(uri.replace("/a.m4a", "/b.m4a"))
    assert not valid(uri[:-1] + ("A" if uri[-1] != "A" else "B"))
    assert not valid(uri, secret="other")
    assert not valid(uri, now=1_800_000_300)
    assert not valid("/a.m4a")


def test_a_stream_token_decodes_with_the_public_key_to_the_video_uid_and_expiry():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer = StreamSigner("key-1", key, "abc123")

    token = signer.sign("5d5bc37ffcf54c9b82e996823bffbb81", ttl_seconds=300, now=1_800_000_000)

    claims = jwt.decode(
        token.token,
        key.public_key(),
        algorithms=["RS256"],
        options={"verify_exp": False, "verify_nbf": False},
    )
    assert jwt.get_unverified_header(token.token) == {"alg": "RS256", "kid": "key-1"}
    assert claims == {
        "sub": "5d5bc37ffcf54c9b82e996823bffbb81",
        "kid": "key-1",
        "nbf": 1_799_999_970,
        "exp": 1_800_000_300,
    }
    assert (
        token.manifest_url
        == f"https://customer-abc123.cloudflarestream.com/{token.token}/manifest/video.m3u8"
    )


def test_the_stream_key_is_read_from_base64_of_a_pem_as_cloudflare_hands_it_out_or_from_a_plain_pem():
    from cryptography.hazmat.primitives import serialization

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    for text in (pem.decode(), base64.b64encode(pem).decode()):
        assert load_private_key(text).private_numbers() == key.private_numbers()


def test_r2_presigned_urls_upload_and_download_with_sigv4_in_region_auto(stack):
    from sauti.signing import r2

    upload = r2.presigned_upload_url("uploads/test.wav", "audio/wav", expires_in=120)
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in upload and "%2Fauto%2Fs3%2Faws4_request" in upload
    assert requests.put(upload, data=b"RIFF-bytes", headers={"content-type": "audio/wav"}, timeout=5).ok

    download = r2.presigned_download_url("uploads/test.wav", expires_in=120)
    assert "X-Amz-Expires=120" in download
    assert requests.get(download, timeout=5).content == b"RIFF-bytes"


def test_the_play_path_imports_neither_boto3_nor_pyjwt_nor_stripe():
    import subprocess
    import sys

    from helpers import PROJECT_ROOT

    code = (
        "import importlib.util, sys\n"
        f"path = r'{PROJECT_ROOT / 'functions/playback/app.py'}'\n"
        "spec = importlib.util.spec_from_file_location('app', path)\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
        "print(sorted(m for m in ('boto3', 'jwt', 'stripe') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
