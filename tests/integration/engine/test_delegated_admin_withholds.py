"""topology delegated_admin against the moto server: after the management topology granted access in the
management account, a delegated administrator's reconcile plans nothing there and names each permission set."""

from __future__ import annotations

import pytest

from entra_aws.config import load_config
from entra_aws.engine.reconcile import plan_changes, reconcile
from entra_aws.engine.scope import Scope

from .conftest import REPO, Seeded

pytestmark = pytest.mark.integration
MANAGEMENT = "111111111111"


def provisioned_to_management(seeded: Seeded) -> set[str]:
    arns = seeded.sso.list_permission_sets_provisioned_to_account(InstanceArn=seeded.instance_arn, AccountId=MANAGEMENT)
    return {
        seeded.sso.describe_permission_set(InstanceArn=seeded.instance_arn, PermissionSetArn=arn)["PermissionSet"][
            "Name"
        ]
        for arn in arns.get("PermissionSets", [])
    }


def test_the_delegated_plan_leaves_the_management_account_alone(seeded: Seeded) -> None:
    assert reconcile(seeded.config, Scope.everything(), apply=True, context=seeded.context()).ok
    there = provisioned_to_management(seeded)
    assert there, "the management topology's rules reach the management account"
    delegated = load_config(REPO / "config" / "delegated-admin.yaml")
    report = plan_changes(delegated, Scope.everything(), seeded.context())
    touching = [
        op.describe()
        for op in report.plan.operations
        if (op.assignment is not None and op.assignment.account_id == MANAGEMENT)
        or (op.assignment is None and op.permission_set in there)
    ]
    assert touching == []
    withheld = {f.permission_set for f in report.plan.findings if f.kind == "management_account_withheld"}
    assert withheld and withheld <= there
