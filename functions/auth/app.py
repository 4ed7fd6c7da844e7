"""Auth & users: the published signing keys (more routes arrive with the auth module)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from sauti import tokens
from sauti.config import config
from sauti.http import http_app, lambda_entry

app = http_app()
PUBLIC_KEY_CACHE = {"Cache-Control": "public, max-age=300"}


@app.get("/.well-known/jwks.json")
def jwks() -> Response[dict[str, Any]]:
    return Response(200, "application/json", body=tokens.key_set().jwks(), headers=PUBLIC_KEY_CACHE)


@app.get("/.well-known/openid-configuration")
def openid_configuration() -> Response[dict[str, Any]]:
    issuer = config().get("JWT_ISSUER").rstrip("/")
    document = {
        "issuer": issuer,
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "id_token_signing_alg_values_supported": [tokens.ALGORITHM],
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
    }
    return Response(200, "application/json", body=document, headers=PUBLIC_KEY_CACHE)


lambda_handler: Any = lambda_entry(app)
