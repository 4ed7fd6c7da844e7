"""Configuration, read once per container.

Every setting has one name, used both as the environment variable and as the key
in the application secrets. The environment wins; then the application secrets
(AWS Secrets Manager, named by ``APP_SECRET_ARN``: a comma-separated list, so each
function reads only the secrets holding its own keys); then, on a laptop only
(``APP_ENV=local``), the documented local default. Outside ``local`` a missing
secret setting, or one whose default only means something on a laptop (a
127.0.0.1 URL, the local bucket), is an error, never a silent default; other
settings (limits, lifetimes) keep their defaults everywhere.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Amazon RDS's CA certificates (every region, every generation), shipped in the common layer.
RDS_CA_BUNDLE = Path(__file__).resolve().parent / "data" / "rds-ca-bundle.pem"


class ConfigurationError(RuntimeError):
    """A setting the code needs is missing or malformed."""


@dataclass(frozen=True)
class Setting:
    name: str
    local_default: str | None = None
    secret: bool = False
    doc: str = ""
    local_only: bool = False  # the default only makes sense on a laptop: outside local it must be set


# The single list of settings (modules add theirs here); the README's table is checked against it.
SETTINGS: tuple[Setting, ...] = (
    Setting("APP_ENV", "local", doc="`local`, `dev` or `prod`"),
    Setting(
        "DATABASE_URL", "", doc="PostgreSQL URL; in AWS built from DB_HOST and the database secret instead"
    ),
    Setting("DB_HOST", "", doc="PostgreSQL host (AWS)"),
    Setting("DB_PORT", "5432", doc="PostgreSQL port (AWS)"),
    Setting("DB_NAME", "sauti", doc="PostgreSQL database (AWS)"),
    Setting(
        "DB_SECRET_ARN",
        "",
        doc="the PostgreSQL credentials secret `{username, password}`: the app role's (AWS)",
    ),
    # deploy (docs/deploy.md)
    Setting(
        "DB_APP_SECRET_ARN",
        "",
        doc="migrate only: the app role's secret; the migrate run creates the role with this password",
    ),
    Setting("REDIS_SECRET_ARN", "", doc="the Valkey AUTH token secret `{password}` (AWS; empty: no AUTH)"),
    Setting(
        "TRUSTED_FRONT_CERT_ISSUER",
        "",
        doc="issuer DN of the front door's mutual-TLS client certificate; only then is the client-address "
        "header believed (empty: never)",
    ),
    Setting(
        "CLIENT_ADDRESS_HEADER",
        "cf-connecting-ip",
        doc="the header in which the trusted front door passes the client's address",
    ),
    Setting("REDIS_URL", None, doc="Redis URL"),
    Setting("DB_STATEMENT_TIMEOUT_MS", "5000", doc="statement timeout of every database session"),
    Setting(
        "DB_CONNECT_TIMEOUT_SECONDS",
        "2",
        doc="give up connecting to PostgreSQL after this long (libpq's minimum is 2); each round trip "
        "gives up DB_STATEMENT_TIMEOUT_MS plus 1 s after it began",
    ),
    Setting(
        "REDIS_TIMEOUT_MS",
        "500",
        doc="give up connecting to Redis, or waiting for one answer, after this long (one retry)",
    ),
    Setting(
        "APP_SECRET_ARN",
        "",
        doc="the application secrets (JSON objects) in Secrets Manager this function reads, comma-separated",
    ),
    Setting("NOTIFICATIONS_QUEUE_URL", "", doc="SQS queue of notification messages"),
    Setting(
        "EMAIL_FROM",
        "Sauti <no-reply@sauti.local>",
        doc="sender of every email (an SES-verified identity)",
        local_only=True,
    ),
    Setting("EVENT_BUS_NAME", "sauti-local", doc="EventBridge bus of domain events", local_only=True),
    Setting("SAUTI_DATA_DIR", ".local", doc="local data folder (laptop only)"),
    Setting("PUBLIC_BASE_URL", "http://127.0.0.1:3000", doc="public base URL of the API", local_only=True),
    Setting("JWT_ISSUER", "http://127.0.0.1:3000", doc="`iss` of access tokens", local_only=True),
    Setting("JWT_AUDIENCE", "sauti-api", doc="`aud` of access tokens"),
    Setting("ACCESS_TOKEN_TTL_SECONDS", "900", doc="access-token lifetime"),
    Setting("OFFLINE_LICENSE_DAYS", "30", doc="how long downloads play offline before a sync renews them"),
    Setting("DOWNLOADS_PER_DEVICE", "10000", doc="most active downloads one device may hold"),
    Setting("DOWNLOADS_PER_DAY", "500", doc="most downloads one user may start in a day (UTC)"),
    Setting(
        "JWT_SIGNING_KEYS",
        None,
        secret=True,
        doc="RS256 signing keys as JSON `{current, keys: [{kid, private_key_pem}]}`",
    ),
    Setting(
        "AUTH_LOGIN_FAILURES_PER_ADDRESS",
        "500",
        doc="failed logins one client address may make per 15 minutes (carrier NAT: docs/auth.md)",
    ),
    Setting(
        "AUTH_SIGNUPS_PER_ADDRESS",
        "500",
        doc="sign-ups one client address may make per hour (carrier NAT: docs/auth.md)",
    ),
    Setting(
        "AUTH_EMAILS_PER_ADDRESS",
        "200",
        doc="reset and verification emails one client address may ask for per hour",
    ),
    Setting("REFRESH_TOKEN_TTL_SECONDS", "2592000", doc="a session ends after this long without a refresh"),
    Setting("SESSION_MAX_AGE_SECONDS", "7776000", doc="a session ends this long after login, used or not"),
    Setting("PASSWORD_RESET_TTL_SECONDS", "1800", doc="lifetime of a password-reset link"),
    Setting("EMAIL_VERIFICATION_TTL_SECONDS", "172800", doc="lifetime of an email-verification link"),
    Setting(
        "AUTH_LINK_BASE_URL",
        "http://127.0.0.1:8080",
        doc="base URL of the web app pages that the reset and verification emails link to",
        local_only=True,
    ),
    Setting(
        "STRIPE_SECRET_KEY", "", secret=True, doc="Stripe API key; unset: checkout and portal answer 503"
    ),
    Setting(
        "STRIPE_WEBHOOK_SECRET",
        "whsec_sauti_local_development_only",
        secret=True,
        doc="endpoint secret that /webhooks/stripe verifies",
    ),
    Setting(
        "STRIPE_PREMIUM_PRICE_ID",
        "price_sauti_local_premium",
        secret=True,
        doc="the Stripe price of the premium plan",
    ),
    Setting(
        "STRIPE_API_BASE", "https://api.stripe.com", doc="where Stripe API calls go (a fake server in tests)"
    ),
    Setting("BILLING_GRACE_PERIOD_DAYS", "7", doc="days a failed Stripe renewal (past_due) keeps premium"),
    Setting(
        "BILLING_RENEWAL_MARGIN_HOURS",
        "24",
        doc="hours past its period end that a renewing active subscription keeps premium (late renewals)",
    ),
    Setting(
        "APPLE_SANDBOX_IN_PRODUCTION",
        "true",
        doc="with APPLE_ENVIRONMENT=Production, also accept Sandbox data (App Review) via a Sandbox verifier",
    ),
    Setting(
        "APPLE_ROOT_CERTIFICATES",
        "",
        doc="comma-separated paths of trusted roots (DER or PEM) for App Store signed data",
    ),
    Setting("APPLE_BUNDLE_ID", "app.sauti.ios", secret=True, doc="the iOS app's bundle id"),
    Setting("APPLE_ENVIRONMENT", "Sandbox", secret=True, doc="`Production` or `Sandbox`"),
    Setting(
        "APPLE_APP_APPLE_ID",
        "",
        secret=True,
        doc="the app's numeric Apple ID (required when APPLE_ENVIRONMENT=Production)",
    ),
    # catalog & playback: media links (docs/catalog.md)
    Setting(
        "CDN_BASE_URL",
        "http://127.0.0.1:3001",
        doc="base URL of the media CDN (Cloudflare, R2 behind it)",
        local_only=True,
    ),
    Setting(
        "CDN_TOKEN_SECRET",
        "sauti-local-cdn-token-secret",
        secret=True,
        doc="secret shared with the Cloudflare token-authentication (WAF) rule",
    ),
    Setting("MEDIA_LINK_TTL_SECONDS", "300", doc="lifetime of signed media links (the WAF rule's ttl)"),
    Setting(
        "STREAM_CUSTOMER_CODE", "localdev", doc="Cloudflare Stream customer subdomain code", local_only=True
    ),
    Setting("STREAM_KEY_ID", "local-stream-key", doc="Cloudflare Stream signing key id", local_only=True),
    Setting(
        "STREAM_SIGNING_KEY",
        None,
        secret=True,
        doc="Cloudflare Stream signing key: the `pem` field (base64 of a PEM) or a plain PEM",
    ),
    Setting(
        "R2_ENDPOINT_URL",
        "",
        doc="R2's S3 endpoint `https://<account>.r2.cloudflarestorage.com`",
        local_only=True,
    ),
    Setting("R2_ACCESS_KEY_ID", "local", doc="R2 API token's access key id", local_only=True),
    Setting("R2_SECRET_ACCESS_KEY", "local", secret=True, doc="R2 API token's secret access key"),
    Setting(
        "MEDIA_BUCKET", "sauti-media-local", doc="the R2 bucket of audio, ads and images", local_only=True
    ),
    Setting(
        "ANALYTICS_DAILY_PLAY_CAP",
        "10",
        doc="counted plays of one song by one user per UTC day that reach the totals (the rest stay raw)",
    ),
    Setting(
        "ANALYTICS_RAW_RETENTION_DAYS",
        "35",
        doc="days of raw plays kept attached; older rolled-up day partitions are detached",
    ),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}


@dataclass
class Config:
    """Settings resolved lazily: a secret setting costs a Secrets Manager call only when read, and at
    most once per five minutes after that (Powertools' cache)."""

    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    secret_loader: Callable[[str], Mapping[str, Any]] | None = None
    _derived_defaults: dict[str, str] = field(default_factory=dict)
    # Settings models validated from this configuration (sauti.settings), once each.
    validated: dict[type, Any] = field(default_factory=dict)

    @property
    def is_local(self) -> bool:
        return self.get("APP_ENV") == "local"

    def get(self, name: str) -> str:
        setting = _BY_NAME.get(name)
        if setting is None:
            raise ConfigurationError(f"unknown setting {name}")
        value = self.resolve(
            name, setting.local_default, secret=setting.secret, local_only=setting.local_only
        )
        if value is None:
            raise ConfigurationError(f"setting {name} is not configured")
        return value

    def resolve(self, name: str, default: str | None, *, secret: bool, local_only: bool) -> str | None:
        """The environment, then the application secret, then ``default`` (on a laptop, or for a setting
        that is neither secret nor laptop-only); None when none of them has a value."""
        value = self.environ.get(name)
        if value not in (None, ""):
            return value
        for secret_id in _secret_ids(self.environ.get("APP_SECRET_ARN")):
            secret_value = self._application_secret(secret_id).get(name)
            if secret_value not in (None, ""):
                return secret_value if isinstance(secret_value, str) else json.dumps(secret_value)
        if self.environ.get("APP_ENV", "local") == "local" or not (secret or local_only):
            return self._derived_defaults.get(name, default)
        return None

    def int(self, name: str) -> int:
        try:
            return int(self.get(name))
        except ValueError as exc:
            raise ConfigurationError(f"setting {name} must be a whole number") from exc

    def json(self, name: str) -> Any:
        try:
            return json.loads(self.get(name))
        except json.JSONDecodeError as exc:
            raise ConfigurationError(f"setting {name} must be JSON") from exc

    def set_local_default(self, name: str, value: str) -> None:
        """Local defaults computed at run time (a generated key, a path under the data folder)."""
        self._derived_defaults[name] = value

    def generate_local_secret(self, name: str, file_name: str, generate: Callable[[], str]) -> None:
        """On a laptop, make ``name``'s local default a secret generated once into the data folder."""
        if name in self._derived_defaults or not self.is_local:
            return
        path = self.data_dir / "secrets" / file_name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(generate())
            path.chmod(0o600)
        self.set_local_default(name, path.read_text())

    def database_url(self) -> str:
        url = self.get("DATABASE_URL")
        if url:
            return url
        if not self.get("DB_HOST"):
            raise ConfigurationError("set DATABASE_URL, or DB_HOST with DB_SECRET_ARN")
        from urllib.parse import quote

        loader = self.secret_loader or load_json_secret
        credentials = loader(self.get("DB_SECRET_ARN"))
        user, password = quote(credentials["username"], safe=""), quote(credentials["password"], safe="")
        # verify-full: the server proves it is that RDS instance (the CA bundle ships in the layer).
        return (
            f"postgresql://{user}:{password}"
            f"@{self.get('DB_HOST')}:{self.get('DB_PORT')}/{self.get('DB_NAME')}"
            f"?sslmode=verify-full&sslrootcert={quote(str(RDS_CA_BUNDLE))}"
        )

    def redis_password(self) -> str | None:
        """The Valkey AUTH token when ``REDIS_SECRET_ARN`` names one (AWS); None on a laptop."""
        secret_id = self.get("REDIS_SECRET_ARN")
        if not secret_id:
            return None
        return str((self.secret_loader or load_json_secret)(secret_id)["password"])

    @property
    def data_dir(self) -> Path:
        return Path(self.get("SAUTI_DATA_DIR")).resolve()

    def _application_secret(self, secret_id: str) -> Mapping[str, Any]:
        # Powertools caches the value for five minutes, so a rotated secret reaches warm containers.
        loader = self.secret_loader or load_json_secret
        return loader(secret_id)


def _secret_ids(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def load_json_secret(secret_id: str) -> Mapping[str, Any]:
    """A JSON secret from Secrets Manager, through Powertools Parameters (cached five minutes)."""
    from aws_lambda_powertools.utilities import parameters

    value = parameters.get_secret(secret_id, transform="json", max_age=300)
    if not isinstance(value, dict):
        raise ConfigurationError(f"the secret {secret_id} must be a JSON object")
    return value


@functools.cache
def config() -> Config:
    """The container's configuration. Tests call ``config.cache_clear()`` after changing the environment."""
    return Config()
