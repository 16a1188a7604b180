"""Through the deployed event path (simulate, subprocesses): Entra PIM for Groups (scenarios/pim-for-groups.yaml)
changes a user's access without any assignment change; a trusted writer's hand-made assignment is not reverted
(an exact ARN is left out by the drift rule, a pattern dropped by the router) while anyone else's still is."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
ENTRA_AWS = Path(sys.executable).parent / "entra-aws"
pytestmark = pytest.mark.integration

TRUSTED = "  trusted_writers: [arn:aws:iam::111111111111:role/ControlTowerAdmin, 'arn:aws:iam::*:role/TEAM-*']\n"
SCENARIO = """
organization: example-organization.yaml
deploy: true
steps:
  - action: manual_assignment
    group: AWS-Finance
    account: web-prod
    permission_set: AdministratorAccess
    by: arn:aws:iam::111111111111:role/TEAM-ApprovalFunction
    expect:
      present: [{group: AWS-Finance, account: web-prod, permission_set: AdministratorAccess}]
  - action: manual_assignment
    group: AWS-Finance
    account: web-dev
    permission_set: ReadOnly
    by: arn:aws:iam::111111111111:role/ControlTowerAdmin
    expect:
      present: [{group: AWS-Finance, account: web-dev, permission_set: ReadOnly}]
  - action: manual_assignment
    group: AWS-Network
    account: web-prod
    permission_set: AdministratorAccess
    by: arn:aws:iam::111111111111:role/Administrator
    expect:
      absent: [{group: AWS-Network, account: web-prod, permission_set: AdministratorAccess}]
"""


def simulate(config: Path, scenario: Path) -> dict[str, Any]:
    argv = [str(ENTRA_AWS), "simulate", "--config", str(config), "--scenario", str(scenario), "--json"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    result = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    played: dict[str, Any] = json.loads(result.stdout)
    return played


def test_a_pim_activation_and_its_expiry_change_access_and_no_assignment() -> None:
    played = simulate(REPO / "config" / "example.yaml", REPO / "scenarios" / "pim-for-groups.yaml")
    assert played["ok"] and played["expectations_checked"] == 5, played["failed_expectations"]
    activated, expired = [s for s in played["steps"] if s["action"].startswith("group_member_")]
    for step in (activated, expired):
        assert step["events"] == ["identitystore-scim.amazonaws.com PatchGroup (eu-west-1)"]
        assert step["routed"][0].startswith("group:AWS-Payments-Oncall")
        assert step["made_by_hand"] == step["added"] == step["removed"] == []
        [reconciled] = step["reconciled"]
        assert reconciled.startswith("scope group:AWS-Payments-Oncall: 0 succeeded, 0 failed (no changes)")


def test_a_trusted_writers_assignment_is_not_reverted_and_anyone_elses_is(tmp_path: Path) -> None:
    shutil.copytree(REPO / "config", tmp_path / "config")
    config = tmp_path / "config" / "example.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("automation:\n", "automation:\n" + TRUSTED, 1), encoding="utf-8")
    shutil.copy(REPO / "scenarios" / "example-organization.yaml", tmp_path / "example-organization.yaml")
    scenario = tmp_path / "trusted-writers.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    played = simulate(config, scenario)
    assert played["ok"], played["failed_expectations"]
    by_pattern, by_exact_arn, by_someone = played["steps"][1:]
    assert by_pattern["routed"] == ["ignored (made by a trusted writer (arn:aws:iam::*:role/TEAM-*): not drift)"], (
        by_pattern["routed"]
    )
    assert by_pattern["removed"] == [] and by_pattern["notifications"] == []
    assert by_exact_arn["routed"] == [], "the drift rule does not match: nothing reaches the router"
    assert by_exact_arn["removed"] == []
    assert [g["permission_set"] for g in by_someone["removed"]] == ["AdministratorAccess"]
    assert any("drift reverted" in n for n in by_someone["notifications"])
