"""A local Firebase Cloud Messaging (HTTP v1) with its OAuth token endpoint.

The token endpoint takes the JWT-bearer grant and verifies the assertion as Google does: RS256 signature
by a known service account's key, ``iss`` its email, ``aud`` this token URI, the Firebase messaging
scope, a lifetime of at most an hour. ``messages:send`` wants a live access token of the project, checks
the message's shape, and records it. Tests script its answers: ``unregister(token)`` makes FCM answer
``UNREGISTERED``; ``fail(token, status, retry_after, times)`` answers 429/5xx first. With a ``journal``
file, what it accepted is appended there and read again at the next start (the local stack's inbox
survives restarts).

    GET    /_fake/messages   what it accepted, newest last (``sauti inbox`` reads it)
    DELETE /_fake/messages   forget them
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ACCESS_TOKEN_SECONDS = 3599
KEPT_MESSAGES = 200_000


@dataclass
class _Account:
    project_id: str
    client_email: str
    public_key: Any
    private_key_id: str


@dataclass
class FakeFcm:
    service_accounts: list[str]  # key files (JSON) whose assertions it accepts
    port: int = 0
    latency_seconds: float = 0.0  # added to every send, as FCM is tens of milliseconds away
    journal: Path | None = None  # JSON Lines of the accepted messages, kept across restarts
    messages: list[dict[str, Any]] = field(default_factory=list)
    token_requests: int = 0
    refused_assertions: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._accounts = [_account(raw) for raw in self.service_accounts]
        # Access tokens are signed, not stored, so forked serving processes share them (``--processes``).
        self._token_key = secrets.token_bytes(32)
        self._shared_sends: Any = None  # a multiprocessing counter when several processes serve
        self._unregistered: set[str] = set()
        self._failures: dict[str, deque[tuple[int, str | None]]] = defaultdict(deque)
        self._lock = threading.Lock()
        self.sends = 0
        self._server: ThreadingHTTPServer | None = None
        if self.journal is not None and self.journal.exists():
            lines = self.journal.read_text().splitlines()[-KEPT_MESSAGES:]
            self.messages.extend(json.loads(line) for line in lines if line.strip())

    # -- the script -------------------------------------------------------------------------------

    def unregister(self, token: str) -> None:
        self._unregistered.add(token)

    def fail(self, token: str, status: int, retry_after: str | None = None, times: int = 1) -> None:
        for _ in range(times):
            self._failures[token].append((status, retry_after))

    def expire_access_tokens(self) -> None:
        """Every access token handed out so far stops working."""
        self._token_key = secrets.token_bytes(32)

    def _access_token(self, project_id: str, expires: float) -> str:
        body = base64.urlsafe_b64encode(json.dumps([project_id, expires]).encode()).decode()
        return f"ya29.local-{body}.{self._mac(body)}"

    def _mac(self, body: str) -> str:
        return hmac.new(self._token_key, body.encode(), hashlib.sha256).hexdigest()[:32]

    def _granted(self, access_token: str) -> tuple[str, float] | None:
        body, _, mac = access_token.removeprefix("ya29.local-").partition(".")
        if not hmac.compare_digest(mac, self._mac(body)):
            return None
        try:
            project_id, expires = json.loads(base64.urlsafe_b64decode(body))
        except ValueError:
            return None
        return str(project_id), float(expires)

    def received(self, token: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [m for m in self.messages if token is None or m["message"].get("token") == token]

    def reset(self) -> None:
        with self._lock:
            self.messages.clear()
            self._unregistered.clear()
            self._failures.clear()
            self.token_requests = 0
            self.sends = 0
            self.refused_assertions.clear()
            if self.journal is not None:
                self.journal.write_text("")

    # -- serving ----------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> FakeFcm:
        fake = self

        class Handler(_Handler):
            pass

        Handler.fake = fake
        self._server = _Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, name="fake-fcm", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # -- the endpoints ----------------------------------------------------------------------------

    def token_endpoint(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        import jwt

        with self._lock:
            self.token_requests += 1
        if form.get("grant_type", [""])[0] != GRANT_TYPE:
            return 400, {"error": "unsupported_grant_type"}
        assertion = form.get("assertion", [""])[0]
        try:
            header = jwt.get_unverified_header(assertion)
            unverified = jwt.decode(assertion, options={"verify_signature": False})
            account = next(
                a
                for a in self._accounts
                if a.client_email == unverified.get("iss")
                and (not header.get("kid") or header["kid"] == a.private_key_id)
            )
            claims = jwt.decode(
                assertion,
                account.public_key,
                algorithms=["RS256"],
                audience=f"{self.base_url}/token",
                issuer=account.client_email,
                options={"require": ["iss", "aud", "exp", "iat", "scope"]},
            )
            if SCOPE not in str(claims["scope"]).split():
                raise jwt.InvalidTokenError("scope lacks firebase.messaging")
            if claims["exp"] - claims["iat"] > 3600:
                raise jwt.InvalidTokenError("assertion lives longer than an hour")
        except (StopIteration, jwt.PyJWTError, KeyError, TypeError) as exc:
            with self._lock:
                self.refused_assertions.append(str(exc) or type(exc).__name__)
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        access_token = self._access_token(account.project_id, time.time() + ACCESS_TOKEN_SECONDS)
        return 200, {"access_token": access_token, "expires_in": ACCESS_TOKEN_SECONDS, "token_type": "Bearer"}

    def send_endpoint(
        self, project_id: str, authorization: str, body: bytes
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if self.latency_seconds:
            time.sleep(self.latency_seconds)
        granted = self._granted(authorization.removeprefix("Bearer ").strip())
        if granted is None or granted[1] < time.time():
            return 401, _error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."), {}
        if granted[0] != project_id:
            return 403, _error(403, "PERMISSION_DENIED", "The caller does not have permission"), {}
        try:
            message = json.loads(body)["message"]
            problem = _shape_problem(message)
        except (ValueError, KeyError, TypeError):
            problem = "Invalid JSON payload received."
        if problem:
            return 400, _error(400, "INVALID_ARGUMENT", problem), {}
        token = message["token"]
        if self._shared_sends is not None:
            with self._shared_sends.get_lock():
                self._shared_sends.value += 1
        with self._lock:
            self.sends += 1
            scripted = self._failures[token].popleft() if self._failures.get(token) else None
        if scripted is not None:
            status, retry_after = scripted
            name = {429: "QUOTA_EXCEEDED", 503: "UNAVAILABLE"}.get(status, "INTERNAL")
            fcm_code = "QUOTA_EXCEEDED" if status == 429 else name
            headers = {"Retry-After": retry_after} if retry_after else {}
            return status, _error(status, name, "scripted failure", fcm_code), headers
        if token in self._unregistered:
            return 404, _error(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED"), {}
        name = f"projects/{project_id}/messages/{secrets.token_hex(8)}"
        accepted = {"name": name, "received_at": time.time(), "message": message}
        with self._lock:
            self.messages.append(accepted)
            if self.journal is not None:
                with self.journal.open("a") as out:
                    out.write(json.dumps(accepted) + "\n")
            if len(self.messages) > KEPT_MESSAGES:
                del self.messages[: len(self.messages) - KEPT_MESSAGES]
        return 200, {"name": name}, {}


def _account(raw: str) -> _Account:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    parsed = json.loads(raw)
    key = load_pem_private_key(parsed["private_key"].encode(), password=None)
    return _Account(
        parsed["project_id"], parsed["client_email"], key.public_key(), parsed.get("private_key_id", "")
    )


def _error(status: int, name: str, text: str, fcm_code: str | None = None) -> dict[str, Any]:
    details: list[dict[str, Any]] = [
        {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": fcm_code or name}
    ]
    if name == "INVALID_ARGUMENT" and "token" in text:
        details.append(
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": "message.token", "description": text}],
            }
        )
    return {"error": {"code": status, "message": text, "status": name, "details": details}}


def _shape_problem(message: dict[str, Any]) -> str | None:
    """What FCM v1 would refuse in a message (the subset Sauti's sender can get wrong)."""
    targets = [key for key in ("token", "topic", "condition") if key in message]
    if targets != ["token"]:
        return "exactly one of token, topic or condition must be set (Sauti sends to tokens)"
    if not isinstance(message["token"], str) or not message["token"] or message["token"].startswith("bad"):
        return "The registration token is not a valid FCM registration token"
    notification = message.get("notification", {})
    if not all(isinstance(notification.get(key, ""), str) for key in ("title", "body")):
        return "notification title and body must be strings"
    data = message.get("data", {})
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        return "data values must be strings"
    if len(json.dumps(message).encode()) > 4096 + 1024:
        return "Message is too big"
    android = message.get("android")
    if android is not None and android.get("priority", "normal") not in ("normal", "high"):
        return "android.priority must be normal or high"
    apns = message.get("apns")
    if apns is not None and not isinstance(apns.get("payload", {}).get("aps", {}), dict):
        return "apns.payload.aps must be an object"
    webpush = message.get("webpush")
    if webpush is not None and not all(isinstance(v, str) for v in webpush.get("headers", {}).values()):
        return "webpush header values must be strings"
    return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_port = True
    request_queue_size = 256  # the default 5 drops connections when a worker opens 32 at once


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as FCM's clients use
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    fake: FakeFcm

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _answer(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(raw)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_POST(self) -> None:
        path = urlparse(self.path).path
        body = self._body()
        if path == "/token":
            self._answer(*self.fake.token_endpoint(parse_qs(body.decode())))
            return
        parts = path.strip("/").split("/")
        if len(parts) == 4 and parts[:2] == ["v1", "projects"] and parts[3] == "messages:send":
            status, answer, headers = self.fake.send_endpoint(
                parts[2], self.headers.get("Authorization", ""), body
            )
            self._answer(status, answer, headers)
            return
        self._answer(404, _error(404, "NOT_FOUND", "no such endpoint"))

    def do_GET(self) -> None:
        parsed = urlparse(self.path)
        if parsed.path == "/_fake/messages":
            limit = int(parse_qs(parsed.query).get("limit", ["50"])[0])
            shared = self.fake._shared_sends
            sends = shared.value if shared is not None else self.fake.sends
            self._answer(200, {"messages": self.fake.received()[-limit:] if limit else [], "sends": sends})
            return
        self._answer(404, _error(404, "NOT_FOUND", "no such endpoint"))

    def do_DELETE(self) -> None:
        if urlparse(self.path).path == "/_fake/messages":
            self.fake.reset()
            self._answer(200, {})
            return
        self._answer(404, _error(404, "NOT_FOUND", "no such endpoint"))


def main() -> None:
    """``python -m sauti_dev.fakes.fcm --port 3003 --service-account KEY.json``: serve it alone.
    ``--processes N`` forks N serving processes on one port (benchmarks: one Python process serves
    about 1,500 requests a second); ``sends`` then counts all of them, ``messages`` only the answering
    process's."""
    import argparse
    import multiprocessing
    import os
    from pathlib import Path

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=3003)
    parser.add_argument("--service-account", type=Path, action="append", required=True)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every send")
    parser.add_argument("--processes", type=int, default=1)
    args = parser.parse_args()
    accounts = [path.read_text() for path in args.service_account]
    fake = FakeFcm(accounts, port=args.port, latency_seconds=args.latency_ms / 1000)
    if args.processes > 1:
        fake._shared_sends = multiprocessing.Value("l", 0)
    for _ in range(args.processes - 1):
        if os.fork() == 0:  # each process binds the port too (SO_REUSEPORT): the kernel spreads connections
            break
    fake.start()
    print(f"fake FCM on {fake.base_url}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
