"""Which address a request came from: the front door's header only with the front door's certificate."""

from __future__ import annotations

from sauti.clientaddr import client_address
from sauti.config import Config
from sauti_dev.events import http_event
from sauti_dev.gateway import LocalGateway
from sauti_dev.lambdas import LocalFunctions

CLOUDFLARE_ORIGIN_PULL = "CN=origin-pull.cloudflare.net,OU=Origin Pull,O=Cloudflare\\, Inc.,C=US"
EDGE = "172.70.1.1"  # a Cloudflare edge address, what API Gateway sees as the source
CLIENT = "197.232.61.7"

behind_cloudflare = Config(environ={"APP_ENV": "prod", "TRUSTED_FRONT_CERT_ISSUER": CLOUDFLARE_ORIGIN_PULL})


def event(headers: dict[str, str], issuer: str | None = None) -> dict:
    certificate = {"issuerDN": issuer, "subjectDN": "CN=origin-pull.cloudflare.net"} if issuer else None
    return http_event(
        "POST /auth/login", "POST", "/auth/login", headers=headers, source_ip=EDGE, client_cert=certificate
    )


def test_through_the_front_door_the_client_address_is_the_header():
    request = event({"CF-Connecting-IP": CLIENT}, issuer=CLOUDFLARE_ORIGIN_PULL)

    assert client_address(request, behind_cloudflare) == CLIENT


def test_without_the_front_doors_certificate_the_header_is_ignored():
    straight_to_the_gateway = event({"CF-Connecting-IP": "10.0.0.1"})
    other_certificate = event({"CF-Connecting-IP": "10.0.0.1"}, issuer="CN=someone else")

    assert client_address(straight_to_the_gateway, behind_cloudflare) == EDGE
    assert client_address(other_certificate, behind_cloudflare) == EDGE


def test_with_no_trusted_front_configured_the_header_is_never_believed():
    laptop = Config(environ={"APP_ENV": "local"})

    assert client_address(event({"CF-Connecting-IP": CLIENT}, issuer=CLOUDFLARE_ORIGIN_PULL), laptop) == EDGE


def test_a_header_that_is_not_an_address_falls_back_to_the_source():
    for junk in ("", "not-an-ip", f"{CLIENT}, 10.0.0.1", "1" * 5000):
        request = event({"CF-Connecting-IP": junk}, issuer=CLOUDFLARE_ORIGIN_PULL)
        assert client_address(request, behind_cloudflare) == EDGE


def test_ipv6_clients_are_passed_on_normalised():
    request = event({"cf-connecting-ip": "2001:DB8::0001"}, issuer=CLOUDFLARE_ORIGIN_PULL)

    assert client_address(request, behind_cloudflare) == "2001:db8::1"


class RecordingFunctions(LocalFunctions):
    """The template's functions, keeping every event the gateway hands them."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[dict] = []

    def invoke(self, logical_id: str, event: dict) -> object:
        self.events.append(event)
        return super().invoke(logical_id, event)


def test_the_local_gateway_honours_the_header_as_api_gateway_does(stack):
    functions = RecordingFunctions()
    gateway = LocalGateway(functions)
    front_door = {"issuerDN": CLOUDFLARE_ORIGIN_PULL, "subjectDN": "CN=origin-pull.cloudflare.net"}

    gateway.handle(
        "GET", "/health", headers={"CF-Connecting-IP": CLIENT}, source_ip=EDGE, client_cert=front_door
    )
    gateway.handle("GET", "/health", headers={"CF-Connecting-IP": CLIENT}, source_ip=EDGE)

    through_the_front_door, straight_in = functions.events
    assert client_address(through_the_front_door, behind_cloudflare) == CLIENT
    assert client_address(straight_in, behind_cloudflare) == EDGE
