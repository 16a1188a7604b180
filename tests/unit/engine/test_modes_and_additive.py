"""apply.mode observe (plan, report, change nothing) and `assignments: additive` permission sets (keep what no
rule explains, report it), through the in-memory fakes."""

from __future__ import annotations

from typing import Any

from entra_aws.config import Config, parse_config
from entra_aws.engine.model import Principal
from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.scope import Scope

from .fakes import FakeAssignment, FakeDirectory, FakeIdentityCenter, FakePermissionSet, FakeWorld, organization

MANAGEMENT, DEV, PROD = "111111111111", "222222222222", "333333333333"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
DEVELOPERS = Principal("GROUP", "00000001-0000-4000-8000-000000000000", "Developers")
BOB = Principal("USER", "00000002-0000-4000-8000-000000000000", "bob")
WRITES = ("create_permission_set", "create_assignment", "delete_assignment", "attach_managed_policy", "tag")


def config(*, apply: dict[str, Any] | None = None, assignments: str = "exclusive") -> Config:
    return parse_config(
        {
            "tenant_id": "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b",
            "identity_center": {"region": "eu-west-1"},
            "management_account_id": MANAGEMENT,
            "permission_sets": [{"name": "ReadOnly", "managed_policies": [READ_ONLY], "assignments": assignments}],
            "assignments": [
                {
                    "name": "dev",
                    "groups": ["Developers"],
                    "permission_sets": ["ReadOnly"],
                    "targets": {"accounts": [DEV]},
                }
            ],
            "apply": apply or {},
        }
    )


def world() -> FakeWorld:
    return FakeWorld(FakeIdentityCenter(), FakeDirectory([DEVELOPERS, BOB]), organization(MANAGEMENT, DEV, PROD))


def with_foreign_grant(fake: FakeWorld) -> FakeAssignment:
    """A managed ReadOnly, the rule's grant made, and bob's USER assignment on PROD that no rule explains (a
    temporary-access tool's)."""
    arn = fake.admin.add(FakePermissionSet("ReadOnly", managed_policies={READ_ONLY}), managed=True)
    fake.admin.granted.add(FakeAssignment(DEV, arn, "GROUP", DEVELOPERS.id))
    foreign = FakeAssignment(PROD, arn, "USER", BOB.id)
    fake.admin.granted.add(foreign)
    return foreign


def test_observe_mode_plans_and_reports_the_changes_and_makes_none() -> None:
    fake = world()
    report = reconcile(config(apply={"mode": "observe"}), Scope.everything(), apply=True, context=fake.context())
    assert report.observed and not report.applied and report.ok
    assert not report.plan.empty
    assert not any(fake.admin.calls[write] for write in WRITES), fake.admin.calls
    assert fake.admin.permission_sets == {} and fake.admin.granted == set()
    [observed] = [f for f in report.findings if f.kind == "observed_changes"]
    assert "nothing applied" in observed.message
    assert "group Developers -> ReadOnly on 222222222222" in observed.message
    assert "observed, nothing applied" in report.summary()
    assert report.to_dict()["observed"] is True


def test_enforce_is_the_default_and_applies() -> None:
    fake = world()
    report = reconcile(config(), Scope.everything(), apply=True, context=fake.context())
    assert report.applied and not report.observed
    assert fake.admin.held(DEVELOPERS.id) == {(DEV, "ReadOnly")}


def test_an_additive_permission_set_keeps_a_foreign_user_assignment_and_reports_it() -> None:
    fake = world()
    foreign = with_foreign_grant(fake)
    report = reconcile(config(assignments="additive"), Scope.everything(), apply=True, context=fake.context())
    assert report.ok and report.plan.count("delete_assignment") == 0
    assert foreign in fake.admin.granted
    [kept] = [f for f in report.findings if f.kind == "additive_unexplained"]
    assert kept.permission_set == "ReadOnly"
    assert f"1 assignment(s) no rule explains kept: user {BOB.id} on {PROD}" in kept.message


def test_an_exclusive_permission_set_deletes_the_same_assignment() -> None:
    fake = world()
    foreign = with_foreign_grant(fake)
    report = reconcile(config(), Scope.everything(), apply=True, context=fake.context())
    assert report.plan.count("delete_assignment") == 1
    assert foreign not in fake.admin.granted
    assert not [f for f in report.findings if f.kind == "additive_unexplained"]
