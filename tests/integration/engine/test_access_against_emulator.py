"""`entra-aws access` against the moto server after the example config was applied: the example organization's
members expanded through their groups, plus one direct user assignment."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.scope import Scope

from .conftest import Seeded

REPO = Path(__file__).resolve().parents[3]
CONFIG = str(REPO / "config" / "example.yaml")


def cli(*argv: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "entra_aws", "access", "--config", CONFIG, *argv]
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=120, stdin=subprocess.DEVNULL)


def applied_with_a_direct_grant(seeded: Seeded) -> None:
    assert reconcile(seeded.config, Scope.everything(), apply=True, context=seeded.context()).ok
    read_only = next(
        arn
        for arn in seeded.sso.list_permission_sets(InstanceArn=seeded.instance_arn)["PermissionSets"]
        if seeded.sso.describe_permission_set(InstanceArn=seeded.instance_arn, PermissionSetArn=arn)["PermissionSet"][
            "Name"
        ]
        == "ReadOnly"
    )
    seeded.sso.create_account_assignment(
        InstanceArn=seeded.instance_arn,
        TargetId="666666666666",
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=read_only,
        PrincipalType="USER",
        PrincipalId=seeded.groups["alice@example.com"],
    )


def test_csv_has_a_row_per_person_account_and_permission_set_with_its_path(seeded: Seeded) -> None:
    applied_with_a_direct_grant(seeded)
    done = cli("--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(rows[0]) == ["user", "user_id", "via", "account_id", "account_name", "permission_set", "privileged"]
    seen = {(r["user"], r["via"], r["account_name"], r["permission_set"], r["privileged"]) for r in rows}
    assert ("frank@example.com", "group AWS-Platform-Admins", "payments-prod", "AdministratorAccess", "true") in seen
    assert ("carol@example.com", "group AWS-Payments-Oncall", "payments-prod", "PowerUser", "true") in seen
    assert ("bob@example.com", "group AWS-555555555556-ReadOnly", "web-dev", "ReadOnly", "false") in seen
    assert ("alice@example.com", "direct", "sandbox-alice", "ReadOnly", "false") in seen
    assert len(seen) == len(rows)
    assert {r["user_id"] for r in rows if r["user"] == "bob@example.com"} == {seeded.groups["bob@example.com"]}


def test_filters_narrow_the_rows_and_a_filter_naming_nothing_exits_2(seeded: Seeded) -> None:
    applied_with_a_direct_grant(seeded)
    done = cli("--user", "bob@example.com", "--account", "web-dev", "--format", "json")
    assert done.returncode == 0, done.stderr
    paths = sorted((r["via"], r["permission_set"]) for r in json.loads(done.stdout))
    assert paths == [("group AWS-555555555556-ReadOnly", "ReadOnly"), ("group AWS-Developers", "Developer")]
    privileged = cli("--privileged", "--format", "json")
    assert {r["permission_set"] for r in json.loads(privileged.stdout)} == {"AdministratorAccess", "PowerUser"}
    table = cli("--group", "AWS-Finance")
    assert table.returncode == 0 and "erin@example.com  group AWS-Finance  111111111111" in table.stdout
    unknown = cli("--group", "AWS-Nope")
    assert (unknown.returncode, unknown.stderr) == (2, "entra-aws access: no group 'AWS-Nope' in the identity store\n")


def test_html_with_plan_is_written_without_network_references(seeded: Seeded, tmp_path: Path) -> None:
    report = tmp_path / "access.html"
    done = cli("--html", str(report), "--with-plan")
    assert done.returncode == 0, done.stderr
    page = report.read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page
    assert "create assignment" in page  # nothing applied yet: the plan is pending
