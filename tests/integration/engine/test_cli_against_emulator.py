"""`entra-aws plan / apply / matrix` as a person runs them, in a subprocess, against the moto server."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

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


def test_a_scope_naming_an_unknown_group_is_a_bad_scope(seeded: Seeded) -> None:
    result = cli("plan", "--config", CONFIG, "--scope", "group:AWS-Nobody")
    assert result.returncode == 2 and result.stdout == ""
    assert "no group named 'AWS-Nobody'" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def config_variant(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> str:
    """The example config (with the files it names) copied to `tmp_path`, changed by `change`."""
    folder = tmp_path / "config"
    shutil.copytree(REPO / "config", folder)
    data = yaml.safe_load((folder / "example.yaml").read_text())
    change(data)
    (folder / "example.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return str(folder / "example.yaml")


def test_a_config_naming_another_management_account_is_refused_in_one_line(seeded: Seeded, tmp_path: Path) -> None:
    wrong = config_variant(tmp_path, lambda data: data.update(management_account_id="999999999999"))
    for argv in (("plan",), ("apply", "--yes")):
        result = cli(*argv, "--config", wrong)
        assert result.returncode == 2, result.stderr
        assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "999999999999" in result.stderr and "111111111111" in result.stderr
    assert seeded.assignments() == []
    assert seeded.sso.list_permission_sets(InstanceArn=seeded.instance_arn)["PermissionSets"] == []


def test_a_rule_lost_by_mistake_is_planned_but_not_applied_until_mass_deletion_is_allowed(
    seeded: Seeded, tmp_path: Path
) -> None:
    assert cli("apply", "--config", CONFIG, "--yes").returncode == 0
    converged = seeded.assignments()

    def lose_the_auditors_rule(data: dict[str, Any]) -> None:
        data["assignments"] = [rule for rule in data["assignments"] if rule["name"] != "security-auditors"]
        # The example organization has 10 accounts: the rule's 10 assignments are 29 % of what is managed but not
        # more than the default max_count of 10, which suits real organizations.
        data["apply"]["mass_delete"] = {"max_count": 5}

    lost = config_variant(tmp_path, lose_the_auditors_rule)
    plan = cli("plan", "--config", lost, "--json")
    planned = json.loads(plan.stdout)
    deletions = [op for op in planned["operations"] if op["kind"] == "delete_assignment"]
    assert len(deletions) == len(planned["operations"]) == 10 and plan.returncode == 1
    assert "mass deletion held" in planned["blocked"] and not planned["ok"]

    held = cli("apply", "--config", lost, "--yes")
    assert held.returncode == 2 and len(held.stderr.strip().splitlines()) == 1, held.stderr
    assert "deletes 10 of the" in held.stderr and "--allow-mass-delete" in held.stderr
    assert seeded.assignments() == converged, "nothing applied"

    allowed = cli("apply", "--config", lost, "--yes", "--allow-mass-delete", "--json")
    assert allowed.returncode == 0, allowed.stderr
    assert len(json.loads(allowed.stdout)["results"]) == 10
    left = seeded.assignments()
    assert len(left) == len(converged) - 10 and all(a["group"] != "AWS-Security-Auditors" for a in left)
