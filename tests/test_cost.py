"""`make cost` reads the template: a function added to it is on the bill the day it is added."""

from __future__ import annotations

import copy
import subprocess
import sys

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
