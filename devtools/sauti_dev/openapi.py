"""The API's OpenAPI 3.1 document, merged from every HTTP function's resolver.

Each function's ``app`` (a Powertools resolver) describes its own routes; Powertools' ``OpenAPIMerge``
joins them into one document. Two functions may share a component name only if they mean the same
schema: a clash would silently document one module's ``Song`` as another's, so it is an error here.
``sauti openapi`` writes the document to ``docs/openapi.json`` (for client generators) and beside the
Health function, which serves it at ``GET /openapi.json``; a test fails when either copy is stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sauti_dev.lambdas import LocalFunctions
from sauti_dev.template import PROJECT_ROOT

TITLE = "Sauti API"
DESCRIPTION = (
    "The backend of Sauti, a music and video streaming service. JSON in and out; errors are "
    "application/problem+json (RFC 9457) with a stable `code`. Send the access token from /auth/login "
    "as `Authorization: Bearer <token>` on every route that lists the bearer security requirement. "
    "No text may hold a NUL character (U+0000), in a body, a query or a path: 422 `validation_error`."
)
DOCUMENT_PATHS = (
    PROJECT_ROOT / "docs" / "openapi.json",
    PROJECT_ROOT / "functions" / "health" / "openapi.json",
)


class ComponentClash(RuntimeError):
    """Two functions define different schemas under one component name."""


def build_document(functions: LocalFunctions | None = None) -> dict[str, Any]:
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    from sauti.http import COMPONENTS

    functions = functions or LocalFunctions()
    bearer = {"bearer": HTTPBearer(bearerFormat="JWT", description="an access token from /auth/login")}
    merge = OpenAPIMerge(
        title=TITLE,
        version=_version(),
        openapi_version="3.1.0",
        description=DESCRIPTION,
        security_schemes=bearer,  # type: ignore[arg-type]
        on_conflict="error",
    )
    seen: dict[str, tuple[str, Any]] = {}
    for logical_id, spec in sorted(functions.template.functions.items()):
        if not spec.routes:
            continue
        functions.handler(logical_id)  # loads the function's module, as its container would
        resolver = functions.module(logical_id).app
        schema = json.loads(resolver.get_openapi_json_schema(security_schemes=bearer))
        _tag_operations(schema, _module(spec.code_uri.name))
        for name, definition in schema.get("components", {}).get("schemas", {}).items():
            owner, known = seen.setdefault(name, (logical_id, definition))
            if known != definition:
                raise ComponentClash(f"{logical_id} and {owner} define different schemas named {name}")
        merge.add_schema(schema)
    document: dict[str, Any] = json.loads(merge.get_openapi_json_schema())
    document.setdefault("components", {}).setdefault("schemas", {}).update(COMPONENTS)
    return document


def _module(folder: str) -> str:
    """A function's module as clients see it: the webhooks one group, each other function its own."""
    return "webhooks" if folder.endswith("_webhook") else folder


def _tag_operations(schema: dict[str, Any], tag: str) -> None:
    """Each operation under its module's name (the function's folder), unless its route names one."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            operation.setdefault("tags", [tag])


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_document(paths: tuple[Path, ...] = DOCUMENT_PATHS) -> str:
    text = render(build_document())
    for path in paths:
        path.write_text(text)
    return text


def _version() -> str:
    from importlib.metadata import version

    return version("sauti")
