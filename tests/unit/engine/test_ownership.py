"""Ownership a tag alone cannot claim: deleting permission sets is opt-in, and a set is deleted or pruned only when
its seal verifies (engine.ownership). Through the in-memory fakes of the ports."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from entra_aws.config import Config, parse_config
from entra_aws.config.models import SEAL_TAG_KEY
from entra_aws.engine.context import AwsContext
from entra_aws.engine.model import Principal
from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.report import Report
from entra_aws.engine.scope import Scope

from .fake_ownership import FakeOwnershipKey, seal
from .fakes import FakeDirectory, FakeIdentityCenter, FakePermissionSet, FakeWorld, organization

MANAGEMENT, DEV = "111111111111", "222222222222"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
DEVELOPERS = Principal("GROUP", "00000001-0000-4000-8000-000000000000", "Developers")
GONE = "00000099-0000-4000-8000-000000000000"
"""A group the directory no longer has: its assignments are pruned, where the set is provably ours."""


def config(**apply: Any) -> Config:
    return parse_config(
        {
            "tenant_id": "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b",
            "identity_center": {"region": "eu-west-1"},
            "management_account_id": MANAGEMENT,
            "permission_sets": [{"name": "ReadOnly", "managed_policies": [READ_ONLY]}],
            "assignments": [
                {
                    "name": "dev",
                    "groups": ["Developers"],
                    "permission_sets": ["ReadOnly"],
                    "targets": {"accounts": [DEV]},
                }
            ],
            "apply": apply,
        }
    )


def world() -> FakeWorld:
    return FakeWorld(FakeIdentityCenter(), FakeDirectory([DEVELOPERS]), organization(MANAGEMENT, DEV))


def held_set(fake: FakeWorld, name: str, *, managed: bool = True) -> str:
    """A permission set left out of the config, held on DEV by a group that is gone."""
    arn = fake.admin.add(FakePermissionSet(name, managed_policies={READ_ONLY}), managed=managed)
    fake.admin.create_assignment(DEV, arn, "GROUP", GONE)
    return arn


def keyed(fake: FakeWorld, key: FakeOwnershipKey) -> AwsContext:
    return replace(fake.context(), ownership=key)


def run(context: AwsContext, **apply: Any) -> Report:
    return reconcile(config(**apply), Scope.everything(), apply=True, context=context)


def messages(report: Report, kind: str) -> list[str]:
    return [f.message for f in report.findings if f.kind == kind]


def test_a_set_tagged_managed_by_hand_is_neither_deleted_nor_pruned() -> None:
    fake, key = world(), FakeOwnershipKey()
    foreign = held_set(fake, "Theirs")
    report = run(keyed(fake, key), delete_permission_sets=True)
    assert foreign in fake.admin.permission_sets
    assert fake.admin.held(GONE) == {(DEV, "Theirs")}
    assert report.plan.count("delete_permission_set") == report.plan.count("delete_assignment") == 0
    (refused,) = messages(report, "ownership_unproven")
    assert "'Theirs' is tagged managed but it has no seal: not ours" in refused


def test_a_seal_copied_from_our_set_does_not_verify_on_another() -> None:
    fake, key = world(), FakeOwnershipKey()
    ours, foreign = held_set(fake, "Ours"), held_set(fake, "Theirs")
    seal(fake.admin, key, ours)
    fake.admin.permission_sets[foreign].tags[SEAL_TAG_KEY] = fake.admin.permission_sets[ours].tags[SEAL_TAG_KEY]
    report = run(keyed(fake, key), delete_permission_sets=True)
    assert ours not in fake.admin.permission_sets and foreign in fake.admin.permission_sets
    assert fake.admin.held(GONE) == {(DEV, "Theirs")}
    (refused,) = messages(report, "ownership_unproven")
    assert "'Theirs' is tagged managed but its seal does not verify: not ours" in refused


def test_a_managed_set_that_left_the_config_is_reported_and_kept_by_default() -> None:
    fake, key = world(), FakeOwnershipKey()
    old = held_set(fake, "Old")
    seal(fake.admin, key, old)
    report = run(keyed(fake, key))
    assert old in fake.admin.permission_sets and report.plan.count("delete_permission_set") == 0
    (kept,) = messages(report, "permission_set_kept")
    assert "'Old' is managed by entra-aws but no longer in the config" in kept
    assert "apply.delete_permission_sets: true" in kept


def test_opted_in_a_sealed_set_that_left_the_config_is_deleted_and_announced() -> None:
    fake, key = world(), FakeOwnershipKey()
    old = held_set(fake, "Old")
    seal(fake.admin, key, old)
    report = run(keyed(fake, key), delete_permission_sets=True)
    assert report.ok and old not in fake.admin.permission_sets and fake.admin.held(GONE) == set()
    (announced,) = messages(report, "permission_set_deleted")
    assert "'Old' left the config and is deleted by this plan" in announced


def test_without_an_ownership_key_no_set_is_deleted_even_opted_in() -> None:
    fake = world()
    old = held_set(fake, "Old")
    report = run(fake.context(), delete_permission_sets=True)
    assert old in fake.admin.permission_sets
    (refused,) = messages(report, "ownership_unproven")
    assert "no ownership key is configured (apply.ownership.key)" in refused


def test_what_entra_aws_creates_is_sealed_and_its_assignments_prunable() -> None:
    fake, key = world(), FakeOwnershipKey()
    context = keyed(fake, key)
    assert run(context).ok
    arn = fake.admin.arn_of("ReadOnly")
    assert key.verify(arn, fake.admin.permission_sets[arn].tags[SEAL_TAG_KEY])
    fake.admin.create_assignment(MANAGEMENT, arn, "GROUP", GONE)  # a pair no listed group explains
    pruned = run(context)
    assert pruned.plan.count("delete_assignment") == 1 and fake.admin.held(GONE) == set()


def test_adopting_a_set_seals_it() -> None:
    fake, key = world(), FakeOwnershipKey()
    arn = fake.admin.add(FakePermissionSet("ReadOnly", managed_policies={READ_ONLY}), managed=False)
    report = run(keyed(fake, key), adopt_permission_sets=["ReadOnly"])
    assert report.ok and report.plan.count("seal_permission_set") == 1
    assert key.verify(arn, fake.admin.permission_sets[arn].tags[SEAL_TAG_KEY])


def test_a_warm_context_verifies_a_seal_once() -> None:
    fake, key = world(), FakeOwnershipKey()
    arn = fake.admin.add(FakePermissionSet("ReadOnly", managed_policies={READ_ONLY}), managed=True)
    seal(fake.admin, key, arn)
    context = keyed(fake, key)
    for stray in range(2):
        fake.admin.create_assignment(MANAGEMENT, arn, "GROUP", f"000000{stray + 90:02x}-0000-4000-8000-000000000000")
        assert run(context).plan.count("delete_assignment") == 1
    assert key.verified == [arn]


def test_a_steady_reconcile_verifies_nothing() -> None:
    fake, key = world(), FakeOwnershipKey()
    context = keyed(fake, key)
    run(context)
    key.verified.clear()
    assert run(context).plan.empty and key.verified == []


def test_an_adopting_plan_defers_the_adopted_sets_deletions_to_the_run_that_verifies_its_seal() -> None:
    fake, key = world(), FakeOwnershipKey()
    arn = fake.admin.add(FakePermissionSet("ReadOnly", managed_policies={READ_ONLY}), managed=False)
    fake.admin.create_assignment(MANAGEMENT, arn, "GROUP", GONE)  # held by a group that is gone, on a pair
    context = keyed(fake, key)  # no listed group explains
    adopting = run(context, adopt_permission_sets=["ReadOnly"])
    assert adopting.plan.count("seal_permission_set") == 1 and adopting.plan.count("delete_assignment") == 0
    assert messages(adopting, "ownership_unproven") == []
    (deferred,) = messages(adopting, "deletions_after_sealing")
    assert "'ReadOnly' is sealed by this plan" in deferred and "1 planned deletion(s) wait" in deferred
    following = run(context, adopt_permission_sets=["ReadOnly"])
    assert following.ok and following.plan.count("delete_assignment") == 1 and fake.admin.held(GONE) == set()
