"""Benchmark: how long importing each Lambda handler module takes in a fresh interpreter.

Importing the handler is the part of a Lambda cold start (INIT) that this code controls. Each measurement is
one new interpreter, started in the repository root (as Lambda starts in the asset root) with the environment
the automation stack gives the functions (lambdas/settings.py) plus the variables the Lambda runtime
sets; it times `import <handler module>` with perf_counter, so interpreter start-up is not counted. Runs are
interleaved across handlers so machine noise hits all alike; the result is the median per handler. The
target is 300 ms each.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from lambdas.settings import HandlerSettings

REPO = Path(__file__).resolve().parents[1]
HANDLERS = ("lambdas.event_router", "lambdas.reconcile_worker", "lambdas.deploy_reconcile")

STACK_ENVIRONMENT = HandlerSettings(
    reconcile_queue_url="https://sqs.eu-west-1.amazonaws.com/111111111111/entra-aws-reconcile.fifo",
    topic_arn="arn:aws:sns:eu-west-1:111111111111:entra-aws-notifications",
    idempotency_table="entra-aws-idempotency",
    automation_role_arns=("arn:aws:iam::111111111111:role/entra-aws-reconcile-worker",),
    max_concurrent_reconciles=2,
).to_environment()
"""What the automation stack sets on the functions (lambdas.settings; placeholder values of the same shape)."""

RUNTIME_ENVIRONMENT = {
    "AWS_LAMBDA_FUNCTION_NAME": "entra-aws-bench",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
    "AWS_REGION": "eu-west-1",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000",
    "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
}
"""What the Lambda runtime sets (tracing is ACTIVE on the functions, so the X-Ray variables are present)."""

_IMPORT_ONE = (
    "import importlib, sys, time\n"
    "started = time.perf_counter()\n"
    "importlib.import_module(sys.argv[1])\n"
    "print((time.perf_counter() - started) * 1000)\n"
)


def lambda_environment() -> dict[str, str]:
    """The machine's environment without its AWS or Powertools settings, plus the stack's and the runtime's."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_", "_X_AMZN"))}
    return inherited | STACK_ENVIRONMENT | RUNTIME_ENVIRONMENT


def import_ms(handler: str, env: dict[str, str]) -> float:
    """Milliseconds to import `handler` in a new interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_ONE, handler], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"importing {handler} failed: {last}")
    return float(result.stdout)


def measure(runs: int = 11) -> dict[str, float]:
    """Median import ms per handler module over `runs` fresh interpreters (after one discarded warm-up)."""
    env = lambda_environment()
    samples: dict[str, list[float]] = {handler: [] for handler in HANDLERS}
    for handler in HANDLERS:
        import_ms(handler, env)  # writes the .pyc files and warms the file cache: every timed run then sees the same
    for _ in range(runs):
        for handler in HANDLERS:
            samples[handler].append(import_ms(handler, env))
    return {handler: statistics.median(times) for handler, times in samples.items()}


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
