"""`make demo` end to end, and the same machinery failing loudly: the quickstart story through the emulator's
EventBridge and SQS into the real handlers (subprocesses: each run owns its emulator); a config changed to break
the scenario's expectations exits 1 naming them; a scenario naming something that does not exist exits 2."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
ENTRA_AWS = Path(sys.executable).parent / "entra-aws"
pytestmark = pytest.mark.integration


def demo_command() -> list[str]:
    """The command `make demo` runs, read from the Makefile so this test and the demo cannot drift apart."""
    lines = (REPO / "Makefile").read_text(encoding="utf-8").splitlines()
    recipe = lines[lines.index("demo: setup") + 1].strip()
    assert recipe.startswith("$(BIN)/entra-aws "), recipe
    return [str(ENTRA_AWS), *recipe.removeprefix("$(BIN)/entra-aws ").split()]


def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False)


def test_make_demo_plays_the_quickstart_through_the_deployed_event_path() -> None:
    result = run(demo_command())
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "Traceback" not in result.stderr
    # deployed from the synthesized templates, the forwarder included
    assert "Deployed EntraAwsAutomation, EntraAwsOrgEventForwarder-us-east-1" in out
    assert "event     CloudFormation custom resource Create -> DeployReconcile" in out
    # 1: SCIM CreateGroup -> IdentityChanges rule -> router -> group scope -> worker -> assignment
    assert "event     identitystore-scim.amazonaws.com CreateGroup (eu-west-1)" in out
    assert "routed    group:AWS-444444444445-ReadOnly  (identitystore-scim.amazonaws.com CreateGroup)" in out
    assert "    + AWS-444444444445-ReadOnly  ReadOnly  444444444445 web-prod" in out
    # 2: Organizations events in us-east-1, forwarded to the home region
    assert "event     organizations.amazonaws.com CreateAccountResult (us-east-1)" in out
    assert "    + AWS-Developers  Developer  555555555557 data-dev" in out
    # 3: a hand-made assignment is reverted and notified
    assert "by hand   + AWS-Finance  AdministratorAccess  444444444445 web-prod" in out
    assert "notified  entra-aws: drift reverted (group:AWS-Finance)" in out
    assert "    - AWS-Finance  AdministratorAccess  444444444445 web-prod" in out
    # 4: SCIM DeleteGroup cleans up
    assert "    - AWS-444444444445-ReadOnly (deleted)  ReadOnly  444444444445 web-prod" in out
    # 5: a convention group asking for a privileged set is refused, and the team is told
    assert "    finding   warning: convention per-account, group 'AWS-444444444445-AdministratorAccess'" in out
    assert "notified  entra-aws: warning: convention per-account, group 'AWS-444444444445-AdministratorAccess'" in out
    # 6: the schedule finds nothing left to do
    assert "scope all: 0 succeeded, 0 failed (no changes)" in out
    assert "DEAD-LETTER" not in out
    matrix = out[out.index("Access matrix at the end") :]
    assert "AWS-Developers             555555555557 data-dev          Developer" in matrix
    assert "AWS-444444444445-ReadOnly" not in matrix
    assert "Expectations: all 14 met." in out


def broken_copy(tmp_path: Path) -> Path:
    """The example config with ReadOnly's session shortened and the per-account convention no longer allowing
    ReadOnly: two expectations of the quickstart must now fail."""
    shutil.copytree(REPO / "config", tmp_path / "config")
    path = tmp_path / "config" / "example.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "    session_duration: PT8H\n    managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]",
        "    session_duration: PT4H\n    managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]",
    )
    text = text.replace(
        "allowed_permission_sets: [ReadOnly, Developer, Billing]", "allowed_permission_sets: [Developer, Billing]"
    )
    path.write_text(text, encoding="utf-8")
    return path


def test_a_config_change_that_breaks_the_story_fails_and_names_each_expectation(tmp_path: Path) -> None:
    config = broken_copy(tmp_path)
    result = run(
        [str(ENTRA_AWS), "simulate", "--config", str(config), "--scenario", "scenarios/quickstart.yaml", "--json"]
    )
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["failed_expectations"] == [
        "step 1 (scim_group_created): expected present, missing: AWS-444444444445-ReadOnly -> ReadOnly on web-prod",
        "end: expected present, missing: AWS-555555555556-ReadOnly -> ReadOnly on web-dev",
        "end: permission set ReadOnly: session_duration is 'PT4H', expected 'PT8H'",
    ]
    assert [step["action"] for step in report["steps"]] == [
        "deploy",
        "scim_group_created",
        "account_created",
        "manual_assignment",
        "scim_group_deleted",
        "scim_group_created",
        "scheduled_reconcile",
    ]


def test_a_scenario_naming_a_missing_group_is_one_line_exit_2(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(
        f"organization: {REPO / 'scenarios' / 'example-organization.yaml'}\n"
        "deploy: false\n"
        "steps:\n  - action: scim_group_deleted\n    group: AWS-Nobody\n",
        encoding="utf-8",
    )
    result = run([str(ENTRA_AWS), "simulate", "--config", "config/example.yaml", "--scenario", str(scenario)])
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"entra-aws simulate: {scenario}: group 'AWS-Nobody' does not exist (known: ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["simulate", "--config", "config/example.yaml"], "the following arguments are required: --scenario"),
        (
            ["simulate", "--config", "nope.yaml", "--scenario", "scenarios/quickstart.yaml"],
            "--config nope.yaml: no such file",
        ),
        (["simulate", "--config", "config/example.yaml", "--scenario", "x", "--speed", "2"], "unrecognized arguments"),
    ],
)
def test_bad_arguments_are_one_line_exit_2(argv: list[str], message: str) -> None:
    result = run([str(ENTRA_AWS), *argv])
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert message in line


def test_renames_tags_moves_enrollment_removal_and_hand_removal_are_each_followed() -> None:
    argv = ["simulate", "--config", "config/example.yaml", "--scenario", "scenarios/organization-changes.yaml"]
    result = run([str(ENTRA_AWS), *argv, "--json"])
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["expectations_checked"] == 12
    steps = {step["action"]: step for step in report["steps"]}
    for action in (
        "scim_group_renamed",
        "account_tagged",
        "account_untagged",
        "account_moved",
        "control_tower_account_enrolled",
        "account_removed",
        "manual_assignment",
    ):
        assert steps[action]["added"] or steps[action]["removed"], action
    assert steps["scim_group_renamed"]["made_by_hand"] == []  # a rename is not itself a change of access
    assert steps["manual_assignment"]["notifications"] == [
        "entra-aws: manual Identity Center change (DeleteAccountAssignment)",
        "entra-aws: drift reverted (group:AWS-Finance)",
    ]
    assert steps["scheduled_reconcile"]["added"] == steps["scheduled_reconcile"]["removed"] == []


def test_a_config_pinning_its_identity_center_instance_runs_against_the_emulators(tmp_path: Path) -> None:
    shutil.copytree(REPO / "config", tmp_path / "config")
    path = tmp_path / "config" / "example.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "  region: eu-west-1                                 # Identity Center home region",
        "  region: eu-west-1\n  instance_arn: arn:aws:sso:::instance/ssoins-1234567890abcdef\n"
        "  identity_store_id: d-1234567890",
    )
    path.write_text(text, encoding="utf-8")
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(
        f"organization: {REPO / 'scenarios' / 'example-organization.yaml'}\n"
        "steps:\n  - action: scim_group_created\n    group: AWS-444444444445-ReadOnly\n"
        "    expect:\n      present:\n"
        "        - {group: AWS-444444444445-ReadOnly, account: web-prod, permission_set: ReadOnly}\n",
        encoding="utf-8",
    )
    result = run([str(ENTRA_AWS), "simulate", "--config", str(path), "--scenario", str(scenario)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Config pins Identity Center arn:aws:sso:::instance/ssoins-1234567890abcdef" in result.stdout
    assert "Expectations: all 1 met." in result.stdout
