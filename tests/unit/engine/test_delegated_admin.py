"""deployment.topology delegated_admin: the engine never touches what a delegated administrator cannot (permission
sets provisioned to the management account, assignments there), and says so."""

from __future__ import annotations

from entra_aws.config import Config, parse_config
from entra_aws.engine.reconcile import plan_changes
from entra_aws.engine.report import Report
from entra_aws.engine.scope import Scope

from .fakes import FakeAssignment, FakePermissionSet, FakeWorld
from .test_reconcile_fakes import DEV, DEVELOPERS, MANAGEMENT, READ_ONLY, world

DELEGATED = "444444444444"
BILLING = "arn:aws:iam::aws:policy/job-function/Billing"


def delegated_config() -> Config:
    return parse_config(
        {
            "tenant_id": "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b",
            "identity_center": {"region": "eu-west-1"},
            "management_account_id": MANAGEMENT,
            "deployment": {"topology": "delegated_admin", "delegated_admin_account_id": DELEGATED},
            "permission_sets": [
                {"name": "ReadOnly", "managed_policies": [READ_ONLY]},
                {"name": "Billing", "managed_policies": [BILLING]},
            ],
            "assignments": [
                {
                    "name": "dev",
                    "groups": ["Developers"],
                    "permission_sets": ["ReadOnly", "Billing"],
                    "targets": {"accounts": [DEV]},
                },
            ],
        }
    )


def seeded() -> tuple[FakeWorld, str, str]:
    """ReadOnly (drifted: an extra policy) is provisioned to the management account, where Developers hold it
    without a rule; Billing (drifted too) only to DEV."""
    fake = world(DEVELOPERS)
    read_only = fake.admin.add(FakePermissionSet("ReadOnly", managed_policies={READ_ONLY, BILLING}), managed=True)
    billing = fake.admin.add(FakePermissionSet("Billing", managed_policies=set()), managed=True)
    for account, arn in ((MANAGEMENT, read_only), (DEV, read_only), (DEV, billing)):
        fake.admin.granted.add(FakeAssignment(account, arn, "GROUP", DEVELOPERS.id))
    return fake, read_only, billing


def plan(fake: FakeWorld, scope: Scope) -> Report:
    return plan_changes(delegated_config(), scope, fake.context())


def withheld(report: Report) -> list[str]:
    return [f.permission_set for f in report.plan.findings if f.kind == "management_account_withheld"]


def test_a_full_reconcile_leaves_a_set_provisioned_to_the_management_account_alone_and_reports_it() -> None:
    fake, _, _ = seeded()
    report = plan(fake, Scope.everything())
    touched = {op.permission_set for op in report.plan.operations}
    assert touched == {"Billing"}, [op.describe() for op in report.plan.operations]
    assert withheld(report) == ["ReadOnly"]
    finding = next(f for f in report.plan.findings if f.kind == "management_account_withheld")
    assert (
        finding.severity == "warning" and MANAGEMENT in finding.message and "delegated administrator" in finding.message
    )
    assert fake.admin.calls["provisioned_to_account"] == 1


def test_no_assignment_on_the_management_account_is_deleted_by_a_principal_scope() -> None:
    fake, _, _ = seeded()
    report = plan(fake, Scope("group", DEVELOPERS.id))
    assert all(op.assignment is None or op.assignment.account_id != MANAGEMENT for op in report.plan.operations)
    assert withheld(report) == ["ReadOnly"]


def test_a_permission_set_scope_withholds_its_changes_and_deletion_of_its_management_grant() -> None:
    fake, _, _ = seeded()
    report = plan(fake, Scope("permission_set", "ReadOnly"))
    assert report.plan.empty and withheld(report) == ["ReadOnly"]


def test_a_set_lagging_in_the_management_account_is_reported_and_not_provisioned_there() -> None:
    fake = world(DEVELOPERS)
    matching = fake.admin.add(FakePermissionSet("ReadOnly", managed_policies={READ_ONLY}), managed=True)
    fake.admin.add(FakePermissionSet("Billing", managed_policies={BILLING}), managed=True)
    for account in (MANAGEMENT, DEV):
        fake.admin.granted.add(FakeAssignment(account, matching, "GROUP", DEVELOPERS.id))
    fake.admin.lagging[matching] = {MANAGEMENT, DEV}
    report = plan(fake, Scope.everything())
    provisions = [op.args.get("account") for op in report.plan.operations if op.kind == "provision_permission_set"]
    assert provisions == [], "ReadOnly is provisioned to the management account: a delegated admin leaves it alone"
    assert withheld(report) == ["ReadOnly"]
    (told,) = [f.message for f in report.plan.findings if f.kind == "roles_lagging"]
    assert f"{MANAGEMENT}, {DEV}" in told and "provisions it to none of them" in told
