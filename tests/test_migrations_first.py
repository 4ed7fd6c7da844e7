"""Migrations run before new code: the Migrations custom resource calls the migrate function during
the stack operation, and the function answers CloudFormation at its pre-signed URL, whatever happens."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sauti.custom_resource import serve


class _CloudFormation(BaseHTTPRequestHandler):
    answers: list[dict] = []

    def do_PUT(self) -> None:
        length = int(self.headers["content-length"])
        type(self).answers.append(
            {"content_type": self.headers.get("content-type"), **json.loads(self.rfile.read(length))}
        )
        self.send_response(200)
        self.end_headers()

    def log_message(self, format, *args):
        pass


@pytest.fixture
def cloudformation():
    _CloudFormation.answers = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CloudFormation)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, _CloudFormation.answers
    server.shutdown()
    server.server_close()


def request(server, request_type):
    return {
        "RequestType": request_type,
        "ResponseURL": f"http://127.0.0.1:{server.server_port}/presigned?X-Amz-Signature=abc",
        "StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/sauti-dev/1",
        "RequestId": "7f4e0b1c",
        "LogicalResourceId": "Migrations",
        "ResourceType": "Custom::Migrations",
        "ResourceProperties": {"ServiceToken": "arn", "DeployId": "a74ebcb"},
    }


@pytest.mark.parametrize("request_type", ["Create", "Update"])
def test_a_deploy_runs_the_migrations_and_tells_cloudformation(functions, cloudformation, request_type):
    server, answers = cloudformation

    result = functions.invoke("MigrateFunction", request(server, request_type))

    assert result["app_role"] is False  # the local stack has no app-role secret
    assert [answer["Status"] for answer in answers] == ["SUCCESS"]
    assert answers[0]["RequestId"] == "7f4e0b1c"
    assert answers[0]["LogicalResourceId"] == "Migrations"
    assert answers[0]["content_type"] == ""  # what the pre-signed URL was signed for


def test_a_failed_migration_fails_the_stack_operation_with_its_reason(cloudformation):
    server, answers = cloudformation

    def failing():
        raise RuntimeError("0042_add_index.sql: canceling statement due to statement timeout")

    with pytest.raises(RuntimeError):
        serve(request(server, "Update"), failing)

    assert answers[0]["Status"] == "FAILED"
    assert "statement timeout" in answers[0]["Reason"]


def test_deleting_the_stack_migrates_nothing_and_lets_it_go(cloudformation):
    server, answers = cloudformation
    ran = []

    serve(request(server, "Delete"), lambda: ran.append(1) or {})

    assert ran == []
    assert answers[0]["Status"] == "SUCCESS"
