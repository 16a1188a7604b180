"""Benchmark: API read calls of `entra-aws import` at the reads benchmark's organization (bench/reconcile_reads.py:
2,001 accounts, 100 permission sets, 500 groups, 9,454 assignments), against the reads an import needs; then the
plan of the imported config, which must be "no changes".

Bound (each API's largest page, as in reconcile_reads; docs/benchmark.md derives it):

- management account: one DescribeOrganization (the imported config names it);
- organization: the same walk as a full reconcile (ListRoots, per tree node its OU and account pages): the
  folding needs every account's OU and status;
- permission sets: ceil(sets/100) ListPermissionSets; per set ListTagsForResource (is it entra-aws's already?) and
  DescribePermissionSet (its name, for the leave-out pattern); per imported set the 4 content reads;
- principals: ceil(groups/100) ListGroups and ceil(users/100) ListUsers pages, at least one each; per principal
  ceil(its assignments/100) ListAccountAssignmentsForPrincipal pages, at least one (that it holds nothing is
  only known by asking). Unlike a reconcile, nothing is explained by a config, so every principal (users
  included) is asked; a principal that no longer exists holds assignments nobody can be pinned to, and no
  (account, permission set) pair listing is needed.

Instance discovery (ListInstances, once when the context is made) is not counted, as in reconcile_reads.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench.reconcile_reads import (
    IDENTITY_CENTER_PAGE,
    MANAGEMENT_CHECK,
    REGION,
    Sizes,
    _pages,
    build_world,
    catalog_reads,
    converge,
    density,
    organization_reads,
)
from entra_aws.adapters.aws import aws_context
from entra_aws.config import Config, load_config
from entra_aws.engine.importer import DEFAULT_LEAVE_OUT, imported_config, read_live
from entra_aws.engine.reconcile import plan_changes
from entra_aws.engine.scope import Scope
from sandbox.emulator import emulated_aws

TENANT = "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b"


def bound(organization: int, permission_sets: int, per_principal: list[int], groups: int, users: int) -> dict[str, int]:
    """`per_principal`: how many assignments each group and user holds."""
    return {
        "management_account": MANAGEMENT_CHECK,
        "organization": organization,
        "permission_sets": catalog_reads(permission_sets),
        "directory": _pages(groups, IDENTITY_CENTER_PAGE) + _pages(users, IDENTITY_CENTER_PAGE),
        "principal_assignments": sum(_pages(n, IDENTITY_CENTER_PAGE) for n in per_principal),
    }


def imported(config: Config) -> tuple[Config, int, Counter[str]]:
    """Import through a fresh context; the config as `entra-aws import` writes and loads it, its assignment count
    and the reads it took."""
    from entra_aws.cli.import_command import write_imported

    context = aws_context(config)
    discovery = Counter(context.calls.calls)
    live = read_live(context, re.compile(DEFAULT_LEAVE_OUT))
    reads = context.calls.calls - discovery
    result = imported_config(live, tenant_id=TENANT, region=REGION)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "imported.yaml"
        write_imported(out, result.document, result.policy_files, result.left_out)
        return load_config(out), result.assignments, reads


def run(sizes: Sizes) -> dict[str, Any]:
    """Against the AWS that AWS_ENDPOINT_URL names (an emulator running in this process)."""
    world = build_world(sizes)
    shape = density(world, sizes)
    config = converge(world, sizes, shape.assignments)
    written, assignments, reads = imported(config)
    if assignments != shape.assignments:
        raise RuntimeError(f"imported {assignments} assignments, the world holds {shape.assignments}")
    after = plan_changes(written, Scope.everything(), aws_context(written))
    if not after.plan.empty:
        raise RuntimeError(f"the plan of the imported config is not 'no changes': {after.summary()}")
    parts = bound(
        organization_reads(world),
        len(sizes.permission_sets),
        list(shape.per_group.values()),
        groups=len(world.groups),
        users=len(world.users),
    )
    return {
        "accounts": len(world.all_accounts()),
        "permission_sets": len(sizes.permission_sets),
        "groups": len(world.groups),
        "assignments": assignments,
        "rules": len(written.assignments),
        "calls": reads.total(),
        "bound": sum(parts.values()),
        "bound_parts": parts,
        "plan_after_import": after.summary(),
        "breakdown": dict(sorted(reads.items())),
    }


def measure() -> dict[str, Any]:
    with emulated_aws():
        return run(Sizes())


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
