"""What the local stack promises beyond a single start: one setting per port, commands attaching to the
running stack, what a restart keeps, and time played forward only locally."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from helpers import drain_queue
from sauti_dev import kept, ports, running, timetravel
from sauti_dev.fakes.fcm import FakeFcm
from sauti_dev.gateway import LocalGateway, serve
from sauti_dev.template import PROJECT_ROOT

READ_SETTING = re.compile(
    r"""(?:environ\.get|environ\.setdefault|environ\[|ports\.port)\(?\s*["']([A-Z0-9_]+)["']"""
)
NOT_OURS = re.compile(r"^(POWERTOOLS_|AWS_(?!ENDPOINT_URL))")  # Powertools' and boto3's own variables


def test_the_readme_lists_every_setting_make_dev_reads():
    names = set(ports.LOCAL_PORTS)
    for source in (PROJECT_ROOT / "devtools").rglob("*.py"):
        names |= set(READ_SETTING.findall(source.read_text()))
    names = {name for name in names if not NOT_OURS.match(name)}
    readme = (PROJECT_ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") :]

    assert {"PORT", "FCM_FAKE_PORT", "STREAM_FAKE_PORT", "SAUTI_R2_PORT", "LOG_LEVEL"} <= names
    assert sorted(name for name in names if f"`{name}`" not in table) == []


def test_every_local_server_has_its_own_default_port():
    defaults = list(ports.LOCAL_PORTS.values())

    assert len(set(defaults)) == len(defaults)
    assert 3004 not in defaults  # the console's


def test_a_port_setting_that_is_not_a_port_stops_the_stack_naming_it(monkeypatch):
    monkeypatch.setenv("FCM_FAKE_PORT", "30o3")

    with pytest.raises(SystemExit, match="FCM_FAKE_PORT"):
        ports.port("FCM_FAKE_PORT")


def test_the_api_address_is_public_base_url_else_the_running_stacks_else_the_port(tmp_path, monkeypatch):
    monkeypatch.setenv("SAUTI_DATA_DIR", str(tmp_path))  # no stack runs from there
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "4100")

    assert running.api_address() == "http://127.0.0.1:4100"
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://api.example.test/")
    assert running.api_address() == "https://api.example.test"


@pytest.fixture
def announced(tmp_path, gateway: LocalGateway):
    """A stack announced in ``tmp_path`` by this process, its API answering on a free port."""
    server = serve(gateway, 0)
    environment = {
        "PORT": str(server.server_port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{server.server_port}",
        "FCM_API_BASE": "http://127.0.0.1:4103",
    }
    running.announce(tmp_path, environment)
    yield environment
    server.shutdown()


def test_a_command_of_this_checkout_finds_the_running_stack_and_forgets_it_once_stopped(tmp_path, announced):
    assert running.running_environment(tmp_path) == announced

    running.withdraw(tmp_path)

    assert running.running_environment(tmp_path) is None


def test_a_stack_whose_process_is_gone_is_not_attached_to(tmp_path, announced):
    state = json.loads((tmp_path / running.STATE_FILE).read_text())
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    state["pid"] = int(gone.stdout)
    (tmp_path / running.STATE_FILE).write_text(json.dumps(state))

    assert running.running_environment(tmp_path) is None


def test_sauti_offline_talks_to_the_running_stack_and_follows_its_clock(tmp_path, announced, monkeypatch):
    from sauti_offline import cli

    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("SAUTI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("APP_ENV", "local")
    timetravel.move_forward(tmp_path, 31)
    args = cli._parser().parse_args(["plays"])

    cli._resolve_api(args)

    assert args.api == announced["PUBLIC_BASE_URL"] and args.clock_offset == 31


def test_queued_messages_are_parked_at_stop_and_queued_again_at_start(stack, tmp_path):
    import boto3

    url = stack.queue_urls["NotificationsQueue"]
    boto3.client("sqs").send_message(
        QueueUrl=url,
        MessageBody='{"type": "kept"}',
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "demo"}},
    )

    assert kept.park_queues(tmp_path, [url]) == 1
    assert drain_queue(url) == []
    assert kept.unpark_queues(tmp_path, [url]) == 1

    [message] = drain_queue(url)
    assert message == {"type": "kept"}
    assert kept.unpark_queues(tmp_path, [url]) == 0  # sent once


def test_pushes_the_fake_fcm_accepted_are_there_after_a_restart(tmp_path):
    journal = tmp_path / kept.PUSHES_FILE
    before = FakeFcm([], journal=journal)
    access = before._access_token("demo-project", time.time() + 60)
    push = {"message": {"token": "device-1", "notification": {"title": "New song", "body": "Mawimbi"}}}
    status, _, _ = before.send_endpoint("demo-project", f"Bearer {access}", json.dumps(push).encode())
    assert status == 200

    after = FakeFcm([], journal=journal)

    assert [m["message"]["token"] for m in after.received()] == ["device-1"]


def test_the_clock_plays_forward_on_the_local_stack(tmp_path, monkeypatch):
    from sauti import clock

    monkeypatch.setenv("APP_ENV", "local")
    timetravel.install(tmp_path)
    try:
        before = clock.now()
        timetravel.move_forward(tmp_path, timetravel.parse_duration("2h"))
        moved = clock.now() - before
        timetravel.reset(tmp_path)
        back = clock.now() - before
    finally:
        clock.set_source(lambda: datetime.now(UTC))

    assert timedelta(hours=2) <= moved < timedelta(hours=2, seconds=5)
    assert back < timedelta(seconds=5)


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_time_travel_is_refused_outside_the_local_stack(tmp_path, monkeypatch, environment):
    monkeypatch.setenv("APP_ENV", environment)

    with pytest.raises(timetravel.NotLocal):
        timetravel.move_forward(tmp_path, 31)
    with pytest.raises(timetravel.NotLocal):
        timetravel.install(tmp_path)
    assert not (tmp_path / timetravel.OFFSET_FILE).exists()


def test_time_only_moves_forward_in_durations_a_person_writes(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_ENV", "local")

    assert [timetravel.parse_duration(text) for text in ("31s", "90", "15m", "31d")] == [31, 90, 900, 2678400]
    with pytest.raises(ValueError):
        timetravel.parse_duration("-5s")
    with pytest.raises(ValueError):
        timetravel.move_forward(tmp_path, -5)


def test_the_time_travel_module_is_not_deployed():
    template = (PROJECT_ROOT / "template.yaml").read_text()
    shipped = [Path(path) for path in re.findall(r"(?:CodeUri|ContentUri):\s*(\S+)", template)]

    assert shipped and not any(path.parts[:1] == ("devtools",) for path in shipped)


@pytest.fixture
def api_and_edge(gateway: LocalGateway, monkeypatch):
    """The API on a free port (PUBLIC_BASE_URL) and the local edge in front of it."""
    from sauti_dev.edge import serve_edge

    api_server, edge_server = serve(gateway, 0), serve_edge(0)
    monkeypatch.setenv("PUBLIC_BASE_URL", f"http://127.0.0.1:{api_server.server_port}")
    yield f"http://127.0.0.1:{edge_server.server_port}"
    api_server.shutdown()
    edge_server.shutdown()


@pytest.mark.parametrize("page", ["/reset-password", "/verify-email"])
def test_the_email_links_open_local_pages_that_hand_the_token_to_the_api(api_and_edge, page):
    import requests

    shown = requests.get(f"{api_and_edge}{page}", params={"token": "t<1>'"}, timeout=10)
    assert shown.status_code == 200 and "text/html" in shown.headers["content-type"]
    assert "value='t&lt;1&gt;&#x27;'" in shown.text  # escaped, never markup

    refused = requests.post(
        f"{api_and_edge}{page}",
        data={"token": "not-a-real-token", "new_password": "a long new password"},
        timeout=10,
    )

    assert refused.status_code == 400 and "The API refused" in refused.text


def test_a_verification_link_confirms_the_address_through_the_local_page(api_and_edge, api, stack):
    import requests

    email = f"verify-{time.time_ns()}@example.com"
    body = {"email": email, "password": "a long demo password", "display_name": "V"}
    assert api.post("/auth/signup", json=body).status == 201
    [message] = [m for m in drain_queue(stack.queue_urls["NotificationsQueue"]) if m["email"] == email]
    link = urlsplit(message["data"]["link"])
    assert link.path == "/verify-email"

    confirmed = requests.post(f"{api_and_edge}{link.path}", data=parse_qs(link.query), timeout=10)

    assert confirmed.status_code == 200 and "confirmed" in confirmed.text
    again = requests.post(f"{api_and_edge}{link.path}", data=parse_qs(link.query), timeout=10)
    assert again.status_code == 400  # single use
