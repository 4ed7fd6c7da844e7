"""Firebase Cloud Messaging HTTP v1: an OAuth access token from the service account, reused until near
its expiry, and concurrent sends (v1 has no batch endpoint), each answered sent, dead, retry or failed.

The access token comes from the service account's ``token_uri`` by the JWT-bearer grant (RFC 7523): a
JWT signed RS256 with the account's private key, ``iss`` the account's email, ``aud`` the token URI,
``scope`` Firebase messaging. PyJWT (already a dependency) signs it, imported on the first token only;
google-auth would do the same for ~2x the import time (docs/notifications.md has the figures).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode, urlsplit

from sauti.config import ConfigurationError, config
from sauti.notifications.settings import FcmSettings
from sauti.observability import logger
from sauti.settings import settings

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_SECONDS = 3600
REFRESH_MARGIN_SECONDS = 300  # a token with less than this left is replaced before use
RETRYABLE = frozenset({429, 500, 502, 503, 504})
DEFAULT_RETRY_AFTER = 10.0
LOCAL_SECRET_FILE = "firebase-service-account.json"

Outcome = Literal["sent", "dead", "retry", "failed"]
# A kept-alive connection the server closed meanwhile fails like this before any answer: try again once.
STALE_CONNECTION = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


class FcmUnavailable(RuntimeError):
    """No access token could be had (the token endpoint failed): every send waits for a retry."""

    def __init__(self, message: str, retry_after: float = DEFAULT_RETRY_AFTER):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class ServiceAccount:
    project_id: str
    client_email: str
    private_key: str
    private_key_id: str
    token_uri: str

    @classmethod
    def parse(cls, value: str) -> ServiceAccount:
        """The key file's JSON, or a path to it."""
        text = value.strip()
        if not text.startswith("{"):
            text = Path(text).expanduser().read_text()
        try:
            raw = json.loads(text)
            return cls(
                project_id=raw["project_id"],
                client_email=raw["client_email"],
                private_key=raw["private_key"],
                private_key_id=raw.get("private_key_id", ""),
                token_uri=raw.get("token_uri") or "https://oauth2.googleapis.com/token",
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigurationError("setting FIREBASE_SERVICE_ACCOUNT is not a service-account key") from exc


def generate_service_account(token_uri: str, project_id: str = "sauti-local") -> str:
    """A service-account key file (JSON) with a fresh RSA key: the local default, and the tests'."""
    import uuid

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return json.dumps(
        {
            "type": "service_account",
            "project_id": project_id,
            "private_key_id": uuid.uuid4().hex,
            "private_key": pem,
            "client_email": f"firebase-adminsdk@{project_id}.iam.gserviceaccount.com",
            "client_id": "100000000000000000000",
            "token_uri": token_uri,
        },
        indent=2,
    )


def fcm_settings() -> FcmSettings:
    """The settings, with the local default service account generated once into the data folder (its
    token endpoint is the local fake's, at FCM_API_BASE)."""
    source = config()
    if source.is_local:
        base = source.resolve("FCM_API_BASE", "https://fcm.googleapis.com", secret=False, local_only=False)
        source.generate_local_secret(
            "FIREBASE_SERVICE_ACCOUNT",
            LOCAL_SECRET_FILE,
            lambda: generate_service_account(f"{str(base).rstrip('/')}/token"),
        )
    return settings(FcmSettings)


@dataclass(frozen=True)
class Push:
    token: str
    platform: str
    message: dict[str, Any]  # FCM's ``message`` object, ``token`` included


@dataclass(frozen=True)
class PushResult:
    token: str
    outcome: Outcome
    status: int = 0
    retry_after: float | None = None
    error: str = ""


def build_message(
    token: str,
    platform: str,
    title: str,
    body: str,
    data: dict[str, Any],
    *,
    topic: str | None,
    collapse_key: str | None = None,
    urgent: bool = False,
) -> dict[str, Any]:
    """An FCM v1 ``message`` with the block of the token's platform (APNs for iOS, Android, web push)."""
    message: dict[str, Any] = {
        "token": token,
        "notification": {"title": title, "body": body},
        "data": {key: str(value) for key, value in data.items() if value is not None},
    }
    channel = topic or "general"
    if platform == "android":
        android: dict[str, Any] = {
            "priority": "high" if urgent else "normal",
            "notification": {"channel_id": channel},
        }
        if collapse_key:
            android["collapse_key"] = collapse_key[:100]
        message["android"] = android
    elif platform == "ios":
        headers = {"apns-priority": "10" if urgent else "5", "apns-push-type": "alert"}
        if collapse_key:
            headers["apns-collapse-id"] = collapse_key[:64]
        message["apns"] = {
            "headers": headers,
            "payload": {"aps": {"sound": "default", "thread-id": channel, "mutable-content": 1}},
        }
    else:
        message["webpush"] = {
            "headers": {"Urgency": "high" if urgent else "normal", "TTL": "86400"},
            "notification": {"tag": collapse_key or channel},
        }
    return message


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _is_dead_token(status: int, body: bytes) -> bool:
    """UNREGISTERED, or INVALID_ARGUMENT / SENDER_ID_MISMATCH about the token itself."""
    try:
        error = json.loads(body or b"{}").get("error") or {}
    except ValueError:
        return False
    details = error.get("details") or []
    codes = {item.get("errorCode") for item in details if isinstance(item, dict)}
    if "UNREGISTERED" in codes or "SENDER_ID_MISMATCH" in codes:
        return True
    if status == 400 and (error.get("status") == "INVALID_ARGUMENT" or "INVALID_ARGUMENT" in codes):
        fields = [
            violation.get("field", "")
            for item in details
            if isinstance(item, dict)
            for violation in item.get("fieldViolations") or []
        ]
        return any(field == "message.token" for field in fields) or "registration token" in str(
            error.get("message", "")
        )
    return False


@dataclass(frozen=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage
    data: bytes


class Http:
    """Keep-alive connections to one host, one per thread (http.client: in a measurement 40% less CPU
    per request than urllib3's pool, which matters at thousands of pushes a second)."""

    def __init__(self, base_url: str, timeout: float):
        parts = urlsplit(base_url)
        self.https = parts.scheme == "https"
        self.host, self.port = parts.hostname or "", parts.port
        self.timeout = timeout
        self.local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        found = getattr(self.local, "connection", None)
        if found is None:
            kind = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
            found = self.local.connection = kind(self.host, self.port, timeout=self.timeout)
        return found

    def _drop(self) -> None:
        found = getattr(self.local, "connection", None)
        if found is not None:
            found.close()
        self.local.connection = None

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> Answer:
        """Raises OSError (timeouts, refused connections) and http.client.HTTPException."""
        for attempt in (1, 2):
            connection = self._connection()
            reused = connection.sock is not None
            try:
                connection.request("POST", path, body, headers)
                response = connection.getresponse()
                answer = Answer(response.status, response.headers, response.read())
            except STALE_CONNECTION:
                self._drop()
                if reused and attempt == 1:
                    continue
                raise
            except (OSError, http.client.HTTPException):
                self._drop()
                raise
            if response.will_close:
                self._drop()
            return answer
        raise AssertionError("unreachable")


class FcmClient:
    """One per container: its connections, its thread pool and its cached access token."""

    def __init__(self, account: ServiceAccount, api_base: str, concurrency: int, timeout: float):
        self.account = account
        self.send_path = (
            urlsplit(api_base).path.rstrip("/") + f"/v1/projects/{account.project_id}/messages:send"
        )
        self.fcm = Http(api_base, timeout)
        token_uri = urlsplit(account.token_uri)
        self.token_endpoint = Http(f"{token_uri.scheme}://{token_uri.netloc}", timeout)
        self.token_path = token_uri.path or "/"
        self.pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="fcm")
        self._lock = threading.Lock()
        self._access_token: str | None = None
        self._expires_at = 0.0
        self.tokens_fetched = 0

    # -- the access token -------------------------------------------------------------------------

    def access_token(self) -> str:
        with self._lock:
            if self._access_token is None or time.monotonic() > self._expires_at - REFRESH_MARGIN_SECONDS:
                self._access_token, lifetime = self._fetch_access_token()
                self._expires_at = time.monotonic() + lifetime
            return self._access_token

    def _forget_access_token(self, stale: str) -> None:
        with self._lock:
            if self._access_token == stale:
                self._access_token = None

    def _fetch_access_token(self) -> tuple[str, float]:
        import jwt  # PyJWT: loaded with the first token, never at the worker's cold start

        now = int(time.time())
        assertion = jwt.encode(
            {
                "iss": self.account.client_email,
                "scope": SCOPE,
                "aud": self.account.token_uri,
                "iat": now,
                "exp": now + ASSERTION_SECONDS,
            },
            self.account.private_key,
            algorithm="RS256",
            headers={"kid": self.account.private_key_id} if self.account.private_key_id else None,
        )
        try:
            response = self.token_endpoint.post(
                self.token_path,
                urlencode({"grant_type": GRANT_TYPE, "assertion": assertion}).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
        except (OSError, http.client.HTTPException) as exc:
            raise FcmUnavailable(f"token endpoint unreachable: {type(exc).__name__}") from exc
        if response.status != 200:
            raise FcmUnavailable(
                f"token endpoint answered {response.status}",
                _retry_after(response.headers) or DEFAULT_RETRY_AFTER,
            )
        try:
            answer = json.loads(response.data)
            token, lifetime = str(answer["access_token"]), float(answer.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError) as exc:
            raise FcmUnavailable("token endpoint answered no access token") from exc
        self.tokens_fetched += 1
        return token, lifetime

    # -- sending ----------------------------------------------------------------------------------

    def send_all(self, pushes: list[Push]) -> list[PushResult]:
        """Send every push concurrently; one result per push, in order."""
        if not pushes:
            return []
        try:
            self.access_token()  # fetched once here, not by every thread at once
        except FcmUnavailable as exc:
            return [PushResult(p.token, "retry", retry_after=exc.retry_after, error=str(exc)) for p in pushes]
        return list(self.pool.map(self.send, pushes))

    def send(self, push: Push) -> PushResult:
        body = json.dumps({"message": push.message}).encode()
        for attempt in (1, 2):
            try:
                access_token = self.access_token()
            except FcmUnavailable as exc:
                return PushResult(push.token, "retry", retry_after=exc.retry_after, error=str(exc))
            try:
                response = self.fcm.post(
                    self.send_path,
                    body,
                    {"Authorization": f"Bearer {access_token}", "Content-Type": "application/json"},
                )
            except (OSError, http.client.HTTPException) as exc:
                return PushResult(
                    push.token, "retry", retry_after=DEFAULT_RETRY_AFTER, error=type(exc).__name__
                )
            status = response.status
            if status == 200:
                return PushResult(push.token, "sent", status)
            if status == 401 and attempt == 1:  # revoked or expired early: one new token, one more try
                self._forget_access_token(access_token)
                continue
            if _is_dead_token(status, response.data):
                return PushResult(push.token, "dead", status)
            if status in RETRYABLE or status == 401:
                return PushResult(push.token, "retry", status, _retry_after(response.headers))
            logger.warning(
                "push refused",
                extra={"status": status, "body": response.data[:300].decode("utf-8", "replace")},
            )
            return PushResult(push.token, "failed", status, error=f"FCM answered {status}")
        raise AssertionError("unreachable")


_client: tuple[Any, FcmClient] | None = None
_client_lock = threading.Lock()


def fcm_client() -> FcmClient:
    """The container's client, made again when the settings change (tests)."""
    global _client
    current = fcm_settings()
    with _client_lock:
        if _client is None or _client[0] is not current:
            if _client is not None:
                _client[1].pool.shutdown(wait=False)
            _client = (
                current,
                FcmClient(
                    ServiceAccount.parse(current.firebase_service_account),
                    current.fcm_api_base,
                    current.fcm_concurrency,
                    current.fcm_timeout_seconds,
                ),
            )
        return _client[1]
