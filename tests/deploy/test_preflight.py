"""`sauti preflight` against moto's server (its own, reset before each test) and a fake of
Cloudflare's Rulesets API: a ready account passes, and each thing a first deploy would trip on is a
failure that names its fix."""

from __future__ import annotations

import datetime
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest

from sauti_dev.preflight import Aws, Cloudflare, Finding, key_needs, run_checks
from sauti_dev.template import Template, load_template

HEARTBEAT = "POST /playback/sessions/{id}/heartbeat"

# A template of the real shape: two real functions (their settings decide the keys), reserved
# concurrency from a mapping, a named secret, the front door's route.
TEMPLATE = """
Parameters:
  Environment: {Type: String, AllowedValues: [dev, prod]}
  JwtIssuer: {Type: String}
  CloudflareAccountId: {Type: String, AllowedPattern: "[0-9a-f]{32}", Description: Cloudflare's account id}
  StreamCustomerCode: {Type: String}
  EmailIdentity: {Type: String, Default: sauti.app}
  ApiCertificateArn: {Type: String, Default: ""}
  FrontDoorTruststoreUri: {Type: String, Default: ""}
Mappings:
  Concurrency:
    dev: {AuthFunction: 40, HeartbeatFunction: 2}
    prod: {AuthFunction: 300, HeartbeatFunction: 8}
Globals:
  Function:
    Environment:
      Variables:
        APP_ENV: !Ref Environment
        APP_SECRET_ARN: ""
        REDIS_URL: redis://cache
        EVENT_BUS_NAME: sauti-dev
        PUBLIC_BASE_URL: !Ref JwtIssuer
        JWT_ISSUER: !Ref JwtIssuer
        AUTH_LINK_BASE_URL: https://sauti.app
        CDN_BASE_URL: https://media.sauti.app
        MEDIA_BUCKET: sauti-media-dev
        STREAM_CUSTOMER_CODE: !Ref StreamCustomerCode
Resources:
  JwtSecret:
    Type: AWS::SecretsManager::Secret
    Properties: {Name: !Sub "sauti/${Environment}/jwt", SecretString: "{}"}
  MediaSecret:
    Type: AWS::SecretsManager::Secret
    Properties: {Name: !Sub "sauti/${Environment}/media", SecretString: "{}"}
  AuthFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/auth/
      Handler: app.handler
      ReservedConcurrentExecutions: !FindInMap [Concurrency, !Ref Environment, AuthFunction]
      Environment: {Variables: {APP_SECRET_ARN: !Ref JwtSecret}}
  HeartbeatFunction:
    Type: AWS::Serverless::Function
    Metadata: {FrontDoorRoutes: ["POST /playback/sessions/{id}/heartbeat"]}
    Properties:
      CodeUri: functions/playback/
      Handler: app.url_handler
      ReservedConcurrentExecutions: !FindInMap [Concurrency, !Ref Environment, HeartbeatFunction]
      Environment: {Variables: {APP_SECRET_ARN: !Ref MediaSecret}}
"""
SAMCONFIG = """
version = 0.1
[{env}.global.parameters]
stack_name = "sauti-{env}"
[{env}.deploy.parameters]
parameter_overrides = "Environment={env} JwtIssuer=https://api.sauti.app {extra}"
"""
READY = "CloudflareAccountId=0123456789abcdef0123456789abcdef StreamCustomerCode=f33zs165nr7gyfy4"
EMPTY_STACK = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}  # a stack by that name exists


class MotoAccount(Aws):
    """moto has no Lambda GetAccountSettings and no SES v2 GetAccount: those two facts are given."""

    def __init__(self, client: Any, concurrency_limit: int = 1000, production_access: bool = True) -> None:
        super().__init__(client)
        self.limit = concurrency_limit
        self.production_access = production_access

    def concurrency_limit(self) -> int:
        return self.limit

    def ses_production_access(self) -> bool:
        return self.production_access


# moto's backends live in this process, shared with the local stack's moto server: each test gets a
# region of its own (secrets, identities, certificates and stacks are regional), never a reset.
UNUSED_REGIONS = iter(
    [
        *("eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "eu-south-1"),
        *("us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1", "af-south-1"),
        *("ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "me-south-1"),
    ]
)


@pytest.fixture
def region() -> str:
    return next(UNUSED_REGIONS)


@pytest.fixture
def client(stack: Any, region: str) -> Any:
    def make(service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=os.environ["AWS_ENDPOINT_URL"],
            region_name=region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return make


@pytest.fixture
def template(tmp_path: Path) -> Template:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    return load_template(path)


def samconfig(tmp_path: Path, env: str = "dev", extra: str = READY) -> Path:
    path = tmp_path / "samconfig.toml"
    path.write_text(SAMCONFIG.format(env=env, extra=extra))
    return path


def ready_account(client: Any, env: str = "dev") -> None:
    """What the runbook's first-deploy steps leave: the stack, its keys filled, the identity verified."""
    client("cloudformation").create_stack(StackName=f"sauti-{env}", TemplateBody=json.dumps(EMPTY_STACK))
    client("secretsmanager").create_secret(
        Name=f"sauti/{env}/jwt", SecretString=json.dumps({"JWT_SIGNING_KEYS": '{"k1": "..."}'})
    )
    client("secretsmanager").create_secret(
        Name=f"sauti/{env}/media",
        SecretString=json.dumps({"CDN_TOKEN_SECRET": "c", "STREAM_KEY_ID": "k", "STREAM_SIGNING_KEY": "s"}),
    )
    client("ses").verify_domain_identity(Domain="sauti.app")


def failures(findings: list[Finding]) -> list[str]:
    return [finding.line() for finding in findings if not finding.ok]


def notes(findings: list[Finding]) -> list[str]:
    return [finding.line() for finding in findings if finding.note]


def test_a_ready_account_passes_every_check(tmp_path, client, template):
    ready_account(client)

    findings = run_checks(template, "dev", MotoAccount(client), samconfig=samconfig(tmp_path))

    assert failures(findings) == []
    assert {finding.check for finding in findings} == {
        "parameters",
        "stack",
        "secrets",
        "email",
        "concurrency",
    }


def test_a_placeholder_a_missing_value_and_an_undeclared_parameter_each_fail_with_their_fix(
    tmp_path, client, template
):
    ready_account(client)
    config = samconfig(tmp_path, extra="StreamCustomerCode=STREAM_CODE DatabaseName=sauti")

    found = failures(run_checks(template, "dev", MotoAccount(client), samconfig=config))

    assert any("StreamCustomerCode='STREAM_CODE' is a placeholder" in line for line in found), found
    assert any(
        "CloudflareAccountId has no value" in line and "Cloudflare's account id" in line for line in found
    )
    assert any("DatabaseName, which template.yaml does not declare" in line for line in found)


def test_the_workflows_overrides_count_and_are_checked_against_the_parameters_pattern(
    tmp_path, client, template
):
    ready_account(client)
    config = samconfig(tmp_path, extra="")

    found = failures(
        run_checks(
            template,
            "dev",
            MotoAccount(client),
            samconfig=config,
            extra_overrides="CloudflareAccountId=abc StreamCustomerCode=f33zs165nr7gyfy4",
        )
    )

    assert len(found) == 1 and "CloudflareAccountId='abc' does not match" in found[0], found


def test_the_keys_come_from_the_settings_each_function_requires():
    needs = {(need.function, need.key) for need in key_needs(load_template())}

    assert ("AuthFunction", "JWT_SIGNING_KEYS") in needs
    assert ("StripeWebhookFunction", "STRIPE_WEBHOOK_SECRET") in needs
    assert ("PlaybackFunction", "CDN_TOKEN_SECRET") in needs
    assert not any(function == "CatalogFunction" for function, _ in needs)  # nothing secret


def test_a_secret_lacking_a_key_fails_naming_the_secret_the_key_and_who_needs_it(tmp_path, client, template):
    ready_account(client)
    client("secretsmanager").put_secret_value(
        SecretId="sauti/dev/media", SecretString=json.dumps({"CDN_TOKEN_SECRET": "c", "STREAM_KEY_ID": ""})
    )

    found = failures(run_checks(template, "dev", MotoAccount(client), samconfig=samconfig(tmp_path)))

    assert len(found) == 1, found
    assert "sauti/dev/media lacks STREAM_KEY_ID (HeartbeatFunction), STREAM_SIGNING_KEY" in found[0]
    assert "put-secret-value --secret-id sauti/dev/media" in found[0]


def test_before_the_first_deploy_an_absent_secret_is_a_note_and_once_the_stack_exists_a_failure(
    tmp_path, client, template
):
    client("ses").verify_domain_identity(Domain="sauti.app")
    config = samconfig(tmp_path)

    first = run_checks(template, "dev", MotoAccount(client), samconfig=config)
    client("cloudformation").create_stack(StackName="sauti-dev", TemplateBody=json.dumps(EMPTY_STACK))
    later = run_checks(template, "dev", MotoAccount(client), samconfig=config)

    assert failures(first) == []
    assert any(
        "sauti/dev/jwt does not exist yet" in line and "JWT_SIGNING_KEYS" in line for line in notes(first)
    )
    assert any("sauti-dev does not exist yet" in finding.line() for finding in first)
    assert any("sauti/dev/jwt does not exist" in line for line in failures(later))


def test_a_secret_left_by_an_earlier_create_or_pending_deletion_blocks_the_first_create(
    tmp_path, client, template
):
    client("ses").verify_domain_identity(Domain="sauti.app")
    secrets = client("secretsmanager")
    secrets.create_secret(Name="sauti/dev/jwt", SecretString=json.dumps({"JWT_SIGNING_KEYS": "k"}))
    secrets.create_secret(Name="sauti/dev/media", SecretString="{}")
    secrets.delete_secret(SecretId="sauti/dev/media", RecoveryWindowInDays=7)

    found = failures(run_checks(template, "dev", MotoAccount(client), samconfig=samconfig(tmp_path)))

    assert any(
        "sauti/dev/jwt exists but the stack does not" in line and "force-delete" in line for line in found
    )
    assert any(
        "sauti/dev/media is deleted but in its recovery window" in line and "restore-secret" in line
        for line in found
    ), found


def test_a_stack_a_failed_first_create_left_must_be_deleted_first():
    from sauti_dev.preflight import check_stack

    rolled_back = failures(check_stack("sauti-dev", "ROLLBACK_COMPLETE"))[0]
    assert (
        "fix: aws cloudformation delete-stack --stack-name sauti-dev, then the secrets it left" in rolled_back
    )
    assert "continue-update-rollback" in failures(check_stack("sauti-dev", "UPDATE_ROLLBACK_FAILED"))[0]
    assert failures(check_stack("sauti-dev", "UPDATE_COMPLETE")) == []
    assert failures(check_stack("sauti-dev", None)) == []


def test_an_unverified_identity_fails_and_the_sandbox_fails_in_prod_only(tmp_path, client, template):
    ready_account(client, "prod")
    ready_account(client, "dev")
    sandboxed = MotoAccount(client, production_access=False)

    prod = failures(run_checks(template, "prod", sandboxed, samconfig=samconfig(tmp_path, "prod")))
    dev = failures(run_checks(template, "dev", sandboxed, samconfig=samconfig(tmp_path, "dev")))
    other = samconfig(tmp_path, "dev", READY + " EmailIdentity=mail.sauti.app")
    unverified = failures(run_checks(template, "dev", sandboxed, samconfig=other))

    assert len(prod) == 1 and "sandbox" in prod[0] and "production-access-enabled" in prod[0]
    assert dev == []
    assert any(
        "mail.sauti.app is not verified" in line and "create-email-identity" in line for line in unverified
    )


def test_a_quota_below_both_stacks_reservations_plus_the_unreserved_100_fails_with_the_increase_to_ask(
    tmp_path, client, template
):
    ready_account(client)
    # dev 42 + prod 308 + 100 unreserved = 450
    enough = run_checks(template, "dev", MotoAccount(client, 450), samconfig=samconfig(tmp_path))
    short = failures(run_checks(template, "dev", MotoAccount(client, 449), samconfig=samconfig(tmp_path)))

    assert failures(enough) == []
    assert len(short) == 1 and "449 < 42 (dev) + 308 (prod) reserved + 100 unreserved = 450" in short[0]
    assert "request-service-quota-increase --service-code lambda --quota-code L-B99A9384" in short[0]


def test_the_front_doors_certificate_must_be_issued_for_the_issuers_host_and_its_truststore_present(
    tmp_path, client, template, region
):
    ready_account(client)
    right = import_certificate(client, "api.sauti.app")
    wrong = import_certificate(client, "api.dev.sauti.app")
    pending = client("acm").request_certificate(DomainName="api.sauti.app")["CertificateArn"]
    bucket = f"sauti-deploy-{os.urandom(4).hex()}"  # bucket names are global
    client("s3").create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    client("s3").put_object(Bucket=bucket, Key="origin-pull-ca.pem", Body=b"PEM")

    def run(certificate: str, truststore: str) -> list[str]:
        extra = f"{READY} ApiCertificateArn={certificate} FrontDoorTruststoreUri={truststore}"
        return failures(
            run_checks(template, "dev", MotoAccount(client), samconfig=samconfig(tmp_path, extra=extra))
        )

    assert run(right, f"s3://{bucket}/origin-pull-ca.pem") == []
    assert "covers ['api.dev.sauti.app'], not api.sauti.app" in run(wrong, "")[0]
    assert "is PENDING_VALIDATION" in run(pending, "")[0]
    missing = run(right, f"s3://{bucket}/other.pem")
    assert len(missing) == 1 and f"truststore s3://{bucket}/other.pem not found" in missing[0]


def import_certificate(client: Any, host: str) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    arn: str = client("acm").import_certificate(
        Certificate=certificate.public_bytes(serialization.Encoding.PEM),
        PrivateKey=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )["CertificateArn"]
    return arn


# ---------------------------------------------------------------- Cloudflare's Rulesets API, faked


class FakeCloudflare:
    """GET /zones/{zone}/rulesets/phases/{phase}/entrypoint as Cloudflare answers it: the v4 envelope,
    a bearer token, 404 (code 10003) for a phase with no entry point ruleset."""

    def __init__(self, token: str, zone_id: str) -> None:
        self.token, self.zone_id = token, zone_id
        self.phases: dict[str, list[dict[str, Any]]] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = self.path.strip("/").split("/")
                if self.headers.get("Authorization") != f"Bearer {fake.token}":
                    self.answer(403, None, [{"code": 10000, "message": "Authentication error"}])
                elif (
                    parts[:3] != ["client", "v4", "zones"]
                    or parts[3] != fake.zone_id
                    or parts[4:6]
                    != [
                        "rulesets",
                        "phases",
                    ]
                ):
                    self.answer(404, None, [{"code": 7003, "message": "Could not route to " + self.path}])
                elif parts[6] not in fake.phases:
                    self.answer(404, None, [{"code": 10003, "message": "could not find entrypoint ruleset"}])
                else:
                    ruleset = {
                        "id": "2f2feab2026849078ba485f918791bdc",
                        "kind": "zone",
                        "name": "default",
                        "phase": parts[6],
                        "version": "3",
                        "last_updated": "2026-12-01T10:00:00Z",
                        "rules": fake.phases[parts[6]],
                    }
                    self.answer(200, ruleset, [])

            def answer(self, status: int, result: Any, errors: list[dict[str, Any]]) -> None:
                body = json.dumps({"result": result, "success": not errors, "errors": errors, "messages": []})
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.server.server_port}/client/v4"


EXPRESSION = (
    'http.request.method eq "POST" and http.request.uri.path wildcard "/playback/sessions/*/heartbeat"'
)
ORIGIN_RULE = {
    "id": "0b1c5e1e2b3b4d5b8f6c7d8e9f0a1b2c",
    "version": "1",
    "action": "route",
    "expression": EXPRESSION,
    "description": "heartbeat to its function URL",
    "enabled": True,
    "action_parameters": {
        "host_header": "abc.lambda-url.eu-west-1.on.aws",
        "origin": {"host": "hb.sauti.app"},
    },
}
HEADER_RULE = {
    "id": "1c2d6f2f3c4c5e6c9a7d8e9fa0b1c2d3",
    "version": "1",
    "action": "rewrite",
    "expression": EXPRESSION,
    "description": "the front door's secret header",
    "enabled": True,
    "action_parameters": {"headers": {"x-sauti-front-door": {"operation": "set", "value": "s3cr3t"}}},
}


@pytest.fixture
def cloudflare() -> Iterator[FakeCloudflare]:
    fake = FakeCloudflare("cf-token", "023e105f4ecef8ad9ca31a8372d0c353")
    yield fake
    fake.server.shutdown()


def zone_failures(template: Template, cloudflare: FakeCloudflare, token: str = "cf-token") -> list[str]:
    zone = Cloudflare(token, cloudflare.zone_id, base_url=cloudflare.base_url)
    from sauti_dev.preflight import check_cloudflare

    return failures(check_cloudflare(template, zone))


def test_the_zones_origin_and_header_rules_for_the_front_door_route_pass(template, cloudflare):
    cloudflare.phases = {"http_request_origin": [ORIGIN_RULE], "http_request_late_transform": [HEADER_RULE]}

    assert zone_failures(template, cloudflare) == []


def test_a_missing_rule_a_matches_operator_and_a_refused_token_each_fail(template, cloudflare):
    assert len(zone_failures(template, cloudflare)) == 2  # no entry point ruleset in either phase

    matches = {**ORIGIN_RULE, "expression": EXPRESSION.replace("wildcard", "matches")}
    cloudflare.phases = {"http_request_origin": [matches], "http_request_late_transform": [HEADER_RULE]}
    found = zone_failures(template, cloudflare)
    assert len(found) == 1 and "uses `matches` (Business plan and up)" in found[0], found

    disabled = {**HEADER_RULE, "enabled": False}
    cloudflare.phases = {"http_request_origin": [ORIGIN_RULE], "http_request_late_transform": [disabled]}
    found = zone_failures(template, cloudflare)
    assert len(found) == 1 and "no request-header rule sets x-sauti-front-door" in found[0], found

    refused = zone_failures(template, cloudflare, token="wrong")
    assert len(refused) == 1 and "Cloudflare refused" in refused[0]


def test_every_function_whose_settings_need_a_secret_key_reads_a_secret():
    """A function requiring a secret setting with no application secret to read fails its init in AWS
    (the notifications fan-out needed UNSUBSCRIBE_SECRET and named none)."""
    template = load_template()

    assert [need for need in key_needs(template) if not need.secrets] == []
