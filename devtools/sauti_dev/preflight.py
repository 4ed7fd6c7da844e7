"""`sauti preflight`: what the AWS account (and the Cloudflare zone) must have before `sam deploy`,
that the template cannot create. Each check answers ok, a note, or a failure naming its fix.

Everything it compares against is read from the project, never listed here: the parameters from
``template.yaml`` and ``samconfig.toml``, the keys a secret must hold from the settings models each
function requires at start (``require(...)`` in its ``app.py``), the reserved concurrency from the
template's functions, the front door's routes from their ``FrontDoorRoutes`` metadata.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import shlex
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from sauti.settings import Settings
from sauti_dev.template import PROJECT_ROOT, FunctionSpec, Template

SAMCONFIG_PATH = PROJECT_ROOT / "samconfig.toml"
ENVIRONMENTS = ("dev", "prod")
UNRESERVED_MINIMUM = 100  # Lambda keeps 100 concurrent executions unreserved in every account
LAMBDA_CONCURRENCY_QUOTA = "L-B99A9384"  # Service Quotas: Lambda, Concurrent executions
CLOUDFLARE_API = "https://api.cloudflare.com/client/v4"
FRONT_DOOR_HEADER = "x-sauti-front-door"
# ACCOUNT_ID, STREAM_CODE, <your-zone>, changeme: a value somebody meant to replace.
PLACEHOLDER = re.compile(
    r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|<[^<>@]*>|(?i:changeme|replace[-_ ]?me|\btodo\b|xxxx)"
)


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    message: str
    fix: str = ""
    note: bool = False  # not a failure, but something the deployer must do after the deploy

    def line(self) -> str:
        mark = "ok  " if self.ok and not self.note else ("note" if self.ok else "FAIL")
        text = f"{mark} {self.check}: {self.message}"
        return f"{text}\n       fix: {self.fix}" if self.fix else text


class SecretPendingDeletion(Exception):
    """A deleted secret still in its recovery window: its name cannot be created again."""


class Aws:
    """The deployer's account through boto3. ``client`` makes a client by service name."""

    def __init__(self, client: Callable[[str], Any]) -> None:
        self.client = client

    def stack_status(self, stack_name: str) -> str | None:
        """The stack's status, None when there is none (never created, or deleted)."""
        cloudformation = self.client("cloudformation")
        try:
            stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
        except cloudformation.exceptions.ClientError as error:
            if "does not exist" in str(error):
                return None
            raise
        live = [stack["StackStatus"] for stack in stacks if stack["StackStatus"] != "DELETE_COMPLETE"]
        return live[0] if live else None

    def secret(self, name: str) -> dict[str, Any] | None:
        """The secret's JSON object ({} when it is not one), None when there is no such secret.
        Raises SecretPendingDeletion for one deleted within its recovery window."""
        secrets = self.client("secretsmanager")
        try:
            text = secrets.get_secret_value(SecretId=name).get("SecretString") or "{}"
        except secrets.exceptions.ResourceNotFoundException:
            return None
        except secrets.exceptions.InvalidRequestException as error:
            if "deleted" in str(error).lower():
                raise SecretPendingDeletion(name) from error
            raise
        try:
            value = json.loads(text)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def email_identity_verified(self, identity: str) -> bool:
        attributes = self.client("ses").get_identity_verification_attributes(Identities=[identity])
        status = attributes["VerificationAttributes"].get(identity, {}).get("VerificationStatus")
        return bool(status == "Success")

    def ses_production_access(self) -> bool:
        return bool(self.client("sesv2").get_account().get("ProductionAccessEnabled"))

    def concurrency_limit(self) -> int:
        return int(self.client("lambda").get_account_settings()["AccountLimit"]["ConcurrentExecutions"])

    def region(self) -> str:
        return str(self.client("acm").meta.region_name)

    def certificate(self, arn: str) -> dict[str, Any] | None:
        acm = self.client("acm")
        try:
            found: dict[str, Any] = acm.describe_certificate(CertificateArn=arn)["Certificate"]
        except (acm.exceptions.ResourceNotFoundException, acm.exceptions.InvalidArnException):
            return None
        return found

    def object_exists(self, bucket: str, key: str) -> bool:
        s3 = self.client("s3")
        try:
            s3.head_object(Bucket=bucket, Key=key)
        except s3.exceptions.ClientError:
            return False
        return True


@dataclass
class Cloudflare:
    """Cloudflare's Rulesets API for one zone (the token: Zone > Origin Rules and Transform Rules, Read)."""

    token: str
    zone_id: str
    base_url: str = CLOUDFLARE_API
    session: requests.Session = field(default_factory=requests.Session)

    def phase_rules(self, phase: str) -> list[dict[str, Any]] | None:
        """The rules of the zone's entry point ruleset of ``phase`` ([] when it has none, None: refused)."""
        response = self.session.get(
            f"{self.base_url}/zones/{self.zone_id}/rulesets/phases/{phase}/entrypoint",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=10,
        )
        if response.status_code == 404:
            return []
        if response.status_code != 200:
            return None
        rules: list[dict[str, Any]] = response.json()["result"].get("rules") or []
        return rules


# ---------------------------------------------------------------------------- what the project says


def parameter_values(
    template: Template, environment: str, samconfig: Path = SAMCONFIG_PATH, extra_overrides: str = ""
) -> tuple[dict[str, str], dict[str, str]]:
    """(the values the deploy passes, parameter -> where it came from): samconfig's overrides, then
    ``extra_overrides`` (what the workflow adds with ``--parameter-overrides``)."""
    given: dict[str, str] = {}
    origin: dict[str, str] = {}
    deploy = tomllib.loads(samconfig.read_text()).get(environment, {}).get("deploy", {}).get("parameters", {})
    for source, text in (
        (f"samconfig.toml [{environment}.deploy.parameters]", deploy.get("parameter_overrides", "")),
        ("--parameter-overrides", extra_overrides),
    ):
        for pair in shlex.split(text):
            name, _, value = pair.partition("=")
            given[name] = value
            origin[name] = source
    return given, origin


def stack_name(environment: str, samconfig: Path = SAMCONFIG_PATH) -> str:
    config = tomllib.loads(samconfig.read_text()).get(environment, {})
    name: str = config.get("global", {}).get("parameters", {}).get("stack_name", f"sauti-{environment}")
    return name


def required_models(function: FunctionSpec) -> list[type[Settings]]:
    """The settings models ``function`` validates at start: the names in its ``require(...)`` call,
    found through the module's own imports."""
    source = function.code_uri / (function.handler.rsplit(".", 1)[0].replace(".", "/") + ".py")
    tree = ast.parse(source.read_text())
    imported = {
        alias.asname or alias.name: node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    }
    models: list[type[Settings]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "require":
            for argument in node.args:
                if isinstance(argument, ast.Name) and argument.id in imported:
                    models.append(getattr(importlib.import_module(imported[argument.id]), argument.id))
    return models


def _refs(value: Any) -> list[str]:
    if isinstance(value, dict):
        if "Ref" in value:
            return [value["Ref"]]
        return [ref for item in value.values() for ref in _refs(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in _refs(item)]
    return []


def secret_name(template: Template, logical_id: str, environment: str) -> str:
    name = template.resources[logical_id]["Properties"]["Name"]
    text = name["Fn::Sub"] if isinstance(name, dict) else name
    return (
        str(text).replace("${Environment}", environment).replace("${AWS::StackName}", f"sauti-{environment}")
    )


@dataclass(frozen=True)
class KeyNeed:
    function: str
    key: str
    secrets: tuple[str, ...]  # logical ids of the secrets it reads (APP_SECRET_ARN)


def key_needs(template: Template) -> list[KeyNeed]:
    """Every key a function's settings need from its application secrets: a setting with no default,
    or a secret or laptop-only one (neither has a default on AWS), that its environment does not set."""
    needs = []
    for function in template.functions.values():
        environment = {**template.global_environment, **function.environment}
        secrets = tuple(_refs(function.environment.get("APP_SECRET_ARN")))
        for model in required_models(function):
            for name, (spec, _) in model.fields.items():
                key = name.upper()
                if environment.get(key) not in (None, ""):
                    continue
                if spec.default is None or spec.secret or spec.local_only:
                    needs.append(KeyNeed(function.logical_id, key, secrets))
    return needs


def reserved_concurrency(template: Template, environment: str) -> int:
    total = 0
    for resource in template.resources_of_type("AWS::Serverless::Function").values():
        value = resource.get("Properties", {}).get("ReservedConcurrentExecutions")
        if isinstance(value, dict) and "Fn::FindInMap" in value:
            mapping, _, key = value["Fn::FindInMap"]
            value = template.document["Mappings"][mapping][environment][key]
        total += int(value or 0)
    return total


# ---------------------------------------------------------------------------- the checks


def check_parameters(template: Template, given: dict[str, str], origin: dict[str, str]) -> list[Finding]:
    findings = []
    declared = template.document.get("Parameters", {})
    for name in sorted(set(given) - set(declared)):
        findings.append(
            Finding(
                "parameters",
                False,
                f"{origin[name]} passes {name}, which template.yaml does not declare",
                fix=f"remove {name} from {origin[name]}",
            )
        )
    for name, spec in declared.items():
        value = given.get(name, spec.get("Default"))
        where = origin.get(name, "samconfig.toml or --parameter-overrides")
        if value is None:
            findings.append(
                Finding(
                    "parameters",
                    False,
                    f"{name} has no value and no default",
                    fix=f"pass {name}=<value> ({spec.get('Description', '').strip()})",
                )
            )
            continue
        value = str(value)
        if name in given and PLACEHOLDER.search(value):
            findings.append(
                Finding(
                    "parameters",
                    False,
                    f"{name}={value!r} is a placeholder",
                    fix=f"write the real value in {where}",
                )
            )
        elif "AllowedValues" in spec and value not in [str(v) for v in spec["AllowedValues"]]:
            findings.append(
                Finding(
                    "parameters",
                    False,
                    f"{name}={value!r} is not one of {spec['AllowedValues']}",
                    fix=f"correct it in {where}",
                )
            )
        elif "AllowedPattern" in spec and not re.fullmatch(spec["AllowedPattern"], value):
            findings.append(
                Finding(
                    "parameters",
                    False,
                    f"{name}={value!r} does not match {spec['AllowedPattern']}",
                    fix=f"correct it in {where}",
                )
            )
    if not findings:
        findings.append(
            Finding("parameters", True, f"{len(declared)} parameters, none missing or a placeholder")
        )
    return findings


def check_stack(name: str, status: str | None) -> list[Finding]:
    if status is None:
        return [Finding("stack", True, f"{name} does not exist yet: this deploy creates it")]
    if status == "ROLLBACK_COMPLETE" or (
        status.endswith("_FAILED") and not status.startswith("UPDATE_ROLLBACK")
    ):
        return [
            Finding(
                "stack",
                False,
                f"{name} is {status}: CloudFormation cannot update it",
                fix=f"aws cloudformation delete-stack --stack-name {name}, then the secrets it left "
                "(docs/deploy.md, clean-up)",
            )
        ]
    if status == "UPDATE_ROLLBACK_FAILED":
        return [
            Finding(
                "stack",
                False,
                f"{name} is {status}",
                fix=f"aws cloudformation continue-update-rollback --stack-name {name}",
            )
        ]
    return [Finding("stack", True, f"{name} is {status}")]


def check_secrets(template: Template, environment: str, aws: Aws, stack_exists: bool) -> list[Finding]:
    needs = key_needs(template)
    # A key's home: the secret every function needing it reads (JWT_SIGNING_KEYS: the jwt secret).
    homes: dict[str, set[str]] = {}
    for need in needs:
        homes[need.key] = homes.get(need.key, set(need.secrets)) & set(need.secrets)
    findings = []
    contents: dict[str, dict[str, Any] | None] = {}
    for logical_id in sorted({s for need in needs for s in need.secrets}):
        name = secret_name(template, logical_id, environment)
        try:
            contents[logical_id] = aws.secret(name)
        except SecretPendingDeletion:
            contents[logical_id] = None
            findings.append(
                Finding(
                    "secrets",
                    False,
                    f"{name} is deleted but in its recovery window: the stack cannot create that name",
                    fix=f"aws secretsmanager restore-secret --secret-id {name} (keep its keys), or "
                    f"delete-secret --secret-id {name} --force-delete-without-recovery",
                )
            )
            continue
        if contents[logical_id] is not None and not stack_exists:
            findings.append(
                Finding(
                    "secrets",
                    False,
                    f"{name} exists but the stack does not: creating it would fail "
                    "on the name (left by an earlier create)",
                    fix=f"aws secretsmanager delete-secret --secret-id {name} "
                    "--force-delete-without-recovery (copy its keys first)",
                )
            )
    missing: dict[tuple[str, str], list[str]] = {}
    for need in needs:
        if not need.secrets:
            findings.append(
                Finding(
                    "secrets",
                    False,
                    f"{need.function} needs {need.key} but reads no secret",
                    fix=f"set {need.key} in its Environment or name a secret in its APP_SECRET_ARN",
                )
            )
            continue
        if any((contents[s] or {}).get(need.key) not in (None, "") for s in need.secrets):
            continue
        home = sorted(homes[need.key] or need.secrets)[0]
        missing.setdefault((home, need.key), []).append(need.function)
    by_secret: dict[str, list[str]] = {}
    for (home, key), functions in sorted(missing.items()):
        by_secret.setdefault(home, []).append(f"{key} ({', '.join(sorted(set(functions)))})")
    for logical_id, keys in by_secret.items():
        name = secret_name(template, logical_id, environment)
        fix = (
            f"aws secretsmanager put-secret-value --secret-id {name} --secret-string '{{...}}' "
            f"with {', '.join(k.split(' ')[0] for k in keys)} beside the keys already there "
            "(README, configuration)"
        )
        if contents[logical_id] is None and not stack_exists:
            findings.append(
                Finding(
                    "secrets",
                    True,
                    f"{name} does not exist yet: the first deploy creates it empty; "
                    f"its functions start only once it holds {', '.join(keys)}",
                    fix=fix,
                    note=True,
                )
            )
        else:
            state = "does not exist" if contents[logical_id] is None else "lacks " + ", ".join(keys)
            findings.append(Finding("secrets", False, f"{name} {state}", fix=fix))
    if not findings:
        findings.append(
            Finding(
                "secrets", True, f"{len(contents)} secrets hold the {len(homes)} keys their functions need"
            )
        )
    return findings


def check_email(environment: str, identity: str, aws: Aws) -> list[Finding]:
    findings = []
    if aws.email_identity_verified(identity):
        findings.append(Finding("email", True, f"SES identity {identity} verified"))
    else:
        findings.append(
            Finding(
                "email",
                False,
                f"SES identity {identity} is not verified for sending",
                fix=f"aws sesv2 create-email-identity --email-identity {identity}, then publish "
                "its three DKIM CNAME records and wait for SES to verify them",
            )
        )
    if environment == "prod":
        if aws.ses_production_access():
            findings.append(Finding("email", True, "SES out of the sandbox"))
        else:
            findings.append(
                Finding(
                    "email",
                    False,
                    "SES is in the sandbox: it sends only to verified addresses",
                    fix="request production access (aws sesv2 put-account-details "
                    "--production-access-enabled --mail-type TRANSACTIONAL ...) and wait for AWS",
                )
            )
    return findings


def check_concurrency(template: Template, aws: Aws) -> list[Finding]:
    reserved = {environment: reserved_concurrency(template, environment) for environment in ENVIRONMENTS}
    needed = sum(reserved.values()) + UNRESERVED_MINIMUM
    limit = aws.concurrency_limit()
    detail = " + ".join(f"{value} ({env})" for env, value in reserved.items())
    if limit >= needed:
        return [Finding("concurrency", True, f"quota {limit} >= {detail} + {UNRESERVED_MINIMUM} unreserved")]
    return [
        Finding(
            "concurrency",
            False,
            f"Lambda concurrency quota {limit} < {detail} reserved + "
            f"{UNRESERVED_MINIMUM} unreserved = {needed}: the functions' reservations would fail",
            fix=f"aws service-quotas request-service-quota-increase --service-code lambda "
            f"--quota-code {LAMBDA_CONCURRENCY_QUOTA} --desired-value {max(needed, 1000)}",
        )
    ]


def _covers(pattern: str, host: str) -> bool:
    if pattern.startswith("*."):
        return host.count(".") == pattern.count(".") and host.endswith(pattern[1:])
    return pattern == host


def check_front_door(values: dict[str, str], aws: Aws) -> list[Finding]:
    findings = []
    certificate_arn = values.get("ApiCertificateArn", "")
    truststore = values.get("FrontDoorTruststoreUri", "")
    host = urlsplit(values.get("JwtIssuer", "")).hostname or ""
    if truststore and not certificate_arn:
        findings.append(
            Finding(
                "front door",
                False,
                "FrontDoorTruststoreUri is set without ApiCertificateArn",
                fix="pass ApiCertificateArn, the ACM certificate of " + host,
            )
        )
    if certificate_arn:
        certificate = aws.certificate(certificate_arn)
        names = (certificate or {}).get("SubjectAlternativeNames") or [
            (certificate or {}).get("DomainName", "")
        ]
        if certificate is None:
            findings.append(
                Finding(
                    "front door",
                    False,
                    f"certificate {certificate_arn} not found in {aws.region()}",
                    fix=f"request it in {aws.region()} (the API's region): aws acm request-certificate "
                    f"--domain-name {host} --validation-method DNS",
                )
            )
        elif certificate.get("Status") != "ISSUED":
            findings.append(
                Finding(
                    "front door",
                    False,
                    f"certificate {certificate_arn} is {certificate.get('Status')}",
                    fix="publish its DNS validation CNAME and wait for ISSUED",
                )
            )
        elif not any(_covers(name, host) for name in names):
            findings.append(
                Finding(
                    "front door",
                    False,
                    f"certificate {certificate_arn} covers {names}, not {host}",
                    fix=f"request one for {host} and pass its ARN as ApiCertificateArn",
                )
            )
        else:
            findings.append(Finding("front door", True, f"certificate for {host} issued"))
    if truststore:
        parts = urlsplit(truststore)
        if parts.scheme != "s3" or not aws.object_exists(parts.netloc, parts.path.lstrip("/")):
            findings.append(
                Finding(
                    "front door",
                    False,
                    f"truststore {truststore} not found",
                    fix=f"aws s3 cp <origin-pull CA>.pem {truststore} (docs/deploy.md, the front door)",
                )
            )
        else:
            findings.append(Finding("front door", True, f"truststore {truststore} present"))
    return findings


def _wildcard_path(route: str) -> tuple[str, str]:
    method, _, path = route.partition(" ")
    return method.upper(), re.sub(r"\{[^}]+\}", "*", path)


def _matching_rule(
    rules: Iterable[dict[str, Any]], action: str, method: str, path: str
) -> dict[str, Any] | None:
    for rule in rules:
        expression = rule.get("expression", "")
        if (
            rule.get("enabled", True)
            and rule.get("action") == action
            and path in expression
            and method in expression
        ):
            return rule
    return None


def check_cloudflare(template: Template, cloudflare: Cloudflare) -> list[Finding]:
    routes = [route for function in template.functions.values() for route in function.front_door_routes]
    origin = cloudflare.phase_rules("http_request_origin")
    transform = cloudflare.phase_rules("http_request_late_transform")
    if origin is None or transform is None:
        return [
            Finding(
                "cloudflare",
                False,
                f"Cloudflare refused to list zone {cloudflare.zone_id}'s rules",
                fix="a token for this zone with Zone > Origin Rules: Read and Transform Rules: Read",
            )
        ]
    findings = []
    for route in routes:
        method, path = _wildcard_path(route)
        rule = _matching_rule(origin, "route", method, path)
        if rule is None:
            findings.append(
                Finding(
                    "cloudflare",
                    False,
                    f"no origin rule sends {method} {path} to the function URL",
                    fix=f'an Origin Rule: http.request.method eq "{method}" and http.request.uri.path '
                    f'wildcard "{path}", DNS and Host override to the function URL (docs/deploy.md)',
                )
            )
        elif re.search(r"\bmatches\b|~", rule["expression"]):
            findings.append(
                Finding(
                    "cloudflare",
                    False,
                    f"the origin rule for {path} uses `matches` (Business plan and up)",
                    fix=f'use wildcard "{path}" instead',
                )
            )
        else:
            findings.append(Finding("cloudflare", True, f"origin rule for {method} {path}"))
        header = _matching_rule(transform, "rewrite", method, path)
        headers = ((header or {}).get("action_parameters") or {}).get("headers") or {}
        if (headers.get(FRONT_DOOR_HEADER) or {}).get("operation") != "set":
            findings.append(
                Finding(
                    "cloudflare",
                    False,
                    f"no request-header rule sets {FRONT_DOOR_HEADER} on {path}",
                    fix=f"a Request Header Transform Rule on the same expression setting {FRONT_DOOR_HEADER} "
                    "to the stack's FRONT_DOOR_SECRET",
                )
            )
        else:
            findings.append(Finding("cloudflare", True, f"{FRONT_DOOR_HEADER} set on {path}"))
    return findings


def checks(
    template: Template,
    environment: str,
    aws: Aws,
    *,
    samconfig: Path = SAMCONFIG_PATH,
    extra_overrides: str = "",
    cloudflare: Cloudflare | None = None,
) -> Iterator[Finding]:
    """The findings, as they come: the parameters (no AWS call) first."""
    given, origin = parameter_values(template, environment, samconfig, extra_overrides)
    defaults = {
        name: str(spec.get("Default", "")) for name, spec in template.document.get("Parameters", {}).items()
    }
    values = {**defaults, **given}
    yield from check_parameters(template, given, origin)
    name = stack_name(environment, samconfig)
    status = aws.stack_status(name)
    yield from check_stack(name, status)
    yield from check_secrets(template, environment, aws, stack_exists=status is not None)
    yield from check_email(environment, values.get("EmailIdentity", ""), aws)
    yield from check_concurrency(template, aws)
    yield from check_front_door(values, aws)
    if cloudflare is not None:
        yield from check_cloudflare(template, cloudflare)


def run_checks(template: Template, environment: str, aws: Aws, **options: Any) -> list[Finding]:
    return list(checks(template, environment, aws, **options))
