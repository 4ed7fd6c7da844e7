"""What a deployment of the console adds to the build: where the API is, and a strict CSP."""

from __future__ import annotations

import json


def test_the_deploy_files_name_the_api_and_allow_scripts_from_the_console_only(tmp_path):
    from sauti_dev.console import write_deploy_files

    write_deploy_files(tmp_path, "https://api.sauti.example", ["https://acct.r2.cloudflarestorage.com"])

    assert json.loads((tmp_path / "config.json").read_text()) == {"apiBase": "https://api.sauti.example"}
    headers = (tmp_path / "_headers").read_text()
    policy = next(line for line in headers.splitlines() if "Content-Security-Policy" in line)
    assert "script-src 'self';" in policy and "unsafe-eval" not in policy
    assert "connect-src 'self' https://api.sauti.example https://acct.r2.cloudflarestorage.com;" in policy
    assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
