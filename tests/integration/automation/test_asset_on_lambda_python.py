"""What is deployed is what was tested: the staged Lambda asset, alone, under the functions' runtime version.

Each handler is imported by CPython 3.13 in isolated mode without the site module (`-I -S`: no environment
variables, no user or system site-packages), with only the asset folder on sys.path, and a real-shaped SCIM
CreateGroup event is played through the event router against the emulator; the reconcile it queues is read
back. Every third-party module must come from the asset at exactly the version requirements-lambda.txt pins.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import boto3
import pytest

from entra_aws.config import load_config
from sandbox.deployment import Deployment, StackTemplate, deploy, synthesize
from stacks.lambda_asset import stage
from tests.conftest import REPO
from tests.unit.events import samples

pytestmark = pytest.mark.integration
CONFIG = load_config(REPO / "config" / "example.yaml")
HANDLERS = ("lambdas.event_router", "lambdas.reconcile_worker", "lambdas.deploy_reconcile")
DISTRIBUTIONS = {"boto3": "boto3", "botocore": "botocore", "pydantic": "pydantic", "yaml": "PyYAML"}
DISTRIBUTIONS |= {"aws_lambda_powertools": "aws-lambda-powertools", "pydantic_core": "pydantic-core"}


def lambda_python() -> str:
    """The Lambda runtime's CPython (3.13): from pyenv, which these machines carry, or on PATH (a pyenv shim on
    PATH may name a version that is not selected, so each candidate must answer)."""
    candidates = [str(p) for p in sorted(Path.home().glob(".pyenv/versions/3.13*/bin/python3.13"))]
    candidates += [found] if (found := shutil.which("python3.13")) else []
    for candidate in candidates:
        answer = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True)
        if answer.returncode == 0 and answer.stdout.strip() == b"(3, 13)":
            return candidate
    pytest.skip("no CPython 3.13 (the Lambda runtime's version) on this machine: the staged asset was not run")


def pinned() -> dict[str, str]:
    lines = (REPO / "requirements-lambda.txt").read_text().splitlines()
    pins = [line.split("==") for line in lines if "==" in line and not line.startswith("#")]
    return {name.lower(): version for name, version in pins}


def run_isolated(asset: Path, script: str, environment: dict[str, str]) -> Any:
    prelude = f"import sys; sys.path.insert(0, {str(asset)!r})\n"
    result = subprocess.run(
        [lambda_python(), "-I", "-S", "-c", prelude + textwrap.dedent(script)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=asset,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def asset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return stage(CONFIG, tmp_path_factory.mktemp("asset"))


def test_every_handler_imports_from_the_asset_alone_at_the_pinned_versions(asset: Path) -> None:
    script = f"""
        import importlib, importlib.metadata, json, sys
        for name in {HANDLERS!r}:
            importlib.import_module(name)
        outside = sorted(
            name for name, module in sys.modules.items()
            if getattr(module, "__file__", None) and not module.__file__.startswith({str(asset)!r})
            and not module.__file__.startswith(sys.base_prefix)
        )
        versions = {{d: importlib.metadata.version(d) for d in {sorted(DISTRIBUTIONS.values())!r}}}
        files = {{m: sys.modules[m].__file__ for m in {sorted(DISTRIBUTIONS)!r} if m in sys.modules}}
        print(json.dumps({{"version": sys.version_info[:2], "outside": outside, "versions": versions, "files": files}}))
    """
    found = run_isolated(asset, script, {"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "eu-west-1"})
    assert found["version"] == [3, 13]
    assert found["outside"] == []
    assert {name.lower(): version for name, version in found["versions"].items()} == {
        name.lower(): pinned()[name.lower()] for name in DISTRIBUTIONS.values()
    }
    assert all(Path(path).is_relative_to(asset) for path in found["files"].values()), found["files"]


@pytest.fixture(scope="module")
def templates() -> list[StackTemplate]:
    return synthesize(CONFIG)


@pytest.fixture
def deployment(aws: str, templates: list[StackTemplate]) -> Deployment:
    return deploy(templates, CONFIG, "111111111111")


def test_a_scim_event_goes_through_the_staged_router_under_python_3_13(
    asset: Path, deployment: Deployment, aws: str
) -> None:
    [router] = [m for m in deployment.mappings if m.function.handler.endswith("event_router.handler")]
    record = {
        "messageId": "m-1",
        "receiptHandle": "r-1",
        "body": json.dumps(samples.scim_create_group("94a8d4a8-0001-7000-aaaa-000000000001")),
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": router.queue_arn,
        "awsRegion": deployment.region,
    }
    environment = {
        **router.function.environment,
        "PATH": os.environ.get("PATH", ""),
        "AWS_ENDPOINT_URL": aws,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": deployment.region,
        "AWS_DEFAULT_REGION": deployment.region,
        "AWS_LAMBDA_FUNCTION_NAME": router.function.name,
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    script = f"""
        import json
        from lambdas import event_router

        class Context:
            function_name = {router.function.name!r}
            memory_limit_in_mb = 256
            invoked_function_arn = "arn:aws:lambda:{deployment.region}:111111111111:function:router"
            aws_request_id = "req-1"
            def get_remaining_time_in_millis(self):
                return 60000

        result = event_router.handler({{"Records": [{json.dumps(record)}]}}, Context())
        print(json.dumps(result))
    """
    result = run_isolated(asset, script, environment)
    assert result == {"batchItemFailures": []}
    [reconcile_queue] = [m.queue_url for m in deployment.mappings if m.function.handler.endswith("worker.handler")]
    sqs = boto3.client("sqs", region_name=deployment.region)
    messages = sqs.receive_message(QueueUrl=reconcile_queue, MaxNumberOfMessages=10).get("Messages", [])
    scopes = [json.loads(m["Body"])["scope"] for m in messages]
    assert scopes == [{"kind": "group", "value": "94a8d4a8-0001-7000-aaaa-000000000001"}]
