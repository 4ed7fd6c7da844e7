"""The heartbeat through a function URL behind the front door: no API Gateway, the same answers."""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from helpers import assert_problem
from sauti import bearer
from sauti.core_settings import FrontDoorSettings, TokenSettings
from sauti.function_url import FunctionUrlEntry
from sauti.settings import settings
from sauti.tokens import key_set, sign
from sauti_dev.cost import HEARTBEAT_ROUTE, heartbeat_interval_seconds, monthly_bill
from sauti_dev.events import http_event
from sauti_dev.template import PROJECT_ROOT, load_template

UNKNOWN_SESSION = "00000000-0000-4000-8000-000000000000"
BEAT = {"position_ms": 1000, "state": "playing", "app_state": "foreground"}


def claims(**changes):
    now = int(time.time())
    base = {
        "iss": settings(TokenSettings).jwt_issuer,
        "aud": settings(TokenSettings).jwt_audience,
        "sub": "3f1c2a9e-5b7d-4e21-9a0c-8d6f4b2e1a37",
        "iat": now,
        "exp": now + 300,
    }
    return {**base, **changes}


def heartbeat(api, token):
    return api.post(f"/playback/sessions/{UNKNOWN_SESSION}/heartbeat", json=BEAT, token=token)


def test_every_front_door_route_has_a_function_url_and_an_http_api_route_for_callers_without_it():
    template = load_template()
    api_routes = {f"{route.method} {route.path}" for route in template.routes}
    fronted = {name: spec for name, spec in template.functions.items() if spec.front_door_routes}

    assert HEARTBEAT_ROUTE in {route for spec in fronted.values() for route in spec.front_door_routes}
    for name, spec in fronted.items():
        assert template.resources[name]["Properties"]["FunctionUrlConfig"]["AuthType"] == "NONE"
        assert set(spec.front_door_routes) <= api_routes, name


def test_a_valid_token_reaches_the_playback_logic_through_the_function_url(api, new_user):
    # The logic answers: this session is not the caller's (or anyone's), so 404 problem+json.
    assert_problem(heartbeat(api, new_user().token), 404)


@pytest.mark.parametrize(
    "token",
    [
        None,
        "not-a-jwt",
        pytest.param(lambda: sign(claims(aud="someone-else")), id="another-audience"),
        pytest.param(lambda: sign(claims(iss="https://elsewhere.example")), id="another-issuer"),
        pytest.param(lambda: sign(claims(exp=int(time.time()) - 600)), id="expired"),
        pytest.param(lambda: sign({k: v for k, v in claims().items() if k != "sub"}), id="no-subject"),
    ],
)
def test_the_function_url_refuses_what_the_jwt_authorizer_refuses(api, token):
    response = heartbeat(api, token() if callable(token) else token)

    assert response.status == 401
    assert response.json() == {"message": "Unauthorized"}


def test_the_function_url_answers_only_its_own_routes(functions, gateway, new_user):
    entry = functions.handler("HeartbeatFunction")
    entry.jwks = gateway.jwks
    headers = {"authorization": f"Bearer {new_user().token}", "content-type": "application/json"}
    headers[settings(FrontDoorSettings).front_door_header] = settings(FrontDoorSettings).front_door_secret
    for method, path in (
        ("POST", "/playback/sessions"),
        ("GET", f"/playback/sessions/{UNKNOWN_SESSION}/heartbeat"),
    ):
        event = http_event("$default", method, path, headers=headers, body=json.dumps(BEAT).encode())

        result = functions.invoke("HeartbeatFunction", event)

        assert result["statusCode"] == 404, (method, path)


def _refusing_keys():
    raise AssertionError("the keys were fetched for a request the front door never sent")


@pytest.mark.parametrize(
    "headers",
    [
        None,
        {},
        {"x-sauti-front-door": ""},
        {"x-sauti-front-door": "a-guess"},
        {"x-sauti-front-door": ["sauti-local-front-door-secret"]},
        {"X-Other": "sauti-local-front-door-secret"},
    ],
)
def test_a_request_without_the_front_doors_header_is_refused_before_anything_is_read(headers, new_user):
    handled = []
    entry = FunctionUrlEntry(lambda event, context: handled.append(event) or {}, ("POST /beat/{id}",))
    entry.jwks = _refusing_keys
    event = {"headers": headers, "rawPath": "/beat/1", "body": "{not json", "isBase64Encoded": True}

    result = entry(event, None)

    assert result["statusCode"] == 403
    assert json.loads(result["body"]) == {"message": "Forbidden"}
    assert handled == []


def test_the_front_doors_header_lets_the_request_on_to_the_token_check(new_user):
    front_door = settings(FrontDoorSettings)
    entry = FunctionUrlEntry(lambda event, context: {"statusCode": 204}, ("POST /beat/{id}",))
    entry.jwks = lambda: {"keys": []}
    event = {
        "headers": {front_door.front_door_header: front_door.front_door_secret},
        "rawPath": "/beat/1",
        "requestContext": {"http": {"method": "POST"}},
    }

    assert entry(event, None)["statusCode"] == 401  # no token: the next check refuses it


class _Keys(BaseHTTPRequestHandler):
    document = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(self.document)

    def log_message(self, format, *args):
        pass


def test_the_key_set_is_fetched_once_and_kept_when_the_issuer_goes_away():
    _Keys.document = json.dumps(key_set().jwks()).encode()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Keys)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    keys = bearer.RemoteKeySet(f"http://127.0.0.1:{server.server_port}{bearer.JWKS_PATH}", max_age=0)
    token = sign(claims())

    first = keys()
    server.shutdown()
    server.server_close()
    after = keys()  # the refresh fails: the keys already held still verify

    assert first == after == key_set().jwks()
    assert bearer.verify(
        f"Bearer {token}",
        after,
        issuer=settings(TokenSettings).jwt_issuer,
        audience=settings(TokenSettings).jwt_audience,
    )


def test_with_no_key_ever_fetched_every_token_is_refused():
    keys = bearer.RemoteKeySet("http://127.0.0.1:9/.well-known/jwks.json", timeout=0.5)

    with pytest.raises(bearer.Unauthorized):
        bearer.verify(
            sign(claims()),
            keys(),
            issuer=settings(TokenSettings).jwt_issuer,
            audience=settings(TokenSettings).jwt_audience,
        )


def test_prod_bills_no_api_gateway_request_for_a_front_door_route():
    template = load_template()
    prod = monthly_bill("prod", 20_000, template)
    through_api = monthly_bill("prod", 20_000, template, front_door=False)

    gateway = next(line for line in prod.lines if line.group == "API Gateway")
    gateway_without = next(line for line in through_api.lines if line.group == "API Gateway")
    assert "no heartbeats" in gateway.item
    heartbeats = 20_000 * 0.30 * 30.4 * 45 * 60 / heartbeat_interval_seconds(template)  # cost.py's usage
    assert round(gateway_without.total - gateway.total, 2) == round(heartbeats / 1e6, 2)  # $1 per million
    assert prod.total < through_api.total


def test_the_documented_origin_rule_uses_an_operator_the_pro_plan_has_and_matches_the_route():
    text = (PROJECT_ROOT / "docs" / "deploy.md").read_text()
    rule = re.search(r'http\.request\.uri\.path (\w+) "([^"]+)"', text)

    assert rule is not None
    assert rule[1] == "wildcard", f"{rule[1]}: Cloudflare allows `matches` on Business and Enterprise only"
    pattern = re.compile(re.escape(rule[2]).replace(r"\*", ".*"), re.IGNORECASE)
    assert pattern.fullmatch(f"/playback/sessions/{UNKNOWN_SESSION}/heartbeat")
    assert not pattern.fullmatch("/playback/sessions")
    assert "x-sauti-front-door" in text
