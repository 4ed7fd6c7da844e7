"""`make cost`: the monthly bill, read from template.yaml and samconfig.toml, at 20k and 100k users.

What the template says is read from it: every function (memory, architecture, routes, schedules),
the database class, Multi-AZ, storage, the cache nodes, the NAT instance, VPC endpoints, secrets,
alarms, queues, log retention, tracing. What users do is an assumption, all of them below, first.
A function or route the assumptions do not name is counted with the defaults and flagged "assumed".
Prices: us-east-1 / eu-west-1 list prices of 2025-2026, no free tier, no savings plans (docs/cost.md).
"""

from __future__ import annotations

import ast
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
PLAYS_PER_ACTIVE_DAY = 14
VIDEO_MINUTES_PER_ACTIVE_DAY = 0.15  # Stream is billed per minute delivered: see docs/cost.md
# The harsher usage `make cost` prints beside ours, so the owner sees where the budget breaks.
HARSH_USAGE = {"daily_active_share": 0.40, "plays_per_day": 30, "video_minutes": 1.0}
DAYS_PER_MONTH = 30.4


def heartbeat_interval_seconds(template: Template | None = None) -> int:
    """The interval the server tells clients (``next_heartbeat_s``): HEARTBEAT_INTERVAL_SECONDS where
    the template sets it, else the setting's default."""
    from sauti.playback.settings import PlaybackSettings

    default = PlaybackSettings.fields["heartbeat_interval_seconds"][0].default
    template = template or load_template()
    variables = dict(template.global_environment)
    for spec in template.resources_of_type("AWS::Serverless::Function").values():
        variables = {**variables, **spec["Properties"].get("Environment", {}).get("Variables", {})}
    found = variables.get("HEARTBEAT_INTERVAL_SECONDS")
    return int(found if isinstance(found, (str, int)) and found != "" else str(default))


HEARTBEAT_ROUTE = "POST /playback/sessions/{id}/heartbeat"
REFRESH_ROUTE = "POST /auth/refresh"
START_ROUTE = "POST /playback/sessions"
END_ROUTE = "POST /playback/sessions/{id}/end"


def route_rates(plays_per_day: float, listening_minutes: float, heartbeat_seconds: float) -> dict[str, float]:
    """Requests per active user per day, by route, for a usage."""
    return {
        **ROUTE_RATES,
        HEARTBEAT_ROUTE: listening_minutes * 60 / heartbeat_seconds,
        REFRESH_ROUTE: listening_minutes / 15 + 1,  # 15-minute access tokens
        START_ROUTE: plays_per_day,
        END_ROUTE: plays_per_day,
        "PUT /me/player": plays_per_day + 4,  # a track change, pauses, the app to the background
    }


# Requests per active user per day, by route (the heartbeat, token refresh, play start and end, and
# the player's saves follow the usage: route_rates). A route of the admin console is counted per
# month (ADMIN_REQUESTS_PER_MONTH), not per user. `make test` fails when a route is in neither.
ROUTE_RATES = {
    "GET /me/recently-played": 0.5,
    "GET /songs": 3,
    "GET /songs/{id}": 4,
    "GET /artists/{id}": 2,
    "GET /albums/{id}": 2,
    "GET /videos": 0.3,
    "GET /videos/{id}": 0.2,
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
    "GET /openapi.json": 0.0001,  # developers, not apps
    # the player: read on opening the app on another device; its saves follow the plays (route_rates)
    "GET /me/player": 2,
    # search: a few searches a day, the suggestions debounced while typing
    "GET /search": 3,
    "GET /search/suggest": 6,
    # playlists: opened often, edited rarely
    "GET /me/playlists": 2,
    "GET /playlists/{playlist_id}": 3,
    "GET /playlists/top": 1,
    "POST /playlists": 0.02,
    "PATCH /playlists/{playlist_id}": 0.02,
    "DELETE /playlists/{playlist_id}": 0.005,
    "POST /playlists/{playlist_id}/tracks": 0.3,
    "DELETE /playlists/{playlist_id}/tracks": 0.05,
    "POST /playlists/{playlist_id}/tracks/move": 0.05,
    "POST /playlists/{playlist_id}/invites": 0.005,
    "DELETE /playlists/{playlist_id}/invites/{invite_id}": 0.001,
    "POST /playlist-invites/{token}": 0.005,
    "DELETE /playlists/{playlist_id}/collaborators/{user_id}": 0.002,
    "PUT /playlists/{playlist_id}/followers/me": 0.05,
    "DELETE /playlists/{playlist_id}/followers/me": 0.01,
    # following artists, notifications
    "GET /me/following/artists": 0.3,
    "PUT /me/following/artists/{id}": 0.1,
    "DELETE /me/following/artists/{id}": 0.02,
    "POST /me/push-tokens": 1,  # the apps register their push token at every launch
    "DELETE /me/push-tokens/{token}": 0.01,
    "GET /me/notification-preferences": 0.02,
    "PUT /me/notification-preferences": 0.005,
    "POST /notifications/unsubscribe": 0.001,
    "POST /me/offline-plays": 0.2,
    "POST /reports": 0.001,
}
# The admin console and the vendors' callbacks on it: requests per month in prod, by kind of route.
ADMIN_REQUESTS_PER_MONTH = {"GET": 3_000, "write": 500}
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
    "AuthDeletionsFunction": 500,  # every 15 minutes, usually nothing due
    "PlaylistsJobsFunction": 1_000,  # every 5 minutes: the play-count batches
    "NotificationsEmailFeedbackFunction": 100,  # SES bounces and complaints through SNS, a few a month
}
# Functions fed by queues or event rules: invocations per monthly user, warm duration ms.
CONSUMERS = {
    "NotificationsWorkerFunction": (0.2, 150),
    "DownloadsPlanEventsFunction": (0.02, 40),
    "NotificationsEventsFunction": (0.05, 60),  # releases, plan changes: fan-out messages
    "SearchIndexerFunction": (0.005, 80),  # catalog changes, not users
    "PlaylistsJobsFunction": (0.01, 60),
    "AuthDeletionsFunction": (0.0005, 100),
    "DownloadsUserDeletedFunction": (0.0005, 60),
    "PlaybackUserDeletedFunction": (0.0005, 40),
    "PlayerUserDeletedFunction": (0.0005, 40),
}
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
# Node prices by engine: Valkey's are 20% below Redis OSS's (AWS, "Amazon ElastiCache pricing").
CACHE_HOUR = {
    "redis": {"cache.t4g.micro": 0.016, "cache.t4g.small": 0.032, "cache.t4g.medium": 0.065},
    "valkey": {"cache.t4g.micro": 0.0128, "cache.t4g.small": 0.0256, "cache.t4g.medium": 0.052},
}
# Cross-AZ: the functions run in both zones' subnets, the database's and the cache's primaries and
# the NAT instance in one, so half the functions' traffic to them crosses zones, billed $0.01 per GB
# out of one zone and $0.01 into the other. Multi-AZ RDS replication is free; the cache's
# replication to its replica (the writes) is counted, to be safe.
CROSS_AZ_GB = 0.02
CROSS_AZ_SHARE = 0.5
DB_BYTES_PER_REQUEST = 4_000  # a query or two and their rows, protocol included, both ways
CACHE_BYTES_PER_COMMAND = 400
CACHE_WRITE_SHARE = 0.3  # of cache commands (heartbeats and counters write)
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
# Video as HLS from R2 through the CDN (the what-if): three renditions (360p, 720p, 1080p, about
# 8 Mbit/s together), 6-second segments, encoded once by ffmpeg in a 3 GB arm64 function at about
# 3x real time per video minute for the three.
HLS_MB_PER_MINUTE_STORED = 62
HLS_SEGMENTS_PER_MINUTE = 10
HLS_ENCODE_GB_SECONDS_PER_MINUTE = 3 * 60 * 3
NEW_VIDEO_MINUTES_SHARE_PER_MONTH = 0.05
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


# Where Cloudflare's origin rules send FrontDoorRoutes to function URLs (docs/deploy.md, the front
# door). dev is called on the HTTP API's own endpoint.
FRONT_DOOR_ENVIRONMENTS = frozenset({"prod"})
# The next hot routes a function URL could take (the what-if of `make cost`, docs/cost.md).
HOT_ROUTES = frozenset({START_ROUTE, END_ROUTE, REFRESH_ROUTE, "PUT /me/player"})


def is_admin_route(key: str) -> bool:
    return " /admin/" in key or key == "POST /webhooks/stream"


def monthly_bill(
    environment: str,
    users: int | None,
    template: Template | None = None,
    heartbeat_seconds: float | None = None,
    front_door: bool | None = None,
    daily_active_share: float = DAILY_ACTIVE_SHARE,
    listening_minutes: float = LISTENING_MINUTES_PER_ACTIVE_DAY,
    plays_per_day: float = PLAYS_PER_ACTIVE_DAY,
    video_minutes: float = VIDEO_MINUTES_PER_ACTIVE_DAY,
    more_function_urls: frozenset[str] = frozenset(),
    video_from_r2: bool = False,
) -> Bill:
    """The bill; the keyword arguments are the what-ifs `make cost` prints after the totals.

    Routes a function lists in its ``FrontDoorRoutes`` metadata reach that function's URL without
    API Gateway where the front door routes them (``front_door``, by default the environments in
    ``FRONT_DOOR_ENVIRONMENTS``): no gateway request and no access-log line, an invocation of that
    function instead of the route's HTTP API function. ``more_function_urls``: routes counted as if
    their own function had a URL behind the front door too. ``video_from_r2``: video as HLS from R2
    through the CDN instead of Stream.
    """
    if front_door is None:
        front_door = environment in FRONT_DOOR_ENVIRONMENTS
    template = template or load_template()
    if heartbeat_seconds is None:
        heartbeat_seconds = heartbeat_interval_seconds(template)
    rates = route_rates(plays_per_day, listening_minutes, heartbeat_seconds)
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
            if is_admin_route(key):
                count: float = ADMIN_REQUESTS_PER_MONTH["GET" if route.method == "GET" else "write"]
            else:
                if key not in rates:
                    bill.assumed.add(key)
                count = rates.get(key, DEFAULT_ROUTE_RATE) * active_days
            if front_door and key in more_function_urls and key not in fronted:
                fronted[key] = spec.logical_id
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
    reads_secrets = 0.0
    function_log_bytes: dict[str, float] = {}  # by the log class of each function's log group
    groups = template.resources_of_type("AWS::Logs::LogGroup")
    for name, resource in template.resources_of_type("AWS::Serverless::Function").items():
        props = resource["Properties"]
        spec = template.functions[name]
        memory_gb = int(value(props.get("MemorySize", globals_.get("MemorySize", 128)))) / 1024
        architecture = value((props.get("Architectures") or globals_.get("Architectures") or ["x86_64"])[0])
        count = requests.get(name, 0.0) + url_requests.get(name, 0.0)
        duration: float = DURATION_MS.get(name, DEFAULT_DURATION_MS)
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
        log_class = _log_class(groups, props.get("LoggingConfig", {}).get("LogGroup"))
        function_log_bytes[log_class] = function_log_bytes.get(log_class, 0.0) + count * (
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
    function_log_gb = {log_class: b / 1e9 for log_class, b in sorted(function_log_bytes.items())}
    api = next(iter(template.resources_of_type("AWS::Serverless::HttpApi").values()))["Properties"]
    access_format = api.get("AccessLogSettings", {}).get("Format")
    access_bytes = _access_log_bytes(access_format, rates) if access_format else 0
    access_log_gb = api_requests * access_bytes / 1e9
    log_gb = sum(function_log_gb.values()) + access_log_gb
    retention = int(value({"Ref": "LogRetentionDays"}))
    access_class = _log_class(groups, api.get("AccessLogSettings", {}).get("DestinationArn"))
    for what, gb, log_class in (
        *(("function logs", gb, log_class) for log_class, gb in function_log_gb.items()),
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
    cache_nodes = 0
    for resource in template.resources_of_type("AWS::ElastiCache::ReplicationGroup").values():
        props = resource["Properties"]
        node = value(props["CacheNodeType"])
        nodes = int(value(props.get("NumCacheClusters", 1)))
        engine = str(value(props.get("Engine", "redis"))).lower()
        cache_nodes += nodes
        bill.add(
            "ElastiCache Valkey",
            f"{node} x{nodes} ({engine} prices)",
            fixed=CACHE_HOUR[engine][node] * HOURS * nodes,
        )
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
    served = api_requests + sum(url_requests.values())
    database_gb = (served - heartbeats) * DB_BYTES_PER_REQUEST / 1e9  # heartbeats touch Redis only
    cache_commands = served * CACHE_COMMANDS_PER_REQUEST
    replicated = CACHE_WRITE_SHARE if cache_nodes > 1 else 0.0
    cache_gb = cache_commands * CACHE_BYTES_PER_COMMAND * (CROSS_AZ_SHARE + replicated) / 1e9
    cross_gb = (database_gb + NAT_EGRESS_GB) * CROSS_AZ_SHARE + cache_gb
    bill.add(
        "Data transfer",
        f"cross-AZ, {cross_gb:.0f} GB (database, cache and its replica, NAT)",
        per_use=cross_gb * CROSS_AZ_GB,
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
    plays = active_days * plays_per_day
    class_b = plays * MEDIA_REQUESTS_PER_PLAY * EDGE_CACHE_MISS_SHARE
    bill.add(
        "Cloudflare R2",
        f"operations, {class_a / 1e3:.0f}k class A, {class_b / 1e6:.2f}M class B",
        per_use=class_a * R2_CLASS_A + class_b * R2_CLASS_B,
        note="egress is free",
    )
    stored_minutes = VIDEO_MINUTES_STORED.get(size, 3_000) if users else 100
    delivered = active_days * video_minutes
    if video_from_r2:
        hls_gb = stored_minutes * HLS_MB_PER_MINUTE_STORED / 1000
        new_minutes = stored_minutes * NEW_VIDEO_MINUTES_SHARE_PER_MONTH
        bill.add("Cloudflare R2", f"HLS video, {hls_gb:.0f} GB stored", per_use=hls_gb * R2_GB_MONTH)
        misses = delivered * HLS_SEGMENTS_PER_MINUTE * EDGE_CACHE_MISS_SHARE
        writes = new_minutes * HLS_SEGMENTS_PER_MINUTE * 3
        bill.add(
            "Cloudflare R2",
            f"HLS video, {delivered / 1e3:.0f}k minutes delivered (segment misses, uploads)",
            per_use=misses * R2_CLASS_B + writes * R2_CLASS_A,
            note="egress is free",
        )
        bill.add(
            "AWS Lambda",
            f"HLS encoding, {new_minutes:.0f} new minutes (ffmpeg)",
            per_use=new_minutes * HLS_ENCODE_GB_SECONDS_PER_MINUTE * LAMBDA_GB_SECOND["arm64"],
        )
        return bill
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


# Values each dimension of sauti.observability.count takes: a metric is one per combination. A count
# with a dimension not named here stops `make cost` (its metrics could be any number).
COUNT_DIMENSION_VALUES = {
    "kind": 2,  # PlaysStarted: song, video
    "provider": 2,  # Webhook*: stripe, apple
}


def published_metrics(template: Template, root: Path = PROJECT_ROOT) -> int:
    """Custom metrics the code can publish: each add_metric name and each sauti.observability.count
    name once (one service dimension), a count with dimensions once per combination of their
    values (COUNT_DIMENSION_VALUES), plus Powertools' ColdStart metric per function if any handler
    captures it."""
    metrics: dict[str, int] = {}  # name: how many metrics it is (its dimensions' combinations)
    cold_start = 0
    for folder in ("shared", "functions"):
        for path in (root / folder).rglob("*.py"):
            text = path.read_text()
            metrics.update(dict.fromkeys(METRIC_CALL.findall(text), 1))
            metrics.update(_counted(text))
            if "capture_cold_start_metric=True" in text:
                cold_start += 1
    functions = len(template.resources_of_type("AWS::Serverless::Function"))
    return sum(metrics.values()) + (functions if cold_start else 0)


def _counted(source: str) -> dict[str, int]:
    """``count("Name", dimension=...)`` calls (also through an alias such as ``_count``): each name
    with the number of combinations of dimension values it can take."""
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args):
            continue
        if node.func.id.lstrip("_") != "count":
            continue
        literals = [c.value for c in ast.walk(node.args[0]) if isinstance(c, ast.Constant)]
        combinations = 1
        for keyword in node.keywords:
            if keyword.arg not in COUNT_DIMENSION_VALUES:
                raise ValueError(
                    f"count({ast.unparse(node.args[0])}) has a dimension {keyword.arg!r}: "
                    "say in COUNT_DIMENSION_VALUES how many values it takes"
                )
            combinations *= COUNT_DIMENSION_VALUES[keyword.arg]
        found |= {name: combinations for name in literals if isinstance(name, str) and name[:1].isupper()}
    return found


def _log_class(groups: dict[str, dict[str, Any]], reference: Any) -> str:
    """The class of the template's log group a function or API logs to (a Ref or a GetAtt of its
    Arn); STANDARD, CloudWatch's default, for one outside the template."""
    if isinstance(reference, dict):
        name = reference.get("Ref") or (reference.get("Fn::GetAtt") or [None])[0]
        if name in groups:
            return str(groups[name]["Properties"].get("LogGroupClass", "STANDARD"))
    return "STANDARD"


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


def assumptions(template: Template) -> str:
    listening = LISTENING_MINUTES_PER_ACTIVE_DAY
    interval = heartbeat_interval_seconds(template)
    rates = route_rates(PLAYS_PER_ACTIVE_DAY, listening, interval)
    lines = [
        "Assumptions (devtools/sauti_dev/cost.py, explained in docs/cost.md):",
        f"  active users: {DAILY_ACTIVE_SHARE:.0%} of monthly users on a day; each listens {listening} min",
        f"    ({PLAYS_PER_ACTIVE_DAY} plays, a heartbeat every {interval} s: HEARTBEAT_INTERVAL_SECONDS)"
        f" and watches {VIDEO_MINUTES_PER_ACTIVE_DAY} min of video",
        f"  requests per active user per day: {sum(rates.values()):.0f} over {len(rates)} named routes;"
        f" admin console {ADMIN_REQUESTS_PER_MONTH} a month per route; health checks"
        f" {HEALTH_CHECKS_PER_MINUTE}/min; dev {DEV_REQUESTS_PER_MONTH:,} requests/month",
        f"  duration: {DEFAULT_DURATION_MS} ms warm unless named ({DURATION_MS});"
        f" cold starts {COLD_START_SHARE:.1%} of invocations at {COLD_START_MS} ms (init is billed)",
        "  memory and architecture: each function's own, from template.yaml",
        f"  log bytes per invocation: platform {PLATFORM_LOG_BYTES} (none at SystemLogLevel WARN)"
        f" + {APP_LOG_BYTES} ours; the access-log line is the template's Format with typical values",
        f"  emails: {EMAILS_PER_USER_MONTH} per user per month; response {RESPONSE_BYTES} B;"
        " custom metrics counted from the code",
        f"  cross-AZ: {CROSS_AZ_SHARE:.0%} of the database ({DB_BYTES_PER_REQUEST} B a request), cache"
        f" ({CACHE_BYTES_PER_COMMAND} B a command) and NAT traffic, at ${CROSS_AZ_GB} per GB",
        f"  media: {MB_PER_SONG} MB per song, catalog {SONGS}, edge cache misses {EDGE_CACHE_MISS_SHARE:.0%}",
        "  prices: list prices, no free tier (dev and prod share the account's), no savings plan",
    ]
    return "\n".join(lines)


def what_ifs(template: Template) -> dict[str, tuple[Template, dict[str, Any]]]:
    """The levers and usages `make cost` prices after the totals (docs/cost.md decides with them)."""
    harsh = HARSH_USAGE
    return {
        "heartbeats through the HTTP API (no origin rule to the function URL)": (
            template,
            {"front_door": False},
        ),
        "a heartbeat every 30 s (the contract's lower bound)": (template, {"heartbeat_seconds": 30}),
        "a heartbeat every 15 s (the old contract)": (template, {"heartbeat_seconds": 15}),
        "play start, end, refresh and player saves through function URLs too": (
            template,
            {"more_function_urls": HOT_ROUTES},
        ),
        "video as HLS from R2 instead of Stream": (template, {"video_from_r2": True}),
        "Valkey Serverless instead of two nodes (needs hash-tagged keys)": (
            with_serverless_cache(template),
            {},
        ),
        f"harsher usage: {harsh['daily_active_share']:.0%} daily active, {harsh['plays_per_day']} plays,"
        f" {harsh['video_minutes']} min video a day": (template, dict(harsh)),
        "harsher usage, video as HLS from R2": (template, {**harsh, "video_from_r2": True}),
        "usage at the leaders' figures: 50% daily active, 100 min a day": (
            template,
            {"daily_active_share": 0.5, "listening_minutes": 100},
        ),
    }


GOAL = {20_000: 250.0, 100_000: 450.0}  # prod plus dev, USD a month (issue 22)


def main() -> int:
    template = load_template()
    print(assumptions(template))
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
        verdict = "within" if both <= GOAL[users] else "OVER"
        print(
            f"TOTAL at {users:>7,} users: prod {total:8.2f} + dev {dev.total:7.2f} = {both:8.2f} USD/month"
            f" ({verdict} the goal of {GOAL[users]:.0f})"
        )
    print()
    print("what if (prod plus dev at 20,000 and 100,000 users; docs/cost.md):")
    for label, (variant, change) in what_ifs(template).items():
        dev_change = {k: v for k, v in change.items() if k in ("heartbeat_seconds", "video_from_r2")}
        dev_total = monthly_bill("dev", None, variant, **dev_change).total
        figures = [monthly_bill("prod", users, variant, **change).total + dev_total for users in totals]
        print(f"  {label:72} {figures[0]:8.2f} {figures[1]:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
