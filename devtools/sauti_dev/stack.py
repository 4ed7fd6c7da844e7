"""The whole local stack: PostgreSQL, Redis, moto (AWS), migrations and the AWS resources of the template."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sauti_dev.apple_chain import trusted_roots
from sauti_dev.services import LocalPostgres, LocalRedis, free_port, port_is_open, wait_for_port
from sauti_dev.sns_signing import ensure_local_signer
from sauti_dev.template import PROJECT_ROOT, Template, load_template

# Below Linux's ephemeral range (32768-60999), so a throw-away test stack never takes them.
DEFAULT_PORTS = {"postgres": 15432, "redis": 16379, "moto": 14566, "fcm": 3002}
LOCAL_REGION = "us-east-1"
LOCAL_MEDIA_BUCKET = "sauti-media-local"
LOCAL_EVENT_BUS = "sauti-local"
LOCAL_EMAIL_SENDER = "no-reply@sauti.local"


@dataclass
class LocalStack:
    """Starts what is not already given by the environment, and stops only what it started."""

    data_dir: Path = field(
        default_factory=lambda: Path(os.environ.get("SAUTI_DATA_DIR", PROJECT_ROOT / ".local"))
    )
    isolated: bool = False  # tests: free ports and their own data folder, never the developer's stack
    template: Template = field(default_factory=load_template)
    environment: dict[str, str] = field(default_factory=dict)
    _stops: list[Callable[[], None]] = field(default_factory=list)

    def _port(self, name: str) -> int:
        if self.isolated:
            return free_port()
        return int(os.environ.get(f"SAUTI_{name.upper()}_PORT", DEFAULT_PORTS[name]))

    def start(self) -> dict[str, str]:
        self.data_dir = self.data_dir.resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = self.environment
        env["SAUTI_DATA_DIR"] = str(self.data_dir)
        env.setdefault("APP_ENV", "local")
        if os.environ.get("DATABASE_URL"):
            env["DATABASE_URL"] = os.environ["DATABASE_URL"]
        else:
            postgres = LocalPostgres(self.data_dir, self._port("postgres"))
            postgres.start()
            if postgres.started_here:
                self._stops.append(postgres.stop)
            env["DATABASE_URL"] = postgres.url
            self.postgres = postgres
        if os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = os.environ["REDIS_URL"]
        else:
            redis_server = LocalRedis(self.data_dir, self._port("redis"))
            redis_server.start()
            self._stops.append(redis_server.stop)
            self.redis = redis_server
            env["REDIS_URL"] = redis_server.url
        self._start_moto()
        env.update(self._aws_resources())
        for name, value in self._static_environment().items():
            env.setdefault(name, value)
        for name, value in env.items():
            os.environ.setdefault(name, value)  # the developer's environment wins
        # after the environment: trusted_roots imports sauti modules (Powertools reads its namespace once)
        env.setdefault("APPLE_ROOT_CERTIFICATES", trusted_roots(self.data_dir))
        os.environ.setdefault("APPLE_ROOT_CERTIFICATES", env["APPLE_ROOT_CERTIFICATES"])
        env.setdefault("SNS_SIGNING_CERT_URL_PATTERN", ensure_local_signer(self.data_dir).url_pattern())
        os.environ.setdefault("SNS_SIGNING_CERT_URL_PATTERN", env["SNS_SIGNING_CERT_URL_PATTERN"])
        self._start_fake_fcm()
        from sauti.config import config

        config.cache_clear()
        return env

    def stop(self) -> None:
        while self._stops:
            stop = self._stops.pop()
            try:
                stop()
            except Exception as exc:  # keep stopping the rest
                print(f"while stopping: {exc}")

    # -- AWS ---------------------------------------------------------------------------------------

    def _start_moto(self) -> None:
        if os.environ.get("AWS_ENDPOINT_URL"):
            self.environment["AWS_ENDPOINT_URL"] = os.environ["AWS_ENDPOINT_URL"]
        else:
            port = self._port("moto")
            if not port_is_open(port):
                import logging

                from moto.server import ThreadedMotoServer

                logging.getLogger("werkzeug").setLevel(logging.ERROR)

                server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
                server.start()
                wait_for_port(port)
                self._stops.append(server.stop)
            self.environment["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{port}"
        for name, value in (
            ("AWS_ACCESS_KEY_ID", "local"),
            ("AWS_SECRET_ACCESS_KEY", "local"),
            ("AWS_DEFAULT_REGION", LOCAL_REGION),
            ("AWS_REGION", LOCAL_REGION),
        ):
            self.environment[name] = os.environ.get(name, value)
        for name in (
            "AWS_ENDPOINT_URL",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_DEFAULT_REGION",
            "AWS_REGION",
        ):
            os.environ[name] = self.environment[name]

    def _aws_resources(self) -> dict[str, str]:
        """Create the template's queues and bus and the local R2 bucket; map references to them."""
        import boto3

        sqs = boto3.client("sqs")
        references: dict[str, str] = {}
        queues = self.template.resources_of_type("AWS::SQS::Queue")
        # Dead-letter queues first, so redrive policies can name them.
        ordered = sorted(queues, key=lambda name: "RedrivePolicy" in queues[name].get("Properties", {}))
        arns: dict[str, str] = {}
        for logical_id in ordered:
            attributes: dict[str, str] = {}
            redrive = queues[logical_id].get("Properties", {}).get("RedrivePolicy")
            if redrive:
                target = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
                attributes["RedrivePolicy"] = json.dumps(
                    {
                        "deadLetterTargetArn": arns[target],
                        "maxReceiveCount": str(redrive.get("maxReceiveCount", 3)),
                    }
                )
            url = sqs.create_queue(QueueName=f"sauti-local-{logical_id}", Attributes=attributes)["QueueUrl"]
            arns[logical_id] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
                "Attributes"
            ]["QueueArn"]
            references[logical_id] = url
        self.queue_urls = dict(references)
        events = boto3.client("events")
        for logical_id in self.template.resources_of_type("AWS::Events::EventBus"):
            with contextlib.suppress(events.exceptions.ResourceAlreadyExistsException):
                events.create_event_bus(Name=LOCAL_EVENT_BUS)
            references[logical_id] = LOCAL_EVENT_BUS
        self.rule_queues = self._event_rules(sqs, events)
        s3 = boto3.client("s3")
        with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
            s3.create_bucket(Bucket=LOCAL_MEDIA_BUCKET)
        boto3.client("ses").verify_email_identity(EmailAddress=LOCAL_EMAIL_SENDER)
        environment = {}
        for name, value in self.template.global_environment.items():
            resolved = _resolve(value, references)
            if resolved is not None:
                environment[name] = resolved
        return environment

    def _event_rules(self, sqs: Any, events: Any) -> dict[str, str]:
        """EventBridge rules of the template, each delivering to a local queue that the feeder reads."""
        rule_queues = {}
        for spec in self.template.functions.values():
            if not spec.event_patterns:
                continue
            url = sqs.create_queue(QueueName=f"sauti-local-rule-{spec.logical_id}")["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            for index, pattern in enumerate(spec.event_patterns):
                name = f"{spec.logical_id}-{index}"
                events.put_rule(Name=name, EventBusName=LOCAL_EVENT_BUS, EventPattern=json.dumps(pattern))
                events.put_targets(
                    Rule=name, EventBusName=LOCAL_EVENT_BUS, Targets=[{"Id": "feeder", "Arn": arn}]
                )
            rule_queues[spec.logical_id] = url
        return rule_queues

    def _start_fake_fcm(self) -> None:
        """The local FCM and its token endpoint (sauti_dev.fakes.fcm), trusting the local service account;
        not when the developer's FCM_API_BASE names another FCM."""
        if os.environ.get("FCM_API_BASE") and "FCM_API_BASE" not in self.environment:
            return
        port = self._port("fcm")
        base = f"http://127.0.0.1:{port}"
        self.environment["FCM_API_BASE"] = os.environ["FCM_API_BASE"] = base
        from sauti.config import config
        from sauti.notifications.fcm import fcm_settings

        config.cache_clear()
        account = fcm_settings().firebase_service_account
        if not account.lstrip().startswith("{"):
            account = Path(account).expanduser().read_text()
        self.fcm_base_url = base
        if port_is_open(port):  # the running `make dev` stack's fake
            return
        from sauti_dev.fakes.fcm import FakeFcm

        self.fake_fcm = FakeFcm([account], port=port).start()
        self._stops.append(self.fake_fcm.stop)

    def _static_environment(self) -> dict[str, str]:
        return {
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_METRICS_NAMESPACE": "Sauti",
            "POWERTOOLS_SERVICE_NAME": "sauti",
            "POWERTOOLS_LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
            "MEDIA_BUCKET": LOCAL_MEDIA_BUCKET,
        }


def _resolve(value: Any, references: dict[str, str]) -> str | None:
    """A template value as the local stack knows it; None when it only means something in AWS."""
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, dict):
        if "Ref" in value:
            return references.get(value["Ref"])
        if "Fn::GetAtt" in value and value["Fn::GetAtt"][1] in ("QueueUrl", "QueueName"):
            return references.get(value["Fn::GetAtt"][0])
    return None
