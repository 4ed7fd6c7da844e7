"""Local stand-ins for the two web-app pages that the auth emails link to, served by the local edge.

``AUTH_LINK_BASE_URL`` defaults to the edge locally, so a link printed by `sauti inbox` opens a page:
``/reset-password?token=...`` asks for a new password, ``/verify-email?token=...`` confirms the address,
and each posts the token to the API (``POST /auth/password/reset``, ``POST /auth/email/verify``) from
the server side, so no browser origin is involved. In production the web app serves these two pages at
``AUTH_LINK_BASE_URL`` (template parameter ``WebAppUrl``) and makes the same calls.
"""

from __future__ import annotations

import html
import json
import os
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import parse_qs

PAGES = {
    "/reset-password": {
        "title": "Choose a new password",
        "field": '<label>New password <input type="password" name="new_password" required></label>',
        "api": "/auth/password/reset",
        "done": "Your password is changed: sign in with it on every device.",
    },
    "/verify-email": {
        "title": "Confirm your email address",
        "field": "",
        "api": "/auth/email/verify",
        "done": "Your email address is confirmed.",
    },
}


def _html(title: str, body: str) -> bytes:
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)} · Sauti (local)</title>"
        f"</head><body><h1>{html.escape(title)}</h1>{body}"
        "<p><small>Local stand-in for the web app's page (sauti_dev.web_pages).</small></p></body></html>"
    ).encode()


def form(path: str, query: str) -> bytes | None:
    """The page for a GET of ``path``, or None when it is none of them."""
    page = PAGES.get(path)
    if page is None:
        return None
    token = parse_qs(query).get("token", [""])[0]
    return _html(
        page["title"],
        f"<form method='post'><input type='hidden' name='token' value='{html.escape(token, quote=True)}'>"
        f"{page['field']} <button type='submit'>Confirm</button></form>",
    )


def submit(path: str, body: bytes) -> tuple[int, bytes] | None:
    """Post the form's token to the API; the page saying how it went, with the API's status."""
    page = PAGES.get(path)
    if page is None:
        return None
    fields = {name: values[0] for name, values in parse_qs(body.decode(errors="replace")).items()}
    status, answer = _call_api(page["api"], fields)
    if status < 300:
        return 200, _html(page["title"], f"<p>{html.escape(page['done'])}</p>")
    reason = str(answer.get("detail") or answer.get("title") or answer.get("code") or status)
    return status, _html(page["title"], f"<p>The API refused: {html.escape(reason)}</p>")


def _call_api(path: str, fields: dict[str, str]) -> tuple[int, dict[str, Any]]:
    base = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:3000").rstrip("/")
    request = urllib.request.Request(  # noqa: S310 - the local API
        base + path, data=json.dumps(fields).encode(), headers={"content-type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            raw = response.read()
            return response.status, json.loads(raw) if raw else {}
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, {}
    except OSError:
        return 503, {"detail": f"nothing answers on {base}"}
