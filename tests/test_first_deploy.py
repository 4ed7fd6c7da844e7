"""Every way a first `sam deploy` fails, or deploys something broken, that no linter sees.

Each test reads template.yaml, samconfig.toml and scripts/deploy-parameters as a deployer's `sam deploy`
would use them, most of them through the transformed template (what CloudFormation receives).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import re
import subprocess
import sys
import tomllib
from typing import Any

import pytest

from sauti_dev.template import PROJECT_ROOT, load_template, transformed_template

ENVIRONMENTS = ("dev", "prod")
# What the deployer's GitHub environment holds (scripts/deploy-parameters reads them), well formed.
ACCOUNT_VALUES = {
    "CLOUDFLARE_ACCOUNT_ID": "0123456789abcdef0123456789abcdef",
    "STREAM_CUSTOMER_CODE": "f33zs165nr7gyfy4",
    "API_CERTIFICATE_ARN": (
        "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
    ),
    "NAT_IMAGE_ID": "ami-0123456789abcdef0",
    "DEPLOY_ID": "a74ebcbc7d7ba13f20218442140f0926850bd8d6",
}
PLACEHOLDERS = ["ACCOUNT_ID", "STREAM_CODE", "", "<your account id>"]  # what the template refuses itself
NAMED_IAM = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
}
# Keys that write media or edit Stream: only the functions whose settings are AdminSettings read them.
ADMINISTRATION_KEYS = frozenset({"R2_ACCESS_KEY_ID", "R2_SECRET_ACCESS_KEY", "STREAM_API_TOKEN"})


def deploy_parameters_module() -> Any:
    path = PROJECT_ROOT / "scripts" / "deploy-parameters"
    loader = importlib.machinery.SourceFileLoader("deploy_parameters", str(path))
    spec = importlib.util.spec_from_loader("deploy_parameters", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def samconfig(environment: str) -> dict[str, Any]:
    config = tomllib.loads((PROJECT_ROOT / "samconfig.toml").read_text())
    parameters: dict[str, Any] = config[environment]["deploy"]["parameters"]
    return parameters


def overrides(environment: str) -> dict[str, str]:
    """The parameter values `sam deploy` passes: what scripts/deploy-parameters prints."""
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "deploy-parameters"), environment],
        env={**os.environ, **ACCOUNT_VALUES},
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(pair.split("=", 1) for pair in result.stdout.split())


@pytest.fixture(scope="module", params=ENVIRONMENTS)
def deployed(request) -> tuple[str, dict[str, str], dict[str, Any]]:
    environment = request.param
    values = overrides(environment)
    return environment, values, transformed_template(values)


def evaluate(value: Any, parameters: dict[str, str]) -> Any:
    """Ref, Select and Split on parameters: enough for the names computed from them."""
    if isinstance(value, dict) and "Ref" in value:
        return parameters[value["Ref"]]
    if isinstance(value, dict) and "Fn::Select" in value:
        index, items = value["Fn::Select"]
        return evaluate(items, parameters)[int(index)]
    if isinstance(value, dict) and "Fn::Split" in value:
        separator, text = value["Fn::Split"]
        return evaluate(text, parameters).split(separator)
    return value


def condition_holds(name: str | None, template: dict[str, Any], given: dict[str, str]) -> bool:
    if name is None:
        return True
    parameters = {**defaults(), **given}

    def holds(expression: Any) -> Any:
        if isinstance(expression, dict) and "Condition" in expression:
            return holds(template["Conditions"][expression["Condition"]])
        if isinstance(expression, dict) and "Fn::Equals" in expression:
            left, right = (evaluate(side, parameters) for side in expression["Fn::Equals"])
            return left == right
        if isinstance(expression, dict) and "Fn::Not" in expression:
            return not holds(expression["Fn::Not"][0])
        if isinstance(expression, dict) and "Fn::And" in expression:
            return all(holds(part) for part in expression["Fn::And"])
        if isinstance(expression, dict) and "Fn::Or" in expression:
            return any(holds(part) for part in expression["Fn::Or"])
        raise AssertionError(f"cannot evaluate the condition {expression}")

    return bool(holds(template["Conditions"][name]))


def defaults() -> dict[str, str]:
    return {
        name: str(spec["Default"])
        for name, spec in load_template().document["Parameters"].items()
        if "Default" in spec
    }


def of_type(template: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == type_}


# ---------------------------------------------------------------- 1. capabilities


def test_the_capabilities_in_samconfig_cover_what_the_transformed_template_needs(deployed):
    environment, _, template = deployed
    needed = set()
    iam = [r for r in template["Resources"].values() if r["Type"].startswith("AWS::IAM::")]
    if iam:
        needed.add("CAPABILITY_IAM")
    if any(NAMED_IAM.get(r["Type"]) in r.get("Properties", {}) for r in iam):
        needed.add("CAPABILITY_NAMED_IAM")
    original = load_template().document
    nested = {"AWS::Serverless::Application", "AWS::CloudFormation::Stack"}
    if original.get("Transform") or any(r["Type"] in nested for r in original["Resources"].values()):
        needed.add("CAPABILITY_AUTO_EXPAND")

    granted = set(samconfig(environment)["capabilities"].split())

    assert needed <= granted, f"{environment}: samconfig lacks {sorted(needed - granted)}"


# ---------------------------------------------------------------- 3. the JWT issuer


def test_every_environment_serves_its_jwt_issuer_on_a_domain_of_its_own_stack(deployed):
    environment, values, template = deployed
    issuer = values["JwtIssuer"]
    host = issuer.removeprefix("https://")
    domains = {
        name: r
        for name, r in of_type(template, "AWS::ApiGatewayV2::DomainName").items()
        if condition_holds(r.get("Condition"), template, values)
    }
    served = [name for name, r in domains.items() if evaluate(r["Properties"]["DomainName"], values) == host]
    assert served, f"{environment}: nothing in the stack answers on {host}, the issuer's host"
    mapped = [
        m
        for m in of_type(template, "AWS::ApiGatewayV2::ApiMapping").values()
        if condition_holds(m.get("Condition"), template, values)
        and m["Properties"]["DomainName"] == {"Ref": served[0]}
    ]
    assert mapped, f"{environment}: {host} is not mapped to the API"
    authorizer = load_template().jwt_configuration
    assert authorizer["issuer"] == {"Ref": "JwtIssuer"}


# ---------------------------------------------------------------- 4. placeholders and missing values


def test_every_required_parameter_is_given_by_samconfig_or_the_account_values():
    module = deploy_parameters_module()
    parameters = load_template().document["Parameters"]
    required = {name for name, spec in parameters.items() if "Default" not in spec}
    for environment in ENVIRONMENTS:
        given = {pair.split("=", 1)[0] for pair in samconfig(environment)["parameter_overrides"].split()}
        assert given <= set(parameters), f"{environment}: samconfig passes unknown {given - set(parameters)}"
        missing = required - given - set(module.ACCOUNT_PARAMETERS) - {"DeployId"}
        assert not missing, f"{environment}: nobody passes {sorted(missing)}"


@pytest.mark.parametrize("parameter", ["CloudflareAccountId", "StreamCustomerCode", "ApiCertificateArn"])
def test_an_account_value_is_required_and_refuses_placeholders(parameter):
    spec = load_template().document["Parameters"][parameter]
    assert "Default" not in spec, f"{parameter} has a default: a deploy without it would start"
    pattern = re.compile(spec["AllowedPattern"])
    for placeholder in PLACEHOLDERS:
        assert not pattern.fullmatch(placeholder), f"{parameter} accepts {placeholder!r}"


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_samconfig_holds_no_placeholder_and_every_value_fits_its_parameter(environment):
    parameters = load_template().document["Parameters"]
    module = deploy_parameters_module()
    for pair in samconfig(environment)["parameter_overrides"].split():
        name, value = pair.split("=", 1)
        assert not module.PLACEHOLDER.search(value), f"{environment}: {name}={value} is a placeholder"
        spec = parameters[name]
        if "AllowedPattern" in spec:
            assert re.fullmatch(spec["AllowedPattern"], value), f"{environment}: {name}={value}"
        if "AllowedValues" in spec:
            assert value in [str(v) for v in spec["AllowedValues"]], f"{environment}: {name}={value}"


def test_the_deploy_refuses_to_start_naming_each_missing_or_placeholder_account_value():
    environment = {k: v for k, v in os.environ.items() if k not in ACCOUNT_VALUES}
    environment["STREAM_CUSTOMER_CODE"] = "STREAM_CODE"

    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "deploy-parameters"), "dev"],
        env=environment,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 1
    assert result.stdout == ""
    for variable in ("CLOUDFLARE_ACCOUNT_ID", "API_CERTIFICATE_ARN", "NAT_IMAGE_ID"):
        assert f"set {variable}" in result.stderr
    assert "STREAM_CUSTOMER_CODE='STREAM_CODE' is a placeholder" in result.stderr


def test_the_deploy_passes_samconfigs_values_and_the_account_values_together():
    values = overrides("prod")

    assert values["Environment"] == "prod"
    assert values["CloudflareAccountId"] == ACCOUNT_VALUES["CLOUDFLARE_ACCOUNT_ID"]
    assert values["DeployId"] == ACCOUNT_VALUES["DEPLOY_ID"]
    r2 = load_template().global_environment["R2_ENDPOINT_URL"]
    assert r2 == {"Fn::Sub": "https://${CloudflareAccountId}.r2.cloudflarestorage.com"}


# ---------------------------------------------------------------- 7. migrations before code


def test_every_function_gets_its_new_code_only_after_the_migrations_ran(deployed):
    _, _, template = deployed
    migrations = [
        name
        for name, r in template["Resources"].items()
        if r["Type"].startswith("Custom::")
        and r["Properties"]["ServiceToken"] == {"Fn::GetAtt": ["MigrateFunction", "Arn"]}
    ]
    assert len(migrations) == 1, "no custom resource runs the migrate function during the deploy"
    assert template["Resources"][migrations[0]]["Properties"].get("DeployId") == {"Ref": "DeployId"}, (
        "the migrations would run on the first deploy only"
    )
    for name, function in of_type(template, "AWS::Lambda::Function").items():
        if name != "MigrateFunction":
            depends = function.get("DependsOn", [])
            assert migrations[0] in ([depends] if isinstance(depends, str) else depends), (
                f"{name} may serve new code before its migrations"
            )


def test_migrations_have_their_own_statement_timeout_within_the_functions_timeout():
    migrate = load_template().resources["MigrateFunction"]["Properties"]
    timeout_ms = int(migrate["Environment"]["Variables"]["DB_STATEMENT_TIMEOUT_MS"])

    assert 5000 < timeout_ms < int(migrate["Timeout"]) * 1000


# ---------------------------------------------------------------- 8. a failed first create


def test_a_failed_first_create_leaves_nothing_retained_behind():
    for name, resource in load_template().resources.items():
        assert resource.get("DeletionPolicy") != "Retain", (
            f"{name}: a rolled-back first create keeps it and the retry fails on its name "
            "(RetainExceptOnCreate)"
        )


# ---------------------------------------------------------------- unsafe today: secrets, SQS, alarms


def test_only_the_media_administration_functions_may_read_r2_write_keys_or_the_stream_token():
    source = load_template()
    described = {
        name: set(re.findall(r"[A-Z][A-Z0-9_]{3,}", r["Properties"].get("Description", "")))
        for name, r in source.resources_of_type("AWS::SecretsManager::Secret").items()
    }
    for name, spec in source.functions.items():
        app = (spec.code_uri / "app.py").read_text()
        required = re.search(r"require\(([^)]*)\)", app)
        administers = required is not None and "AdminSettings" in required[1]
        readable = {
            ref["Ref"]
            for policy in source.resources[name]["Properties"].get("Policies", [])
            if isinstance(policy, dict)
            for statement in policy.get("Statement", [])
            if "secretsmanager:GetSecretValue" in statement["Action"]
            for ref in as_list(statement["Resource"])
        }
        keys = set().union(*(described.get(secret, set()) for secret in readable))
        if not administers:
            assert not keys & ADMINISTRATION_KEYS, f"{name} may read {sorted(keys & ADMINISTRATION_KEYS)}"


def test_no_function_may_consume_a_queue_other_than_its_own(deployed):
    _, _, template = deployed
    for name, role in of_type(template, "AWS::IAM::Role").items():
        managed = role["Properties"].get("ManagedPolicyArns", [])
        assert not any("AWSLambdaSQSQueueExecutionRole" in str(arn) for arn in managed), (
            f"{name}: sqs:ReceiveMessage and sqs:DeleteMessage on every queue of the account"
        )


def test_each_queue_trigger_runs_at_most_as_many_batches_as_its_function_may_run(deployed):
    environment, _, template = deployed
    concurrency = load_template().document["Mappings"]["Concurrency"][environment]
    mappings = of_type(template, "AWS::Lambda::EventSourceMapping")
    assert mappings
    for name, mapping in mappings.items():
        function = mapping["Properties"]["FunctionName"]["Ref"]
        maximum = mapping["Properties"].get("ScalingConfig", {}).get("MaximumConcurrency")
        reserved = concurrency[function]
        assert evaluate_mapping(maximum, concurrency) == reserved, (
            f"{name}: throttled batches count as failed receives and reach the dead-letter queue"
        )


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def evaluate_mapping(value: Any, concurrency: dict[str, int]) -> Any:
    if isinstance(value, dict) and "Fn::FindInMap" in value:
        return concurrency[value["Fn::FindInMap"][2]]
    return value


def alarms_on(template: dict[str, Any], metric: str) -> set[str]:
    return {
        dimension["Value"].get("Ref") or dimension["Value"].get("Fn::GetAtt", [None])[0]
        for alarm in of_type(template, "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("MetricName") == metric
        for dimension in alarm["Properties"].get("Dimensions", [])
        if isinstance(dimension["Value"], dict)
    }


def test_throttles_the_function_urls_5xx_and_the_queues_age_each_raise_an_alarm():
    template = load_template().document
    functions = load_template().resources_of_type("AWS::Serverless::Function")
    reserved = {name for name, r in functions.items() if "ReservedConcurrentExecutions" in r["Properties"]}
    with_url = {name for name, r in functions.items() if "FunctionUrlConfig" in r["Properties"]}
    queues = {queue for spec in load_template().functions.values() for queue in spec.queues}

    assert reserved - alarms_on(template, "Throttles") == set()
    assert with_url - alarms_on(template, "Url5xxCount") == set()
    assert queues - alarms_on(template, "ApproximateAgeOfOldestMessage") == set()
