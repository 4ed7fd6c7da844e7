"""Where the local stack listens: one setting per server, each with its default (README, configuration).

Everything that calls a local server derives its address from that one setting (``STREAM_API_BASE``
follows ``STREAM_FAKE_PORT``, ``FCM_API_BASE`` follows ``FCM_FAKE_PORT``, ...), unless the address
itself is set, which points the stack at another server instead.
"""

from __future__ import annotations

import os

# The API and the fakes of outside services on 3000-3004 (3004: the console); the data servers below
# Linux's ephemeral range (32768-60999), so a throw-away test stack's free ports never take them.
LOCAL_PORTS = {
    "PORT": 3000,  # the API (the local API Gateway)
    "EDGE_PORT": 3001,  # the local Cloudflare edge in front of the local R2 (signed media links)
    "STREAM_FAKE_PORT": 3002,  # the local fake of Cloudflare Stream's API
    "FCM_FAKE_PORT": 3003,  # the local fake of Firebase Cloud Messaging and its token endpoint
    "SAUTI_POSTGRES_PORT": 15432,
    "SAUTI_REDIS_PORT": 16379,
    "SAUTI_MOTO_PORT": 14566,  # moto: SQS, SES, Secrets Manager, EventBridge
    "SAUTI_R2_PORT": 14567,  # the local R2 (rclone's S3 server over a folder)
}


def port(name: str) -> int:
    """The port a setting names: the environment's, else the default."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return LOCAL_PORTS[name]
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SystemExit(f"{name} must be a port number (1-65535)")
    return int(raw)


def local_url(port_number: int) -> str:
    return f"http://127.0.0.1:{port_number}"
