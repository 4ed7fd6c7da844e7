"""The console on the local stack: built when its sources changed, served as the static files it is.

The same ``dist/`` that Cloudflare serves in AWS (docs/console.md), plus the two things a deployment adds:
``config.json`` (where the API is) and the Content-Security-Policy header.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sauti_dev import ports
from sauti_dev.template import PROJECT_ROOT

CONSOLE_DIR = PROJECT_ROOT / "console"
DIST = CONSOLE_DIR / "dist"
# Where Stream's direct creator upload URLs point (a browser posts the video there).
STREAM_UPLOAD_ORIGIN = "https://upload.videodelivery.net"
# What the build reads: a change to any of them (the OpenAPI document included) means a new build.
_SOURCES = (
    "src",
    "index.html",
    "package-lock.json",
    "vite.config.ts",
    "tsconfig.json",
    "../docs/openapi.json",
)


class ConsoleUnavailable(RuntimeError):
    pass


def content_security_policy(api_base: str, upload_origins: list[str]) -> str:
    """Scripts only from the console's own origin; calls only to the API and the upload endpoint.
    Styles allow inline: Material UI (emotion) writes its style sheets at run time."""
    connect = " ".join(["'self'", api_base, *upload_origins])
    return (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"font-src 'self'; connect-src {connect}; manifest-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'; object-src 'none'"
    )


def _newest(path: Path) -> float:
    if path.is_dir():
        return max((_newest(child) for child in path.iterdir()), default=0.0)
    return path.stat().st_mtime if path.exists() else 0.0


def build_console(log: Any = print) -> Path:
    """``npm ci`` when the lock file changed, ``npm run build`` when a source changed; the built folder."""
    npm = shutil.which("npm")
    if npm is None:
        raise ConsoleUnavailable(
            "npm is not installed: the console needs Node.js 20 or newer (apt-get install nodejs npm)"
        )
    lock = CONSOLE_DIR / "package-lock.json"
    installed = CONSOLE_DIR / "node_modules" / ".package-lock.json"
    if _newest(installed) < _newest(lock):
        log("console: installing its packages (npm ci, once)")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=CONSOLE_DIR, check=True
        )
    built = DIST / "index.html"
    if _newest(built) < max(_newest((CONSOLE_DIR / source).resolve()) for source in _SOURCES):
        log("console: building (sources changed)")
        subprocess.run(
            [npm, "run", "--silent", "build"], cwd=CONSOLE_DIR, check=True, stdout=subprocess.DEVNULL
        )
    return DIST


class _ConsoleHandler(SimpleHTTPRequestHandler):
    config: bytes = b"{}"
    policy: str = ""

    def end_headers(self) -> None:
        self.send_header("content-security-policy", self.policy)
        self.send_header("x-content-type-options", "nosniff")
        self.send_header("referrer-policy", "no-referrer")
        self.send_header("cache-control", "no-cache")
        super().end_headers()

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] == "/config.json":
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(self.config)))
            self.end_headers()
            self.wfile.write(self.config)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        return


class ConsoleServer:
    def __init__(self, server: ThreadingHTTPServer):
        self._server = server
        self.url = f"http://127.0.0.1:{server.server_port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def serve_console(
    api_base: str, port: int, directory: Path = DIST, upload_origins: list[str] | None = None
) -> ConsoleServer:
    """Serve the built console on a thread; port 0 picks a free one. Uploads go to R2 (moto locally)."""
    if not (directory / "index.html").exists():
        raise ConsoleUnavailable(
            f"the console is not built: {directory / 'index.html'} is missing (make lint builds it)"
        )
    origins = upload_origins if upload_origins is not None else [local_r2_origin()]
    handler = type(
        "ConsoleHandler",
        (_ConsoleHandler,),
        {
            "config": json.dumps({"apiBase": api_base}).encode(),
            "policy": content_security_policy(api_base, [origin for origin in origins if origin]),
        },
    )
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(directory)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="console", daemon=True).start()
    return ConsoleServer(server)


def start_console(api_base: str, video_upload_origin: str = STREAM_UPLOAD_ORIGIN) -> ConsoleServer:
    """What ``sauti dev`` runs: build if needed, serve on CONSOLE_PORT; uploads go to R2 and Stream."""
    build_console()
    uploads = [local_r2_origin(), video_upload_origin]
    return serve_console(api_base, ports.port("CONSOLE_PORT"), upload_origins=uploads)


def local_r2_origin() -> str:
    """Where the browser PUTs audio with a presigned URL: the local R2 the stack started."""
    return os.environ.get("R2_ENDPOINT_URL", "")


def write_deploy_files(directory: Path, api_base: str, upload_origins: list[str]) -> None:
    """What a Cloudflare Pages deployment adds to the build: config.json and the ``_headers`` with the CSP."""
    (directory / "config.json").write_text(json.dumps({"apiBase": api_base}) + "\n")
    policy = content_security_policy(api_base, upload_origins)
    (directory / "_headers").write_text(
        "/*\n"
        f"  Content-Security-Policy: {policy}\n"
        "  X-Content-Type-Options: nosniff\n"
        "  Referrer-Policy: no-referrer\n"
        "  Strict-Transport-Security: max-age=31536000\n"
        "/assets/*\n"
        "  Cache-Control: public, max-age=31536000, immutable\n"
    )


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        description="Build the console and add a deployment's config and headers."
    )
    parser.add_argument(
        "--api-base", required=True, help="the API's public URL, e.g. https://api.example.com"
    )
    parser.add_argument(
        "--upload-origin", action="append", default=[], help="R2's S3 endpoint the browser uploads to"
    )
    args = parser.parse_args(argv)
    write_deploy_files(build_console(), args.api_base.rstrip("/"), args.upload_origin)
    print(f"ready to deploy: {DIST}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
