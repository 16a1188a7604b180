"""Pure planning: desired state from rules and conventions, guardrails, and permission-set diffs."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from entra_aws.config import parse_config
from entra_aws.engine.desired import desired_state
from entra_aws.engine.model import (
    Account,
    Assignment,
    OrganizationalUnit,
    PermissionSetContent,
    PermissionSetRecord,
    Principal,
)
from entra_aws.engine.organization import Organization
from entra_aws.engine.plan import desired_content, plan_assignments, plan_permission_sets

MGMT = "111111111111"


def org() -> Organization:
    units = {
        "ou-root-workload1": OrganizationalUnit("ou-root-workload1", "Workloads", "r-root"),
        "ou-root-prodprod1": OrganizationalUnit("ou-root-prodprod1", "Prod", "ou-root-workload1"),
    }
    accounts = {
        MGMT: Account(MGMT, "management", parent_id="r-root"),
        "222222222222": Account("222222222222", "app-prod", parent_id="ou-root-prodprod1", tags=(("team", "a"),)),
        "333333333333": Account("333333333333", "app-dev", parent_id="ou-root-workload1"),
        "444444444444": Account("444444444444", "old", status="SUSPENDED", parent_id="ou-root-workload1"),
    }
    return Organization("r-root", MGMT, accounts, units)


def config(**overrides: Any) -> Any:
    document: dict[str, Any] = {
        "tenant_id": "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b",
        "identity_center": {"region": "eu-west-1"},
        "management_account_id": MGMT,
        "permission_sets": [
            {
                "name": "Admin",
                "managed_policies": ["arn:aws:iam::aws:policy/AdministratorAccess"],
                "privileged": True,
            },
            {"name": "ReadOnly", "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]},
        ],
        "assignments": [
            {
                "name": "admins",
                "groups": [{"external_id": entra_id("Admins"), "name": "Admins"}],
                "permission_sets": ["Admin"],
                "targets": {"organization": True},
            },
        ],
        "conventions": [
            {
                "name": "per-account",
                "pattern": r"^AWS-(?P<account>\d{12})-(?P<permission_set>\w+)$",
                "allowed_permission_sets": ["ReadOnly"],
            },
            {
                "name": "per-ou",
                "pattern": r"^OU-(?P<ou>\w+)-(?P<permission_set>\w+)$",
                "allowed_permission_sets": ["ReadOnly"],
            },
        ],
    }
    document.update(overrides)
    return parse_config(document)


def entra_id(name: str) -> str:
    """The Entra object id of the group of this name (groups here are provisioned from Entra)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def group(name: str) -> Principal:
    return Principal("GROUP", f"id-{name}", name, entra_id(name))


def accounts_of(assignments: set[Assignment]) -> set[str]:
    return {a.account_id for a in assignments}


def test_organization_target_skips_management_account_and_inactive_accounts() -> None:
    state = desired_state(config(), org(), [group("Admins")])
    assert accounts_of(state.assignments) == {"222222222222", "333333333333"}


def test_management_account_only_when_the_rule_allows_it() -> None:
    rule = {
        "name": "admins",
        "groups": [{"external_id": entra_id("Admins"), "name": "Admins"}],
        "permission_sets": ["Admin"],
        "targets": {"organization": True},
        "allow_management_account": True,
    }
    state = desired_state(config(assignments=[rule]), org(), [group("Admins")])
    assert MGMT in accounts_of(state.assignments)


def test_convention_by_account_id() -> None:
    state = desired_state(config(), org(), [group("AWS-222222222222-ReadOnly")])
    assert state.assignments == {Assignment("222222222222", "ReadOnly", "GROUP", "id-AWS-222222222222-ReadOnly")}


def test_convention_never_grants_a_privileged_or_unlisted_permission_set() -> None:
    state = desired_state(config(), org(), [group("AWS-222222222222-Admin")])
    assert state.assignments == set()
    assert any("does not grant" in f.message for f in state.findings)


def test_convention_never_reaches_the_management_account() -> None:
    state = desired_state(config(), org(), [group(f"AWS-{MGMT}-ReadOnly")])
    assert state.assignments == set()
    assert any("management account" in f.message for f in state.findings)


def test_convention_by_ou_name_includes_nested_ous() -> None:
    state = desired_state(config(), org(), [group("OU-Workloads-ReadOnly")])
    assert accounts_of(state.assignments) == {"222222222222", "333333333333"}  # 444 is suspended


def test_unknown_account_in_a_group_name_is_a_finding_not_a_grant() -> None:
    state = desired_state(config(), org(), [group("AWS-999999999999-ReadOnly")])
    assert state.assignments == set()
    assert any("not in the organization" in f.message for f in state.findings)


@pytest.mark.parametrize(
    ("targets", "exclude", "expected"),
    [
        ({"ous": ["/Workloads/Prod"]}, {}, {"222222222222"}),
        ({"ous": ["/Workloads"]}, {"accounts": ["333333333333"]}, {"222222222222"}),
        ({"tags": ["team=a"]}, {}, {"222222222222"}),
        ({"account_names": ["app-dev"]}, {}, {"333333333333"}),
        ({"accounts": ["333333333333"], "tags": ["team=a"]}, {}, {"222222222222", "333333333333"}),
    ],
)
def test_explicit_targets_and_exclusions(targets: dict[str, Any], exclude: dict[str, Any], expected: set[str]) -> None:
    rule = {
        "name": "r",
        "groups": ["G"],
        "permission_sets": ["ReadOnly"],
        "targets": targets,
        "exclude": exclude,
    }
    state = desired_state(config(assignments=[rule]), org(), [group("G")])
    assert accounts_of(state.assignments) == expected


def test_missing_permission_sets_are_created_with_their_content() -> None:
    plan = plan_permission_sets(config().permission_sets, {}, prune_unlisted=True)
    kinds = [op.kind for op in plan.operations]
    assert kinds.count("create_permission_set") == 2
    assert kinds.count("attach_managed_policy") == 2


def test_unmanaged_collision_is_reported_and_left_untouched_unless_adopted() -> None:
    cfg = config()
    catalog = {"ReadOnly": PermissionSetRecord("arn:ro", "ReadOnly", managed=False)}
    plan = plan_permission_sets([cfg.permission_sets[1]], catalog, prune_unlisted=True)
    assert plan.operations == []
    assert any("not managed by entra-aws" in f.message for f in plan.findings)
    adopted = plan_permission_sets(
        [cfg.permission_sets[1]],
        {"ReadOnly": PermissionSetRecord("arn:ro", "ReadOnly", False, desired_content(cfg.permission_sets[1]))},
        adopt=["ReadOnly"],
        prune_unlisted=True,
    )
    assert [op.kind for op in adopted.operations] == ["tag_permission_set"]


def test_drifted_content_is_corrected_and_provisioned() -> None:
    cfg = config()
    spec = cfg.permission_sets[1]
    drifted = PermissionSetContent(
        description="changed by hand",
        session_duration="PT12H",
        managed_policies=frozenset({"arn:aws:iam::aws:policy/AdministratorAccess"}),
    )
    plan = plan_permission_sets(
        [spec], {"ReadOnly": PermissionSetRecord("arn:ro", "ReadOnly", True, drifted)}, prune_unlisted=False
    )
    kinds = sorted(op.kind for op in plan.operations)
    assert kinds == [
        "attach_managed_policy",
        "detach_managed_policy",
        "provision_permission_set",
        "update_permission_set",
    ]


def test_only_managed_permission_sets_are_pruned() -> None:
    catalog = {
        "Old": PermissionSetRecord("arn:old", "Old", managed=True),
        "Theirs": PermissionSetRecord("arn:theirs", "Theirs", managed=False),
    }
    plan = plan_permission_sets([], catalog, prune_unlisted=True)
    assert [(op.kind, op.permission_set) for op in plan.operations] == [("delete_permission_set", "Old")]


def test_assignment_diff_never_touches_unmanaged_permission_sets() -> None:
    mine = Assignment("222222222222", "ReadOnly", "GROUP", "g1")
    theirs = Assignment("222222222222", "Theirs", "GROUP", "g1")
    stale = Assignment("333333333333", "ReadOnly", "GROUP", "g1")
    ops = plan_assignments({mine, theirs}, {stale, theirs}, {"ReadOnly"}, prune=True)
    assert [(op.kind, op.assignment) for op in ops] == [
        ("create_assignment", mine),
        ("delete_assignment", stale),
    ]
    assert plan_assignments(set(), {stale}, {"ReadOnly"}, prune=False) == []
