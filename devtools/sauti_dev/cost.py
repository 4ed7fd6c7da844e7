"""`make cost`: the monthly bill, read from template.yaml and samconfig.toml, at 20k and 100k users.

What the template says is read from it: every function (memory, architecture, routes, schedules),
the database class, Multi-AZ, storage, the cache nodes, the NAT instance, VPC endpoints, secrets,
alarms, queues, log retention, tracing. What users do is an assumption, all of them below, first.
A function or route the assumptions do not name is counted with the defaults and flagged "assumed".
Prices: us-east-1 / eu-west-1 list prices of 2025-2026, no free tier, no savings plans (docs/cost.md).
"""

from __future__ import annotations

import copy
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sauti_dev.template import PROJECT_ROOT, Template, load_template

# ---------------------------------------------------------------------------------------- assumptions
# Published figures (docs/cost.md, the assumptions): entertainment apps see 20-30% of monthly users on a
# day; MusicWatch finds about half of a leading music service's users listening daily; Spotify's users
# average about 25 hours a month. A new service starts below those: `make cost` prints what the bill is
# at the leaders' figures too.
DAILY_ACTIVE_SHARE = 0.30  # of monthly users, on an average day
LISTENING_MINUTES_PER_ACTIVE_DAY = 45
HEARTBEAT_SECONDS = 15  # the API contract: a playing client sends one every 15 s or less
PLAYS_PER_ACTIVE_DAY = 14
VIDEO_MINUTES_PER_ACTIVE_DAY = 0.15  # Stream is billed per minute delivered: see docs/cost.md
DAYS_PER_MONTH = 30.4
# Requests per active user per day, by route; a route not named here is counted at DEFAULT_ROUTE_RATE.
ROUTE_RATES = {
    "POST /playback/sessions/{id}/heartbeat": LISTENING_MINUTES_PER_ACTIVE_DAY * 60 / HEARTBEAT_SECONDS,
    "POST /playback/sessions": PLAYS_PER_ACTIVE_DAY,
    "POST /playback/sessions/{id}/end": PLAYS_PER_ACTIVE_DAY,
    "GET /me/recently-played": 0.5,
    "GET /songs": 3,
    "GET /songs/{id}": 4,
    "GET /artists/{id}": 2,
    "GET /albums/{id}": 2,
    "GET /videos": 0.3,
    "GET /videos/{id}": 0.2,
    "POST /auth/refresh": LISTENING_MINUTES_PER_ACTIVE_DAY / 15 + 1,  # 15-minute access tokens
    "POST /auth/login": 0.05,
    "GET /me": 1,
    "GET /billing/subscription": 0.5,
    "POST /downloads": 0.3,
    "GET /downloads": 0.2,
    "POST /devices/{device_id}/sync": 0.3,
    "GET /devices": 0.05,
    "POST /devices": 0.01,
    "POST /devices/{device_id}/offline": 0.01,
    "DELETE /downloads/{download_id}": 0.1,
    "GET /me/sessions": 0.02,
    "DELETE /me/sessions": 0.005,
    "DELETE /me/sessions/{session_id}": 0.005,
    "PATCH /me": 0.01,
    "DELETE /me": 0.0005,
    "POST /auth/signup": 0.01,
    "POST /auth/logout": 0.02,
    "POST /auth/password/forgot": 0.005,
    "POST /auth/password/reset": 0.005,
    "POST /auth/email/verify": 0.01,
    "POST /auth/email/verify/resend": 0.005,
    "GET /.well-known/jwks.json": 0.001,  # API Gateway's authorizer caches the keys
    "GET /.well-known/openid-configuration": 0.001,
    "GET /artists/{id}/stats": 0.01,  # artists only
    "GET /songs/{id}/stats": 0.01,
    "POST /billing/checkout": 0.01,
    "POST /billing/portal": 0.005,
    "POST /billing/apple/transactions": 0.01,
    "POST /webhooks/stripe": 0.01,
    "POST /webhooks/apple": 0.01,
    "GET /health": 0.0,  # counted as the uptime monitor's checks
}
DEFAULT_ROUTE_RATE = 0.05
HEALTH_CHECKS_PER_MINUTE = 1  # an uptime monitor on GET /health
DEV_REQUESTS_PER_MONTH = 300_000  # dev has no users: CI smoke tests, QA, demos
# Warm duration per invocation (ms), by function; others DEFAULT_DURATION_MS.
# Playback: bench/catalog.py measures a warm song start at 1.3-3 ms median in-process on a laptop; in
# AWS each of its Redis and PostgreSQL round trips adds about a millisecond in the VPC.
# The heartbeat's function URL adds its own RS256 check: PyJWT verifies one in 0.26 ms on this laptop.
DURATION_MS = {
    "PlaybackFunction": 15,
    "HeartbeatFunction": 16,
    "CatalogFunction": 20,
    "AuthFunction": 60,
    "HealthFunction": 10,
}
DEFAULT_DURATION_MS = 40
JOB_DURATION_MS = {
    "AnalyticsRollupFunction": 60_000,
    "AnalyticsPartitionsFunction": 5_000,
    "AnalyticsPlayEventsFunction": 2_000,
    "BillingReconcileFunction": 30_000,
    "MigrateFunction": 10_000,  # once per deploy: counted as one run a month
}
# Functions fed by queues or event rules: invocations per monthly user, warm duration ms.
CONSUMERS = {"NotificationsWorkerFunction": (0.2, 150), "DownloadsPlanEventsFunction": (0.02, 40)}
DEFAULT_JOB_DURATION_MS = 3_000
COLD_START_SHARE = 0.002  # of invocations; the init phase is billed like the invocation
COLD_START_MS = 900
SECRET_REFRESH_MINUTES = 5  # Powertools' cache: a warm container re-reads each of its secrets
WARM_CONTAINERS_SHARE = 0.5  # of a function's reserved concurrency, kept warm on average
# Log bytes per invocation: Lambda's platform lines (START/END/REPORT, or platform.start and
# platform.report in JSON) unless the function's SystemLogLevel is above INFO, and our own lines.
PLATFORM_LOG_BYTES = {"Text": 330, "JSON": 460}
APP_LOG_BYTES = 120
# The API access-log line is the template's Format with these typical values put in.
ACCESS_LOG_SAMPLE = {
    "$context.requestId": "JzW4qgZ4IAMEVxQ=",
    "$context.identity.sourceIp": "102.89.34.211",
    "$context.httpMethod": "POST",
    "$context.status": "200",
    "$context.responseLatency": "14",
    "$context.integrationLatency": "12",
    "$context.integrationErrorMessage": "-",
    "$context.authorizer.error": "-",
    "$context.authorizer.claims.sub": "3f1c2a9e-5b7d-4e21-9a0c-8d6f4b2e1a37",
}
ACCESS_LOG_UNKNOWN_VARIABLE = "x" * 20
RESPONSE_BYTES = 1_500  # average API response, out to Cloudflare and the clients
EMAILS_PER_USER_MONTH = 0.6  # verification, resets, receipts, grace reminders
# Custom metrics are counted from the code (Powertools add_metric names and the cold-start metric).
NAT_EGRESS_GB = 5  # Stripe, Apple, FCM, R2 signing needs none; AWS APIs in the region are free
# Catalog and media (Cloudflare)
SONGS = {20_000: 20_000, 100_000: 60_000}  # catalog size grows with the audience
MB_PER_SONG = 11  # two AAC renditions (128 and 256 kbps, 3.5 min) and artwork
VIDEO_MINUTES_STORED = {20_000: 3_000, 100_000: 10_000}
EDGE_CACHE_MISS_SHARE = 0.10  # of media requests; each miss is one R2 read (class B)
MEDIA_REQUESTS_PER_PLAY = 3  # range requests of a progressive AAC file
UPLOAD_OPERATIONS_PER_SONG = 6  # class A: renditions, artwork, multipart parts
NEW_SONGS_SHARE_PER_MONTH = 0.05

# ---------------------------------------------------------------------------------------- prices (USD)
LAMBDA_GB_SECOND = {"arm64": 0.0000133334, "x86_64": 0.0000166667}
LAMBDA_REQUEST = 0.20 / 1e6
HTTP_API_REQUEST = 1.00 / 1e6
LOG_INGEST_GB = {"STANDARD": 0.50, "INFREQUENT_ACCESS": 0.25}
LOG_STORE_GB_MONTH = 0.03
XRAY_TRACE = 5.00 / 1e6
RDS_HOUR = {"db.t4g.micro": 0.016, "db.t4g.small": 0.032, "db.t4g.medium": 0.065, "db.t4g.large": 0.129}
RDS_GP3_GB_MONTH = 0.115
# ElastiCache Serverless for Valkey: data stored per GB-hour with a 100 MB minimum, ECPUs (about one
# per command of up to 1 KB). Only priced when the template has one (the what-if of `make cost`).
VALKEY_SERVERLESS_GB_HOUR = 0.084
VALKEY_SERVERLESS_MIN_GB = 0.1
VALKEY_ECPU = 0.0023 / 1e6
CACHE_COMMANDS_PER_REQUEST = 3
CACHE_BYTES_PER_USER = 2_000  # sessions, refresh-token sessions, rate-limit counters, entitlements
CACHE_BYTES_PER_SONG = 1_500  # catalog entries
CACHE_HOUR = {"cache.t4g.micro": 0.016, "cache.t4g.small": 0.032, "cache.t4g.medium": 0.065}
EC2_HOUR = {"t4g.nano": 0.0042, "t4g.micro": 0.0084, "t4g.small": 0.0168}
EBS_GP3_GB_MONTH = 0.08
NAT_ROOT_VOLUME_GB = 8
PUBLIC_IPV4_HOUR = 0.005
INTERFACE_ENDPOINT_AZ_HOUR = 0.01
SECRET_MONTH = 0.40
SECRET_CALL = 0.05 / 10_000
SQS_REQUEST = 0.40 / 1e6
EVENTS_PUBLISHED = 1.00 / 1e6
SES_EMAIL = 0.10 / 1_000
ALARM_MONTH = 0.10
METRIC_MONTH = 0.30
DATA_OUT_GB = 0.09
R2_GB_MONTH = 0.015
R2_CLASS_A = 4.50 / 1e6
R2_CLASS_B = 0.36 / 1e6
STREAM_MINUTE_STORED = 5.00 / 1_000
STREAM_MINUTE_DELIVERED = 1.00 / 1_000
CLOUDFLARE_PLAN = {
    "prod": ("Pro plan, yearly: WAF managed rules, token auth, rate limits", 20.0),
    "dev": ("Free plan", 0.0),
}
HOURS = 730


@dataclass
class Line:
    group: str
    item: str
    fixed: float = 0.0
    per_use: float = 0.0
    note: str = ""

    @property
    def total(self) -> float:
        return self.fixed + self.per_use


@dataclass
class Bill:
    environment: str
    users: int | None
    lines: list[Line] = field(default_factory=list)
    assumed: set[str] = field(default_factory=set)

    def add(self, group: str, item: str, fixed: float = 0.0, per_use: float = 0.0, note: str = "") -> None:
        self.lines.append(Line(group, item, fixed, per_use, note))

    @property
    def total(self) -> float:
        return sum(line.total for line in self.lines)


# ---------------------------------------------------------------------------------------- reading


def deploy_parameters(environment: str) -> dict[str, str]:
    config = tomllib.loads((PROJECT_ROOT / "samconfig.toml").read_text())
    overrides = config[environment]["deploy"]["parameters"]["parameter_overrides"]
    return dict(part.split("=", 1) for part in overrides.split())


class Resolver:
    """Template values as they are in one environment."""

    def __init__(self, template: Template, environment: str):
        self.template = template
        self.environment = environment
        defaults = {name: p.get("Default") for name, p in template.document["Parameters"].items()}
        self.parameters = {**defaults, **deploy_parameters(environment)}

    def __call__(self, value: Any) -> Any:
        if isinstance(value, dict):
            if "Ref" in value:
                return self.parameters.get(value["Ref"], value["Ref"])
            if "Fn::If" in value:
                condition, when_true, when_false = value["Fn::If"]
                return self(when_true if self.condition(condition) else when_false)
            if "Fn::FindInMap" in value:
                mapping, key, name = (self(part) for part in value["Fn::FindInMap"])
                return self.template.document["Mappings"][mapping][key][name]
        return value

    def condition(self, name: str) -> bool:
        if name == "IsProd":
            return self.environment == "prod"
        spec = self.template.document["Conditions"][name]
        if "Fn::Equals" in spec:
            left, right = (self(part) for part in spec["Fn::Equals"])
            return str(left) == str(right)
        if "Fn::Not" in spec:
            return not self.condition_of(spec["Fn::Not"][0])
        if "Fn::And" in spec:
            return all(self.condition_of(part) for part in spec["Fn::And"])
        raise ValueError(f"condition {name} is not understood by the cost model")

    def condition_of(self, spec: dict[str, Any]) -> bool:
        if "Condition" in spec:
            return self.condition(spec["Condition"])
        if "Fn::Equals" in spec:
            left, right = (self(part) for part in spec["Fn::Equals"])
            return str(left) == str(right)
        if "Fn::Not" in spec:
            return not self.condition_of(spec["Fn::Not"][0])
        raise ValueError(f"condition {spec} is not understood by the cost model")

    def exists(self, resource: dict[str, Any]) -> bool:
        return "Condition" not in resource or self.condition(resource["Condition"])


def runs_per_month(schedule: str) -> float:
    if schedule.startswith("rate("):
        amount, unit = schedule[5:-1].split()
        minutes = int(amount) * {"minute": 1, "hour": 60, "day": 1440}[unit.rstrip("s")]
        return HOURS * 60 / minutes
    fields = schedule[5:-1].split()  # cron(min hour day month weekday year)
    per_day = 1.0
    for part, slots in ((fields[0], 60), (fields[1], 24)):
        if part == "*":
            per_day *= slots
        elif "/" in part:
            per_day *= slots / int(part.split("/")[1])
        elif "," in part:
            per_day *= len(part.split(","))
    return per_day * DAYS_PER_MONTH


# ---------------------------------------------------------------------------------------- the model


HEARTBEAT_ROUTE = "POST /playback/sessions/{id}/heartbeat"
# Where Cloudflare's origin rules send FrontDoorRoutes to function URLs (docs/deploy.md, the front
# door). dev is called on the HTTP API's own endpoint.
FRONT_DOOR_ENVIRONMENTS = frozenset({"prod"})


REFRESH_ROUTE = "POST /auth/refresh"


def monthly_bill(
    environment: str,
    users: int | None,
    template: Template | None = None,
    heartbeat_seconds: float = HEARTBEAT_SECONDS,
    front_door: bool | None = None,
    daily_active_share: float = DAILY_ACTIVE_SHARE,
    listening_minutes: float = LISTENING_MINUTES_PER_ACTIVE_DAY,
) -> Bill:
    """The bill; the keyword arguments are the what-ifs `make cost` prints after the totals.

    Routes a function lists in its ``FrontDoorRoutes`` metadata reach that function's URL without
    API Gateway where the front door routes them (``front_door``, by default the environments in
    ``FRONT_DOOR_ENVIRONMENTS``): no gateway request and no access-log line, an invocation of that
    function instead of the route's HTTP API function.
    """
    if front_door is None:
        front_door = environment in FRONT_DOOR_ENVIRONMENTS
    template = template or load_template()
    rates = {
        **ROUTE_RATES,
        HEARTBEAT_ROUTE: listening_minutes * 60 / heartbeat_seconds,
        REFRESH_ROUTE: listening_minutes / 15 + 1,
    }
    value = Resolver(template, environment)
    bill = Bill(environment, users)
    globals_ = template.document["Globals"]["Function"]
    # dev has no users: its fixed test traffic is spread over the routes like production's
    active_days = (users or 0) * daily_active_share * DAYS_PER_MONTH
    if users is None:
        active_days = DEV_REQUESTS_PER_MONTH / sum(rates.values())

    # -- requests per function, from its routes
    requests: dict[str, float] = {}
    url_requests: dict[str, float] = {}  # through function URLs, not the HTTP API
    fronted = {
        route: spec.logical_id
        for spec in template.functions.values()
        for route in spec.front_door_routes
        if front_door
    }
    for spec in template.functions.values():
        for route in spec.routes:
            key = f"{route.method} {route.path}"
            if route.path == "$default":
                continue
            if key not in rates:
                bill.assumed.add(key)
            count = rates.get(key, DEFAULT_ROUTE_RATE) * active_days
            if key in fronted:
                url_requests[fronted[key]] = url_requests.get(fronted[key], 0) + count
            else:
                requests[spec.logical_id] = requests.get(spec.logical_id, 0) + count
    health = next(
        (s.logical_id for s in template.functions.values() if any(r.path == "/health" for r in s.routes)),
        None,
    )
    if health:
        requests[health] = requests.get(health, 0) + HEALTH_CHECKS_PER_MINUTE * 60 * HOURS
    heartbeats = rates[HEARTBEAT_ROUTE] * active_days
    api_requests = sum(requests.values())

    # -- Lambda: every function of the template
    gb_seconds = invocations = 0.0
    reads_secrets = function_log_bytes = 0.0
    for name, resource in template.resources_of_type("AWS::Serverless::Function").items():
        props = resource["Properties"]
        spec = template.functions[name]
        memory_gb = int(value(props.get("MemorySize", globals_.get("MemorySize", 128)))) / 1024
        architecture = value((props.get("Architectures") or globals_.get("Architectures") or ["x86_64"])[0])
        count = requests.get(name, 0.0) + url_requests.get(name, 0.0)
        duration = DURATION_MS.get(name, DEFAULT_DURATION_MS)
        if spec.schedules or not (
            spec.routes or spec.queues or spec.event_patterns or spec.front_door_routes
        ):
            count += (
                sum(runs_per_month(s) for s in spec.schedules) or 1
            )  # no trigger: invoked by hand or deploy
            duration = JOB_DURATION_MS.get(name, DEFAULT_JOB_DURATION_MS)
            if name not in JOB_DURATION_MS:
                bill.assumed.add(name)
        if spec.queues or spec.event_patterns:
            per_user, duration = CONSUMERS.get(name, (0.1, DEFAULT_DURATION_MS))
            count += (users or 1_000) * per_user
            if name not in CONSUMERS:
                bill.assumed.add(name)
        seconds = count * (duration + COLD_START_SHARE * COLD_START_MS) / 1000
        gb_seconds += seconds * memory_gb * LAMBDA_GB_SECOND[architecture] / LAMBDA_GB_SECOND["arm64"]
        invocations += count
        function_log_bytes += count * (
            _platform_log_bytes(props.get("LoggingConfig", {}), value) + APP_LOG_BYTES
        )
        once, refreshed = _secrets_read(props, globals_)
        warm = max(1.0, float(value(props.get("ReservedConcurrentExecutions", 1))) * WARM_CONTAINERS_SHARE)
        cold_starts = count * COLD_START_SHARE
        reads_secrets += (
            cold_starts * (once + refreshed) + warm * refreshed * HOURS * 60 / SECRET_REFRESH_MINUTES
        )
    bill.add(
        "AWS Lambda",
        f"compute, {gb_seconds / 1e6:.2f}M GB-s (arm64)",
        per_use=gb_seconds * LAMBDA_GB_SECOND["arm64"],
    )
    bill.add("AWS Lambda", f"invocations, {invocations / 1e6:.2f}M", per_use=invocations * LAMBDA_REQUEST)
    through = (
        "no heartbeats"
        if HEARTBEAT_ROUTE in fronted
        else f"{heartbeats / max(api_requests, 1):.0%} heartbeats"
    )
    bill.add(
        "API Gateway",
        f"HTTP API requests, {api_requests / 1e6:.2f}M ({through})",
        per_use=api_requests * HTTP_API_REQUEST,
    )

    # -- logs and traces
    function_log_gb = function_log_bytes / 1e9
    api = next(iter(template.resources_of_type("AWS::Serverless::HttpApi").values()))["Properties"]
    access_format = api.get("AccessLogSettings", {}).get("Format")
    access_bytes = _access_log_bytes(access_format, rates) if access_format else 0
    access_log_gb = api_requests * access_bytes / 1e9
    log_gb = function_log_gb + access_log_gb
    retention = int(value({"Ref": "LogRetentionDays"}))
    groups = template.resources_of_type("AWS::Logs::LogGroup")
    function_classes = {
        groups[props["LoggingConfig"]["LogGroup"]["Ref"]]["Properties"].get("LogGroupClass", "STANDARD")
        for props in (
            r["Properties"] for r in template.resources_of_type("AWS::Serverless::Function").values()
        )
        if "Ref" in props.get("LoggingConfig", {}).get("LogGroup", {})
    }
    function_class = "INFREQUENT_ACCESS" if function_classes == {"INFREQUENT_ACCESS"} else "STANDARD"
    access_classes = {
        groups[api["Properties"]["AccessLogSettings"]["DestinationArn"]["Fn::GetAtt"][0]]["Properties"].get(
            "LogGroupClass", "STANDARD"
        )
        for api in template.resources_of_type("AWS::Serverless::HttpApi").values()
        if "AccessLogSettings" in api["Properties"]
    }
    access_class = "INFREQUENT_ACCESS" if access_classes == {"INFREQUENT_ACCESS"} else "STANDARD"
    for what, gb, log_class in (
        ("function logs", function_log_gb, function_class),
        (f"API access logs ({access_bytes:.0f} B a line)", access_log_gb, access_class),
    ):
        bill.add(
            "CloudWatch",
            f"{what}, {gb:.1f} GB ({log_class.lower().replace('_', ' ')})",
            per_use=gb * LOG_INGEST_GB[log_class],
        )
    bill.add(
        "CloudWatch",
        f"log storage ({retention} days kept)",
        per_use=log_gb * min(retention, 30) / 30 * LOG_STORE_GB_MONTH,
    )
    tracing = value(globals_.get("Tracing", "PassThrough"))
    if tracing == "Active":
        traces = min(invocations, HOURS * 3600) + max(invocations - HOURS * 3600, 0) * 0.05
        bill.add("X-Ray", f"traces, {traces / 1e6:.2f}M (1/s + 5%)", per_use=traces * XRAY_TRACE)
    else:
        bill.add("X-Ray", "traces: tracing off (PassThrough)", note="Globals Tracing")
    alarms = [r for r in template.resources_of_type("AWS::CloudWatch::Alarm").values() if value.exists(r)]
    bill.add("CloudWatch", f"{len(alarms)} alarms", fixed=len(alarms) * ALARM_MONTH)
    metrics = published_metrics(template)
    bill.add("CloudWatch", f"{metrics} custom metrics (EMF, from the code)", fixed=metrics * METRIC_MONTH)

    # -- database
    for resource in template.resources_of_type("AWS::RDS::DBInstance").values():
        props = resource["Properties"]
        instance = value(props["DBInstanceClass"])
        copies = 2 if str(value(props.get("MultiAZ", False))).lower() == "true" else 1
        storage = int(value(props.get("AllocatedStorage", 20)))
        bill.add(
            "RDS PostgreSQL",
            f"{instance} x{copies} ({'Multi-AZ' if copies == 2 else 'single-AZ'})",
            fixed=RDS_HOUR[instance] * HOURS * copies,
        )
        bill.add(
            "RDS PostgreSQL",
            f"{storage} GB gp3 x{copies}",
            fixed=storage * RDS_GP3_GB_MONTH * copies,
            note="backups up to the volume's size are free",
        )
    # -- cache
    for _cache in template.resources_of_type("AWS::ElastiCache::ServerlessCache").values():
        stored_gb = max(
            VALKEY_SERVERLESS_MIN_GB,
            ((users or 1_000) * CACHE_BYTES_PER_USER + (SONGS.get(users or 0, 200)) * CACHE_BYTES_PER_SONG)
            / 1e9,
        )
        ecpus = (api_requests + sum(url_requests.values())) * CACHE_COMMANDS_PER_REQUEST
        bill.add(
            "ElastiCache Valkey",
            f"serverless, {stored_gb * 1000:.0f} MB stored (100 MB minimum)",
            fixed=stored_gb * VALKEY_SERVERLESS_GB_HOUR * HOURS,
        )
        bill.add("ElastiCache Valkey", f"serverless, {ecpus / 1e6:.0f}M ECPUs", per_use=ecpus * VALKEY_ECPU)
    for resource in template.resources_of_type("AWS::ElastiCache::ReplicationGroup").values():
        props = resource["Properties"]
        node = value(props["CacheNodeType"])
        nodes = int(value(props.get("NumCacheClusters", 1)))
        bill.add("ElastiCache Valkey", f"{node} x{nodes}", fixed=CACHE_HOUR[node] * HOURS * nodes)
    # -- network
    for resource in template.resources_of_type("AWS::EC2::LaunchTemplate").values():
        data = resource["Properties"]["LaunchTemplateData"]
        instance = value(data["InstanceType"])
        bill.add(
            "NAT instance",
            f"{instance}, 8 GB gp3, a public IPv4",
            fixed=EC2_HOUR[instance] * HOURS
            + NAT_ROOT_VOLUME_GB * EBS_GP3_GB_MONTH
            + PUBLIC_IPV4_HOUR * HOURS,
        )
        bill.add(
            "NAT instance", f"egress to vendors, {NAT_EGRESS_GB} GB", per_use=NAT_EGRESS_GB * DATA_OUT_GB
        )
    for name, resource in template.resources_of_type("AWS::EC2::VPCEndpoint").items():
        if value.exists(resource):
            zones = len(resource["Properties"].get("SubnetIds", [1]))
            bill.add(
                "VPC endpoints", f"{name} ({zones} AZ)", fixed=zones * INTERFACE_ENDPOINT_AZ_HOUR * HOURS
            )
    responses_gb = (api_requests + sum(url_requests.values())) * RESPONSE_BYTES / 1e9  # function URLs too
    bill.add(
        "Data transfer",
        f"API responses out, {responses_gb:.0f} GB",
        per_use=responses_gb * DATA_OUT_GB,
    )
    # -- secrets, messaging, email
    secrets = [
        r for r in template.resources_of_type("AWS::SecretsManager::Secret").values() if value.exists(r)
    ]
    bill.add("Secrets Manager", f"{len(secrets)} secrets", fixed=len(secrets) * SECRET_MONTH)
    bill.add(
        "Secrets Manager",
        f"reads, {reads_secrets / 1e3:.0f}k (cold starts; app keys every 5 min)",
        per_use=reads_secrets * SECRET_CALL,
    )
    emails = (users or 1_000) * EMAILS_PER_USER_MONTH
    bill.add("SES", f"{emails / 1e3:.1f}k emails", per_use=emails * SES_EMAIL)
    queue_requests = emails * 3 + HOURS * 3 * 60 * len(
        template.resources_of_type("AWS::SQS::Queue")
    )  # send, receive, delete; idle polling
    bill.add("SQS", f"{queue_requests / 1e6:.2f}M requests", per_use=queue_requests * SQS_REQUEST)
    events = emails + runs_per_month("rate(5 minutes)")
    bill.add("EventBridge", f"{events / 1e3:.0f}k custom events", per_use=events * EVENTS_PUBLISHED)

    # -- Cloudflare
    plan, price = CLOUDFLARE_PLAN[environment]
    bill.add("Cloudflare", plan, fixed=price)
    size = users or 20_000
    songs = SONGS.get(size, SONGS[20_000]) if users else 200
    stored_gb = songs * MB_PER_SONG / 1000
    bill.add("Cloudflare R2", f"storage, {stored_gb:.0f} GB", per_use=stored_gb * R2_GB_MONTH)
    class_a = songs * NEW_SONGS_SHARE_PER_MONTH * UPLOAD_OPERATIONS_PER_SONG
    plays = active_days * PLAYS_PER_ACTIVE_DAY
    class_b = plays * MEDIA_REQUESTS_PER_PLAY * EDGE_CACHE_MISS_SHARE
    bill.add(
        "Cloudflare R2",
        f"operations, {class_a / 1e3:.0f}k class A, {class_b / 1e6:.2f}M class B",
        per_use=class_a * R2_CLASS_A + class_b * R2_CLASS_B,
        note="egress is free",
    )
    stored_minutes = VIDEO_MINUTES_STORED.get(size, 3_000) if users else 100
    delivered = active_days * VIDEO_MINUTES_PER_ACTIVE_DAY
    bill.add(
        "Cloudflare Stream",
        f"{stored_minutes / 1e3:.0f}k minutes stored",
        fixed=stored_minutes * STREAM_MINUTE_STORED,
    )
    bill.add(
        "Cloudflare Stream",
        f"{delivered / 1e3:.0f}k minutes delivered",
        per_use=delivered * STREAM_MINUTE_DELIVERED,
    )
    return bill


def with_serverless_cache(template: Template) -> Template:
    """The template with ElastiCache Serverless (Valkey) in place of the replication group."""
    document = copy.deepcopy(template.document)
    for name, resource in list(document["Resources"].items()):
        if resource.get("Type") == "AWS::ElastiCache::ReplicationGroup":
            document["Resources"][name] = {
                "Type": "AWS::ElastiCache::ServerlessCache",
                "Properties": {"Engine": "valkey", "ServerlessCacheName": name},
            }
    return Template(document)


def _platform_log_bytes(logging_config: dict[str, Any], value: Resolver) -> int:
    """Bytes of Lambda's own lines per invocation, by the function's log format and system log level."""
    log_format = value(logging_config.get("LogFormat", "Text"))
    level = value(logging_config.get("SystemLogLevel", "INFO")) if log_format == "JSON" else "INFO"
    return PLATFORM_LOG_BYTES[log_format] if level in ("DEBUG", "INFO") else 0


def _access_log_bytes(access_format: str, rates: dict[str, float]) -> float:
    """The access-log line's length with typical values, averaged over the routes by their rates."""
    line = access_format
    for variable in sorted(ACCESS_LOG_SAMPLE, key=len, reverse=True):
        line = line.replace(variable, ACCESS_LOG_SAMPLE[variable])
    total = sum(rates.values())
    with_route = sum(
        rate
        * len(
            re.sub(
                r"\$context\.[\w.]+", ACCESS_LOG_UNKNOWN_VARIABLE, line.replace("$context.routeKey", route)
            )
        )
        for route, rate in rates.items()
    )
    return with_route / total


METRIC_CALL = re.compile(r"""add_metric\(\s*name\s*=\s*["']([^"']+)["']""")


def published_metrics(template: Template, root: Path = PROJECT_ROOT) -> int:
    """Custom metrics the code can publish: each add_metric name once per service (the default
    dimension), plus Powertools' ColdStart metric per function that captures it. add_dimension with
    a varying value multiplies this: name such a metric in docs/cost.md."""
    names: set[str] = set()
    cold_start = 0
    for folder in ("shared", "functions"):
        for path in (root / folder).rglob("*.py"):
            text = path.read_text()
            names |= set(METRIC_CALL.findall(text))
            if "capture_cold_start_metric=True" in text:
                cold_start += 1
    functions = len(template.resources_of_type("AWS::Serverless::Function"))
    return len(names) + (functions if cold_start else 0)


def _secrets_read(props: dict[str, Any], globals_: dict[str, Any]) -> tuple[int, int]:
    """(secrets read once per container: database, cache; secrets re-read every 5 minutes: the app's)."""
    environment = {
        **globals_.get("Environment", {}).get("Variables", {}),
        **props.get("Environment", {}).get("Variables", {}),
    }

    def count(name: str) -> int:
        return len(re.findall(r"'Ref'", repr(environment.get(name, ""))))

    return count("DB_SECRET_ARN") + count("REDIS_SECRET_ARN"), count("APP_SECRET_ARN")


# ---------------------------------------------------------------------------------------- printing


def render(bill: Bill) -> str:
    who = (
        f"{bill.users:,} monthly users"
        if bill.users
        else f"test traffic ({DEV_REQUESTS_PER_MONTH:,} API requests)"
    )
    out = [f"== {bill.environment} at {who}", f"{'':22}{'item':62}{'fixed':>9}{'per use':>9}{'total':>9}"]
    for line in bill.lines:
        note = f"  ({line.note})" if line.note else ""
        out.append(
            f"{line.group:22}{line.item[:61]:62}{line.fixed:9.2f}{line.per_use:9.2f}{line.total:9.2f}{note}"
        )
    fixed = sum(line.fixed for line in bill.lines)
    out.append(f"{'':22}{'total':62}{fixed:9.2f}{bill.total - fixed:9.2f}{bill.total:9.2f}")
    return "\n".join(out)


def assumptions() -> str:
    listening = LISTENING_MINUTES_PER_ACTIVE_DAY
    lines = [
        "Assumptions (devtools/sauti_dev/cost.py, explained in docs/cost.md):",
        f"  active users: {DAILY_ACTIVE_SHARE:.0%} of monthly users on a day; each listens {listening} min",
        f"    ({PLAYS_PER_ACTIVE_DAY} plays, a heartbeat every {HEARTBEAT_SECONDS} s)"
        f" and watches {VIDEO_MINUTES_PER_ACTIVE_DAY} min of video",
        f"  requests per active user per day: {sum(ROUTE_RATES.values()):.0f} on the named routes,"
        f" {DEFAULT_ROUTE_RATE} on any other; health checks {HEALTH_CHECKS_PER_MINUTE}/min;"
        f" dev {DEV_REQUESTS_PER_MONTH:,} requests/month",
        f"  duration: {DEFAULT_DURATION_MS} ms warm unless named ({DURATION_MS});"
        f" cold starts {COLD_START_SHARE:.1%} of invocations at {COLD_START_MS} ms (init is billed)",
        "  memory and architecture: each function's own, from template.yaml",
        f"  log bytes per invocation: platform {PLATFORM_LOG_BYTES} (none at SystemLogLevel WARN)"
        f" + {APP_LOG_BYTES} ours; the access-log line is the template's Format with typical values",
        f"  emails: {EMAILS_PER_USER_MONTH} per user per month; response {RESPONSE_BYTES} B;"
        " custom metrics counted from the code",
        f"  media: {MB_PER_SONG} MB per song, catalog {SONGS}, edge cache misses {EDGE_CACHE_MISS_SHARE:.0%}",
        "  prices: list prices, no free tier (dev and prod share the account's), no savings plan",
    ]
    return "\n".join(lines)


def main() -> int:
    template = load_template()
    print(assumptions())
    totals = {}
    for users in (20_000, 100_000):
        prod = monthly_bill("prod", users, template)
        print()
        print(render(prod))
        totals[users] = prod.total
    dev = monthly_bill("dev", None, template)
    print()
    print(render(dev))
    assumed = sorted(set().union(*(monthly_bill("prod", 20_000, template).assumed, dev.assumed)))
    if assumed:
        print(
            "\ncounted with the default rates (name them in ROUTE_RATES / DURATION_MS):", ", ".join(assumed)
        )
    print()
    for users, total in totals.items():
        both = total + dev.total
        print(f"TOTAL at {users:>7,} users: prod {total:8.2f} + dev {dev.total:7.2f} = {both:8.2f} USD/month")
    print()
    print("what if (prod at 20,000 and 100,000 users; docs/cost.md):")
    serverless = with_serverless_cache(template)
    what_ifs: dict[str, tuple[Template, dict[str, Any]]] = {
        "heartbeats through the HTTP API (no origin rule to the function URL)": (
            template,
            {"front_door": False},
        ),
        "a heartbeat every 60 s as well (an API contract change)": (template, {"heartbeat_seconds": 60}),
        "Valkey Serverless instead of two nodes (needs hash-tagged keys)": (serverless, {}),
        "usage at the leaders' figures: 50% daily active, 100 min a day": (
            template,
            {"daily_active_share": 0.5, "listening_minutes": 100},
        ),
    }
    for label, (variant, change) in what_ifs.items():
        figures = [monthly_bill("prod", users, variant, **change).total for users in totals]
        print(f"  {label:70} {figures[0]:8.2f} {figures[1]:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
