"""`entra-aws plan / apply / matrix` as a person runs them, in a subprocess, against the moto server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Seeded

REPO = Path(__file__).resolve().parents[3]
CONFIG = str(REPO / "config" / "example.yaml")


def cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "entra_aws", *argv],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_plan_then_apply_then_nothing_left_to_do(seeded: Seeded) -> None:
    plan = cli("plan", "--config", CONFIG, "--json")
    assert plan.returncode == 0, plan.stderr
    planned = json.loads(plan.stdout)
    assert not planned["applied"] and planned["operations"]
    assert seeded.assignments() == [], "plan is read-only"

    refused = cli("apply", "--config", CONFIG)
    assert refused.returncode == 2 and "without --yes" in refused.stderr
    assert seeded.assignments() == []

    applied = cli("apply", "--config", CONFIG, "--yes", "--json")
    assert applied.returncode == 0, applied.stderr
    report = json.loads(applied.stdout)
    assert report["ok"] and len(report["results"]) == len(planned["operations"])

    again = cli("plan", "--config", CONFIG)
    assert again.returncode == 0 and "no changes" in again.stdout
    matrix = cli("matrix", "--config", CONFIG)
    assert "AWS-555555555556-ReadOnly" in matrix.stdout and "web-dev" in matrix.stdout


def test_scoped_plan_touches_only_its_group(seeded: Seeded) -> None:
    plan = cli("plan", "--config", CONFIG, "--scope", "group:AWS-Finance", "--json")
    assert plan.returncode == 0, plan.stderr
    grants = [op for op in json.loads(plan.stdout)["operations"] if op["kind"] == "create_assignment"]
    assert [(op["account_id"], op["permission_set"]) for op in grants] == [("111111111111", "Billing")]


def test_aws_failures_are_one_line(seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    result = cli("plan", "--config", CONFIG)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_plan_exits_1_when_a_finding_is_an_error(seeded: Seeded) -> None:
    result = cli("plan", "--config", CONFIG, "--scope", "group:AWS-Nobody")
    assert result.returncode == 1
    assert "no group named 'AWS-Nobody'" in result.stdout
