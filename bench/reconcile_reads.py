"""Benchmark: API read calls of a full reconcile at 2,000 accounts x 100 permission sets x 500 groups, in steady
state, against the lower bound any correct full reconcile needs and against account x permission-set enumeration.

Organization (2,001 accounts, 17 OU-tree nodes): the management account at the root; Security (2 accounts),
Infrastructure (4), Sandbox (14); Workloads/Prod/<unit> and Workloads/NonProd/<unit> for five business units
(Payments, Web, Data, Mobile, Platform), 198 accounts each (1,980).

Permission sets (100, all managed): 7 organization-wide ones (AdministratorAccess, PowerUser, ReadOnly,
Developer, SecurityAudit, Billing, NetworkAdmin) and 93 application sets App00..App92.

Groups and assignment density (500 groups, 9,454 assignments) -- the shape of a large Entra-driven setup:

- 3 organization-wide rule groups: AWS-Platform-Admins (AdministratorAccess everywhere but Security and the
  management account: 1,998), AWS-Security-Auditors (SecurityAudit everywhere, management included: 2,001),
  AWS-ReadOnly-Everyone (ReadOnly on every member account: 2,000);
- 15 OU-wide rule groups, three per business unit: AWS-<unit>-Developers (Developer on NonProd/<unit>),
  AWS-<unit>-Prod-ReadOnly (ReadOnly on Prod/<unit>), AWS-<unit>-Oncall (PowerUser on Prod/<unit>): 198 each;
- AWS-Network (NetworkAdmin on Infrastructure: 4) and AWS-Finance (Billing on the management account: 1);
- 480 per-account convention groups AWS-<account id>-App<nn>: group k grants App<k mod 93> on every fourth
  workload account, so each application set is assigned on 5 or 6 accounts.
No rule uses tag targets (they cost one ListTagsForResource per account whatever the engine does).

Lower bound (read calls any correct full reconcile needs, with each API's largest page, from the AWS service
models: Organizations 20, Identity Center and Identity Store listings 100):

- organization: ListRoots, then per tree node one ListOrganizationalUnitsForParent page (every node must be
  asked for children; none has more than 20) and ceil(accounts/20) ListAccountsForParent pages, at least one
  (an empty node must be asked too). Every account's status is needed (rules target the whole organization) and
  the accounts under the targeted OUs. ListAccounts gives every status in ceil(2001/20) = 101 pages but no OUs,
  so the OU rules would still need their subtrees walked (more calls than the walk, here): the walk alone is the
  cheapest way the API offers;
- permission sets: ceil(100/100) ListPermissionSets; per set ListTagsForResource (ownership is a tag, readable
  only per resource); per managed set DescribePermissionSet and the 4 content reads drift correction needs
  (ListManagedPolicies..., ListCustomerManagedPolicyReferences..., GetInlinePolicy...,
  GetPermissionsBoundary...): 1 + 100 x 6;
- groups: ceil(500/100) ListGroups; per group ceil(its assignments/100) ListAccountAssignmentsForPrincipal pages,
  at least one (a group may hold stale grants). Listing by (account, set) pair instead takes a call per pair the
  group holds, never fewer;
- assignments no listed principal explains (users, deleted groups): per managed set
  ceil(accounts it is provisioned to/100) ListAccountsForProvisionedPermissionSet pages (per account,
  ListPermissionSetsProvisionedToAccount would take at least 2,001 calls); in steady state every provisioned
  (account, set) pair is explained, so no ListAccountAssignments follow. This is the engine's documented
  contract (docs/architecture.md): a direct user grant on a pair a group also holds is found only with
  apply.sweep_users, which lists every user.
- accounts whose role lags a set's content (an update never provisioned there, a provisioning that failed there):
  per managed set ceil(such accounts/100) ListAccountsForProvisionedPermissionSet pages with ProvisioningStatus
  LATEST_PERMISSION_SET_NOT_PROVISIONED, at least one (in steady state: one, empty). Nothing else says which
  roles lag: the content reads show the set, not the roles made from it; provisioning every set to all its
  accounts on every run instead would cost a write per set and rewrite thousands of roles;
- management account: one DescribeOrganization. The config names the management account, but a reconcile
  that took the config's word would plan with a wrong id (the guardrails keeping grants off the management
  account would move with it), so every reconcile verifies it (engine.guardrails).
- Not counted in either: instance discovery (ListInstances, once per process when creating the context, not
  per reconcile).

Naive: the same DescribeOrganization, organization, catalog, ListGroups and lagging-account reads, then
ListAccountAssignments for every (account, permission set) pair, ceil(principals on the pair/100) pages, at least
one: computed, not run.

How the world is built: the emulator runs in this process. The organization and groups are created through the
API (the sandbox's seeding), the permission sets and all 9,454 assignments by the engine's own first apply
(its executor on a virtual clock, so its pacing costs no wall time: the emulator has no quota; pacing is the
makespan section's subject). The measured reconcile is the next one, from a fresh context, with apply=False,
and must plan nothing. The emulator pages ListAccountsForProvisionedPermissionSet at MaxResults as AWS does
(sandbox/identity_center_gaps.py); without that the count would be too low.
"""

from __future__ import annotations

import json
import math
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from entra_aws.adapters.aws import aws_context
from entra_aws.config import Config, parse_config
from entra_aws.engine.pacing import VirtualClock
from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.scope import Scope
from sandbox.emulator import DEFAULT_MANAGEMENT_ACCOUNT, emulated_aws
from sandbox.world import World, WorldAccount, WorldUnit, seed_world

ORGANIZATIONS_PAGE = 20
IDENTITY_CENTER_PAGE = 100
CONTENT_READS = 4
MANAGEMENT_CHECK = 1
"""DescribeOrganization: every reconcile verifies the config's management account."""
MANAGEMENT = DEFAULT_MANAGEMENT_ACCOUNT  # the emulator makes the caller this account
REGION = "eu-west-1"
UNITS = ("Payments", "Web", "Data", "Mobile", "Platform")
CORE_SETS = {
    "AdministratorAccess": "arn:aws:iam::aws:policy/AdministratorAccess",
    "PowerUser": "arn:aws:iam::aws:policy/PowerUserAccess",
    "ReadOnly": "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "Developer": "arn:aws:iam::aws:policy/PowerUserAccess",
    "SecurityAudit": "arn:aws:iam::aws:policy/SecurityAudit",
    "Billing": "arn:aws:iam::aws:policy/job-function/Billing",
    "NetworkAdmin": "arn:aws:iam::aws:policy/job-function/NetworkAdministrator",
}

Grant = tuple[str, str, list[str]]
"""(group, permission set, accounts)."""


@dataclass(frozen=True)
class Sizes:
    """The benchmark's scale; tests run the same scenario smaller."""

    accounts_per_unit: int = 198
    app_sets: int = 93
    convention_groups: int = 480

    @property
    def app_names(self) -> list[str]:
        return [f"App{i:02d}" for i in range(self.app_sets)]

    @property
    def permission_sets(self) -> list[str]:
        return [*CORE_SETS, *self.app_names]


# -- the world and the config --------------------------------------------------------------------------------


def _accounts(prefix: int, count: int, name: str) -> list[WorldAccount]:
    return [WorldAccount(id=f"{prefix * 10**9 + i:012d}", name=f"{name}-{i}") for i in range(1, count + 1)]


def _workloads(sizes: Sizes) -> WorldUnit:
    stages = [
        WorldUnit(
            name=stage,
            units=[
                WorldUnit(name=unit, accounts=_accounts(500 + 10 * s + u, sizes.accounts_per_unit, f"{unit}-{stage}"))
                for u, unit in enumerate(UNITS)
            ],
        )
        for s, stage in enumerate(("Prod", "NonProd"))
    ]
    return WorldUnit(name="Workloads", units=stages)


def build_world(sizes: Sizes) -> World:
    units = [
        WorldUnit(name="Security", accounts=_accounts(200, 2, "security")),
        WorldUnit(name="Infrastructure", accounts=_accounts(300, 4, "infrastructure")),
        WorldUnit(name="Sandbox", accounts=_accounts(400, 14, "sandbox")),
        _workloads(sizes),
    ]
    groups = [group for group, _, _ in convention_grants(units, sizes)]
    groups += ["AWS-Platform-Admins", "AWS-Security-Auditors", "AWS-ReadOnly-Everyone", "AWS-Network", "AWS-Finance"]
    groups += [f"AWS-{unit}-{kind}" for unit in UNITS for kind in ("Developers", "Prod-ReadOnly", "Oncall")]
    management = WorldAccount(id=MANAGEMENT, name="management")
    return World(management_account=management, units=units, groups=groups, external_ids=entra_object_ids(groups))


def entra_object_ids(groups: list[str]) -> dict[str, str]:
    """Every group is provisioned from Entra: its Entra object id (the SCIM externalId), made up from its name."""
    return {group: str(uuid.uuid5(uuid.NAMESPACE_URL, group)) for group in groups}


def convention_grants(units: list[WorldUnit], sizes: Sizes) -> list[Grant]:
    """Group k grants App<k mod app_sets> on every fourth workload account."""
    workloads = next(unit for unit in units if unit.name == "Workloads")
    chosen = [a.id for a in workloads.all_accounts()][::4][: sizes.convention_groups]
    apps = sizes.app_names
    return [
        (f"AWS-{account}-{apps[k % len(apps)]}", apps[k % len(apps)], [account]) for k, account in enumerate(chosen)
    ]


def _nodes(units: list[WorldUnit]) -> Iterator[WorldUnit]:
    for unit in units:
        yield unit
        yield from _nodes(unit.units)


def _rule(name: str, group: str, permission_set: str, targets: dict[str, Any], **extra: Any) -> dict[str, Any]:
    pinned = {"external_id": entra_object_ids([group])[group], "name": group}  # rules name groups by identity
    return {"name": name, "groups": [pinned], "permission_sets": [permission_set], "targets": targets, **extra}


def _unit_rules(unit: str) -> list[dict[str, Any]]:
    prod, nonprod = {"ous": [f"/Workloads/Prod/{unit}"]}, {"ous": [f"/Workloads/NonProd/{unit}"]}
    return [
        _rule(f"{unit}-developers", f"AWS-{unit}-Developers", "Developer", nonprod),
        _rule(f"{unit}-prod-readonly", f"AWS-{unit}-Prod-ReadOnly", "ReadOnly", prod),
        _rule(f"{unit}-oncall", f"AWS-{unit}-Oncall", "PowerUser", prod),
    ]


def build_config(sizes: Sizes) -> Config:
    everywhere = {"organization": True}
    assignments = [
        _rule(
            "platform-admins", "AWS-Platform-Admins", "AdministratorAccess", everywhere, exclude={"ous": ["/Security"]}
        ),
        _rule("security-auditors", "AWS-Security-Auditors", "SecurityAudit", everywhere, allow_management_account=True),
        _rule("readonly-everyone", "AWS-ReadOnly-Everyone", "ReadOnly", everywhere),
        _rule("network", "AWS-Network", "NetworkAdmin", {"ous": ["/Infrastructure"]}),
        _rule("finance", "AWS-Finance", "Billing", {"accounts": [MANAGEMENT]}, allow_management_account=True),
        *(rule for unit in UNITS for rule in _unit_rules(unit)),
    ]
    permission_sets = [{"name": name, "managed_policies": [arn]} for name, arn in CORE_SETS.items()]
    permission_sets += [{"name": name, "managed_policies": [CORE_SETS["ReadOnly"]]} for name in sizes.app_names]
    return parse_config(
        {
            "tenant_id": "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b",
            "identity_center": {"region": REGION},
            "management_account_id": MANAGEMENT,
            "permission_sets": permission_sets,
            "assignments": assignments,
            "conventions": [
                {
                    "name": "per-account",
                    "pattern": r"^AWS-(?P<account>\d{12})-(?P<permission_set>App\d\d)$",
                    "allowed_permission_sets": sizes.app_names,
                }
            ],
        }
    )


# -- what the density means, computed from the world (not by the engine) --------------------------------------


@dataclass(frozen=True)
class Density:
    per_group: dict[str, int]
    """Assignments each group holds."""
    provisioned: dict[str, set[str]]
    """Accounts each permission set is assigned on."""
    per_pair: dict[tuple[str, str], int]
    """Principals holding each (account, permission set) pair that has any."""

    @property
    def assignments(self) -> int:
        return sum(self.per_group.values())


def _accounts_under(world: World, *path: str) -> list[str]:
    units = world.units
    for name in path:
        unit = next(u for u in units if u.name == name)
        units = unit.units
    return [a.id for a in unit.all_accounts()]


def grants(world: World, sizes: Sizes) -> list[Grant]:
    members = [a.id for a in world.all_accounts()[1:]]  # all but the management account
    security = set(_accounts_under(world, "Security"))
    found: list[Grant] = [
        ("AWS-Platform-Admins", "AdministratorAccess", [a for a in members if a not in security]),
        ("AWS-Security-Auditors", "SecurityAudit", [MANAGEMENT, *members]),
        ("AWS-ReadOnly-Everyone", "ReadOnly", members),
        ("AWS-Network", "NetworkAdmin", _accounts_under(world, "Infrastructure")),
        ("AWS-Finance", "Billing", [MANAGEMENT]),
    ]
    for unit in UNITS:
        prod, nonprod = (
            _accounts_under(world, "Workloads", "Prod", unit),
            _accounts_under(world, "Workloads", "NonProd", unit),
        )
        found += [
            (f"AWS-{unit}-Developers", "Developer", nonprod),
            (f"AWS-{unit}-Prod-ReadOnly", "ReadOnly", prod),
            (f"AWS-{unit}-Oncall", "PowerUser", prod),
        ]
    return found + convention_grants(world.units, sizes)


def density(world: World, sizes: Sizes) -> Density:
    per_group: dict[str, int] = dict.fromkeys(world.groups, 0)
    provisioned: dict[str, set[str]] = {}
    per_pair: Counter[tuple[str, str]] = Counter()
    for group, permission_set, accounts in grants(world, sizes):
        per_group[group] += len(accounts)
        provisioned.setdefault(permission_set, set()).update(accounts)
        per_pair.update((account, permission_set) for account in accounts)
    return Density(per_group, provisioned, dict(per_pair))


# -- bounds --------------------------------------------------------------------------------------------------


def _pages(items: int, page: int) -> int:
    """Pages a listing of `items` takes; an empty listing still takes one call."""
    return max(1, math.ceil(items / page))


def organization_reads(world: World) -> int:
    root = WorldUnit(name="Root", accounts=[world.management_account], units=world.units)
    return 1 + sum(
        _pages(len(node.units), ORGANIZATIONS_PAGE) + _pages(len(node.accounts), ORGANIZATIONS_PAGE)
        for node in _nodes([root])
    )


def catalog_reads(permission_sets: int) -> int:
    return _pages(permission_sets, IDENTITY_CENTER_PAGE) + permission_sets * (1 + 1 + CONTENT_READS)


def lower_bound(world: World, sizes: Sizes, shape: Density) -> dict[str, int]:
    provisioned = [len(shape.provisioned.get(name, ())) for name in sizes.permission_sets]
    return {
        "management_account": MANAGEMENT_CHECK,
        "organization": organization_reads(world),
        "permission_sets": catalog_reads(len(sizes.permission_sets)),
        "groups": _pages(len(world.groups), IDENTITY_CENTER_PAGE),
        "group_assignments": sum(_pages(n, IDENTITY_CENTER_PAGE) for n in shape.per_group.values()),
        "unexplained_pairs": sum(_pages(n, IDENTITY_CENTER_PAGE) for n in provisioned),
        "lagging_accounts": len(sizes.permission_sets),
    }


def naive_calls(world: World, sizes: Sizes, shape: Density) -> int:
    pairs = len(world.all_accounts()) * len(sizes.permission_sets)
    extra_pages = sum(_pages(n, IDENTITY_CENTER_PAGE) - 1 for n in shape.per_pair.values())
    directory = _pages(len(world.groups), IDENTITY_CENTER_PAGE)
    reads = MANAGEMENT_CHECK + organization_reads(world) + catalog_reads(len(sizes.permission_sets)) + directory
    lagging = len(sizes.permission_sets)  # a correct reconcile by pairs must still find lagging roles
    return reads + pairs + extra_pages + lagging


# -- the measurement -----------------------------------------------------------------------------------------


def converge(world: World, sizes: Sizes, expected_assignments: int) -> Config:
    """Seed the organization and groups, then let the engine's first apply create everything else."""
    seed_world(world, REGION)
    config = build_config(sizes)
    first = replace(aws_context(config), clock=VirtualClock())
    report = reconcile(config, Scope.everything(), apply=True, context=first)
    if not report.ok or report.plan.count("create_assignment") != expected_assignments:
        raise RuntimeError(f"the first apply did not create the {expected_assignments} assignments: {report.summary()}")
    return config


def run(sizes: Sizes) -> dict[str, Any]:
    """Against the AWS that AWS_ENDPOINT_URL names (an emulator running in this process)."""
    world = build_world(sizes)
    shape = density(world, sizes)
    config = converge(world, sizes, shape.assignments)
    context = aws_context(config)  # discovers the instance: once per process, not per reconcile
    discovery = Counter(context.calls.calls)
    steady = reconcile(config, Scope.everything(), apply=False, context=context)
    if not steady.plan.empty:
        raise RuntimeError(f"not in steady state after the first apply: {steady.summary()}")
    made = context.calls.calls - discovery
    bound = lower_bound(world, sizes, shape)
    return {
        "accounts": len(world.all_accounts()),
        "permission_sets": len(sizes.permission_sets),
        "groups": len(world.groups),
        "calls": made.total(),
        "lower_bound": sum(bound.values()),
        "naive_calls": naive_calls(world, sizes, shape),
        "density": {
            "assignments": shape.assignments,
            "provisioned_pairs": len(shape.per_pair),
            "organization_wide_rule_groups": 3,
            "ou_wide_rule_groups": 1 + 3 * len(UNITS),
            "single_account_rule_groups": 1,
            "per_account_convention_groups": sizes.convention_groups,
        },
        "lower_bound_parts": bound,
        "breakdown": dict(sorted(made.items())),
    }


def measure() -> dict[str, Any]:
    with emulated_aws():
        return run(Sizes())


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
