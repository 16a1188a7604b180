"""topology delegated_admin, synthesized from config/delegated-admin.yaml: the automation (every function) in the
delegated administrator account, only forwarders in the management account, and a bus that accepts only them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.infrastructure.synthesized import Template, template, templates
from tests.support.event_pattern import matches
from tests.unit.events import samples

pytestmark = pytest.mark.infrastructure
MANAGEMENT = "111111111111"
DELEGATED = "333333333334"
HOME = "eu-west-1"


def forwarders(assembly: Path) -> list[Template]:
    return [t for t in templates(assembly) if t.name.startswith("EntraAwsManagementForwarder-")]


def statements(t: Template) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for policy in t.resources("AWS::IAM::Policy").values():
        found += t.resolve(policy["PolicyDocument"]["Statement"])
    for role in t.resources("AWS::IAM::Role").values():
        for inline in role.get("Policies", []):
            found += t.resolve(inline["PolicyDocument"]["Statement"])
    return found


def actions(statement: dict[str, Any]) -> list[str]:
    value = statement.get("Action", [])
    return [value] if isinstance(value, str) else list(value)


def test_the_automation_is_in_the_delegated_account_and_home_region(delegated_assembly: Path) -> None:
    automation = template(delegated_assembly, "EntraAwsAutomation")
    assert (automation.account, automation.region) == (DELEGATED, HOME)
    assert len(automation.resources("AWS::Lambda::Function")) == 3  # router, worker, deploy reconcile


def test_the_management_account_holds_forwarders_in_us_east_1_and_the_home_region(delegated_assembly: Path) -> None:
    placed = {(t.name, t.account, t.region) for t in forwarders(delegated_assembly)}
    assert placed == {
        ("EntraAwsManagementForwarder-us-east-1", MANAGEMENT, "us-east-1"),
        (f"EntraAwsManagementForwarder-{HOME}", MANAGEMENT, HOME),
    }
    assert not [t.name for t in templates(delegated_assembly) if t.name.startswith("EntraAwsOrgEventForwarder")]


def test_management_stacks_have_no_function_and_no_identity_center_permission(delegated_assembly: Path) -> None:
    for t in forwarders(delegated_assembly):
        assert t.resources("AWS::Lambda::Function") == {}, t.name
        granted = {action for s in statements(t) for action in actions(s)}
        assert granted == {"events:PutEvents"}, t.name


def test_forwarders_target_the_delegated_bus_with_a_role_trusting_only_their_account(delegated_assembly: Path) -> None:
    bus = f"arn:aws:events:{HOME}:{DELEGATED}:event-bus/default"
    for t in forwarders(delegated_assembly):
        for rule in t.resources("AWS::Events::Rule").values():
            (target,) = t.resolve(rule["Targets"])
            assert target["Arn"] == bus and "RoleArn" in target and "DeadLetterConfig" in target
        (role,) = t.resources("AWS::IAM::Role").values()
        (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": MANAGEMENT}}
        assert [s["Resource"] for s in statements(t)] == [bus]


def test_the_delegated_bus_accepts_exactly_the_forwarding_rules(delegated_assembly: Path) -> None:
    automation = template(delegated_assembly, "EntraAwsAutomation")
    (policy,) = automation.resources("AWS::Events::EventBusPolicy").values()
    statement = automation.resolve(policy["Statement"])
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"}
    assert statement["Action"] == "events:PutEvents"
    assert statement["Resource"] == f"arn:aws:events:{HOME}:{DELEGATED}:event-bus/default"
    rules = {
        f"arn:aws:events:{t.region}:{t.account}:rule/{rule['Name']}"
        for t in forwarders(delegated_assembly)
        for rule in t.resources("AWS::Events::Rule").values()
    }
    assert set(statement["Condition"]["ArnEquals"]["aws:SourceArn"]) == rules and len(rules) == 2


def _forwarding_rule(assembly: Path, region: str) -> dict[str, Any]:
    (rule,) = template(assembly, f"EntraAwsManagementForwarder-{region}").resources("AWS::Events::Rule").values()
    pattern: dict[str, Any] = rule["EventPattern"]
    return pattern


@pytest.mark.parametrize(
    ("region", "sample"),
    [
        ("us-east-1", "organizations-CreateAccountResult-SUCCEEDED.awsdocs.json"),
        (HOME, "sso-CreateAccountAssignment-GROUP-console-root.mgmtacct.json"),
        (HOME, "sso-CreatePermissionSet-console-root.mgmtacct.json"),
        (HOME, "sso-directory-CreateGroup-console-root.mgmtacct.json"),
    ],
)
def test_real_management_account_records_are_forwarded(delegated_assembly: Path, region: str, sample: str) -> None:
    assert matches(_forwarding_rule(delegated_assembly, region), samples.cloudtrail(sample))


def test_scim_writes_recorded_in_the_management_account_are_forwarded(delegated_assembly: Path) -> None:
    pattern = _forwarding_rule(delegated_assembly, HOME)
    for event in (samples.scim_create_group(), samples.scim_patch_group(), samples.scim_delete_group()):
        assert matches(pattern, event)
        assert not matches(pattern, {**event, "source": "custom.identitystore"})


def test_the_worker_cannot_reach_the_management_account(delegated_assembly: Path) -> None:
    automation = template(delegated_assembly, "EntraAwsAutomation")
    worker = [s for s in statements(automation) if any(a.startswith("sso:Create") for a in actions(s))]
    assert {
        "Effect": "Deny",
        "Action": "sso:CreateAccountAssignment",
        "Resource": f"arn:aws:sso:::account/{MANAGEMENT}",
    } in worker
    granted = {a for s in statements(automation) for a in actions(s)}
    assert not [a for a in granted if a.startswith("iam:")], (
        "no IAM writes: nothing is provisioned in the management account"
    )


def test_cfn_lint_reports_no_errors(delegated_assembly: Path) -> None:
    names = sorted(str(p) for p in delegated_assembly.glob("EntraAws*.template.json"))
    result = subprocess.run(
        [sys.executable, "-m", "cfnlint", "--format", "parseable", *names], capture_output=True, text=True
    )
    assert [line for line in result.stdout.splitlines() if ":E" in line] == [], result.stdout


def test_log_retention_follows_the_config(delegated_assembly: Path) -> None:
    automation = template(delegated_assembly, "EntraAwsAutomation")
    groups = automation.resources("AWS::Logs::LogGroup").values()
    assert [g.get("RetentionInDays") for g in groups] == [365] * 3  # deployment.log_retention_days
