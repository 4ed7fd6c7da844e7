"""Every request body of every route bounds what a client may send: lists, strings and maps all have a
maximum (read from the API description, so a new route is checked without being listed)."""

from __future__ import annotations

from typing import Any

from sauti_dev.openapi import build_document


def _request_bodies(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    bodies = []
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            for media in (operation.get("requestBody") or {}).get("content", {}).values():
                bodies.append((f"{method.upper()} {path}", media.get("schema", {})))
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
    document = build_document(functions)  # every function's routes, as `sauti openapi` writes them
    components = document.get("components", {}).get("schemas", {})
    bodies = _request_bodies(document)
    problems = [found for route, schema in bodies for found in _unbounded(schema, components, route, set())]

    assert len(bodies) >= 10  # the walk found the bodies (sign-up, login, sync, checkout, ...)
    assert problems == []
