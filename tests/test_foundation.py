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
from sauti.billing.settings import StripeSettings
from sauti.config import RDS_CA_BUNDLE, Config, ConfigurationError
from sauti.core_settings import DatabaseSettings, TokenSettings
from sauti.settings import describe, load
from sauti.settings_registry import all_models
from sauti.signing.settings import MediaSettings, StreamSettings
from sauti_dev.template import load_template


def test_migrations_apply_once_and_then_find_nothing_to_do(stack):
    from sauti.migrate import apply_migrations

    assert apply_migrations() == []


def test_the_application_role_reads_and_writes_rows_but_changes_no_schema(stack):
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    from sauti.migrate import ensure_app_role
    from sauti_dev import sql

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
            assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] >= 0  # it may read...
            for change in ("UPDATE audit_log SET action = 'rewritten'", "DELETE FROM audit_log"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):  # ...but never change it
                    conn.execute(change)
            setting = conn.execute("SHOW idle_session_timeout").fetchone()[0]
            assert setting == "15min"
    finally:
        sql.execute("DROP OWNED BY sauti_app_test")
        sql.execute("DROP ROLE sauti_app_test")


def test_an_applied_migration_that_changed_is_refused(stack):
    from sauti.migrate import MigrationError, apply_migrations
    from sauti_dev import sql

    sql.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
    try:
        with pytest.raises(MigrationError):
            apply_migrations()
    finally:
        from sauti.migrate import available_migrations

        sql.execute(
            "UPDATE schema_migrations SET checksum = %s WHERE version = 1",
            (available_migrations()[0].checksum,),
        )


def test_a_pending_migration_older_than_the_newest_applied_one_is_refused(stack):
    from sauti.migrate import MigrationError, apply_migrations
    from sauti_dev import sql

    first = sql.fetch_one("SELECT * FROM schema_migrations WHERE version = 1")
    assert first is not None
    sql.execute("DELETE FROM schema_migrations WHERE version = 1")  # as if 0001 had just been added
    try:
        with pytest.raises(MigrationError, match="older than the applied"):
            apply_migrations()
    finally:
        sql.execute(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (%s, %s, %s, %s)",
            (first["version"], first["name"], first["checksum"], first["applied_at"]),
        )


def test_settings_come_from_the_environment_then_the_secret_then_local_defaults():
    secret = {"JWT_SIGNING_KEYS": "from-secret", "DATABASE_URL": "postgresql://secret"}
    settings = Config(
        environ={
            "APP_ENV": "prod",
            "APP_SECRET_ARN": "arn:secret",
            "DATABASE_URL": "postgresql://env",
            "REDIS_URL": "rediss://cache:6379/0",
            "EVENT_BUS_NAME": "sauti-prod",
            "PUBLIC_BASE_URL": "https://api.example",
            "JWT_ISSUER": "https://api.example",
        },
        secret_loader=lambda _arn: secret,
    )

    assert load(DatabaseSettings, settings).database_url == "postgresql://env"
    assert load(TokenSettings, settings).jwt_signing_keys == "from-secret"
    assert load(TokenSettings, settings).jwt_audience == "sauti-api"


def test_outside_local_a_missing_secret_is_an_error_not_a_default():
    settings = Config(environ={"APP_ENV": "prod", "JWT_ISSUER": "https://api.example"})

    with pytest.raises(ConfigurationError, match="JWT_SIGNING_KEYS"):
        load(TokenSettings, settings)


def test_a_malformed_setting_is_an_error_naming_it_not_its_value():
    settings = Config(environ={"APP_ENV": "prod", "MEDIA_LINK_TTL_SECONDS": "five minutes"})

    with pytest.raises(ConfigurationError, match="MEDIA_LINK_TTL_SECONDS") as raised:
        load(
            MediaSettings,
            Config(
                environ={
                    **settings.environ,
                    "CDN_BASE_URL": "https://cdn.example",
                    "CDN_TOKEN_SECRET": "s",
                    "MEDIA_BUCKET": "media",
                }
            ),
        )
    assert "five minutes" not in str(raised.value)


def test_a_function_whose_production_secret_is_missing_fails_at_init(monkeypatch):
    import importlib.util

    from sauti.config import config

    production = {
        "APP_ENV": "prod",
        "APP_SECRET_ARN": "",
        "JWT_ISSUER": "https://api.example",
        "PUBLIC_BASE_URL": "https://api.example",
        "EVENT_BUS_NAME": "sauti-prod",
        "AUTH_LINK_BASE_URL": "https://app.example",
    }
    for name, value in production.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("JWT_SIGNING_KEYS", raising=False)
    config.cache_clear()
    try:
        spec = importlib.util.spec_from_file_location(
            "auth_init_check", PROJECT_ROOT / "functions/auth/app.py"
        )
        assert spec and spec.loader
        with pytest.raises(ConfigurationError, match="JWT_SIGNING_KEYS"):
            spec.loader.exec_module(importlib.util.module_from_spec(spec))
    finally:
        monkeypatch.undo()
        config.cache_clear()


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
    names = [item["name"] for model in all_models() for item in describe(model)]
    missing = [name for name in names if f"`{name}`" not in readme]
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
    settings = Config(environ={"APP_ENV": "prod", "APP_SECRET_ARN": arn, "JWT_ISSUER": "https://x"})

    assert load(TokenSettings, settings).jwt_signing_keys == "from-aws"


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
        environ={
            "APP_ENV": "prod",
            "APP_SECRET_ARN": "arn:jwt, arn:media",
            "CDN_BASE_URL": "https://media.example",  # the template's environment, not secrets
            "JWT_ISSUER": "https://api.example",
            "MEDIA_BUCKET": "sauti-media-prod",
        },
        secret_loader=loader,
    )

    assert load(MediaSettings, settings).cdn_token_secret == "cdn"
    assert load(TokenSettings, settings).jwt_signing_keys == "keys"
    with pytest.raises(ConfigurationError):
        load(StripeSettings, settings)
    assert set(read) == {"arn:jwt", "arn:media"}


def test_the_valkey_auth_token_comes_from_its_secret_in_aws_and_is_absent_on_a_laptop():
    aws = Config(
        environ={"APP_ENV": "prod", "REDIS_SECRET_ARN": "arn:cache"},
        secret_loader=lambda arn: {"password": "t0ken"} if arn == "arn:cache" else {},
    )

    assert aws.redis_password() == "t0ken"
    assert Config(environ={"APP_ENV": "local"}).redis_password() is None


def test_every_log_line_of_a_request_carries_its_correlation_id(functions, caplog, stack):
    from helpers import sample_event
    from sauti.observability import logger

    previous_level = logger.log_level
    logger.setLevel("INFO")
    event = sample_event("HealthFunction.json")
    stack.postgres.stop()  # the health check logs the database as failed
    try:
        functions.invoke("HealthFunction", event)
        lines = [json.loads(logger.registered_formatter.format(record)) for record in caplog.records]
    finally:
        stack.postgres.start()
        logger.setLevel(previous_level)

    request_lines = [line for line in lines if line.get("message") == "health check failed"]
    assert request_lines
    assert all(line["correlation_id"] == event["requestContext"]["requestId"] for line in request_lines)


def test_a_rotated_application_secret_reaches_a_warm_container():
    from sauti.settings import current

    secret = {"JWT_SIGNING_KEYS": "first"}
    settings = Config(
        environ={"APP_ENV": "prod", "APP_SECRET_ARN": "arn:app"}, secret_loader=lambda _arn: secret
    )
    assert current(TokenSettings, "jwt_signing_keys", settings) == "first"

    secret["JWT_SIGNING_KEYS"] = "second"  # what Powertools hands back once its five-minute cache expires

    assert current(TokenSettings, "jwt_signing_keys", settings) == "second"


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

    with pytest.raises(ConfigurationError, match="CDN_BASE_URL"):
        load(MediaSettings, settings)
    limits = load(
        MediaSettings,
        Config(
            environ={
                **settings.environ,
                "CDN_BASE_URL": "https://cdn.example",
                "MEDIA_BUCKET": "media",
                "CDN_TOKEN_SECRET": "s",
            }
        ),
    )
    assert limits.media_link_ttl_seconds == 300


def test_any_setting_may_come_from_the_application_secret():
    settings = Config(
        environ={"APP_ENV": "prod", "APP_SECRET_ARN": "arn:app"},
        secret_loader=lambda _arn: {
            "STREAM_KEY_ID": "key-7",
            "STREAM_SIGNING_KEY": "pem",
            "STREAM_CUSTOMER_CODE": "abc",
            "CDN_BASE_URL": "https://media.example",
            "CDN_TOKEN_SECRET": "cdn-secret",
            "MEDIA_BUCKET": "media",
        },
    )

    stream = load(StreamSettings, settings)
    assert stream.stream_key_id == "key-7"
    assert load(MediaSettings, settings).cdn_base_url == "https://media.example"


def test_the_production_layer_holds_no_local_or_test_code():
    layer = PROJECT_ROOT / "shared" / "sauti"
    offenders = [
        str(path.relative_to(layer)) for path in layer.rglob("*.py") if "sauti_dev" in path.read_text()
    ]

    assert offenders == []
