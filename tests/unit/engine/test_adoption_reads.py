"""A plan that adopts a permission set reads the assignments it already has, like those of the managed ones: what
exists is not created again, and what no rule explains is pruned (issue #15: an imported config plans no changes
beyond adopting)."""

from __future__ import annotations

import pytest

from entra_aws.engine.reconcile import plan_changes, reconcile
from entra_aws.engine.scope import Scope

from .fakes import FakeAssignment, FakePermissionSet, FakeWorld
from .test_reconcile_fakes import ALICE, AUDITORS, DEV, DEVELOPERS, MANAGEMENT, PROD, READ_ONLY, config, world

ADOPTING = config(adopt_permission_sets=["ReadOnly"])


def gone(n: int) -> str:
    """A group id the directory no longer has."""
    return f"{n + 0x90:08x}-0000-4000-8000-000000000000"


def hand_made(fake: FakeWorld) -> str:
    """ReadOnly made by hand, not entra-aws's, already holding every assignment the config's rules give."""
    arn = fake.admin.add(FakePermissionSet("ReadOnly", managed_policies={READ_ONLY}), managed=False)
    fake.admin.granted |= {FakeAssignment(DEV, arn, "GROUP", DEVELOPERS.id)}
    for account in (DEV, PROD):
        fake.admin.granted |= {
            FakeAssignment(account, arn, "GROUP", AUDITORS.id),
            FakeAssignment(account, arn, "USER", ALICE.id),
        }
    return arn


def _operations(fake: FakeWorld, scope: Scope) -> list[tuple[str, str, str | None]]:
    plan = plan_changes(ADOPTING, scope, fake.context()).plan
    return [(op.kind, op.permission_set, op.assignment.account_id if op.assignment else None) for op in plan.ordered()]


@pytest.mark.parametrize(
    "scope",
    [
        Scope.everything(),
        Scope.group(DEVELOPERS.id),
        Scope.user(ALICE.id),
        Scope.account(PROD),
        Scope.permission_set("ReadOnly"),
    ],
    ids=str,
)
def test_adopting_a_set_plans_only_the_adoption_not_the_assignments_it_has(scope: Scope) -> None:
    fake = world(DEVELOPERS, AUDITORS, ALICE)
    hand_made(fake)
    assert _operations(fake, scope) == [("tag_permission_set", "ReadOnly", None)]


def test_an_adopted_sets_assignment_no_rule_explains_is_pruned() -> None:
    fake = world(DEVELOPERS, AUDITORS, ALICE)
    arn = hand_made(fake)
    fake.admin.granted |= {
        FakeAssignment(PROD, arn, "GROUP", DEVELOPERS.id),  # a listed group, on an account no rule gives it
        FakeAssignment(MANAGEMENT, arn, "GROUP", gone(1)),  # a group nobody lists
    }
    assert _operations(fake, Scope.everything()) == [
        ("tag_permission_set", "ReadOnly", None),
        ("delete_assignment", "ReadOnly", MANAGEMENT),
        ("delete_assignment", "ReadOnly", PROD),
    ]
    assert reconcile(ADOPTING, Scope.everything(), apply=True, context=fake.context()).ok
    assert fake.admin.held(DEVELOPERS.id) == {(DEV, "ReadOnly")} and fake.admin.held(gone(1)) == set()
    assert plan_changes(ADOPTING, Scope.everything(), fake.context()).plan.empty


def test_adopting_a_set_whose_assignments_mostly_go_is_held_by_the_mass_delete_guard() -> None:
    fake = world(DEVELOPERS, AUDITORS, ALICE)
    arn = hand_made(fake)
    strays = {FakeAssignment(MANAGEMENT, arn, "GROUP", gone(n)) for n in range(12)}
    fake.admin.granted |= strays
    report = reconcile(ADOPTING, Scope.everything(), apply=True, context=fake.context())
    assert report.blocked is not None and "deletes 12 of the 17 managed assignments" in report.blocked
    assert not report.results and strays <= fake.admin.granted
    assert fake.admin.arn_of("ReadOnly", managed=False) == arn, "nothing applied, the adoption neither"
