"""The common layer and the project's own rules: migrations, configuration, publishers, template."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from urllib.parse import quote

import pytest
from pydantic import BaseModel

from helpers import EVENTS, PROJECT_ROOT, assert_problem, drain_queue
from sauti.config import RDS_CA_BUNDLE, SETTINGS, Config, ConfigurationError
from sauti_dev.template import load_template


def test_migrations_apply_once_and_then_find_nothing_to_do(stack):
    from sauti.migrate import apply_migrations

    assert apply_migrations() == []


def test_the_application_role_reads_and_writes_rows_but_changes_no_schema(stack):
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    from sauti import db
    from sauti.migrate import ensure_app_role

    ensure_app_role("sauti_app_test", "first-password")
    ensure_app_role("sauti_app_test", "second-password")  # a second deploy re-passwords, no error
    owner = conninfo_to_dict(os.environ["DATABASE_URL"])
    as_app = make_conninfo(**{**owner, "user": "sauti_app_test", "password": "second-password"})
    try:
        with psycopg.connect(as_app, autocommit=True) as conn:
            assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] > 0
            conn.execute("CREATE TEMPORARY TABLE scratch (x int)")
            for ddl in ("CREATE TABLE intruder (x int)", "DROP TABLE schema_migrations", "CREATE ROLE other"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(ddl)
            setting = conn.execute("SHOW idle_session_timeout").fetchone()[0]
            assert setting == "15min"
    finally:
        db.execute("DROP OWNED BY sauti_app_test")
        db.execute("DROP ROLE sauti_app_test")


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


def _pins(text: str) -> dict[str, str]:
    pins = {}
    for line in text.splitlines():
        requirement = line.split("#", 1)[0].split(";", 1)[0].strip().rstrip("\\").strip()
        if "==" in requirement and not requirement.startswith("--"):
            name, version = requirement.split("==", 1)
            pins[re.sub(r"[-_.]+", "-", name.split("[", 1)[0]).lower()] = version.strip()
    return pins


def test_the_dependency_layer_ships_the_hashed_versions_the_tests_ran():
    layer_text = (PROJECT_ROOT / "layers/dependencies/requirements.txt").read_text()
    layer = _pins(layer_text)
    tested = _pins((PROJECT_ROOT / "requirements/lock.txt").read_text())
    runtime = _pins((PROJECT_ROOT / "requirements/runtime.txt").read_text())
    assert "boto3" in layer, "boto3 is pinned in the layer, not taken from the Lambda runtime"
    assert runtime.items() <= layer.items(), "layer lock is stale: run `make lock`"
    differing = {
        name: (version, tested.get(name)) for name, version in layer.items() if tested.get(name) != version
    }
    assert not differing, f"the layer would ship other versions than the tests ran: {differing}"
    blocks = re.split(r"\n(?=[A-Za-z0-9])", layer_text.split("\n", 3)[3])
    unhashed = [block.split()[0] for block in blocks if block.strip() and "--hash=sha256:" not in block]
    assert not unhashed, f"every package of the layer carries its hashes: {unhashed}"


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

    assert settings.database_url() == (
        "postgresql://sauti:p%40ss%2Fword@db.internal:5432/sauti"
        f"?sslmode=verify-full&sslrootcert={quote(str(RDS_CA_BUNDLE))}"
    )


def test_the_rds_ca_bundle_ships_in_the_common_layer_and_holds_the_current_roots():
    from cryptography import x509

    certificates = x509.load_pem_x509_certificates(RDS_CA_BUNDLE.read_bytes())
    names = {cert.subject.rfc4514_string() for cert in certificates}
    assert RDS_CA_BUNDLE.is_relative_to(PROJECT_ROOT / "shared")
    for generation in ("RSA2048 G1", "RSA4096 G1", "ECC384 G1"):
        assert any(f"eu-west-1 Root CA {generation}" in name for name in names), generation


def test_each_function_reads_only_the_secrets_it_names_in_order():
    secrets = {"arn:jwt": {"JWT_SIGNING_KEYS": "keys"}, "arn:media": {"CDN_TOKEN_SECRET": "cdn"}}
    read = []

    def loader(arn):
        read.append(arn)
        return secrets[arn]

    settings = Config(
        environ={"APP_ENV": "prod", "APP_SECRET_ARN": "arn:jwt, arn:media"}, secret_loader=loader
    )

    assert settings.get("CDN_TOKEN_SECRET") == "cdn"
    assert settings.get("JWT_SIGNING_KEYS") == "keys"
    with pytest.raises(ConfigurationError):
        settings.get("STRIPE_SECRET_KEY")
    assert set(read) == {"arn:jwt", "arn:media"}


def test_the_valkey_auth_token_comes_from_its_secret_in_aws_and_is_absent_on_a_laptop():
    aws = Config(
        environ={"APP_ENV": "prod", "REDIS_SECRET_ARN": "arn:cache"},
        secret_loader=lambda arn: {"password": "t0ken"} if arn == "arn:cache" else {},
    )

    assert aws.redis_password() == "t0ken"
    assert Config(environ={"APP_ENV": "local"}).redis_password() is None


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
