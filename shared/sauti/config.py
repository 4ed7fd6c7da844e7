"""Configuration sources, read once per container: the settings models (sauti.settings) resolve
each of their fields here.

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
        return self.environ.get("APP_ENV", "local") in ("", "local")

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
        if self.is_local or not (secret or local_only):
            return self._derived_defaults.get(name, default)
        return None

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
        """DATABASE_URL, or in AWS the URL built from DB_HOST and the RDS credentials secret."""
        from urllib.parse import quote

        from sauti.core_settings import DatabaseSettings
        from sauti.settings import load

        core = load(DatabaseSettings, self)
        if core.database_url:
            return core.database_url
        if not core.db_host:
            raise ConfigurationError("set DATABASE_URL, or DB_HOST with DB_SECRET_ARN")
        loader = self.secret_loader or load_json_secret
        credentials = loader(core.db_secret_arn)
        user, password = quote(credentials["username"], safe=""), quote(credentials["password"], safe="")
        # verify-full: the server proves it is that RDS instance (the CA bundle ships in the layer).
        return (
            f"postgresql://{user}:{password}@{core.db_host}:{core.db_port}/{core.db_name}"
            f"?sslmode=verify-full&sslrootcert={quote(str(RDS_CA_BUNDLE))}"
        )

    def redis_password(self) -> str | None:
        """The Valkey AUTH token when ``REDIS_SECRET_ARN`` names one (AWS); None on a laptop."""
        from sauti.core_settings import CoreSettings
        from sauti.settings import load

        secret_id = load(CoreSettings, self).redis_secret_arn
        if not secret_id:
            return None
        return str((self.secret_loader or load_json_secret)(secret_id)["password"])

    @property
    def data_dir(self) -> Path:
        return Path(
            self.resolve("SAUTI_DATA_DIR", ".local", secret=False, local_only=False) or ".local"
        ).resolve()

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
