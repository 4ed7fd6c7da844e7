"""`sauti smoke`: the real journeys against a deployed stack, as a client makes them, over HTTP.

A new listener signs up, logs in, browses, starts a song and fetches its first bytes through the CDN
link, heartbeats, ends it, makes and deletes a playlist, searches; the token's issuer serves its
discovery document and keys (what API Gateway's JWT authorizer fetches); health answers ok. The
account is deleted at the end whatever happened. The first broken step stops the walk and is printed
with its request and its answer.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

TIMEOUT_SECONDS = 15
FIRST_BYTES = 1024  # enough to prove the CDN serves the object, not the whole song
ANSWER_SHOWN = 2000  # characters of a broken step's answer body


class StepFailed(Exception):
    def __init__(self, step: str, reason: str, response: requests.Response | None = None) -> None:
        super().__init__(f"{step}: {reason}")
        self.step, self.reason, self.response = step, reason, response

    def report(self) -> str:
        lines = [f"FAIL {self.step}: {self.reason}"]
        if self.response is not None:
            request = self.response.request
            lines.append(f"  request: {request.method} {request.url}")
            if request.body:
                body = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
                lines.append(f"  request body: {_hide_password(body)}")
            lines.append(
                f"  answer: {self.response.status_code} {self.response.headers.get('content-type', '')}"
            )
            lines.append(f"  answer body: {self.response.text[:ANSWER_SHOWN]}")
        return "\n".join(lines)


def _hide_password(body: str) -> str:
    try:
        document = json.loads(body)
    except ValueError:
        return body
    if isinstance(document, dict) and "password" in document:
        document["password"] = "***"
    return json.dumps(document)


def _claims(token: str) -> dict[str, Any]:
    """The token's payload, unverified: only to learn which issuer and key to check."""
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


def _header(token: str) -> dict[str, Any]:
    part = token.split(".")[0]
    header: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return header


@dataclass
class Smoke:
    base_url: str
    say: Callable[[str], None] = print
    http: requests.Session = field(default_factory=requests.Session)
    token: str = ""
    password: str = field(default_factory=lambda: "smoke " + os.urandom(12).hex())
    # SES's mailbox simulator: the verification email is accepted (sandbox or not) and never bounces,
    # so the sender's reputation is untouched; the label makes the address new each run.
    email: str = field(
        default_factory=lambda: f"success+sauti-smoke-{os.urandom(6).hex()}@simulator.amazonses.com"
    )
    account_created: bool = False
    playlist_id: str = ""

    def call(
        self, step: str, method: str, path: str, expect: int, *, auth: bool = True, **kwargs: Any
    ) -> requests.Response:
        url = path if path.startswith("http") else self.base_url.rstrip("/") + path
        headers = kwargs.pop("headers", {})
        if auth:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = self.http.request(method, url, headers=headers, timeout=TIMEOUT_SECONDS, **kwargs)
        except requests.RequestException as error:
            raise StepFailed(step, f"{method} {url}: {error}") from error
        if response.status_code != expect:
            raise StepFailed(step, f"expected {expect}, got {response.status_code}", response)
        return response

    def json_of(self, step: str, response: requests.Response, *keys: str) -> dict[str, Any]:
        try:
            document = response.json()
        except ValueError:
            raise StepFailed(step, "the answer is not JSON", response) from None
        missing = [key for key in keys if key not in document]
        if missing:
            raise StepFailed(step, f"the answer lacks {', '.join(missing)}", response)
        result: dict[str, Any] = document
        return result

    def passed(self, step: str, detail: str = "") -> None:
        self.say(f"ok   {step}" + (f": {detail}" if detail else ""))

    # ------------------------------------------------------------------------------------ the walk

    def run(self) -> None:
        try:
            self.health()
            self.sign_up()
            self.log_in()
            self.issuer()
            song = self.browse()
            self.play(song)
            self.playlist()
            self.search(song)
        except StepFailed:
            try:
                self.clean_up()
            except StepFailed as also:
                self.say(f"note clean up failed too ({also}): delete {self.email} by hand")
            raise
        self.clean_up()

    def health(self) -> None:
        response = self.call("health", "GET", "/health", 200, auth=False)
        status = self.json_of("health", response, "status", "checks")
        if status["status"] != "ok":
            raise StepFailed("health", "status is not ok", response)
        self.passed("health", ", ".join(f"{name} {state}" for name, state in status["checks"].items()))

    def sign_up(self) -> None:
        body = {"email": self.email, "password": self.password, "display_name": "Sauti smoke test"}
        response = self.call("sign up", "POST", "/auth/signup", 201, auth=False, json=body)
        self.account_created = True
        self.token = self.json_of("sign up", response, "access_token", "user")["access_token"]
        self.passed("sign up", self.email)

    def log_in(self) -> None:
        body = {"email": self.email, "password": self.password}
        response = self.call("log in", "POST", "/auth/login", 200, auth=False, json=body)
        self.token = self.json_of("log in", response, "access_token")["access_token"]
        self.call("log in", "GET", "/me", 200)
        self.passed("log in", "GET /me with the new token")

    def issuer(self) -> None:
        """What API Gateway's JWT authorizer does: the token's issuer's discovery document, then its keys."""
        issuer = str(_claims(self.token).get("iss", ""))
        response = self.call("issuer", "GET", issuer + "/.well-known/openid-configuration", 200, auth=False)
        discovery = self.json_of("issuer", response, "issuer", "jwks_uri")
        if discovery["issuer"] != issuer:
            raise StepFailed(
                "issuer", f"the document names {discovery['issuer']}, the token {issuer}", response
            )
        keys = self.call("issuer", "GET", discovery["jwks_uri"], 200, auth=False)
        kids = [key.get("kid") for key in self.json_of("issuer", keys, "keys")["keys"]]
        if _header(self.token).get("kid") not in kids:
            raise StepFailed("issuer", f"the token's key is not among {kids}", keys)
        self.passed("issuer", f"{issuer} publishes the token's key")

    def browse(self) -> dict[str, Any]:
        response = self.call("browse", "GET", "/songs?limit=5", 200)
        songs = self.json_of("browse", response, "items")["items"]
        if not songs:
            raise StepFailed("browse", "the catalog has no song to play", response)
        self.passed("browse", f"{len(songs)} songs")
        song: dict[str, Any] = songs[0]
        return song

    def play(self, song: dict[str, Any]) -> None:
        started = self.call("play", "POST", "/playback/sessions", 201, json={"song_id": song["id"]})
        session = self.json_of("play", started, "session_id", "stream")
        link = session["stream"]["url"]
        first = self.call(
            "first bytes", "GET", link, 206, auth=False, headers={"Range": f"bytes=0-{FIRST_BYTES - 1}"}
        )
        if not first.content:
            raise StepFailed("first bytes", "the CDN answered no bytes", first)
        self.passed("play", f"{song.get('title', song['id'])}: {len(first.content)} bytes through the CDN")
        path = f"/playback/sessions/{session['session_id']}"
        beat = {"position_ms": 1000, "state": "playing", "app_state": "foreground"}
        answer = self.json_of(
            "heartbeat", self.call("heartbeat", "POST", path + "/heartbeat", 200, json=beat)
        )
        if answer.get("continue") is not True:
            raise StepFailed("heartbeat", f"told to stop: {answer.get('reason')}")
        self.passed("heartbeat", f"next in {answer.get('next_heartbeat_s')} s")
        self.json_of(
            "end", self.call("end", "POST", path + "/end", 200, json={"listened_ms": 1000}), "counted"
        )
        self.passed("end")

    def playlist(self) -> None:
        created = self.call("playlist", "POST", "/playlists", 201, json={"name": "Sauti smoke test"})
        self.playlist_id = self.json_of("playlist", created, "id")["id"]
        self.call("playlist", "GET", f"/playlists/{self.playlist_id}", 200)
        self.call("playlist", "DELETE", f"/playlists/{self.playlist_id}", 204)
        self.playlist_id = ""
        self.passed("playlist", "created, read, deleted")

    def search(self, song: dict[str, Any]) -> None:
        query = str(song.get("title") or "a")[:50]
        response = self.call("search", "GET", "/search", 200, params={"q": query})
        hits = self.json_of("search", response, "songs")["songs"].get("items", [])
        self.passed("search", f"{query!r}: {len(hits)} songs")

    def clean_up(self) -> None:
        if not self.account_created:
            return
        if self.playlist_id:
            self.call("clean up", "DELETE", f"/playlists/{self.playlist_id}", 204)
        self.call("clean up", "DELETE", "/me", 204)
        self.account_created = False
        body = {"email": self.email, "password": self.password}
        self.call("clean up", "POST", "/auth/login", 401, auth=False, json=body)
        self.passed("clean up", "account deleted, its login refused")


def smoke(base_url: str, say: Callable[[str], None] = print) -> int:
    try:
        Smoke(base_url, say).run()
    except StepFailed as failure:
        say(failure.report())
        return 1
    say(f"smoke {base_url}: every journey works")
    return 0
