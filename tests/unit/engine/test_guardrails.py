"""Guardrails that stop a whole reconcile: the management account verified against the organization, and the
deletion circuit breaker. Through the in-memory fakes of the ports."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from entra_aws.config import Config, parse_config
from entra_aws.config.models import MassDeleteGuard
from entra_aws.engine.model import Principal
from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.report import Report
from entra_aws.engine.scope import Scope

from .fake_ownership import FakeOwnershipKey, seal
from .fakes import FakeDirectory, FakeIdentityCenter, FakePermissionSet, FakeWorld, organization

MANAGEMENT, OTHER, DEV = "111111111111", "999999999999", "222222222222"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
DEVELOPERS = Principal("GROUP", "00000001-0000-4000-8000-000000000000", "Developers")


def config(permission_sets: list[str], **mass_delete: Any) -> Config:
    return parse_config(
        {
            "tenant_id": "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b",
            "identity_center": {"region": "eu-west-1"},
            "management_account_id": MANAGEMENT,
            "permission_sets": [{"name": name, "managed_policies": [READ_ONLY]} for name in permission_sets],
            "assignments": [
                {
                    "name": "dev",
                    "groups": ["Developers"],
                    "permission_sets": ["ReadOnly"],
                    "targets": {"accounts": [DEV]},
                }
            ]
            if permission_sets
            else [],
            "apply": {"mass_delete": mass_delete},
        }
    )


def world(management: str = MANAGEMENT) -> FakeWorld:
    return FakeWorld(FakeIdentityCenter(), FakeDirectory([DEVELOPERS]), organization(management, DEV))


def with_stray_grants(fake: FakeWorld, count: int) -> None:
    """A managed ReadOnly held on DEV by `count` groups the directory no longer has (the config gives them none)."""
    arn = fake.admin.add(FakePermissionSet("ReadOnly", managed_policies={READ_ONLY}), managed=True)
    for n in range(count):
        fake.admin.create_assignment(DEV, arn, "GROUP", f"{n + 100:08x}-0000-4000-8000-000000000000")


def apply(fake: FakeWorld, cfg: Config, *, allow_mass_delete: bool = False) -> Report:
    return reconcile(cfg, Scope.everything(), apply=True, context=fake.context(), allow_mass_delete=allow_mass_delete)


def test_a_config_naming_another_management_account_plans_and_applies_nothing() -> None:
    fake = world(management=OTHER)
    report = apply(fake, config(["ReadOnly"]))
    assert report.blocked is not None and MANAGEMENT in report.blocked and OTHER in report.blocked
    assert report.plan.empty and report.results == [] and not report.ok
    assert [f.severity for f in report.findings] == ["error"]
    assert fake.admin.permission_sets == {} and fake.admin.granted == set()
    assert report.to_dict()["blocked"] == report.blocked and "blocked" in report.summary()


def test_deleting_more_than_the_limits_of_the_managed_assignments_is_held_until_allowed() -> None:
    fake = world()
    with_stray_grants(fake, 11)
    before = set(fake.admin.granted)
    held = apply(fake, config(["ReadOnly"]))
    assert held.plan.count("delete_assignment") == 11 and held.plan.count("create_assignment") == 1
    assert held.blocked is not None and "deletes 11 of the 12" in held.blocked and "--allow-mass-delete" in held.blocked
    assert any(f.severity == "error" and f.message == held.blocked for f in held.findings)
    assert held.results == [] and not held.ok
    assert fake.admin.granted == before, "nothing executed, not even the creation"

    allowed = apply(fake, config(["ReadOnly"]), allow_mass_delete=True)
    assert allowed.ok and allowed.blocked is None
    assert any(f.severity == "warning" and "allowed by --allow-mass-delete" in f.message for f in allowed.findings)
    assert {(a.account_id, a.principal_id) for a in fake.admin.granted} == {(DEV, DEVELOPERS.id)}


def test_a_config_acknowledgment_covers_a_plan_deleting_at_most_that_many() -> None:
    fake = world()
    with_stray_grants(fake, 11)
    assert apply(fake, config(["ReadOnly"], acknowledge=10)).blocked is not None
    acknowledged = apply(fake, config(["ReadOnly"], acknowledge=11))
    assert acknowledged.ok and acknowledged.plan.count("delete_assignment") == 11
    assert any("acknowledged by apply.mass_delete.acknowledge: 11" in f.message for f in acknowledged.findings)


def test_deleting_permission_sets_counts_too() -> None:
    fake, key = world(), FakeOwnershipKey()
    for n in range(11):
        seal(fake.admin, key, fake.admin.add(FakePermissionSet(f"Old{n}", managed_policies={READ_ONLY}), managed=True))
    cfg = config([])
    cfg = cfg.model_copy(update={"apply": cfg.apply.model_copy(update={"delete_permission_sets": True})})
    context = replace(fake.context(), ownership=key)
    report = reconcile(cfg, Scope.everything(), apply=True, context=context)
    assert report.plan.count("delete_permission_set") == 11 and report.blocked is not None
    assert len(fake.admin.permission_sets) == 11


def test_the_breaker_trips_over_both_limits_only() -> None:
    guard = MassDeleteGuard()
    assert (guard.max_count, guard.max_share) == (10, 0.25)
    assert guard.exceeded(11, 43) and not guard.exceeded(11, 44) and not guard.exceeded(10, 10)
    assert MassDeleteGuard(acknowledge=11).acknowledges(11) and not MassDeleteGuard(acknowledge=10).acknowledges(11)
    assert not MassDeleteGuard().acknowledges(1)
