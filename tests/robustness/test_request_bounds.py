"""Every request body of every route bounds what a client may send: lists, strings and maps all have a
maximum (read from each function's OpenAPI schema, so a new route is checked without being listed)."""

from __future__ import annotations

from typing import Any

from sauti_dev.template import load_template


def _request_body_schemas(app: Any) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    schema = app.get_openapi_schema().model_dump(by_alias=True, exclude_none=True)
    components = schema.get("components", {}).get("schemas", {})
    bodies = []
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            for media in (operation.get("requestBody") or {}).get("content", {}).values():
                bodies.append((f"{method.upper()} {path}", media.get("schema", {}), components))
    return bodies


def _unbounded(node: Any, components: dict[str, Any], where: str, seen: set[str]) -> list[str]:
    if isinstance(node, list):
        return [found for item in node for found in _unbounded(item, components, where, seen)]
    if not isinstance(node, dict):
        return []
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        return _unbounded(components[name], components, f"{where} {name}", {*seen, name})
    found = []
    kind = node.get("type")
    if kind == "array" and "maxItems" not in node:
        found.append(f"{where}: a list without maxItems")
    if kind == "string" and not {"maxLength", "enum", "const"} & node.keys():
        found.append(f"{where}: a string without maxLength")
    open_map = node.get("additionalProperties") not in (None, False)
    if kind == "object" and open_map and "maxProperties" not in node:
        found.append(f"{where}: a map without maxProperties")
    for key, value in node.items():
        found += _unbounded(value, components, f"{where}.{key}", seen)
    return found


def test_every_request_body_is_bounded(functions):
    template = load_template()
    checked, problems = 0, []
    for logical_id in sorted({route.function for route in template.routes}):
        app = getattr(functions.module(logical_id), "app", None)
        if app is None:
            continue
        for route, schema, components in _request_body_schemas(app):
            checked += 1
            problems += _unbounded(schema, components, f"{logical_id} {route}", set())

    assert checked >= 10  # the walk found the bodies (sign-up, login, sync, checkout, ...)
    assert problems == []
