"""Importing a handler stays light: the X-Ray SDK (behind Powertools' Tracer) loads on the first invocation,
not at import. Behaviour, not timing: each check runs in a fresh interpreter and inspects sys.modules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
HANDLERS = ["lambdas.event_router", "lambdas.reconcile_worker", "lambdas.deploy_reconcile"]
LAMBDA_ENVIRONMENT = {
    "POWERTOOLS_SERVICE_NAME": "entra-aws",
    "POWERTOOLS_METRICS_NAMESPACE": "EntraAws",
    "AWS_LAMBDA_FUNCTION_NAME": "entra-aws-test",
    "AWS_REGION": "eu-west-1",
    "AWS_DEFAULT_REGION": "eu-west-1",
}


def fresh_interpreter(code: str) -> dict[str, bool]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env | LAMBDA_ENVIRONMENT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    loaded: dict[str, bool] = json.loads(result.stdout)
    return loaded


@pytest.mark.parametrize("handler", HANDLERS)
def test_importing_a_handler_does_not_load_the_xray_sdk(handler: str) -> None:
    code = f"import json, sys, {handler}; print(json.dumps({{'xray': 'aws_xray_sdk' in sys.modules}}))"
    assert fresh_interpreter(code) == {"xray": False}


def test_the_tracer_is_built_on_the_first_invocation() -> None:
    code = (
        "import json, sys\n"
        "from lambdas import _runtime\n"
        "handler = _runtime.traced(lambda event, context: event['answer'])\n"
        "before = 'aws_xray_sdk' in sys.modules\n"
        "answers = [handler({'answer': 42}, None), handler({'answer': 43}, None)]\n"
        "print(json.dumps({'before': before, 'after': 'aws_xray_sdk' in sys.modules, 'answers': answers == [42, 43]}))"
    )
    assert fresh_interpreter(code) == {"before": False, "after": True, "answers": True}
