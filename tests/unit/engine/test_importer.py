"""`entra-aws import`'s folding of assignments into rules, and the config it writes planning no changes."""

from __future__ import annotations

import json
import re

from entra_aws.config import parse_config
from entra_aws.engine.importer import (
    DEFAULT_LEAVE_OUT,
    FoldedTargets,
    Reaches,
    fold_assignments,
    fold_targets,
    imported_config,
    read_live,
)
from entra_aws.engine.model import Account, Assignment, OrganizationalUnit, Principal, PrincipalRef
from entra_aws.engine.organization import Organization
from entra_aws.engine.reconcile import plan_changes, reconcile
from entra_aws.engine.scope import Scope

from .fakes import FakeAssignment, FakeDirectory, FakeIdentityCenter, FakePermissionSet, FakeWorld

ROOT, MANAGEMENT = "r-root", "111111111111"
PROD, DEV, TEAM, SLASHED = "ou-root-prod0001", "ou-root-dev00001", "ou-root-team0001", "ou-root-slash001"
P1, P2, D1, D2, T1, S1 = "200000000001", "200000000002", "300000000001", "300000000002", "400000000001", "500000000001"
CLOSED = "300000000009"


def org() -> Organization:
    """Root: the management account; /Prod (P1, P2); /Dev (D1, D2, a suspended one) with /Dev/Team (T1);
    an OU named 'Prod/Blue' (S1) whose path reads like a nested one."""
    units = {
        PROD: OrganizationalUnit(PROD, "Prod", ROOT),
        DEV: OrganizationalUnit(DEV, "Dev", ROOT),
        TEAM: OrganizationalUnit(TEAM, "Team", DEV),
        SLASHED: OrganizationalUnit(SLASHED, "Prod/Blue", ROOT),
    }
    parents = {MANAGEMENT: ROOT, P1: PROD, P2: PROD, D1: DEV, D2: DEV, CLOSED: DEV, T1: TEAM, S1: SLASHED}
    accounts = {
        a: Account(a, f"account-{a}", "SUSPENDED" if a == CLOSED else "ACTIVE", parent) for a, parent in parents.items()
    }
    return Organization(ROOT, MANAGEMENT, accounts, units)


def folded(*accounts: str) -> FoldedTargets:
    return fold_targets(frozenset(accounts), Reaches(org()))


def test_every_member_account_is_the_organization_and_with_the_management_account_it_is_allowed_there() -> None:
    members = (P1, P2, D1, D2, T1, S1)
    assert folded(*members) == FoldedTargets(organization=True)
    assert folded(MANAGEMENT, *members) == FoldedTargets(organization=True, allow_management_account=True)


def test_an_ou_whose_every_active_account_is_held_is_an_ou_target_the_rest_account_ids() -> None:
    # /Dev's suspended account holds nothing, yet /Dev is covered: a rule cannot reach a suspended account
    assert folded(D1, D2, T1, P1) == FoldedTargets(ous=("/Dev",), accounts=(P1,))
    assert folded(D1, T1) == FoldedTargets(ous=("/Dev/Team",), accounts=(D1,))
    assert folded(P1) == FoldedTargets(accounts=(P1,))


def test_the_management_account_is_allowed_only_when_held() -> None:
    assert folded(MANAGEMENT, P1, P2) == FoldedTargets(
        ous=("/Prod",), accounts=(MANAGEMENT,), allow_management_account=True
    )


def test_an_ou_whose_path_can_be_spoofed_is_named_by_id() -> None:
    assert folded(S1, T1) == FoldedTargets(ous=("/Dev/Team", SLASHED))


def test_principals_and_permission_sets_with_the_same_targets_share_a_rule() -> None:
    developers, oncall = PrincipalRef("GROUP", "g-dev"), PrincipalRef("GROUP", "g-oncall")
    held = {Assignment(a, "ReadOnly", "GROUP", p.id) for a in (P1, P2) for p in (developers, oncall)}
    held |= {Assignment(a, "PowerUser", "GROUP", p.id) for a in (P1, P2) for p in (developers, oncall)}
    held |= {Assignment(D1, "Developer", "GROUP", developers.id)}
    rules = fold_assignments(held, org())
    assert [(r.principals, r.permission_sets, r.targets) for r in rules] == [
        ((developers,), ("Developer",), FoldedTargets(accounts=(D1,))),
        ((developers, oncall), ("PowerUser", "ReadOnly"), FoldedTargets(ous=("/Prod",))),
    ]


GROUP = Principal(
    "GROUP", "0000000a-0000-4000-8000-000000000000", "AWS-Developers", "0b3c6a1e-7f2d-4c8e-9a5b-1d2e3f4a5b6c"
)
HAND_MADE = Principal("GROUP", "0000000b-0000-4000-8000-000000000000", "Hand-Made")
ALICE = Principal("USER", "0000000c-0000-4000-8000-000000000000", "alice@example.com")


def brownfield() -> FakeWorld:
    """Hand-made assignments of an unmanaged set, a managed one, and a Control Tower set."""
    admin = FakeIdentityCenter()
    read_only = admin.add(
        FakePermissionSet("ReadOnly", "PT8H", "Look", managed_policies={"arn:aws:iam::aws:policy/ReadOnlyAccess"}),
        managed=False,
    )
    inline = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}'
    developer = admin.add(FakePermissionSet("Developer", inline_policy=inline, tags={"team": "dev"}), managed=True)
    tower = admin.add(FakePermissionSet("AWSControlTowerAdmin"), managed=False)
    admin.granted |= {FakeAssignment(a, read_only, "GROUP", GROUP.id) for a in (P1, P2, D1, D2, T1, S1)}
    admin.granted |= {
        FakeAssignment(D1, developer, "GROUP", HAND_MADE.id),
        FakeAssignment(P1, developer, "USER", ALICE.id),
    }
    admin.granted |= {FakeAssignment(MANAGEMENT, tower, "GROUP", HAND_MADE.id)}
    return FakeWorld(admin, FakeDirectory([GROUP, HAND_MADE, ALICE]), org())


def test_the_imported_config_pins_principals_leaves_out_control_tower_and_adopts_without_a_change() -> None:
    fake = brownfield()
    live = read_live(fake.context(), re.compile(DEFAULT_LEAVE_OUT))
    imported = imported_config(live, tenant_id="7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b", region="eu-west-1")
    assert imported.left_out == ["AWSControlTowerAdmin"]
    assert imported.document["apply"] == {"mode": "observe", "adopt_permission_sets": ["ReadOnly"]}
    assert imported.policy_files == {"policies/Developer.json": imported.policy_files["policies/Developer.json"]}
    rules = {r["name"]: r for r in imported.document["assignments"]}
    assert rules["AWS-Developers: ReadOnly"]["groups"] == [{"external_id": GROUP.external_id, "name": GROUP.name}]
    assert rules["AWS-Developers: ReadOnly"]["targets"] == {"organization": True}
    assert rules["Hand-Made: Developer"]["groups"] == [{"id": HAND_MADE.id, "name": HAND_MADE.name}]
    assert rules["alice@example.com: Developer"]["users"] == [{"id": ALICE.id, "name": ALICE.name}]

    developer = next(ps for ps in imported.document["permission_sets"] if ps["name"] == "Developer")
    policy = json.loads(imported.policy_files[developer.pop("inline_policy_file")])
    document = {**developer, "inline_policy": policy}
    permission_sets = [document if ps["name"] == "Developer" else ps for ps in imported.document["permission_sets"]]
    config = parse_config({**imported.document, "permission_sets": permission_sets})
    granted = set(fake.admin.granted)
    plan = plan_changes(config, Scope.everything(), fake.context()).plan
    assert ("tag_permission_set", "ReadOnly", {"adopt": True}) in [
        (op.kind, op.permission_set, op.args) for op in plan.operations
    ]
    assert {op.kind for op in plan.operations} <= {"tag_permission_set", "create_assignment"}, (
        "nothing deleted or changed"
    )
    assert not [f for f in plan.findings if f.severity == "error"]

    observed = reconcile(config, Scope.everything(), apply=True, context=fake.context())
    assert observed.observed and not observed.results and fake.admin.arn_of("ReadOnly", managed=False)

    enforced = config.model_copy(update={"apply": config.apply.model_copy(update={"mode": "enforce"})})
    assert reconcile(enforced, Scope.everything(), apply=True, context=fake.context()).ok
    assert fake.admin.granted == granted, "every assignment kept, the Control Tower set's too"
    assert plan_changes(enforced, Scope.everything(), fake.context()).plan.empty
