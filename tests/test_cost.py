"""`make cost` reads the template: a function added to it is on the bill the day it is added."""

from __future__ import annotations

import copy
import subprocess
import sys

import pytest

from helpers import PROJECT_ROOT
from sauti_dev.cost import monthly_bill, published_metrics
from sauti_dev.template import Template, load_template


def with_a_new_function(template: Template) -> Template:
    document = copy.deepcopy(template.document)
    document["Resources"]["ExampleNewFunction"] = {  # a name and route no real function has
        "Type": "AWS::Serverless::Function",
        "Properties": {
            "CodeUri": "functions/example_new/",
            "Handler": "app.lambda_handler",
            "MemorySize": 2048,
            "Events": {"List": {"Type": "HttpApi", "Properties": {"Path": "/examples", "Method": "GET"}}},
        },
    }
    return Template(document)


def line(bill, group, starts_with):
    return next(item for item in bill.lines if item.group == group and item.item.startswith(starts_with))


def test_a_function_added_to_the_template_is_billed_and_flagged():
    template = load_template()
    before = monthly_bill("prod", 20_000, template)
    after = monthly_bill("prod", 20_000, with_a_new_function(template))

    assert "GET /examples" in after.assumed
    assert line(after, "AWS Lambda", "compute").total > line(before, "AWS Lambda", "compute").total
    assert line(after, "API Gateway", "HTTP API").total > line(before, "API Gateway", "HTTP API").total


def test_production_pays_for_high_availability_and_dev_does_not():
    prod, dev = monthly_bill("prod", 20_000), monthly_bill("dev", None)

    assert "Multi-AZ" in line(prod, "RDS PostgreSQL", "db.").item
    assert "single-AZ" in line(dev, "RDS PostgreSQL", "db.").item
    assert (
        line(prod, "ElastiCache Valkey", "cache.").fixed
        == 2 * line(dev, "ElastiCache Valkey", "cache.").fixed
    )
    assert prod.total > dev.total > 0


def test_more_users_cost_more_and_the_command_prints_both_totals():
    assert monthly_bill("prod", 100_000).total > monthly_bill("prod", 20_000).total
    printed = subprocess.run(
        [sys.executable, "-m", "sauti_dev.cost"], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT
    ).stdout

    assert printed.startswith("Assumptions")
    assert "TOTAL at  20,000 users" in printed
    assert "TOTAL at 100,000 users" in printed


def with_changed_api_and_logging(template: Template, access_format: str, system_log_level: str) -> Template:
    document = copy.deepcopy(template.document)
    document["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]["Format"] = access_format
    for resource in document["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["LoggingConfig"]["SystemLogLevel"] = system_log_level
    return Template(document)


def test_the_log_lines_are_priced_from_the_template():
    template = load_template()
    access_format = template.resources["HttpApi"]["Properties"]["AccessLogSettings"]["Format"]
    longer = access_format[:-1] + ',"userAgent":"$context.identity.userAgent"}'
    quiet = monthly_bill("prod", 20_000, template)
    chatty = monthly_bill("prod", 20_000, with_changed_api_and_logging(template, longer, "INFO"))

    assert (
        line(chatty, "CloudWatch", "API access logs").total
        > line(quiet, "CloudWatch", "API access logs").total
    )
    assert (
        line(chatty, "CloudWatch", "function logs").total
        > 2 * line(quiet, "CloudWatch", "function logs").total
    )


def test_a_metric_the_code_publishes_is_on_the_bill(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "functions").mkdir()
    (tmp_path / "shared" / "module.py").write_text(
        'metrics.add_metric(name="SongStarted", unit="Count", value=1)\n'
    )

    assert published_metrics(load_template(), root=tmp_path) == 1


def test_a_count_is_billed_once_per_value_of_its_dimensions(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "functions").mkdir()
    (tmp_path / "shared" / "module.py").write_text(
        'count("Logins")\n'
        'count("WebhookDuplicate" if duplicate else "WebhookAccepted", provider=provider)\n'
        'rows = "SELECT count(*) FROM songs"\n'
    )

    assert published_metrics(load_template(), root=tmp_path) == 1 + 2 * 2  # stripe and apple


def test_a_count_with_a_dimension_of_unknown_values_stops_the_bill(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "functions").mkdir()
    (tmp_path / "shared" / "module.py").write_text('count("NotificationsDelivered", type=message.type)\n')

    with pytest.raises(ValueError, match="'type'"):
        published_metrics(load_template(), root=tmp_path)


def test_every_route_and_function_of_the_template_has_its_own_rate():
    assert monthly_bill("prod", 20_000).assumed == set()
    assert monthly_bill("dev", None).assumed == set()


def test_the_heartbeat_is_billed_at_the_interval_the_server_sets():
    from sauti.playback.settings import PlaybackSettings
    from sauti_dev.cost import heartbeat_interval_seconds

    default = PlaybackSettings.fields["heartbeat_interval_seconds"][0].default
    assert heartbeat_interval_seconds(load_template()) == int(default)
    assert (
        monthly_bill("prod", 100_000).total
        == monthly_bill("prod", 100_000, heartbeat_seconds=int(default)).total
    )
    assert monthly_bill("prod", 100_000, heartbeat_seconds=30).total > monthly_bill("prod", 100_000).total


def test_traffic_between_zones_is_on_the_bill_and_grows_with_the_users():
    small = line(monthly_bill("prod", 20_000), "Data transfer", "cross-AZ").total
    large = line(monthly_bill("prod", 100_000), "Data transfer", "cross-AZ").total

    assert 0 < small < large


def test_the_cache_nodes_are_priced_as_valkey_nodes():
    cache = line(monthly_bill("prod", 20_000), "ElastiCache Valkey", "cache.")

    assert "valkey prices" in cache.item
    assert round(cache.fixed, 2) == round(2 * 0.0128 * 730, 2)


def test_prod_and_dev_stay_within_the_budget_with_the_levers_docs_cost_decides():
    dev = monthly_bill("dev", None).total
    assert monthly_bill("prod", 20_000).total + dev <= 250
    # video as HLS from R2 (docs/cost.md, the levers) is what keeps 100k users within $450
    dev_hls = monthly_bill("dev", None, video_from_r2=True).total
    assert monthly_bill("prod", 100_000, video_from_r2=True).total + dev_hls <= 450
    assert monthly_bill("prod", 100_000).total + dev > 450  # and Stream is what breaks it


def test_the_command_prints_the_harsher_usage_and_the_verdict_against_the_goal():
    printed = subprocess.run(
        [sys.executable, "-m", "sauti_dev.cost"], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT
    ).stdout

    assert "harsher usage: 40% daily active, 30 plays, 1.0 min video a day" in printed
    assert "the goal of 250" in printed and "the goal of 450" in printed
    assert "video as HLS from R2 instead of Stream" in printed


def with_log_class(template: Template, log_class: str) -> Template:
    document = copy.deepcopy(template.document)
    for resource in document["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            group = document["Resources"][resource["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]]
            group["Properties"]["LogGroupClass"] = log_class
    return Template(document)


def function_logs(bill) -> float:
    return sum(item.total for item in bill.lines if item.item.startswith("function logs"))


def test_each_functions_logs_are_priced_at_the_class_of_its_own_log_group():
    template = load_template()
    standard = function_logs(monthly_bill("prod", 100_000, with_log_class(template, "STANDARD")))
    infrequent = function_logs(monthly_bill("prod", 100_000, with_log_class(template, "INFREQUENT_ACCESS")))
    today = function_logs(monthly_bill("prod", 100_000, template))

    assert round(standard, 2) == round(2 * infrequent, 2)  # $0.50 and $0.25 per GB ingested
    assert infrequent < today < standard  # the functions that record metrics log to Standard


NEW_ALARM_METRICS = frozenset({"Throttles", "Url5xxCount", "ApproximateAgeOfOldestMessage"})


def without_alarms_on(template: Template, metric_names: frozenset[str]) -> Template:
    document = copy.deepcopy(template.document)
    document["Resources"] = {
        name: resource
        for name, resource in document["Resources"].items()
        if not (
            resource["Type"] == "AWS::CloudWatch::Alarm"
            and resource["Properties"].get("MetricName") in metric_names
        )
    }
    return Template(document)


def alarms(bill):
    return next(item for item in bill.lines if item.group == "CloudWatch" and item.item.endswith(" alarms"))


def test_the_throttle_url_and_queue_age_alarms_are_billed_in_each_environment():
    """Throttles on every function with reserved concurrency, the heartbeat URL's 5xx and the queue's
    oldest message: $0.10 an alarm-month each, in both stacks (none has a condition)."""
    template = load_template()
    reserved = [
        name
        for name, r in template.resources_of_type("AWS::Serverless::Function").items()
        if "ReservedConcurrentExecutions" in r["Properties"]
    ]
    new_alarms = [
        r
        for r in template.resources_of_type("AWS::CloudWatch::Alarm").values()
        if r["Properties"].get("MetricName") in NEW_ALARM_METRICS
    ]
    assert len(new_alarms) == len(reserved) + 2 and "Condition" not in str(new_alarms)

    for environment, users in (("prod", 20_000), ("prod", 100_000), ("dev", None)):
        with_them = alarms(monthly_bill(environment, users, template))
        without = alarms(monthly_bill(environment, users, without_alarms_on(template, NEW_ALARM_METRICS)))
        assert round(with_them.fixed - without.fixed, 2) == round(0.10 * len(new_alarms), 2)
        assert with_them.item == f"{len(template.resources_of_type('AWS::CloudWatch::Alarm'))} alarms"
