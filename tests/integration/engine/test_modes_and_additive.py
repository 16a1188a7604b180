"""apply.mode observe and additive permission sets against the moto server: a full reconcile in observe mode
leaves the emulator exactly as it was (`entra-aws apply` refuses it without --enforce); an additive permission
set keeps a foreign USER assignment through a full reconcile."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from entra_aws.cli import reconcile_commands
from entra_aws.config import Config
from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.scope import Scope

from .conftest import REPO, Seeded

pytestmark = pytest.mark.integration

ALICE = "alice@example.com"
PAYMENTS_PROD = "444444444444"


def state(seeded: Seeded) -> dict[str, Any]:
    """Every permission set (content and tags) and every assignment of any principal, read with plain boto3."""
    sso, instance = seeded.sso, seeded.instance_arn
    accounts = [a["Id"] for a in seeded.orgs.list_accounts()["Accounts"]]
    found: dict[str, Any] = {}
    for arn in sso.list_permission_sets(InstanceArn=instance)["PermissionSets"]:
        described = sso.describe_permission_set(InstanceArn=instance, PermissionSetArn=arn)["PermissionSet"]
        described.pop("CreatedDate", None)
        policies = sso.list_managed_policies_in_permission_set(InstanceArn=instance, PermissionSetArn=arn)
        tags = sso.list_tags_for_resource(InstanceArn=instance, ResourceArn=arn)["Tags"]
        inline = sso.get_inline_policy_for_permission_set(InstanceArn=instance, PermissionSetArn=arn)
        held = [
            (account, a["PrincipalType"], a["PrincipalId"])
            for account in accounts
            for a in sso.list_account_assignments(InstanceArn=instance, AccountId=account, PermissionSetArn=arn)[
                "AccountAssignments"
            ]
        ]
        found[described["Name"]] = {
            "described": described,
            "policies": sorted(p["Arn"] for p in policies["AttachedManagedPolicies"]),
            "tags": sorted((t["Key"], t["Value"]) for t in tags),
            "inline": inline.get("InlinePolicy"),
            "assignments": sorted(held),
        }
    return found


def with_apply(config: Config, **settings: Any) -> Config:
    return config.model_copy(update={"apply": config.apply.model_copy(update=settings)})


def additive(config: Config, name: str) -> Config:
    sets = [
        ps.model_copy(update={"assignments": "additive"}) if ps.name == name else ps for ps in config.permission_sets
    ]
    return config.model_copy(update={"permission_sets": sets})


def grant(seeded: Seeded, permission_set: str, principal_type: str, principal_id: str) -> dict[str, str]:
    arns = seeded.sso.list_permission_sets(InstanceArn=seeded.instance_arn)["PermissionSets"]
    names = {
        seeded.sso.describe_permission_set(InstanceArn=seeded.instance_arn, PermissionSetArn=arn)["PermissionSet"][
            "Name"
        ]: arn
        for arn in arns
    }
    target = {
        "InstanceArn": seeded.instance_arn,
        "TargetId": PAYMENTS_PROD,
        "TargetType": "AWS_ACCOUNT",
        "PermissionSetArn": names[permission_set],
        "PrincipalType": principal_type,
        "PrincipalId": principal_id,
    }
    seeded.sso.create_account_assignment(**target)
    return target


def test_observe_mode_leaves_the_emulator_as_it_was(seeded: Seeded) -> None:
    assert reconcile(seeded.config, Scope.everything(), apply=True, context=seeded.context()).ok
    grant(seeded, "AdministratorAccess", "GROUP", seeded.groups["AWS-Finance"])  # drift enforce would revert
    before = state(seeded)
    observe = with_apply(seeded.config, mode="observe")
    report = reconcile(observe, Scope.everything(), apply=True, context=seeded.context())
    assert report.observed and report.plan.count("delete_assignment") == 1
    assert any(f.kind == "observed_changes" for f in report.findings)
    assert state(seeded) == before


def test_observe_mode_from_a_fresh_identity_center_creates_nothing(seeded: Seeded) -> None:
    before = state(seeded)
    report = reconcile(
        with_apply(seeded.config, mode="observe"), Scope.everything(), apply=True, context=seeded.context()
    )
    assert report.observed and report.plan.count("create_permission_set") > 0
    assert state(seeded) == before == {}


def test_cli_apply_refuses_observe_mode_in_one_line_unless_enforced(
    seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(REPO / "config", tmp_path / "config")
    path = tmp_path / "config" / "example.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("apply:\n  max_tps: 20\n", "apply:\n  mode: observe\n  max_tps: 20\n"), encoding="utf-8"
    )
    assert reconcile_commands.run("apply", ["--config", str(path), "--yes"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [reconcile_commands.OBSERVE_REFUSAL]
    assert state(seeded) == {}
    assert reconcile_commands.run("apply", ["--config", str(path), "--yes", "--enforce", "--json"]) == 0
    assert state(seeded)


def test_an_additive_permission_set_keeps_a_foreign_user_assignment_through_a_full_reconcile(seeded: Seeded) -> None:
    assert reconcile(seeded.config, Scope.everything(), apply=True, context=seeded.context()).ok
    foreign = (PAYMENTS_PROD, "USER", seeded.groups[ALICE])
    grant(seeded, "ReadOnly", "USER", seeded.groups[ALICE])  # a temporary-access tool's grant
    config = additive(with_apply(seeded.config, sweep_users=True), "ReadOnly")
    report = reconcile(config, Scope.everything(), apply=True, context=seeded.context())
    assert report.ok and report.plan.count("delete_assignment") == 0
    assert foreign in state(seeded)["ReadOnly"]["assignments"]
    assert any(f.kind == "additive_unexplained" and f.permission_set == "ReadOnly" for f in report.findings)
    exclusive = reconcile(
        with_apply(seeded.config, sweep_users=True), Scope.everything(), apply=True, context=seeded.context()
    )
    assert exclusive.plan.count("delete_assignment") == 1
    assert foreign not in state(seeded)["ReadOnly"]["assignments"]
