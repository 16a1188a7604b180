"""`entra-aws import` in a subprocess against a brownfield Identity Center: hand-made assignments of a hand-made
permission set, a Control Tower set, a user's direct grant."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from .conftest import Seeded
from .test_cli_against_emulator import cli

TENANT = "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
PROD, WEB_PROD, DEV = "444444444444", "444444444445", "555555555555"
MANAGEMENT = "111111111111"


def _permission_set(seeded: Seeded, name: str, policy: str) -> str:
    arn = seeded.sso.create_permission_set(InstanceArn=seeded.instance_arn, Name=name, SessionDuration="PT2H")[
        "PermissionSet"
    ]["PermissionSetArn"]
    seeded.sso.attach_managed_policy_to_permission_set(
        InstanceArn=seeded.instance_arn, PermissionSetArn=arn, ManagedPolicyArn=policy
    )
    return str(arn)


def _assign(seeded: Seeded, arn: str, account: str, principal_type: str, principal_id: str) -> None:
    seeded.sso.create_account_assignment(
        InstanceArn=seeded.instance_arn,
        TargetId=account,
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=arn,
        PrincipalType=principal_type,
        PrincipalId=principal_id,
    )


def _every_assignment(seeded: Seeded) -> set[tuple[str, str, str, str]]:
    found = set()
    for arn in seeded.sso.list_permission_sets(InstanceArn=seeded.instance_arn)["PermissionSets"]:
        accounts = seeded.sso.list_accounts_for_provisioned_permission_set(
            InstanceArn=seeded.instance_arn, PermissionSetArn=arn
        )["AccountIds"]
        for account in accounts:
            held = seeded.sso.list_account_assignments(
                InstanceArn=seeded.instance_arn, AccountId=account, PermissionSetArn=arn
            )["AccountAssignments"]
            found |= {(account, arn, a["PrincipalType"], a["PrincipalId"]) for a in held}
    return found


def brownfield(seeded: Seeded) -> None:
    """ReadOnly made by hand for the developers on the Workloads/Prod OU and one NonProd account, for alice on
    one account; a Control Tower set for the platform admins on the management account."""
    read_only = _permission_set(seeded, "ReadOnly", READ_ONLY)
    tower = _permission_set(seeded, "AWSControlTowerAdmin", "arn:aws:iam::aws:policy/AdministratorAccess")
    for account in (PROD, WEB_PROD, DEV):
        _assign(seeded, read_only, account, "GROUP", seeded.groups["AWS-Developers"])
    _assign(seeded, read_only, DEV, "USER", seeded.groups["alice@example.com"])
    _assign(seeded, tower, MANAGEMENT, "GROUP", seeded.groups["AWS-Platform-Admins"])


def test_a_brownfield_import_validates_adopts_without_a_change_and_then_plans_no_changes(
    seeded: Seeded, tmp_path: Path
) -> None:
    brownfield(seeded)
    before = _every_assignment(seeded)
    out = tmp_path / "imported.yaml"
    imported = cli("import", "--out", str(out), "--tenant-id", TENANT)
    assert imported.returncode == 0, imported.stderr
    assert "left out: AWSControlTowerAdmin" in imported.stdout
    assert cli("validate", str(out)).returncode == 0

    document = yaml.safe_load(out.read_text())
    assert [ps["name"] for ps in document["permission_sets"]] == ["ReadOnly"]
    assert document["apply"]["adopt_permission_sets"] == ["ReadOnly"]
    targets = {rule["name"]: rule["targets"] for rule in document["assignments"]}
    assert targets == {
        "AWS-Developers: ReadOnly": {"ous": ["/Workloads/Prod"], "accounts": [DEV]},
        "alice@example.com: ReadOnly": {"accounts": [DEV]},
    }

    plan = cli("plan", "--config", str(out), "--json")
    assert plan.returncode == 0, plan.stdout + plan.stderr
    operations = [(op["kind"], op["permission_set"]) for op in json.loads(plan.stdout)["operations"]]
    assert operations == [("tag_permission_set", "ReadOnly")], "no changes besides adopting"

    assert document["apply"]["mode"] == "observe"
    assert cli("apply", "--config", str(out), "--yes").returncode == 2, "observe mode applies nothing"
    assert _every_assignment(seeded) == before
    applied = cli("apply", "--config", str(out), "--yes", "--enforce")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    after = cli("plan", "--config", str(out))
    assert after.returncode == 0 and "no changes" in after.stdout, after.stdout
    assert _every_assignment(seeded) == before, "every assignment kept, the Control Tower set's too"


def test_import_refuses_in_one_line(seeded: Seeded, tmp_path: Path) -> None:
    taken = tmp_path / "taken.yaml"
    taken.write_text("kept: true\n")
    for argv, why in (
        (("--out", str(taken)), "already exists"),
        (("--out", str(tmp_path / "x.yaml"), "--tenant-id", "tenant"), "not a GUID"),
        (("--out", str(tmp_path / "x.yaml"), "--leave-out", "("), "not a valid regex"),
    ):
        result = cli("import", *argv)
        assert result.returncode == 2 and why in result.stderr and len(result.stderr.splitlines()) == 1, result
    assert taken.read_text() == "kept: true\n" and not (tmp_path / "x.yaml").exists()
