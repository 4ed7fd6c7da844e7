"""Typed settings: each module declares the settings it reads as a model; each function checks the
ones it uses when its container starts.

A field's name, upper-cased, is the setting's one name: the environment variable and the key in the
application secret. Values resolve as ``sauti.config.Config`` says (environment, then the application
secret, then the documented local default) and are then validated by pydantic, so a missing or
malformed production setting fails the function's init (and its errors alarm), never a user's request.

    class CatalogSettings(Settings):
        media_link_ttl_seconds: int = setting(300, doc="lifetime of signed media links")
        cdn_base_url: str = setting("http://127.0.0.1:3001", doc="...", local_only=True)

    # functions/catalog/app.py, at import (init):
    require(CatalogSettings)
    # logic, at run time (validated once per container, then a dict lookup):
    settings(CatalogSettings).media_link_ttl_seconds

Error messages name settings, never values (some are secrets).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sauti.config import ConfigurationError, config

Model = TypeVar("Model", bound="Settings")


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def setting(default: Any = None, *, doc: str, secret: bool = False, local_only: bool = False) -> Any:
    """A settings field. ``default`` is the documented default (None: must be set); ``secret`` and
    ``local_only`` defaults (a 127.0.0.1 URL, a local key) apply on a laptop only."""
    return Field(
        default=None if default is None else str(default),
        description=doc,
        json_schema_extra={"secret": secret, "local_only": local_only, "has_default": default is not None},
        validate_default=True,
    )


def describe(model: type[Settings]) -> list[dict[str, Any]]:
    """``{name, doc, default, secret, local_only}`` of each field: the README table is checked against it."""
    described = []
    for field_name, info in model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        described.append(
            {
                "name": field_name.upper(),
                "doc": info.description or "",
                "default": info.default,
                "secret": bool(extra.get("secret")),
                "local_only": bool(extra.get("local_only")),
            }
        )
    return described


def _load(model: type[Model]) -> Model:
    source = config()
    values: dict[str, Any] = {}
    missing: list[str] = []
    for item in describe(model):
        value = source.resolve(
            item["name"], item["default"], secret=item["secret"], local_only=item["local_only"]
        )
        if value is None:
            missing.append(item["name"])
        else:
            values[item["name"].lower()] = value
    if missing:
        raise ConfigurationError("settings not configured: " + ", ".join(missing))
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        names = sorted({str(error["loc"][0]).upper() for error in exc.errors() if error.get("loc")})
        raise ConfigurationError("settings malformed: " + ", ".join(names)) from None


def settings(model: type[Model]) -> Model:
    """The container's validated ``model`` (loaded once; ``config.cache_clear()`` forgets it)."""
    cache = config().validated
    found = cache.get(model)
    if found is None:
        found = cache[model] = _load(model)
    return found  # type: ignore[return-value]


def require(*models: type[Settings]) -> None:
    """Validate ``models`` now: called by a function at import, so a bad setting fails its init."""
    for model in models:
        settings(model)
