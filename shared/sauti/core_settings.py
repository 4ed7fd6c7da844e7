"""The settings every function shares (environment, database, Redis, bus and queue) and the
access-token settings (auth issues tokens, downloads signs licenses with the same keys)."""

from __future__ import annotations

from sauti.config import Config
from sauti.settings import Settings, setting


class CoreSettings(Settings):
    """What every function reads: where it runs, Redis, the bus and the notifications queue."""

    app_env: str = setting("local", doc="`local`, `dev` or `prod`")
    app_secret_arn: str = setting(
        "",
        doc="the application secrets (JSON objects) in Secrets Manager this function reads, comma-separated",
    )
    redis_url: str = setting(doc="Redis URL")
    redis_secret_arn: str = setting("", doc="the Valkey AUTH token secret `{password}` (AWS; empty: no AUTH)")
    redis_timeout_ms: int = setting(
        500, doc="give up connecting to Redis, or waiting for one answer, after this long (one retry)"
    )
    notifications_queue_url: str = setting("", doc="SQS queue of notification messages")
    event_bus_name: str = setting("sauti-local", doc="EventBridge bus of domain events", local_only=True)
    sauti_data_dir: str = setting(".local", doc="local data folder (laptop only)")
    public_base_url: str = setting("http://127.0.0.1:3000", doc="public base URL of the API", local_only=True)


class ClientAddressSettings(Settings):
    """Which address a request came from (sauti.clientaddr): the front door's header, when trusted."""

    trusted_front_cert_issuer: str = setting(
        "",
        doc="issuer DN of the front door's mutual-TLS client certificate; only then is the client-address "
        "header believed (empty: never)",
    )
    client_address_header: str = setting(
        "cf-connecting-ip", doc="the header in which the trusted front door passes the client's address"
    )


class FrontDoorSettings(Settings):
    """What only the front door adds to a request sent to a function URL (sauti.function_url)."""

    front_door_secret: str = setting(
        "sauti-local-front-door-secret",
        secret=True,
        doc="value of the header Cloudflare's request-header rule adds; a function URL refuses any "
        "request without it",
    )
    front_door_header: str = setting("x-sauti-front-door", doc="the header that carries FRONT_DOOR_SECRET")


class DatabaseSettings(Settings):
    """PostgreSQL: a URL on a laptop, the RDS host and its credentials secret in AWS."""

    database_url: str = setting(
        "", doc="PostgreSQL URL; in AWS built from DB_HOST and the database secret instead"
    )
    db_host: str = setting("", doc="PostgreSQL host (AWS)")
    db_port: int = setting(5432, doc="PostgreSQL port (AWS)")
    db_name: str = setting("sauti", doc="PostgreSQL database (AWS)")
    db_secret_arn: str = setting(
        "", doc="the PostgreSQL credentials secret `{username, password}`: the app role's (AWS)"
    )
    db_app_secret_arn: str = setting(
        "", doc="migrate only: the app role's secret; the migrate run creates the role with this password"
    )
    db_statement_timeout_ms: int = setting(
        5000,
        doc="statement timeout of jobs, queue consumers and commands; their round trips give up 1 s later",
    )
    db_request_deadline_ms: int = setting(
        1500,
        doc="an HTTP request's round trip to PostgreSQL gives up after this long (then 503); its statements "
        "time out on the server 500 ms before (at least 1000)",
    )
    db_connect_timeout_seconds: int = setting(
        2, doc="give up connecting to PostgreSQL after this long (libpq's minimum is 2)"
    )


class TokenSettings(Settings):
    """Access tokens (auth) and download licenses (downloads) are signed with the same keys."""

    jwt_issuer: str = setting("http://127.0.0.1:3000", doc="`iss` of access tokens", local_only=True)
    jwt_audience: str = setting("sauti-api", doc="`aud` of access tokens")
    access_token_ttl_seconds: int = setting(900, doc="access-token lifetime")
    jwt_signing_keys: str = setting(
        doc="RS256 signing keys as JSON `{current, keys: [{kid, private_key_pem}]}`", secret=True
    )

    @classmethod
    def prepare_local(cls, source: Config) -> None:
        def generate() -> str:  # PyJWT and cryptography load only when no key was generated yet
            from sauti.tokens import generate_key_set_json

            return generate_key_set_json()

        source.generate_local_secret("JWT_SIGNING_KEYS", "jwt-signing-keys.json", generate)
