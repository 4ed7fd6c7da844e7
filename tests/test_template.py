"""What must hold for every function and resource of template.yaml, including the ones added later.

Each rule iterates the whole template, so a new function is checked the day it is added.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path
from typing import Any

import pytest

from helpers import PROJECT_ROOT
from sauti_dev.template import load_template

ENVIRONMENTS = ("dev", "prod")

# The one list of IAM actions AWS cannot scope to a resource (docs/deploy.md, least privilege): only
# these may have `Resource: "*"`. SAM's managed policies (AWSLambdaBasicExecutionRole,
# AWSLambdaVPCAccessExecutionRole, AWSXrayWriteOnlyAccess) use "*" for the same kind of actions.
UNSCOPABLE_ACTIONS = frozenset(
    {
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DeleteNetworkInterface",
        "cloudwatch:PutMetricData",
    }
)
# Functions that connect as the database owner: migrations create the app role; partition upkeep
# attaches and detaches partitions, which PostgreSQL allows the table owner only.
DATABASE_OWNERS = frozenset({"MigrateFunction", "AnalyticsPartitionsFunction"})
# Invocations that Lambda makes asynchronously: each needs its own dead-letter target.
ASYNC_EVENT_TYPES = frozenset({"Schedule", "ScheduleV2", "EventBridgeRule", "CloudWatchEvent", "SNS", "S3"})
STATEFUL_TYPES = frozenset(
    {
        "AWS::RDS::DBInstance",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::SecretsManager::Secret",
        "AWS::SQS::Queue",
        "AWS::Logs::LogGroup",
        "AWS::DynamoDB::Table",
        "AWS::S3::Bucket",
    }
)
# The log classes CloudWatch extracts embedded metrics (EMF) from: not Infrequent Access, which keeps
# a subset of the Standard class's features (AWS, CloudWatch Logs "Log classes"; docs/cost.md).
EMF_LOG_CLASSES = frozenset({"STANDARD"})
# What a module imports to record a metric: sauti.observability's count and metrics, or Powertools'.
METRIC_IMPORTS = {
    "sauti.observability": frozenset({"count", "metrics"}),
    "aws_lambda_powertools": frozenset({"Metrics", "single_metric"}),
    "aws_lambda_powertools.metrics": frozenset({"Metrics", "single_metric"}),
}
OBSERVABILITY = PROJECT_ROOT / "shared" / "sauti" / "observability.py"  # sets metrics up, records none
BUDGET_SHARE = 0.85  # of the connections left for the functions: the rest is headroom


@pytest.fixture(scope="module")
def template() -> Any:
    return load_template()


def resolve(value: Any, template: Any, environment: str) -> Any:
    """A template value as it is in one environment (FindInMap and If on IsProd; the rest as is)."""
    if isinstance(value, dict) and "Fn::FindInMap" in value:
        mapping, key, name = value["Fn::FindInMap"]
        key = environment if key == {"Ref": "Environment"} else key
        return template.document["Mappings"][mapping][key][name]
    if isinstance(value, dict) and "Fn::If" in value:
        condition, when_true, when_false = value["Fn::If"]
        assert condition == "IsProd", f"the test resolves IsProd only, not {condition}"
        return resolve(when_true if environment == "prod" else when_false, template, environment)
    return value


def functions(template: Any) -> dict[str, dict[str, Any]]:
    return {
        name: r["Properties"] for name, r in template.resources_of_type("AWS::Serverless::Function").items()
    }


def statements(template: Any) -> list[tuple[str, dict[str, Any]]]:
    """Every IAM statement written in the template: functions' inline policies, roles, resource policies."""
    found = []
    for name, props in functions(template).items():
        for policy in props.get("Policies", []):
            if isinstance(policy, dict) and "Statement" in policy:
                found += [(name, statement) for statement in policy["Statement"]]
    for name, resource in template.resources.items():
        props = resource.get("Properties", {})
        documents = [p["PolicyDocument"] for p in props.get("Policies", []) if "PolicyDocument" in p]
        documents += [props["PolicyDocument"]] if "PolicyDocument" in props else []
        for document in documents:
            found += [(name, statement) for statement in document["Statement"]]
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_every_function_logs_to_its_own_log_group_with_a_retention(template):
    log_groups = template.resources_of_type("AWS::Logs::LogGroup")
    used = []
    for name, props in functions(template).items():
        reference = props.get("LoggingConfig", {}).get("LogGroup")
        assert isinstance(reference, dict) and "Ref" in reference, f"{name} has no LoggingConfig.LogGroup"
        assert reference["Ref"] in log_groups, f"{name} logs to {reference}, not a log group of the template"
        used.append(reference["Ref"])
    assert len(used) == len(set(used)), "two functions share a log group"
    for name, group in log_groups.items():
        assert "RetentionInDays" in group["Properties"], f"{name} keeps its logs forever"


def _sauti_modules_imported(path: Path) -> set[Path]:
    """The files of the shared package a module imports, at its top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    files = set()
    for name in names:
        parts = name.split(".")
        for end in range(2, len(parts) + 1) if parts[0] == "sauti" else ():
            base = PROJECT_ROOT / "shared" / Path(*parts[:end])
            files |= {f for f in (base.with_suffix(".py"), base / "__init__.py") if f.exists()}
    return files


def _records_metrics(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text())):
        imported = {alias.name for alias in node.names} if isinstance(node, ast.ImportFrom) else set()
        if imported & METRIC_IMPORTS.get(getattr(node, "module", None) or "", frozenset()):
            return True
    return False


def functions_that_record_metrics(template: Any) -> set[str]:
    """Functions whose code can reach a metric call: every module its handler's module imports,
    and theirs (a module, not a call path: what one function of a shared module records counts)."""
    recording = set()
    for name, spec in template.functions.items():
        handler = PROJECT_ROOT / spec.code_uri / f"{spec.handler.rsplit('.', 1)[0]}.py"
        seen: set[Path] = set()
        todo = [handler]
        while todo:
            module = todo.pop()
            if module not in seen:
                seen.add(module)
                todo += _sauti_modules_imported(module)
        if any(_records_metrics(module) for module in seen - {OBSERVABILITY}):
            recording.add(name)
    return recording


def test_the_functions_that_record_metrics_are_found():
    recording = functions_that_record_metrics(load_template())

    assert {"AuthFunction", "PlaybackFunction", "NotificationsWorkerFunction"} <= recording
    assert "HealthFunction" not in recording and "MigrateFunction" not in recording


def test_every_function_that_records_metrics_logs_to_a_class_that_extracts_them(template):
    log_groups = template.resources_of_type("AWS::Logs::LogGroup")
    for name in sorted(functions_that_record_metrics(template)):
        group = template.resources[name]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        log_class = log_groups[group]["Properties"].get("LogGroupClass", "STANDARD")
        assert log_class in EMF_LOG_CLASSES, (
            f"{name} records metrics (EMF) into {group}, of the {log_class} class, which does not "
            "extract them: make it STANDARD"
        )


def test_every_asynchronous_invocation_has_a_dead_letter_target(template):
    queues = template.resources_of_type("AWS::SQS::Queue")
    for name, props in functions(template).items():
        events = props.get("Events", {})
        for event_name, event in events.items():
            if event["Type"] in ASYNC_EVENT_TYPES:
                assert "DeadLetterConfig" in event["Properties"], (
                    f"{name}.{event_name}: undeliverable events are lost"
                )
            if event["Type"] == "SQS":
                queue = event["Properties"]["Queue"]["Fn::GetAtt"][0]
                assert "RedrivePolicy" in queues[queue]["Properties"], f"{queue} has no dead-letter queue"
        if any(event["Type"] in ASYNC_EVENT_TYPES for event in events.values()):
            on_failure = props.get("EventInvokeConfig", {}).get("DestinationConfig", {}).get("OnFailure")
            assert on_failure or props.get("DeadLetterQueue"), f"{name}: a failed async invocation is lost"


def test_no_wildcard_resource_outside_the_unscopable_actions(template):
    for owner, statement in statements(template):
        if "*" in as_list(statement.get("Resource", [])):
            actions = set(as_list(statement["Action"]))
            assert actions <= UNSCOPABLE_ACTIONS, (
                f"{owner}: Resource '*' for {sorted(actions - UNSCOPABLE_ACTIONS)}"
            )
        assert "*" not in as_list(statement.get("Action", [])), f"{owner}: Action '*'"


def test_each_function_may_read_exactly_the_secrets_its_settings_name(template):
    globals_ = template.global_environment
    for name, props in functions(template).items():
        readable = {
            reference["Ref"]
            for statement in (s for owner, s in statements(template) if owner == name)
            if "secretsmanager:GetSecretValue" in as_list(statement["Action"])
            for reference in as_list(statement["Resource"])
        }
        environment = {**globals_, **props.get("Environment", {}).get("Variables", {})}
        named = set()
        for variable in ("APP_SECRET_ARN", "DB_SECRET_ARN", "DB_APP_SECRET_ARN", "REDIS_SECRET_ARN"):
            value = environment.get(variable, "")
            parts = (
                value["Fn::Join"][1] if isinstance(value, dict) and "Fn::Join" in value else as_list(value)
            )
            named |= {part["Ref"] for part in parts if isinstance(part, dict)}
        assert named == readable, f"{name} reads {sorted(named)} but may read {sorted(readable)}"
        if "DatabaseSecret" in readable:
            assert name in DATABASE_OWNERS, f"{name} reads the database owner's credentials"


def test_every_stateful_resource_says_what_happens_on_delete_and_replace(template):
    for name, resource in template.resources.items():
        if resource["Type"] in STATEFUL_TYPES:
            assert "DeletionPolicy" in resource, f"{name} has no DeletionPolicy"
            assert "UpdateReplacePolicy" in resource, f"{name} has no UpdateReplacePolicy"


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_connections_functions_can_hold_fit_the_database_with_headroom(template, environment):
    database = template.document["Mappings"]["Database"][environment]
    budget = math.floor(
        (database["MaxConnections"] - database["SuperuserReserved"] - database["OperatorReserved"])
        * BUDGET_SHARE
    )
    reserved = {}
    for name, props in functions(template).items():
        assert "ReservedConcurrentExecutions" in props, (
            f"{name} has no reserved concurrency (connection budget)"
        )
        reserved[name] = int(resolve(props["ReservedConcurrentExecutions"], template, environment))
        assert reserved[name] >= 1, name
    assert sum(reserved.values()) <= budget, f"{environment}: {sum(reserved.values())} connections > {budget}"
    parameters = template.resources["DatabaseParameters"]["Properties"]["Parameters"]
    assert int(resolve(parameters["max_connections"], template, environment)) == database["MaxConnections"]
    assert database["ConnectionsAlarm"] <= database["MaxConnections"] * 0.8


def test_the_api_is_throttled_and_traced_deliberately(template):
    api = next(iter(template.resources_of_type("AWS::Serverless::HttpApi").values()))["Properties"]
    for environment in ENVIRONMENTS:
        route = api["DefaultRouteSettings"]
        assert int(resolve(route["ThrottlingRateLimit"], template, environment)) > 0
        assert int(resolve(route["ThrottlingBurstLimit"], template, environment)) > 0
    tracing = template.document["Globals"]["Function"]["Tracing"]
    assert resolve(tracing, template, "prod") == "PassThrough"


def test_no_stack_lets_every_web_origin_call_the_api():
    from sauti_dev.cost import deploy_parameters

    for environment in ENVIRONMENTS:
        origins = deploy_parameters(environment)["CorsAllowedOrigins"].split(",")
        assert "*" not in origins and all(origin.startswith("https://") for origin in origins)
