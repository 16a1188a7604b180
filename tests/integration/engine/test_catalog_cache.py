"""The remembered permission-set catalog of a warm context: used by group scopes, never by full ones, dropped on
any sign of staleness; and the calls one SCIM group event costs a warm worker."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bench.event_calls import LOWER_BOUND, deploy, handle_group_created, warm_worker
from entra_aws.engine.context import AwsContext
from entra_aws.engine.pacing import VirtualClock
from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.scope import Scope

from .conftest import Seeded

CATALOG_READS = ("sso-admin:ListPermissionSets", "sso-admin:ListTagsForResource", "sso-admin:DescribePermissionSet")


def calls_of(context: AwsContext, run: Any) -> tuple[Any, Counter[str]]:
    before = Counter(context.calls.calls)
    result = run()
    return result, context.calls.calls - before


def warm(seeded: Seeded) -> AwsContext:
    """Converged by one context (the deploy), then a worker context that ran a steady full reconcile."""
    assert reconcile(seeded.config, Scope.everything(), apply=True, context=seeded.context()).ok
    worker = seeded.context()
    worker.clock = VirtualClock()
    assert reconcile(seeded.config, Scope.everything(), apply=True, context=worker).plan.empty
    return worker


def holdings(seeded: Seeded, group_id: str) -> set[tuple[str, str]]:
    items = seeded.sso.list_account_assignments_for_principal(
        InstanceArn=seeded.instance_arn, PrincipalType="GROUP", PrincipalId=group_id
    )["AccountAssignments"]
    return {(i["AccountId"], i["PermissionSetArn"]) for i in items}


def test_a_warm_group_event_reads_no_catalog_and_stays_within_the_bound_plus_two(aws: str) -> None:
    deployment = deploy()
    worker, _ = warm_worker(deployment.config)
    made = handle_group_created(deployment, worker, "AWS-444444444445-ReadOnly")
    assert not any(api in made for api in CATALOG_READS), made
    assert made["organizations:DescribeAccount"] == 1, "a convention by account id reads only that account"
    assert not any(api.startswith("organizations:List") for api in made), made
    assert sum(made.values()) <= LOWER_BOUND + 2, made


def test_right_after_the_deploy_that_created_the_sets_a_group_event_reads_no_catalog(seeded: Seeded) -> None:
    worker = seeded.context()
    deployed = reconcile(seeded.config, Scope.everything(), apply=True, context=worker)
    assert deployed.ok and any(r.operation.kind == "create_permission_set" for r in deployed.succeeded)
    group_id = seeded.identitystore.create_group(
        IdentityStoreId=seeded.store_id, DisplayName="AWS-444444444445-ReadOnly"
    )["GroupId"]
    report, made = calls_of(worker, lambda: reconcile(seeded.config, Scope.group(group_id), apply=True, context=worker))
    assert report.ok and report.catalog_remembered and len(report.succeeded) == 1
    assert not any(api in made for api in CATALOG_READS), made
    assert holdings(seeded, group_id) == {("444444444445", seeded.permission_set_arn("ReadOnly"))}


def test_a_cold_context_reads_the_catalog_live_for_a_group_event(seeded: Seeded) -> None:
    assert reconcile(seeded.config, Scope.everything(), apply=True, context=seeded.context()).ok
    group_id = seeded.identitystore.create_group(
        IdentityStoreId=seeded.store_id, DisplayName="AWS-444444444445-ReadOnly"
    )["GroupId"]
    cold = seeded.context()
    report, made = calls_of(cold, lambda: reconcile(seeded.config, Scope.group(group_id), apply=True, context=cold))
    assert report.ok and not report.catalog_remembered
    assert made["sso-admin:ListPermissionSets"] == 1


def test_full_scopes_read_live_even_when_warm(seeded: Seeded) -> None:
    worker = warm(seeded)
    arn = seeded.permission_set_arn("Billing")
    seeded.sso.attach_managed_policy_to_permission_set(
        InstanceArn=seeded.instance_arn, PermissionSetArn=arn, ManagedPolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"
    )
    report, made = calls_of(worker, lambda: reconcile(seeded.config, Scope.everything(), apply=False, context=worker))
    assert not report.catalog_remembered
    assert made["sso-admin:ListPermissionSets"] == 1
    assert made["sso-admin:DescribePermissionSet"] == len(seeded.config.permission_sets)
    assert [op.kind for op in report.plan.operations] == ["detach_managed_policy", "provision_permission_set"]


def test_permission_set_scopes_read_live_even_when_warm(seeded: Seeded) -> None:
    worker = warm(seeded)
    scope = Scope.permission_set("ReadOnly")
    report, made = calls_of(worker, lambda: reconcile(seeded.config, scope, apply=False, context=worker))
    assert not report.catalog_remembered and report.plan.empty
    assert made["sso-admin:ListPermissionSets"] == 1


def test_the_remembered_catalog_expires(seeded: Seeded) -> None:
    worker = warm(seeded)
    group_id = seeded.groups["AWS-Finance"]
    within, made = calls_of(
        worker, lambda: reconcile(seeded.config, Scope.group(group_id), apply=False, context=worker)
    )
    assert within.catalog_remembered and "sso-admin:ListPermissionSets" not in made
    assert isinstance(worker.clock, VirtualClock)
    worker.clock.sleep(worker.catalog_cache.ttl)
    expired, made = calls_of(
        worker, lambda: reconcile(seeded.config, Scope.group(group_id), apply=False, context=worker)
    )
    assert not expired.catalog_remembered and made["sso-admin:ListPermissionSets"] == 1
    assert within.plan.empty and expired.plan.empty


def unassign_everywhere(seeded: Seeded, arn: str) -> None:
    """Delete every assignment of the set and wait until each deletion has succeeded (AWS, like the emulator,
    refuses to delete a set that still has assignments or is provisioned)."""
    accounts = seeded.sso.list_accounts_for_provisioned_permission_set(
        InstanceArn=seeded.instance_arn, PermissionSetArn=arn
    )["AccountIds"]
    assert accounts, "the set is in use, as the test means it to be"
    for account in accounts:
        items = seeded.sso.list_account_assignments(
            InstanceArn=seeded.instance_arn, AccountId=account, PermissionSetArn=arn
        )["AccountAssignments"]
        for item in items:
            deletion = seeded.sso.delete_account_assignment(
                InstanceArn=seeded.instance_arn,
                TargetId=account,
                TargetType="AWS_ACCOUNT",
                PermissionSetArn=arn,
                PrincipalType=item["PrincipalType"],
                PrincipalId=item["PrincipalId"],
            )["AccountAssignmentDeletionStatus"]
            wait_for_deletion(seeded, deletion)


def wait_for_deletion(seeded: Seeded, status: dict[str, Any]) -> None:
    for _ in range(50):
        if status["Status"] != "IN_PROGRESS":
            break
        status = seeded.sso.describe_account_assignment_deletion_status(
            InstanceArn=seeded.instance_arn, AccountAssignmentDeletionRequestId=status["RequestId"]
        )["AccountAssignmentDeletionStatus"]
    assert status["Status"] == "SUCCEEDED", status


def test_a_managed_permission_set_deleted_behind_its_back_is_recreated_by_the_retry(seeded: Seeded) -> None:
    worker = warm(seeded)
    stale = seeded.permission_set_arn("ReadOnly")
    unassign_everywhere(seeded, stale)
    seeded.sso.delete_permission_set(InstanceArn=seeded.instance_arn, PermissionSetArn=stale)
    group_id = seeded.identitystore.create_group(
        IdentityStoreId=seeded.store_id, DisplayName="AWS-444444444445-ReadOnly"
    )["GroupId"]
    report = reconcile(seeded.config, Scope.group(group_id), apply=True, context=worker)
    assert report.ok, [r.error for r in report.failed]
    assert not report.catalog_remembered, "the retry planned from a live read"
    assert any("live catalog read" in f.message for f in report.findings)
    fresh = seeded.permission_set_arn("ReadOnly")
    assert fresh != stale
    assert holdings(seeded, group_id) == {("444444444445", fresh)}
    again = reconcile(seeded.config, Scope.group(group_id), apply=False, context=worker)
    assert again.plan.empty


def recreated_billing_elsewhere(seeded: Seeded) -> tuple[AwsContext, str]:
    """A warm worker; then Billing is deleted and another worker recreates it under a new ARN."""
    worker = warm(seeded)
    finance, billing = seeded.groups["AWS-Finance"], seeded.permission_set_arn("Billing")
    seeded.sso.delete_account_assignment(
        InstanceArn=seeded.instance_arn,
        TargetId="111111111111",
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=billing,
        PrincipalType="GROUP",
        PrincipalId=finance,
    )
    seeded.sso.delete_permission_set(InstanceArn=seeded.instance_arn, PermissionSetArn=billing)
    assert reconcile(seeded.config, Scope.everything(), apply=True, context=seeded.context()).ok  # another worker
    return worker, finance


def test_a_permission_set_newer_than_the_remembered_catalog_makes_a_group_scope_read_live(seeded: Seeded) -> None:
    worker, finance = recreated_billing_elsewhere(seeded)
    report, made = calls_of(worker, lambda: reconcile(seeded.config, Scope.group(finance), apply=True, context=worker))
    assert not report.catalog_remembered and made["sso-admin:ListPermissionSets"] == 1
    assert report.plan.empty, [op.describe() for op in report.plan.operations]
    assert holdings(seeded, finance) == {("111111111111", seeded.permission_set_arn("Billing"))}


def test_the_live_re_plan_of_an_account_scope_does_not_list_the_directory_again(seeded: Seeded) -> None:
    worker, _ = recreated_billing_elsewhere(seeded)
    scope = Scope.account("111111111111")
    report, made = calls_of(worker, lambda: reconcile(seeded.config, scope, apply=True, context=worker))
    assert not report.catalog_remembered and made["sso-admin:ListPermissionSets"] == 1, "it did re-plan live"
    assert made["identitystore:ListGroups"] == 1, "who is in scope does not depend on the catalog"
    assert report.ok and report.plan.empty
