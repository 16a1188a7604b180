"""Engine behaviour against the moto server: idempotence, interruption, ownership, throttling, scopes, cost."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from entra_aws.adapters.aws import aws_context
from entra_aws.adapters.sso_admin import IdentityCenterAdmin
from entra_aws.config import parse_config
from entra_aws.engine.context import AwsContext
from entra_aws.engine.model import Boundary
from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.scope import Scope
from sandbox.world import World, WorldAccount, WorldUnit, seed_world

from .conftest import Seeded


class InjectedCrashError(Exception):
    pass


def crash_after(context: AwsContext, writes: int) -> None:
    """Make the process die (as a Lambda timeout would) after `writes` successful write calls."""
    seen = {"n": 0}

    def before_call(model: Any, **_: Any) -> None:
        if model.name.startswith(("Create", "Attach", "Put", "Delete", "Update", "Provision", "Tag")):
            seen["n"] += 1
            if seen["n"] > writes:
                raise InjectedCrashError(f"crash after {writes} writes")

    context.admin._client.meta.events.register("before-call.sso-admin.*", before_call)


def test_interrupted_apply_converges_on_rerun_without_duplicates(seeded: Seeded) -> None:
    context = seeded.context()
    crash_after(context, 25)
    with pytest.raises(InjectedCrashError):
        reconcile(seeded.config, Scope.everything(), apply=True, context=context)
    rerun = reconcile(seeded.config, Scope.everything(), apply=True, context=seeded.context())
    assert rerun.ok
    grants = [(a["group"], a["account"], a["permission_set"]) for a in seeded.assignments()]
    assert len(grants) == len(set(grants)), [g for g, n in Counter(grants).items() if n > 1]
    names = [
        seeded.sso.describe_permission_set(InstanceArn=seeded.instance_arn, PermissionSetArn=arn)["PermissionSet"][
            "Name"
        ]
        for arn in seeded.sso.list_permission_sets(InstanceArn=seeded.instance_arn)["PermissionSets"]
    ]
    assert sorted(names) == sorted(ps.name for ps in seeded.config.permission_sets), "no duplicate permission sets"
    assert reconcile(seeded.config, Scope.everything(), apply=False, context=seeded.context()).plan.empty


def crash_at(context: AwsContext, operation: str) -> None:
    """Make the process die (as a Lambda timeout would) when it is about to call `operation`."""

    def before_call(model: Any, **_: Any) -> None:
        if model.name == operation:
            raise InjectedCrashError(f"crash before {operation}")

    context.admin._client.meta.events.register("before-call.sso-admin.*", before_call)


def test_a_run_that_died_between_a_content_update_and_its_provisioning_is_completed_by_the_next(
    seeded: Seeded,
) -> None:
    assert reconcile(seeded.config, Scope.everything(), apply=True, context=seeded.context()).ok
    longer = [
        ps.model_copy(update={"session_duration": "PT2H"}) if ps.name == "ReadOnly" else ps
        for ps in seeded.config.permission_sets
    ]
    config = seeded.config.model_copy(update={"permission_sets": longer})
    context = seeded.context()
    crash_at(context, "ProvisionPermissionSet")
    with pytest.raises(InjectedCrashError):
        reconcile(config, Scope.everything(), apply=True, context=context)
    behind = seeded.lagging("ReadOnly")
    assert behind, "the update reached Identity Center, not the accounts' roles"
    rerun = reconcile(config, Scope.everything(), apply=True, context=seeded.context())
    assert rerun.ok and rerun.plan.count("update_permission_set") == 0, "the content already matches"
    provisioned = sorted(
        r.operation.args["account"] for r in rerun.succeeded if r.operation.kind == "provision_permission_set"
    )
    assert provisioned == behind and seeded.lagging("ReadOnly") == []
    assert reconcile(config, Scope.everything(), apply=False, context=seeded.context()).plan.empty


def test_unmanaged_permission_sets_and_their_assignments_are_untouched(seeded: Seeded) -> None:
    sso, instance = seeded.sso, seeded.instance_arn
    theirs = sso.create_permission_set(InstanceArn=instance, Name="HandMade", SessionDuration="PT1H")["PermissionSet"]
    collision = sso.create_permission_set(InstanceArn=instance, Name="ReadOnly", SessionDuration="PT2H")[
        "PermissionSet"
    ]
    for arn in (theirs["PermissionSetArn"], collision["PermissionSetArn"]):
        sso.create_account_assignment(
            InstanceArn=instance,
            TargetId="444444444444",
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=arn,
            PrincipalType="GROUP",
            PrincipalId=seeded.groups["AWS-Finance"],
        )
    report = reconcile(seeded.config, Scope.everything(), apply=True, context=seeded.context())
    assert any("'ReadOnly' exists but is not managed" in f.message for f in report.findings)
    finance = {(a["account"], a["permission_set"]) for a in seeded.assignments() if a["group"] == "AWS-Finance"}
    assert {("444444444444", "HandMade"), ("444444444444", "ReadOnly")} <= finance
    described = sso.describe_permission_set(InstanceArn=instance, PermissionSetArn=collision["PermissionSetArn"])
    assert described["PermissionSet"]["SessionDuration"] == "PT2H", "an unmanaged namesake is not adopted silently"
    assert not any(r.operation.permission_set in ("HandMade", "ReadOnly") for r in report.results)


def test_drift_on_a_managed_permission_set_is_reverted(seeded: Seeded) -> None:
    reconcile(seeded.config, Scope.everything(), apply=True, context=seeded.context())
    sso, instance = seeded.sso, seeded.instance_arn
    arns = sso.list_permission_sets(InstanceArn=instance)["PermissionSets"]
    readonly = next(
        a
        for a in arns
        if sso.describe_permission_set(InstanceArn=instance, PermissionSetArn=a)["PermissionSet"]["Name"] == "ReadOnly"
    )
    sso.attach_managed_policy_to_permission_set(
        InstanceArn=instance,
        PermissionSetArn=readonly,
        ManagedPolicyArn="arn:aws:iam::aws:policy/AdministratorAccess",
    )
    sso.create_account_assignment(
        InstanceArn=instance,
        TargetId="222222222222",
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=readonly,
        PrincipalType="GROUP",
        PrincipalId=seeded.groups["AWS-Finance"],
    )
    report = reconcile(seeded.config, Scope.permission_set("ReadOnly"), apply=True, context=seeded.context())
    kinds = sorted(r.operation.kind for r in report.results if r.ok)
    assert kinds == ["delete_assignment", "detach_managed_policy", "provision_permission_set"]
    policies = sso.list_managed_policies_in_permission_set(InstanceArn=instance, PermissionSetArn=readonly)
    assert [p["Arn"] for p in policies["AttachedManagedPolicies"]] == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]


def test_a_deleted_groups_assignments_are_cleaned_up_by_a_group_scope(seeded: Seeded) -> None:
    reconcile(seeded.config, Scope.everything(), apply=True, context=seeded.context())
    group_id = seeded.groups["AWS-555555555556-ReadOnly"]
    seeded.identitystore.delete_group(IdentityStoreId=seeded.store_id, GroupId=group_id)
    report = reconcile(seeded.config, Scope.group(group_id), apply=True, context=seeded.context())
    assert [r.operation.kind for r in report.results] == ["delete_assignment"]
    left = seeded.sso.list_account_assignments_for_principal(
        InstanceArn=seeded.instance_arn, PrincipalType="GROUP", PrincipalId=group_id
    )["AccountAssignments"]
    assert left == []


def test_a_throttling_storm_loses_nothing(seeded: Seeded) -> None:
    """Every third CreateAccountAssignment is refused with ThrottlingException before it reaches moto."""
    context = seeded.context()
    count = {"n": 0}

    def throttle(model: Any, **_: Any) -> Any:
        count["n"] += 1
        if count["n"] % 3 == 0:
            error = {
                "Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"},
                "ResponseMetadata": {"HTTPStatusCode": 400},
            }
            return (type("R", (), {"status_code": 400, "headers": {}})(), error)
        return None

    context.admin._client.meta.events.register("before-call.sso-admin.CreateAccountAssignment", throttle)
    report = reconcile(seeded.config, Scope.everything(), apply=True, context=context)
    assert count["n"] > 30
    assert report.ok, [r.error for r in report.failed]
    assert reconcile(seeded.config, Scope.everything(), apply=False, context=seeded.context()).plan.empty


def big_world(accounts: int, groups: int) -> World:
    per_ou = accounts // 5
    units = [
        WorldUnit(
            name=f"Unit{u}",
            accounts=[WorldAccount(id=f"{700000000000 + u * 1000 + i}", name=f"acct-{u}-{i}") for i in range(per_ou)],
        )
        for u in range(5)
    ]
    names = [f"AWS-{700000000000 + (g % 5) * 1000 + g}-PS{g % 10}" for g in range(groups - 2)] + [
        "Everyone-A",
        "Everyone-B",
    ]
    return World(management_account=WorldAccount(id="111111111111", name="management"), units=units, groups=names)


def test_full_reconcile_reads_stay_within_the_bound_computed_from_sizes(aws: str) -> None:
    accounts, permission_sets, groups = 50, 10, 20
    world = big_world(accounts, groups)
    seed_world(world, "eu-west-1")
    config = parse_config(
        {
            "tenant_id": "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b",
            "identity_center": {"region": "eu-west-1"},
            "management_account_id": "111111111111",
            "permission_sets": [
                {"name": f"PS{i}", "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}
                for i in range(permission_sets)
            ],
            "assignments": [
                {
                    "name": "everyone",
                    "groups": ["Everyone-A", "Everyone-B"],
                    "permission_sets": ["PS0", "PS1"],
                    "targets": {"organization": True},
                }
            ],
            "conventions": [
                {
                    "name": "acct",
                    "pattern": r"^AWS-(?P<account>\d{12})-(?P<permission_set>\w+)$",
                    "allowed_permission_sets": [f"PS{i}" for i in range(permission_sets)],
                }
            ],
        }
    )
    first = reconcile(config, Scope.everything(), apply=True, context=aws_context(config))
    assert first.ok
    context = aws_context(config)
    steady = reconcile(config, Scope.everything(), apply=False, context=context)
    assert steady.plan.empty
    assignments_per_group = {"Everyone-A": 2 * accounts, "Everyone-B": 2 * accounts}
    nodes = 1 + 5  # the root and five OUs, each holding at most 20 accounts (one page)
    org_reads = 1 + nodes * (1 + 1)  # ListRoots; per node one OU page and one account page
    ps_reads = 1 + permission_sets * (1 + 1 + 4)  # list; per set: tags, describe, 4 content reads
    principal_reads = math.ceil(groups / 100) + sum(
        math.ceil(assignments_per_group.get(n, 1) / 100) for n in [*assignments_per_group, *range(groups - 2)]
    )
    stray_reads = permission_sets  # one provisioned-accounts listing per managed set, nothing unexplained
    lagging_reads = permission_sets  # one LATEST_PERMISSION_SET_NOT_PROVISIONED listing per managed set, empty
    instance_discovery = 1
    management_verified = 1  # DescribeOrganization: the config's management_account_id is checked against it
    bound = org_reads + ps_reads + principal_reads + stray_reads + lagging_reads + instance_discovery
    bound += management_verified
    calls = context.calls.total
    assert calls <= bound, sorted(context.calls.calls.items())
    assert calls < accounts * permission_sets / 2


def test_permissions_boundary_and_tag_calls_match_the_aws_model() -> None:
    """moto has no PutPermissionsBoundaryToPermissionSet / TagResource; botocore's Stubber checks that the
    adapter's requests and its parsing of responses follow the real sso-admin service model."""
    client = boto3.client("sso-admin", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    admin = IdentityCenterAdmin(client, "arn:aws:sso:::instance/ssoins-1234567890abcdef")
    ps = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef"
    boundary = Boundary(customer_managed_policy=("DeveloperBoundary", "/boundaries/"))
    with Stubber(client) as stub:
        stub.add_response(
            "put_permissions_boundary_to_permission_set",
            {},
            {
                "InstanceArn": admin.instance_arn,
                "PermissionSetArn": ps,
                "PermissionsBoundary": boundary.to_api(),
            },
        )
        stub.add_response(
            "tag_resource",
            {},
            {"InstanceArn": admin.instance_arn, "ResourceArn": ps, "Tags": [{"Key": "team", "Value": "a"}]},
        )
        stub.add_response(
            "get_permissions_boundary_for_permission_set",
            {"PermissionsBoundary": {"ManagedPolicyArn": "arn:aws:iam::aws:policy/PowerUserAccess"}},
        )
        stub.add_client_error("get_permissions_boundary_for_permission_set", "ResourceNotFoundException")
        admin.put_permissions_boundary(ps, boundary)
        admin.tag(ps, {"team": "a"})
        assert admin._boundary(ps) == Boundary(managed_policy_arn="arn:aws:iam::aws:policy/PowerUserAccess")
        assert admin._boundary(ps) is None
        stub.assert_no_pending_responses()
