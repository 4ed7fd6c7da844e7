"""The GitHub workflows: pinned, credential-free checkouts, one deploy per environment at a time, its
own role per environment, nothing unreviewed between the build and the deploy, migrations first."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from sauti_dev.template import PROJECT_ROOT

WORKFLOWS = sorted((PROJECT_ROOT / ".github" / "workflows").glob("*.yml"))
DEPLOY = PROJECT_ROOT / ".github" / "workflows" / "deploy.yml"
SHA = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
# What may not run between `sam build` and `sam deploy`: anything fetched at run time.
FETCHING = re.compile(r"\b(npx|npm|pip install|uv pip install|curl|wget|make deploy-check)\b")


def workflow(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text())
    return document


def deploy_job() -> dict[str, Any]:
    job: dict[str, Any] = workflow(DEPLOY)["jobs"]["deploy"]
    return job


def steps_text(job: dict[str, Any]) -> list[str]:
    return [str(step.get("run", "")) + " " + str(step.get("uses", "")) for step in job["steps"]]


def index_of(texts: list[str], needle: str) -> int:
    found = [i for i, text in enumerate(texts) if needle in text]
    assert found, f"no step runs {needle!r}"
    return found[0]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_every_action_is_pinned_to_a_commit_and_no_checkout_keeps_its_credentials(path):
    for name, job in workflow(path)["jobs"].items():
        for step in job.get("steps", []):
            if "uses" in step:
                assert SHA.match(step["uses"]), f"{path.name} {name}: {step['uses']} is not pinned to a SHA"
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") is False, (
                    f"{path.name} {name}: the checkout leaves the token in .git/config"
                )


def test_each_environment_deploys_one_at_a_time_with_its_own_environment_and_role():
    document, job = workflow(DEPLOY), deploy_job()
    environment = job["environment"]

    assert "concurrency" not in document, "a workflow-level group keyed on the ref lets two tags deploy prod"
    assert job["concurrency"]["group"] == f"deploy-{environment}", "one group per environment"
    assert job["concurrency"]["cancel-in-progress"] is False
    assert "'prod'" in environment and "'dev'" in environment
    credentials = next(s for s in job["steps"] if "configure-aws-credentials" in str(s.get("uses")))
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}", (
        "the role must be the GitHub environment's own variable"
    )
    assert document["permissions"] == {}, "the workflow grants nothing by default"


def test_nothing_fetched_at_run_time_runs_between_the_build_and_the_deploy():
    texts = steps_text(deploy_job())
    build, deploy = index_of(texts, "sam build"), index_of(texts, "sam deploy")

    assert build < deploy
    for text in texts[build + 1 : deploy]:
        assert not FETCHING.search(text), f"runs between sam build and sam deploy: {text.strip()}"
    assert not any("setup-node" in text for text in texts), "the deploy job needs no npm"


def test_the_deploy_job_checks_before_and_proves_after_and_never_migrates_after_the_code():
    texts = steps_text(deploy_job())
    parameters = index_of(texts, "scripts/deploy-parameters")
    preflight = index_of(texts, "sauti preflight --env")
    deploy = index_of(texts, "sam deploy")
    smoke = index_of(texts, "sauti smoke --base-url")

    assert parameters < preflight < deploy < smoke
    assert not any("lambda invoke" in text for text in texts[deploy:]), (
        "the Migrations custom resource migrates before the code: no invoke after the deploy"
    )


def test_the_deploy_tools_are_installed_from_hashes():
    lock = (PROJECT_ROOT / "requirements" / "deploy.lock").read_text()
    pin = r"^([A-Za-z0-9_.-]+)(?:\[[a-z0-9,-]+\])?==[^\n]* \\\n((?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)"
    pins = re.findall(pin, lock, re.M)
    names = {name.lower() for name, _ in pins}
    makefile = (PROJECT_ROOT / "Makefile").read_text()

    assert {"aws-sam-cli", "uv"} <= names
    assert len(pins) == len(re.findall(r"^[A-Za-z0-9_.\[\],-]+==", lock, re.M)), "a pin without hashes"
    assert "--require-hashes --no-deps -r requirements/deploy.lock" in makefile


@pytest.mark.skipif(shutil.which("zizmor", path=str(Path(sys.executable).parent)) is None, reason="no zizmor")
def test_zizmor_finds_nothing_in_the_workflows():
    zizmor = shutil.which("zizmor", path=str(Path(sys.executable).parent))
    result = subprocess.run(
        [str(zizmor), "--offline", "--no-progress", *map(str, WORKFLOWS)], capture_output=True, text=True
    )

    assert result.returncode == 0, result.stdout + result.stderr
