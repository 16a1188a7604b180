"""Benchmark: `entra-aws access` over the reconcile_reads organization (2,001 accounts x 100 permission sets x 500
groups, 9,454 group assignments) with 5,000 users in those groups and 50 direct user assignments: the API calls of
the full report against the fewest any correct report needs, and the peak memory of the process making it.

Users and memberships (5,000 users, 5,690 memberships; a person may be in several groups):
- per-account convention group k (480): users 10k..10k+9 (users 0..4,799, one group each);
- the 15 business-unit groups: unit group j has users 300j..300j+49 (also in convention groups);
- AWS-Platform-Admins 10 users, AWS-Security-Auditors 20, AWS-ReadOnly-Everyone 100, AWS-Network 5,
  AWS-Finance 5 (users 4,800..4,939, in no other group);
- users 4,940..4,999 are in no group; 4,950..4,999 each hold ReadOnly directly on one Sandbox account.
That is about 413,000 access paths (user x group or direct x account x permission set).

Lower bound (read calls any correct full report needs, each API's largest page: Identity Center and Identity Store
listings 100, Organizations 20):
- permission-set names: ceil(sets/100) ListPermissionSets and one DescribePermissionSet per set (the only call
  that gives a set's name);
- account names: ceil(accounts/20) ListAccounts (the cheapest listing with names). The report reads them through
  the organization walk the planner shares (OrganizationView.snapshot: ListRoots, per OU-tree node its OU and
  account pages, DescribeOrganization), which costs more here: the difference is reported, not hidden;
- users: ceil(users/100) ListUsers (their names); groups: ceil(groups/100) ListGroups;
- group grants: per group ceil(its assignments/100) ListAccountAssignmentsForPrincipal pages, at least one (no
  listing gives assignments of many principals in fewer calls: per (account, set) pair takes one per pair);
- members: per group holding an assignment ceil(members/100) ListGroupMemberships pages, at least one (per user,
  ListGroupMembershipsForMember takes one call per user, 5,000 > 500);
- direct assignments: per user ceil(theirs/100) ListAccountAssignmentsForPrincipal pages, at least one. The other
  route, ListAccountAssignments per provisioned (account, set) pair, needs at least one call per pair (9,454 here,
  plus finding the pairs), so with fewer users than pairs the per-user route is the minimum.
Not counted: instance discovery (ListInstances, once per process).

Peak memory: the report is made in a child process (`python -m bench.access_report --child`: the context, the
read, the CSV rendered in memory) that reports its own peak resident set size (getrusage ru_maxrss), so the
emulator's memory, which lives in the benchmark process, is not counted.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.reconcile_reads import (
    IDENTITY_CENTER_PAGE,
    ORGANIZATIONS_PAGE,
    REGION,
    UNITS,
    Sizes,
    _pages,
    build_config,
    build_world,
    converge,
    density,
    organization_reads,
)
from sandbox.emulator import emulated_aws
from sandbox.world import World

ROOT = Path(__file__).resolve().parents[1]
PRIVILEGED = ("AdministratorAccess", "PowerUser")
MEMORY_GOAL_MB = 500
DESCRIBE_ORGANIZATION = 1


@dataclass(frozen=True)
class People:
    """The benchmark's users and how they are spread over the groups."""

    users: int = 5000
    per_convention_group: int = 10
    per_unit_group: int = 50
    unit_group_stride: int = 300
    organization_wide: tuple[tuple[str, int], ...] = (
        ("AWS-Platform-Admins", 10),
        ("AWS-Security-Auditors", 20),
        ("AWS-ReadOnly-Everyone", 100),
        ("AWS-Network", 5),
        ("AWS-Finance", 5),
    )
    direct: int = 50
    """The last `direct` users hold ReadOnly directly on a Sandbox account each."""

    def names(self) -> list[str]:
        return [f"user{i:04d}@example.com" for i in range(self.users)]


def memberships(world: World, people: People) -> dict[str, list[str]]:
    names = people.names()
    conventions = [g for g in world.groups if g.split("-")[1].isdigit()]
    members = {
        group: names[k * people.per_convention_group : (k + 1) * people.per_convention_group]
        for k, group in enumerate(conventions)
    }
    units = [f"AWS-{unit}-{kind}" for unit in UNITS for kind in ("Developers", "Prod-ReadOnly", "Oncall")]
    for j, group in enumerate(units):
        start = j * people.unit_group_stride
        members[group] = names[start : start + people.per_unit_group]
    start = len(conventions) * people.per_convention_group
    for group, count in people.organization_wide:
        members[group] = names[start : start + count]
        start += count
    return members


def with_people(world: World, people: People) -> World:
    return world.model_copy(update={"users": people.names(), "members": memberships(world, people)})


def _user_ids() -> dict[str, str]:
    import boto3

    store = boto3.client("identitystore", region_name=REGION)
    found = boto3.client("sso-admin", region_name=REGION).list_instances()["Instances"][0]["IdentityStoreId"]
    pages = store.get_paginator("list_users").paginate(IdentityStoreId=found, PaginationConfig={"PageSize": 100})
    return {u["UserName"]: u["UserId"] for page in pages for u in page["Users"]}


def grant_directly(world: World, people: People) -> None:
    """ReadOnly on a Sandbox account for each of the last `people.direct` users, with plain boto3."""
    import boto3

    sso = boto3.client("sso-admin", region_name=REGION)
    instance = sso.list_instances()["Instances"][0]["InstanceArn"]
    sets = sso.list_permission_sets(InstanceArn=instance, MaxResults=100)["PermissionSets"]
    described = (sso.describe_permission_set(InstanceArn=instance, PermissionSetArn=a)["PermissionSet"] for a in sets)
    read_only = next(d["PermissionSetArn"] for d in described if d["Name"] == "ReadOnly")
    sandbox = next(u for u in world.units if u.name == "Sandbox").accounts
    ids = _user_ids()
    for k, user in enumerate(people.names()[-people.direct :]):
        sso.create_account_assignment(
            InstanceArn=instance,
            TargetId=sandbox[k % len(sandbox)].id,
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=read_only,
            PrincipalType="USER",
            PrincipalId=ids[user],
        )


def expected_paths(world: World, sizes: Sizes, people: People) -> int:
    """Access paths the world has, from its density (not from the engine): members x grants per group, plus the
    direct assignments."""
    per_group = density(world, sizes).per_group
    return sum(len(users) * per_group[group] for group, users in world.members.items()) + people.direct


def lower_bound(world: World, sizes: Sizes, people: People) -> dict[str, int]:
    shape = density(world, sizes)
    members = memberships(world, people)
    holding = [g for g, n in shape.per_group.items() if n]
    direct = dict.fromkeys(people.names(), 0) | dict.fromkeys(people.names()[-people.direct :], 1)
    return {
        "permission_set_names": _pages(len(sizes.permission_sets), IDENTITY_CENTER_PAGE) + len(sizes.permission_sets),
        "account_names": _pages(len(world.all_accounts()), ORGANIZATIONS_PAGE),
        "users": _pages(people.users, IDENTITY_CENTER_PAGE),
        "groups": _pages(len(world.groups), IDENTITY_CENTER_PAGE),
        "group_assignments": sum(_pages(n, IDENTITY_CENTER_PAGE) for n in shape.per_group.values()),
        "members": sum(_pages(len(members.get(g, [])), IDENTITY_CENTER_PAGE) for g in holding),
        "direct_assignments": sum(_pages(n, IDENTITY_CENTER_PAGE) for n in direct.values()),
    }


def _child(sizes: Sizes) -> dict[str, Any]:
    """In the child: build the context as the CLI does, read, render the CSV; report calls and peak memory."""
    from entra_aws.adapters.aws import aws_context
    from entra_aws.cli.access_command import csv_text
    from entra_aws.engine.access import read_access

    context = aws_context(build_config(sizes))
    report = read_access(context, PRIVILEGED)
    rendered = csv_text(report.rows)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    breakdown = dict(sorted(context.calls.calls.items()))
    breakdown.pop("sso-admin:ListInstances", None)
    return {
        "calls": report.api_calls,
        "rows": len(report.rows),
        "csv_characters": len(rendered),
        "peak_mb": round(peak_kb / 1024, 1),
        "breakdown": breakdown,
    }


def in_child(sizes: Sizes) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.access_report", "--child", json.dumps(asdict(sizes))]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=1800, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"the report's child process failed: {done.stderr.strip().splitlines()[-1:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def run(sizes: Sizes, people: People) -> dict[str, Any]:
    """Against the AWS that AWS_ENDPOINT_URL names (an emulator running in this process)."""
    world = with_people(build_world(sizes), people)
    converge(world, sizes, density(world, sizes).assignments)
    grant_directly(world, people)
    measured = in_child(sizes)
    expected = expected_paths(world, sizes, people)
    if measured["rows"] != expected:
        raise RuntimeError(f"the report has {measured['rows']:,} access paths, the world {expected:,}")
    bound = lower_bound(world, sizes, people)
    walk = organization_reads(world) + DESCRIBE_ORGANIZATION
    return {
        "accounts": len(world.all_accounts()),
        "permission_sets": len(sizes.permission_sets),
        "groups": len(world.groups),
        "users": people.users,
        "memberships": sum(len(m) for m in world.members.values()),
        "direct_assignments": people.direct,
        **measured,
        "bound": sum(bound.values()),
        "bound_parts": bound,
        "organization_walk": walk,
        "memory_goal_mb": MEMORY_GOAL_MB,
    }


def measure() -> dict[str, Any]:
    with emulated_aws():
        return run(Sizes(), People())


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(_child(Sizes(**json.loads(sys.argv[2])))))
    else:
        print(json.dumps(measure(), indent=2))
