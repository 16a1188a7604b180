"""The example config reconciled against the moto server: real boto3 calls over HTTP on 127.0.0.1."""

from __future__ import annotations

from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.scope import Scope

from .conftest import Seeded


def test_first_apply_creates_catalog_and_grants_then_second_apply_is_a_no_op(seeded: Seeded) -> None:
    first = reconcile(seeded.config, Scope.everything(), apply=True, context=seeded.context())
    assert first.ok, [r.error for r in first.failed]
    assert first.plan.count("create_permission_set") == 7
    grants = {(a["group"], a["account"], a["permission_set"]) for a in seeded.assignments()}
    # explicit rule: platform admins everywhere except the Security OU and the management account
    assert ("AWS-Platform-Admins", "444444444444", "AdministratorAccess") in grants
    assert ("AWS-Platform-Admins", "222222222222", "AdministratorAccess") not in grants
    assert ("AWS-Platform-Admins", "111111111111", "AdministratorAccess") not in grants
    # explicit rule that allows the management account
    assert ("AWS-Finance", "111111111111", "Billing") in grants
    # naming conventions: by account id and by OU name
    assert ("AWS-555555555556-ReadOnly", "555555555556", "ReadOnly") in grants
    assert ("AWS-OU-Sandbox-Developer", "666666666666", "Developer") in grants
    # tag targets intersected with nothing: a union of OU /Workloads/Prod and tag team=payments
    assert ("AWS-Developers", "555555555555", "ReadOnly") in grants
    assert ("AWS-Developers", "444444444445", "ReadOnly") in grants

    second = reconcile(seeded.config, Scope.everything(), apply=True, context=seeded.context())
    assert second.plan.empty, [op.describe() for op in second.plan.operations]
    assert second.ok
