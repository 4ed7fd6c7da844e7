"""The client's address, as the front door saw it when the request really came through it.

Behind Cloudflare, API Gateway's ``sourceIp`` is a Cloudflare edge address; the client's own is in
``CF-Connecting-IP``. That header is believed only on a request that presented the front door's
mutual-TLS client certificate (API Gateway puts it in ``requestContext.authentication.clientCert``):
anyone can send the header, only Cloudflare holds the certificate. Otherwise ``sourceIp`` it is.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from sauti.config import Config, config
from sauti.core_settings import CoreSettings
from sauti.settings import load


def client_address(event: Mapping[str, Any], settings: Config | None = None) -> str:
    """The caller's IP address for rate limits and session records."""
    core = load(CoreSettings, settings or config())
    context = event.get("requestContext") or {}
    source = str((context.get("http") or {}).get("sourceIp") or "")
    trusted_issuer = core.trusted_front_cert_issuer
    certificate = (context.get("authentication") or {}).get("clientCert") or {}
    if not trusted_issuer or certificate.get("issuerDN") != trusted_issuer:
        return source
    header = core.client_address_header.lower()
    claimed = str((event.get("headers") or {}).get(header) or "").strip()
    try:
        return str(ipaddress.ip_address(claimed))
    except ValueError:
        return source
