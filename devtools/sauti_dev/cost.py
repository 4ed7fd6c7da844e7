"""`make cost`: the monthly bill, read from template.yaml and samconfig.toml, at 20k and 100k users.

What the template says is read from it: every function (memory, architecture, routes, schedules),
the database class, Multi-AZ, storage, the cache nodes, the NAT instance, VPC endpoints, secrets,
alarms, queues, log retention, tracing. What users do is an assumption, all of them below, first.
A function or route the assumptions do not name is counted with the defaults and flagged "assumed".
Prices: us-east-1 / eu-west-1 list prices of 2025-2026, no free tier, no savings plans (docs/cost.md).
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass, field
from typing import Any

from sauti_dev.template import PROJECT_ROOT, Template, load_template

# ---------------------------------------------------------------------------------------- assumptions
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
DURATION_MS = {"PlaybackFunction": 15, "CatalogFunction": 20, "AuthFunction": 60, "HealthFunction": 10}
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
# Log bytes per request: Lambda's START/END/REPORT lines, our own lines, the API access-log line.
PLATFORM_LOG_BYTES = 330
APP_LOG_BYTES = 120
ACCESS_LOG_BYTES = 420
RESPONSE_BYTES = 1_500  # average API response, out to Cloudflare and the clients
EMAILS_PER_USER_MONTH = 0.6  # verification, resets, receipts, grace reminders
CUSTOM_METRICS = 25  # Powertools metrics (EMF), name x dimension combinations
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


def monthly_bill(
    environment: str,
    users: int | None,
    template: Template | None = None,
    heartbeat_seconds: float = HEARTBEAT_SECONDS,
) -> Bill:
    template = template or load_template()
    rates = {**ROUTE_RATES, HEARTBEAT_ROUTE: LISTENING_MINUTES_PER_ACTIVE_DAY * 60 / heartbeat_seconds}
    value = Resolver(template, environment)
    bill = Bill(environment, users)
    globals_ = template.document["Globals"]["Function"]
    # dev has no users: its fixed test traffic is spread over the routes like production's
    active_days = (users or 0) * DAILY_ACTIVE_SHARE * DAYS_PER_MONTH
    if users is None:
        active_days = DEV_REQUESTS_PER_MONTH / sum(rates.values())

    # -- requests per function, from its routes
    requests: dict[str, float] = {}
    for spec in template.functions.values():
        for route in spec.routes:
            key = f"{route.method} {route.path}"
            if route.path == "$default":
                continue
            if key not in rates:
                bill.assumed.add(key)
            requests[spec.logical_id] = (
                requests.get(spec.logical_id, 0) + rates.get(key, DEFAULT_ROUTE_RATE) * active_days
            )
    health = next(
        (s.logical_id for s in template.functions.values() if any(r.path == "/health" for r in s.routes)),
        None,
    )
    if health:
        requests[health] = requests.get(health, 0) + HEALTH_CHECKS_PER_MINUTE * 60 * HOURS
    api_requests = sum(requests.values())
    heartbeats = rates[HEARTBEAT_ROUTE] * active_days

    # -- Lambda: every function of the template
    gb_seconds = invocations = 0.0
    reads_secrets = 0.0
    for name, resource in template.resources_of_type("AWS::Serverless::Function").items():
        props = resource["Properties"]
        spec = template.functions[name]
        memory_gb = int(value(props.get("MemorySize", globals_.get("MemorySize", 128)))) / 1024
        architecture = value((props.get("Architectures") or globals_.get("Architectures") or ["x86_64"])[0])
        count = requests.get(name, 0.0)
        duration = DURATION_MS.get(name, DEFAULT_DURATION_MS)
        if spec.schedules or not (spec.routes or spec.queues or spec.event_patterns):
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
    bill.add(
        "API Gateway",
        f"HTTP API requests, {api_requests / 1e6:.2f}M ({heartbeats / max(api_requests, 1):.0%} heartbeats)",
        per_use=api_requests * HTTP_API_REQUEST,
    )

    # -- logs and traces
    function_log_gb = invocations * (PLATFORM_LOG_BYTES + APP_LOG_BYTES) / 1e9
    access_log_gb = api_requests * ACCESS_LOG_BYTES / 1e9
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
        ("API access logs", access_log_gb, access_class),
    ):
        bill.add(
            "CloudWatch",
            f"{what} ingested, {gb:.1f} GB ({log_class.lower().replace('_', ' ')})",
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
    bill.add("CloudWatch", f"{CUSTOM_METRICS} custom metrics (EMF)", fixed=CUSTOM_METRICS * METRIC_MONTH)

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
    bill.add(
        "Data transfer",
        f"API responses out, {api_requests * RESPONSE_BYTES / 1e9:.0f} GB",
        per_use=api_requests * RESPONSE_BYTES / 1e9 * DATA_OUT_GB,
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
        f"  log bytes per request: {PLATFORM_LOG_BYTES} platform + {APP_LOG_BYTES} ours"
        f" + {ACCESS_LOG_BYTES} API access log",
        f"  emails: {EMAILS_PER_USER_MONTH} per user per month; response {RESPONSE_BYTES} B;"
        f" {CUSTOM_METRICS} custom metrics",
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
    for seconds in (30, 60):
        slower = {
            users: monthly_bill("prod", users, template, heartbeat_seconds=seconds).total for users in totals
        }
        figures = ", ".join(f"{total:.2f} at {users:,}" for users, total in slower.items())
        print(f"what if: a heartbeat every {seconds} s (an API contract change): prod {figures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
