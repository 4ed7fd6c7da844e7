"""The local stack's everyday commands: dev, migrate, seed, invoke, run-job."""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
from datetime import date
from pathlib import Path

from sauti_dev import ports
from sauti_dev.events import dumps, scheduled_event
from sauti_dev.session import local_stack


def register(subparsers: argparse._SubParsersAction) -> None:
    dev = subparsers.add_parser("dev", help="run the whole local stack in the foreground")
    dev.set_defaults(run=run_dev)

    migrate = subparsers.add_parser("migrate", help="apply pending database migrations")
    migrate.set_defaults(run=run_migrate)

    seed = subparsers.add_parser("seed", help="load the demo data (idempotent)")
    seed.set_defaults(run=run_seed)

    invoke = subparsers.add_parser("invoke", help="invoke a template function with an event file")
    invoke.add_argument("function", help="logical id in template.yaml, e.g. HealthFunction")
    invoke.add_argument("--event", "-e", type=Path, help="JSON event file (default: {})")
    invoke.set_defaults(run=run_invoke)

    openapi = subparsers.add_parser(
        "openapi", help="write the API's OpenAPI document (docs/openapi.json and the Health function's copy)"
    )
    openapi.set_defaults(run=run_openapi)

    job = subparsers.add_parser("run-job", help="run a scheduled job now, optionally for a given day")
    job.add_argument("name", help="the job's name (Metadata.SautiJob in template.yaml)")
    job.add_argument("--date", type=date.fromisoformat, help="YYYY-MM-DD: the day the job acts on")
    job.set_defaults(run=run_job)


def run_openapi(_args: argparse.Namespace) -> int:
    with local_stack():  # the functions check their settings when they load, as in Lambda
        from sauti_dev.openapi import DOCUMENT_PATHS, write_document

        document = json.loads(write_document())
        print(f"{len(document['paths'])} paths written to " + ", ".join(str(p) for p in DOCUMENT_PATHS))
    return 0


def run_migrate(_args: argparse.Namespace) -> int:
    with local_stack():
        from sauti.migrate import apply_migrations

        applied = apply_migrations()
        print("applied: " + (", ".join(applied) if applied else "nothing, the schema is current"))
    return 0


def run_seed(_args: argparse.Namespace) -> int:
    with local_stack():
        from sauti.migrate import apply_migrations
        from sauti_dev.seeds import run_all

        apply_migrations()
        print("seeded: " + ", ".join(run_all()))
    return 0


def run_invoke(args: argparse.Namespace) -> int:
    event = json.loads(args.event.read_text()) if args.event else {}
    with local_stack():
        from sauti_dev.lambdas import LocalFunctions

        print(dumps(LocalFunctions().invoke(args.function, event)))
    return 0


def run_job(args: argparse.Namespace) -> int:
    with local_stack() as stack:
        from sauti_dev.lambdas import LocalFunctions

        spec = stack.template.function_for_job(args.name)
        if spec is None:
            jobs = sorted(s.job_name for s in stack.template.functions.values() if s.job_name)
            print(f"no job named {args.name}; jobs: {', '.join(jobs) or 'none yet'}")
            return 2
        print(dumps(LocalFunctions().invoke(spec.logical_id, scheduled_event(args.date))))
    return 0


def run_dev(_args: argparse.Namespace) -> int:
    port, edge_port, stream_port = ports.port("PORT"), ports.port("EDGE_PORT"), ports.port("STREAM_FAKE_PORT")
    addresses = {
        "PUBLIC_BASE_URL": ports.local_url(port),
        "JWT_ISSUER": ports.local_url(port),
        "CDN_BASE_URL": ports.local_url(edge_port),
        "AUTH_LINK_BASE_URL": ports.local_url(edge_port),  # the edge serves the emails' pages (web_pages)
        "STREAM_API_BASE": ports.local_url(stream_port),
    }
    wants_fake_stream = not os.environ.get("STREAM_API_BASE")  # set: another Stream, no fake
    for name, value in addresses.items():
        os.environ.setdefault(name, value)  # each follows its port unless set itself
    with local_stack() as stack:
        from sauti.migrate import apply_migrations
        from sauti_dev import running, timetravel
        from sauti_dev.edge import serve_edge
        from sauti_dev.gateway import LocalGateway, serve
        from sauti_dev.lambdas import LocalFunctions
        from sauti_dev.queues import start_feeding
        from sauti_dev.seeds import run_all
        from sauti_dev.stream_fake import http_deliver, start_fake_stream

        timetravel.install(stack.data_dir)
        applied = apply_migrations()
        print(f"migrations: {', '.join(applied) or 'schema current'}")
        print(f"seed: {', '.join(run_all())}")
        functions = LocalFunctions()
        server = serve(LocalGateway(functions), port)
        edge = serve_edge(edge_port)
        fake_stream = None
        if wants_fake_stream:
            fake_stream = start_fake_stream(
                http_deliver(f"{ports.local_url(port)}/webhooks/stream"), stream_port
            )
            print(f"Cloudflare Stream (local fake) on {fake_stream.base_url}")
        stop_feeding = start_feeding(functions, stack.queue_urls, stack.rule_queues)
        print(f"media edge (local Cloudflare) on {ports.local_url(edge_port)}")
        from sauti_dev.console import STREAM_UPLOAD_ORIGIN, start_console

        video_uploads = fake_stream.base_url if fake_stream is not None else STREAM_UPLOAD_ORIGIN
        console = start_console(api_base=ports.local_url(port), video_upload_origin=video_uploads)
        print(f"console on {console.url}  (sign in as admin@sauti.local)")
        if getattr(stack, "fcm_base_url", None):
            print(f"FCM (local fake, `sauti inbox` shows what it got) on {stack.fcm_base_url}")
        attached = {name: os.environ[name] for name in (*ports.LOCAL_PORTS, *addresses) if name in os.environ}
        running.announce(stack.data_dir, {**stack.environment, **attached, "PORT": str(port)})
        print(f"Sauti is ready on {ports.local_url(port)}  (Ctrl-C stops everything)", flush=True)
        stopped = threading.Event()
        for signal_number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signal_number, lambda *_: stopped.set())
        try:
            while not stopped.wait(0.5):
                pass
        finally:
            print("stopping...", flush=True)
            running.withdraw(stack.data_dir)
            stop_feeding.set()
            server.shutdown()
            edge.shutdown()
            console.stop()
            if fake_stream is not None:
                fake_stream.stop()
    return 0
