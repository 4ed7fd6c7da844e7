"""The common layer and the project's own rules: migrations, configuration, publishers, template."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from pydantic import BaseModel

from helpers import EVENTS, PROJECT_ROOT, assert_problem, drain_queue
from sauti.config import SETTINGS, Config, ConfigurationError
from sauti_dev.template import load_template


def test_migrations_apply_once_and_then_find_nothing_to_do(stack):
    from sauti.migrate import apply_migrations

    assert apply_migrations() == []


def test_an_applied_migration_that_changed_is_refused(stack):
    from sauti import db
    from sauti.migrate import MigrationError, apply_migrations

    db.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
    try:
        with pytest.raises(MigrationError):
            apply_migrations()
    finally:
        from sauti.migrate import available_migrations

        db.execute(
            "UPDATE schema_migrations SET checksum = %s WHERE version = 1",
            (available_migrations()[0].checksum,),
        )


def test_a_pending_migration_older_than_the_newest_applied_one_is_refused(stack):
    from sauti import db
    from sauti.migrate import MigrationError, apply_migrations

    first = db.fetch_one("SELECT * FROM schema_migrations WHERE version = 1")
    assert first is not None
    db.execute("DELETE FROM schema_migrations WHERE version = 1")  # as if 0001 had just been added
    try:
        with pytest.raises(MigrationError, match="older than the applied"):
            apply_migrations()
    finally:
        db.execute(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (%s, %s, %s, %s)",
            (first["version"], first["name"], first["checksum"], first["applied_at"]),
        )


def test_settings_come_from_the_environment_then_the_secret_then_local_defaults():
    secret = {"JWT_SIGNING_KEYS": "from-secret", "DATABASE_URL": "postgresql://secret"}
    settings = Config(
        environ={"APP_ENV": "prod", "APP_SECRET_ARN": "arn:secret", "DATABASE_URL": "postgresql://env"},
        secret_loader=lambda _arn: secret,
    )

    assert settings.get("DATABASE_URL") == "postgresql://env"
    assert settings.get("JWT_SIGNING_KEYS") == "from-secret"
    assert settings.get("JWT_AUDIENCE") == "sauti-api"


def test_outside_local_a_missing_secret_is_an_error_not_a_default():
    settings = Config(environ={"APP_ENV": "prod"})

    with pytest.raises(ConfigurationError):
        settings.get("JWT_SIGNING_KEYS")


def test_a_notification_is_queued_in_the_documented_shape(stack):
    from sauti.notify import publish_notification

    message_id = publish_notification(
        "auth.password_reset", user_id=None, email="a@example.com", data={"link": "https://x"}
    )

    [message] = drain_queue(stack.queue_urls["NotificationsQueue"])
    assert message["id"] == message_id
    assert message["version"] == 1
    assert message["type"] == "auth.password_reset"
    assert message["channels"] == ["email"]
    assert {"user_id", "email", "data", "created_at"} <= message.keys()


def test_a_domain_event_reaches_the_rules_listening_on_the_bus(stack):
    from sauti.events import publish_event

    publish_event("billing", "plan.changed", {"user_id": "u1", "plan": "free"})

    [event] = drain_queue(stack.rule_queues["DownloadsPlanEventsFunction"])
    assert (event["source"], event["detail-type"]) == ("sauti.billing", "plan.changed")
    assert event["detail"]["plan"] == "free"
    assert {"event_id", "occurred_at"} <= event["detail"].keys()


class Thing(BaseModel):
    name: str


def test_malformed_json_and_invalid_fields_are_problems_not_500s():
    from sauti.http import http_app
    from sauti_dev.events import http_event

    app = http_app()

    @app.post("/things")
    def create(thing: Thing) -> dict:
        return {"name": thing.name}

    def call(body: bytes) -> dict:
        event = http_event(
            "POST /things", "POST", "/things", headers={"content-type": "application/json"}, body=body
        )
        return app.resolve(event, None)

    malformed = call(b"{not json")
    invalid = call(b'{"name": 5}')
    assert malformed["statusCode"] == 400
    assert json.loads(malformed["body"])["code"] == "malformed_json"
    assert invalid["statusCode"] == 422
    assert json.loads(invalid["body"])["errors"][0]["field"] == "name"


def test_every_function_is_named_alarmed_and_has_a_sample_event():
    template = load_template()
    alarmed = {
        alarm["Properties"]["Dimensions"][0]["Value"]["Ref"]
        for alarm in template.resources_of_type("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"]["Namespace"] == "AWS/Lambda"
    }
    for logical_id, spec in template.functions.items():
        assert "FunctionName" in template.resources[logical_id]["Properties"], logical_id
        assert logical_id in alarmed, f"{logical_id} has no Errors alarm"
        assert (EVENTS / f"{logical_id}.json").exists(), f"events/{logical_id}.json is missing"
        assert (spec.code_uri / "app.py").exists()


def test_every_dead_letter_queue_has_a_depth_alarm():
    template = load_template()
    queues = template.resources_of_type("AWS::SQS::Queue")
    dead_letter = {
        q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for q in queues.values()
        if "RedrivePolicy" in q["Properties"]
    }
    watched = {
        alarm["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for alarm in template.resources_of_type("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"]["Namespace"] == "AWS/SQS"
    }
    assert dead_letter <= watched


def test_the_dependency_layer_pins_what_the_functions_import():
    layer = (PROJECT_ROOT / "layers/dependencies/requirements.txt").read_text()
    runtime = (PROJECT_ROOT / "requirements/runtime.txt").read_text()
    assert layer == runtime


def test_the_readme_documents_every_setting():
    readme = (PROJECT_ROOT / "README.md").read_text()
    missing = [setting.name for setting in SETTINGS if f"`{setting.name}`" not in readme]
    assert not missing, f"README configuration table lacks {missing}"


def test_the_command_line_tool_invokes_a_function_with_an_event_file(stack):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sauti_dev.cli",
            "invoke",
            "HealthFunction",
            "--event",
            str(EVENTS / "HealthFunction.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    response = json.loads(result.stdout)
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["checks"] == {"database": "ok", "redis": "ok"}


def test_the_catch_all_event_file_answers_a_404_problem(functions):
    from sauti_dev.gateway import _to_response

    response = functions.invoke(
        "HealthFunction", json.loads((EVENTS / "HealthFunction.not-found.json").read_text())
    )
    assert_problem(_to_response(response), 404, "not_found")


def test_secret_settings_are_read_from_secrets_manager_through_powertools(stack):
    from sauti.aws import client

    arn = client("secretsmanager").create_secret(
        Name=f"sauti/test/app-{stack.data_dir.name}",
        SecretString=json.dumps({"JWT_SIGNING_KEYS": "from-aws"}),
    )["ARN"]
    settings = Config(environ={"APP_ENV": "prod", "APP_SECRET_ARN": arn})

    assert settings.get("JWT_SIGNING_KEYS") == "from-aws"


def test_in_aws_the_database_url_is_built_from_the_host_and_the_rds_secret():
    settings = Config(
        environ={"APP_ENV": "prod", "DB_HOST": "db.internal", "DB_SECRET_ARN": "arn:db"},
        secret_loader=lambda _arn: {"username": "sauti", "password": "p@ss/word"},
    )

    assert (
        settings.database_url() == "postgresql://sauti:p%40ss%2Fword@db.internal:5432/sauti?sslmode=require"
    )


def test_every_log_line_of_a_request_carries_its_correlation_id(functions, caplog, monkeypatch):
    from helpers import sample_event
    from sauti import db
    from sauti.observability import logger

    def database_down() -> None:
        raise db.DatabaseUnavailable("down")

    monkeypatch.setattr(db, "ping", database_down)
    previous_level = logger.log_level
    logger.setLevel("INFO")
    event = sample_event("HealthFunction.json")
    try:
        functions.invoke("HealthFunction", event)
        lines = [json.loads(logger.registered_formatter.format(record)) for record in caplog.records]
    finally:
        logger.setLevel(previous_level)

    request_lines = [line for line in lines if line.get("message") == "health check failed"]
    assert request_lines
    assert all(line["correlation_id"] == event["requestContext"]["requestId"] for line in request_lines)


def test_a_rotated_application_secret_reaches_a_warm_container():
    current = {"JWT_SIGNING_KEYS": "first"}
    settings = Config(
        environ={"APP_ENV": "prod", "APP_SECRET_ARN": "arn:app"}, secret_loader=lambda _arn: current
    )
    assert settings.get("JWT_SIGNING_KEYS") == "first"

    current["JWT_SIGNING_KEYS"] = "second"  # what Powertools hands back once its five-minute cache expires

    assert settings.get("JWT_SIGNING_KEYS") == "second"


def test_a_subject_that_is_no_user_id_is_unauthenticated(functions):
    from helpers import sample_event

    event = sample_event("AuthFunction.me.json")
    event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] = "not-a-user-id"
    without_claims = {
        **event,
        "requestContext": {k: v for k, v in event["requestContext"].items() if k != "authorizer"},
    }

    for odd in (event, without_claims):
        response = functions.invoke("AuthFunction", odd)
        assert response["statusCode"] == 401
        assert json.loads(response["body"])["code"] == "unauthorized"


def test_outside_local_a_laptop_only_default_is_an_error_but_a_limit_keeps_its_default():
    settings = Config(environ={"APP_ENV": "prod"})

    with pytest.raises(ConfigurationError):
        settings.get("CDN_BASE_URL")
    assert settings.get("MEDIA_LINK_TTL_SECONDS") == "300"


def test_any_setting_may_come_from_the_application_secret():
    settings = Config(
        environ={"APP_ENV": "prod", "APP_SECRET_ARN": "arn:app"},
        secret_loader=lambda _arn: {"STREAM_KEY_ID": "key-7", "CDN_BASE_URL": "https://media.example"},
    )

    assert settings.get("STREAM_KEY_ID") == "key-7"
    assert settings.get("CDN_BASE_URL") == "https://media.example"


def test_the_production_layer_holds_no_local_or_test_code():
    layer = PROJECT_ROOT / "shared" / "sauti"
    offenders = [
        str(path.relative_to(layer)) for path in layer.rglob("*.py") if "sauti_dev" in path.read_text()
    ]

    assert offenders == []
