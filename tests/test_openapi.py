"""The API description: one OpenAPI 3.1 document, served at /openapi.json, committed, and true to the
template (every route, its security, a typed success response)."""

from __future__ import annotations

import json
import re

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from sauti import paging
from sauti.auth import normalize
from sauti_dev.openapi import DOCUMENT_PATHS, build_document, render
from sauti_dev.template import load_template

NO_CONTENT = "204"


def _route_shape(key: str) -> str:
    """``GET /songs/{id}`` and ``GET /songs/{song_id}`` name one route: compare without the names."""
    return re.sub(r"\{[^}]+\}", "{}", key)


def test_the_committed_documents_are_current(functions):
    current = render(build_document(functions))

    for path in DOCUMENT_PATHS:
        assert path.read_text() == current, f"{path} is stale: run `.venv/bin/sauti openapi`"


def test_the_document_is_valid_openapi_3_1(functions):
    document = build_document(functions)

    validate(document)
    assert document["openapi"].startswith("3.1")


def test_every_template_route_is_described_and_nothing_else(functions):
    document = build_document(functions)
    described = {
        _route_shape(f"{method.upper()} {path}") for path, ops in document["paths"].items() for method in ops
    }
    routes = {_route_shape(f"{r.method} {r.path}") for r in load_template().routes if r.path != "$default"}

    assert described == routes


def test_every_operation_has_a_typed_success_response_and_its_security(functions):
    document = build_document(functions)
    public = {_route_shape(f"{r.method} {r.path}") for r in load_template().routes if not r.authorized}

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            name = f"{method.upper()} {path}"
            successes = {code: spec for code, spec in operation["responses"].items() if code.startswith("2")}
            assert successes, f"{name} documents no success response"
            for code, spec in successes.items():
                schema = spec.get("content", {}).get("application/json", {}).get("schema")
                assert code == NO_CONTENT or schema, f"{name} {code} has no response schema"
            assert "401" in operation["responses"] or _route_shape(name) in public, name
            assert bool(operation.get("security")) == (_route_shape(name) not in public), name


def test_public_routes_in_code_are_exactly_the_template_routes_without_the_authorizer(functions):
    for logical_id, spec in functions.template.functions.items():
        if not spec.routes:
            continue
        declared = functions.module(logical_id).app.public_routes
        unauthorized = {
            "$default" if r.path == "$default" else f"{r.method} {r.path}"
            for r in spec.routes
            if not r.authorized
        }
        assert declared == unauthorized, logical_id


def test_the_api_serves_the_document_to_anyone(api):
    response = api.get("/openapi.json")

    assert response.status == 200
    assert response.json() == json.loads(DOCUMENT_PATHS[0].read_text())


def test_a_method_no_route_has_is_a_problem_not_an_html_page(api):
    response = api.request("TRACE", "/songs")

    assert response.status in (404, 405)
    assert response.headers["content-type"] == "application/problem+json"


def test_a_method_a_documented_path_does_not_take_is_405_naming_the_ones_it_does(api):
    trace = api.request("TRACE", "/songs/123")
    delete = api.request("DELETE", "/playlists/123/tracks/move")
    unknown = api.request("TRACE", "/no/such/path")

    assert (trace.status, trace.headers["allow"]) == (405, "GET")
    assert trace.json()["code"] == "method_not_allowed"
    assert (delete.status, delete.headers["allow"]) == (405, "POST")
    assert unknown.status == 404


def test_every_answer_without_content_is_documented_without_content(functions):
    document = build_document(functions)

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if "204" in operation["responses"]:
                assert not operation["responses"]["204"].get("content"), f"{method} {path}"


def test_operations_have_unique_ids_a_generator_can_name_methods_after_and_a_tag(functions):
    operations = [op for ops in build_document(functions)["paths"].values() for op in ops.values()]
    ids = [op["operationId"] for op in operations]

    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", op_id) and len(op_id) <= 40 for op_id in ids), ids
    assert all(len(op["tags"]) == 1 for op in operations)


def test_every_secured_operation_documents_the_gateways_own_401(functions):
    document = build_document(functions)
    gateway_401 = {"$ref": "#/components/schemas/Unauthorized"}

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if operation.get("security"):
                content = operation["responses"]["401"]["content"]
                assert content["application/json"]["schema"] == gateway_401, f"{method} {path}"
                assert "403" in operation["responses"], f"{method} {path}: account_suspended"


def test_the_main_models_carry_examples_the_document_itself_accepts(functions):
    # Each #/components/schemas/X read as #/$defs/X, so one schema holds every model it refers to.
    text = json.dumps(build_document(functions)["components"]["schemas"])
    schemas = json.loads(text.replace("#/components/schemas/", "#/$defs/"))

    for name in ("Song", "Playlist", "PlaySession", "Tokens", "SignedIn", "SearchResults"):
        examples = schemas[name].get("examples")
        assert examples, f"{name} has no example"
        validator = Draft202012Validator({**schemas[name], "$defs": schemas})
        for example in examples:
            assert not [error.message for error in validator.iter_errors(example)], name
            broken = {key: value for key, value in example.items() if key != next(iter(example))}
            assert list(validator.iter_errors(broken)), f"{name}: a required field missing goes unseen"


def test_every_cursor_and_auth_field_states_the_limit_the_server_checks(functions):
    document = build_document(functions)
    cursor_patterns = {paging.CURSOR_PATTERN, paging.RANK_CURSOR_PATTERN, paging.ID_CURSOR_PATTERN}
    cursors = [
        (f"{method} {path}", parameter["schema"]["anyOf"][0].get("pattern"))
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "cursor"
    ]
    assert len(cursors) >= 10
    assert all(pattern in cursor_patterns for _, pattern in cursors), cursors

    schemas = document["components"]["schemas"]
    device_name = schemas["SignupRequest"]["properties"]["device_name"]["anyOf"][0]
    assert device_name["maxLength"] == normalize.DEVICE_NAME_MAX_LENGTH
    assert schemas["ProfileUpdate"]["properties"]["display_name"]["maxLength"] == (
        normalize.DISPLAY_NAME_MAX_LENGTH
    )
    assert schemas["SignupRequest"]["properties"]["email"]["maxLength"] == normalize.EMAIL_MAX_LENGTH
