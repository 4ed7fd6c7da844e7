"""Typed settings: each module declares the settings it reads as a model; each function checks the
ones it uses when its container starts.

A field's name, upper-cased, is the setting's one name: the environment variable and the key in the
application secret. Values resolve as ``sauti.config.Config`` says (environment, then the application
secret, then the documented local default) and are then parsed by the field's type (``str``, ``int``,
``float``, ``bool``, a ``Literal`` of strings; ``pattern=`` for a regular expression), so a missing or
malformed production setting fails the function's init (and its errors alarm), never a user's request.

    class CatalogSettings(Settings):
        media_link_ttl_seconds: int = setting(300, doc="lifetime of signed media links")
        cdn_base_url: str = setting("http://127.0.0.1:3001", doc="...", local_only=True)

    # functions/catalog/app.py, at import (init):
    require(CatalogSettings)
    # logic, at run time (validated once per container, then a dict lookup):
    settings(CatalogSettings).media_link_ttl_seconds

Error messages name settings, never values (some are secrets).

Not pydantic: every function, the small scheduled jobs too, reads its settings at init, and pydantic
costs those jobs about 100 ms of import (measured with bench/cold_start.py); these few types need
none of it.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from sauti.config import Config, ConfigurationError, config

Model = TypeVar("Model", bound="Settings")
_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


@dataclass(frozen=True)
class SettingField:
    """A field's declaration: ``default`` (None: must be set), its doc and how it defaults."""

    default: str | None
    doc: str
    secret: bool = False
    local_only: bool = False
    pattern: str | None = None


def setting(
    default: Any = None,
    *,
    doc: str,
    secret: bool = False,
    local_only: bool = False,
    pattern: str | None = None,
) -> Any:
    """A settings field. ``default`` is the documented default (None: must be set); ``secret`` and
    ``local_only`` defaults (a 127.0.0.1 URL, a local key) apply on a laptop only; ``pattern`` is a
    regular expression a text value must match whole."""
    return SettingField(None if default is None else str(default), doc, secret, local_only, pattern)


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE or lowered in _FALSE:
        return lowered in _TRUE
    raise ValueError("not a boolean")


def _parser(hint: Any, spec: SettingField) -> Callable[[str], Any]:
    if typing.get_origin(hint) is typing.Literal:
        choices = typing.get_args(hint)

        def one_of(text: str) -> str:
            if text not in choices:
                raise ValueError("not one of the choices")
            return text

        return one_of
    if hint is bool:
        return _bool
    if hint in (int, float):
        return hint  # type: ignore[no-any-return]
    if hint is str:
        if spec.pattern is None:
            return str
        pattern = re.compile(spec.pattern)

        def matching(text: str) -> str:
            if not pattern.fullmatch(text):
                raise ValueError("does not match")
            return text

        return matching
    raise TypeError(f"settings field of unsupported type {hint!r}")


class Settings:
    """A module's settings: fields declared with ``setting(...)``; instances are read-only."""

    fields: ClassVar[dict[str, tuple[SettingField, Callable[[str], Any]]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        hints = typing.get_type_hints(cls)
        cls.fields = {
            name: (spec, _parser(hints[name], spec))
            for name, spec in vars(cls).items()
            if isinstance(spec, SettingField)
        }

    def __init__(self, **values: Any) -> None:
        for name in type(self).fields:
            object.__setattr__(self, name, values[name])

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("settings are read-only")

    def __repr__(self) -> str:  # names only: some values are secrets
        return f"{type(self).__name__}({', '.join(type(self).fields)})"

    @classmethod
    def prepare_local(cls, source: Config) -> None:
        """On a laptop, before the model is read: compute local defaults (a generated key, a path)."""


def describe(model: type[Settings]) -> list[dict[str, Any]]:
    """``{name, doc, default, secret, local_only}`` of each field: the README table is checked against it."""
    return [
        {
            "name": name.upper(),
            "doc": spec.doc,
            "default": spec.default,
            "secret": spec.secret,
            "local_only": spec.local_only,
        }
        for name, (spec, _parse) in model.fields.items()
    ]


def load(model: type[Model], source: Config) -> Model:
    """``model`` read from ``source`` and checked (uncached: ``settings`` caches per container)."""
    if source.is_local:
        model.prepare_local(source)
    values: dict[str, Any] = {}
    missing: list[str] = []
    malformed: list[str] = []
    for name, (spec, parse) in model.fields.items():
        value = source.resolve(name.upper(), spec.default, secret=spec.secret, local_only=spec.local_only)
        if value is None:
            missing.append(name.upper())
            continue
        try:
            values[name] = parse(value)
        except ValueError:
            malformed.append(name.upper())
    if missing:
        raise ConfigurationError("settings not configured: " + ", ".join(missing))
    if malformed:
        raise ConfigurationError("settings malformed: " + ", ".join(malformed))
    return model(**values)


def settings(model: type[Model]) -> Model:
    """The container's validated ``model`` (loaded once; ``config.cache_clear()`` forgets it)."""
    cache = config().validated
    found = cache.get(model)
    if found is None:
        found = cache[model] = load(model, config())
    return found


def require(*models: type[Settings]) -> None:
    """Validate ``models`` now: called by a function at import, so a bad setting fails its init."""
    for model in models:
        settings(model)


def current(model: type[Settings], field_name: str, source: Config | None = None) -> str | None:
    """One field's value read again now, unparsed: for a secret rotated in place (the signing keys),
    which a warm container must follow (Powertools caches the application secret for five minutes)."""
    spec, _parse = model.fields[field_name]
    source = source or config()
    if source.is_local:
        model.prepare_local(source)
    return source.resolve(field_name.upper(), spec.default, secret=spec.secret, local_only=spec.local_only)
