"""The whole local stack: PostgreSQL, Redis, moto (AWS), the local R2, the fake FCM and the AWS resources
of the template. A command of this checkout attaches to the running `make dev` (sauti_dev.running)."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sauti_dev import kept, ports, running
from sauti_dev.apple_chain import trusted_roots
from sauti_dev.services import LocalPostgres, LocalR2, LocalRedis, free_port, port_is_open, wait_for_port
from sauti_dev.sns_signing import ensure_local_signer
from sauti_dev.template import Template, load_template

LOCAL_REGION = "us-east-1"
LOCAL_MEDIA_BUCKET = "sauti-media-local"
LOCAL_EVENT_BUS = "sauti-local"
LOCAL_EMAIL_SENDER = "no-reply@sauti.local"


@dataclass
class LocalStack:
    """Starts what is not already given by the environment, and stops only what it started."""

    data_dir: Path = field(default_factory=running.data_dir)
    isolated: bool = False  # tests: free ports and their own data folder, never the developer's stack
    template: Template = field(default_factory=load_template)
    environment: dict[str, str] = field(default_factory=dict)
    _stops: list[Callable[[], None]] = field(default_factory=list)

    def _port(self, setting: str) -> int:
        """The port named by ``setting`` (sauti_dev.ports); any free one for an isolated stack."""
        return free_port() if self.isolated else ports.port(setting)

    def start(self) -> dict[str, str]:
        self.data_dir = self.data_dir.resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not self.isolated:  # the running `make dev` of this data folder: use its servers
            for name, value in (running.running_environment(self.data_dir) or {}).items():
                os.environ.setdefault(name, value)  # the developer's environment still wins
        env = self.environment
        env["SAUTI_DATA_DIR"] = str(self.data_dir)
        env.setdefault("APP_ENV", "local")
        if os.environ.get("DATABASE_URL"):
            env["DATABASE_URL"] = os.environ["DATABASE_URL"]
        else:
            postgres = LocalPostgres(self.data_dir, self._port("SAUTI_POSTGRES_PORT"))
            postgres.start()
            if postgres.started_here:
                self._stops.append(postgres.stop)
            env["DATABASE_URL"] = postgres.url
            self.postgres = postgres
        if os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = os.environ["REDIS_URL"]
        else:
            redis_server = LocalRedis(self.data_dir, self._port("SAUTI_REDIS_PORT"))
            redis_server.start()
            self._stops.append(redis_server.stop)
            self.redis = redis_server
            env["REDIS_URL"] = redis_server.url
        self._start_moto()
        self._start_r2()
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
        if self._keeps_moto_state():
            try:
                kept.park_queues(self.data_dir, self._all_queue_urls())
                kept.keep_emails(self.data_dir)
            except Exception as exc:  # stopping goes on: Ctrl-C must always stop everything
                print(f"while keeping the queues and the inbox: {exc}")
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
            port = self._port("SAUTI_MOTO_PORT")
            if not port_is_open(port):
                import logging

                from moto.server import ThreadedMotoServer

                logging.getLogger("werkzeug").setLevel(logging.ERROR)

                server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
                server.start()
                wait_for_port(port)
                self._stops.append(server.stop)
                self.started_moto = True
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

    def _start_r2(self) -> None:
        """The local R2 (files under ``<data>/r2``: kept across restarts), unless R2_ENDPOINT_URL is set."""
        if os.environ.get("R2_ENDPOINT_URL"):
            self.environment["R2_ENDPOINT_URL"] = os.environ["R2_ENDPOINT_URL"]
            return
        r2 = LocalR2(self.data_dir, self._port("SAUTI_R2_PORT"), *_r2_key())
        r2.start()
        if r2.process is not None:
            self._stops.append(r2.stop)
        self.environment["R2_ENDPOINT_URL"] = os.environ["R2_ENDPOINT_URL"] = r2.url

    def _create_media_bucket(self) -> None:
        import boto3
        from botocore.config import Config

        from sauti.signing.r2 import REGION

        s3 = boto3.client(
            "s3",
            endpoint_url=self.environment["R2_ENDPOINT_URL"],
            region_name=REGION,
            aws_access_key_id=_r2_key()[0],
            aws_secret_access_key=_r2_key()[1],
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )
        with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
            s3.create_bucket(Bucket=LOCAL_MEDIA_BUCKET)

    def _keeps_moto_state(self) -> bool:
        return not self.isolated and getattr(self, "started_moto", False)

    def _all_queue_urls(self) -> list[str]:
        return [*self.queue_urls.values(), *self.rule_queues.values()]

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
        if self._keeps_moto_state():
            kept.unpark_queues(self.data_dir, self._all_queue_urls())
        self._create_media_bucket()
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
        port = self._port("FCM_FAKE_PORT")
        base = ports.local_url(port)
        self.environment["FCM_API_BASE"] = os.environ["FCM_API_BASE"] = base
        from sauti.config import config
        from sauti.notifications.fcm import fcm_settings

        config.cache_clear()
        account = fcm_settings().firebase_service_account
        if not account.lstrip().startswith("{"):
            account = _follow_port(Path(account).expanduser(), f"{base}/token")
        self.fcm_base_url = base
        if port_is_open(port):  # the running `make dev` stack's fake
            return
        from sauti_dev.fakes.fcm import FakeFcm

        journal = kept.folder(self.data_dir) / kept.PUSHES_FILE
        self.fake_fcm = FakeFcm([account], port=port, journal=journal).start()
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


def _follow_port(key_file: Path, token_uri: str) -> str:
    """The service-account key, its ``token_uri`` moved to the fake's port when it names another local one
    (the key was generated when the fake listened elsewhere)."""
    account = json.loads(key_file.read_text())
    if account.get("token_uri", "").startswith("http://127.0.0.1:") and account["token_uri"] != token_uri:
        account["token_uri"] = token_uri
        key_file.write_text(json.dumps(account, indent=2))
    return json.dumps(account)


def _r2_key() -> tuple[str, str]:
    """The R2 API token the local R2 accepts: the configured one, else the local default (README)."""
    return os.environ.get("R2_ACCESS_KEY_ID", "local"), os.environ.get("R2_SECRET_ACCESS_KEY", "local")


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
