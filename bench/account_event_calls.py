"""Benchmark: AWS API calls the engine makes to handle one account-created event at the 2,001-account organization.

Scenario: the organization, groups and config of the reconcile_reads section (bench/reconcile_reads.py: 2,001
accounts in 17 OU-tree nodes, 500 groups, 100 permission sets, rules by organization, OU path and account id,
one exclusion by OU path, a per-account convention), seeded into the local emulator. The permission sets exist;
the worker is warm: its AwsContext already ran an account reconcile in this container, so it remembers the
catalog's names and ARNs (engine.catalog). Organizations then creates an account (CreateAccountResult): it
lands at the root, the router turns the record into `Scope.account(<id>)` without calling AWS, and the worker
runs `reconcile(config, Scope.account(id), apply=True, context=warm)`: the three organization-wide rules grant
it AdministratorAccess, SecurityAudit and ReadOnly (the platform-admins rule excludes only /Security).

Counted: every Identity Center (sso-admin), Identity Store and Organizations call made from the start of that
reconcile to its end, with the engine's own CallLog (as in event_calls). Other accounts' assignments do not
enter an account scope's reads (ListPermissionSetsProvisionedToAccount names only the new account's), so the
organization's other accounts are left without any: converging 9,454 assignments first would change no count.

Lower bound, from first principles, for any correct handler of this event (12 calls; docs/benchmark.md):

1. organizations DescribeAccount: the account is in the organization, ACTIVE, and its name (name targets);
2. organizations ListParents, once per level up to the root (it answers one level; here 1): whether any OU
   target or exclusion contains the account;
3. organizations ListOrganizationalUnitsForParent on the root (one page: it has 4 children): the exclusion
   /Security exists and no OU named with '/' passes for it, or the rule would grant nothing (engine.desired);
4. identitystore ListGroups, ceil(500/100) = 5 pages: the rule groups are pinned by Entra object id and the
   per-account convention matches groups by a name pattern; the store looks neither up one by one more cheaply;
5. sso-admin ListPermissionSetsProvisionedToAccount: what the account already holds (a late or redelivered
   event must neither grant twice nor keep what the config no longer gives);
6. sso-admin CreateAccountAssignment, once per grant: 3.

Not in the bound, but made: organizations DescribeOrganization, once per reconcile (the config's management
account is verified, as in event_calls); one of the two calls the goal allows above the bound. Not depending on
the organization's size: no call lists accounts, and none is made per OU beyond the account's ancestors and the
OUs on the way to an excluded path.

Asynchrony: the emulator completes assignments at once (moto answers SUCCEEDED), so the headline has no status
read. `asynchronous` gives the same event with completion after 2 s (the quota model's mean, restored as in
event_calls): the executor's status polling is added on top, the same for three assignments whatever the scope
(the executor's subject, see assignment_makespan), and reported separately as `status_reads`.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

import boto3

from bench.event_calls import HEADLINE_COMPLETION, AsynchronousAssignments
from bench.reconcile_reads import IDENTITY_CENTER_PAGE, MANAGEMENT, REGION, Sizes, build_config, build_world
from entra_aws.adapters.aws import aws_context
from entra_aws.config import Config
from entra_aws.engine.context import AwsContext
from entra_aws.engine.pacing import VirtualClock
from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.scope import Scope
from sandbox.emulator import emulated_aws
from sandbox.world import seed_world

COUNTED_SERVICES = ("sso-admin", "identitystore", "organizations")
GRANTS = 3
"""AdministratorAccess, SecurityAudit and ReadOnly, from the organization-wide rules."""
DEPTH = 1
"""A created account lands at the root: one ListParents."""
ROOT_CHILDREN_PAGES = 1
STATUS_OPERATIONS = (
    "sso-admin:ListAccountAssignmentCreationStatus",
    "sso-admin:DescribeAccountAssignmentCreationStatus",
)


@dataclass
class Organization:
    config: Config
    orgs: Any
    accounts: int
    groups: int


def lower_bound(groups: int) -> int:
    """DescribeAccount, ListParents per level, the root's children, ListGroups pages, what the account holds, and
    one CreateAccountAssignment per grant (the module's docstring says why each is needed)."""
    return 1 + DEPTH + ROOT_CHILDREN_PAGES + math.ceil(groups / IDENTITY_CENTER_PAGE) + 1 + GRANTS


def deploy(sizes: Sizes) -> Organization:
    """Seed the organization and groups; create the permission sets (and nothing else)."""
    world = build_world(sizes)
    seed_world(world, REGION)
    config = build_config(sizes)
    catalog_only = config.model_copy(update={"assignments": [], "conventions": []})
    created = reconcile(
        catalog_only, Scope.everything(), apply=True, context=replace(aws_context(config), clock=VirtualClock())
    )
    if not created.ok:
        raise RuntimeError(f"creating the permission sets failed: {created.summary()}")
    orgs = boto3.client("organizations", region_name="us-east-1")
    return Organization(config, orgs, len(world.all_accounts()), len(world.groups))


def warm_worker(config: Config, asynchronous: AsynchronousAssignments | None = None) -> AwsContext:
    """The worker's cached context after an earlier account reconcile in the same container."""
    session = boto3.Session()
    clock = asynchronous.clock if asynchronous else VirtualClock()
    if asynchronous:
        asynchronous.install(session)
    worker = replace(aws_context(config, session), clock=clock)
    reconcile(config, Scope.account(MANAGEMENT), apply=False, context=worker)  # reads and remembers the catalog
    return worker


def create_account(orgs: Any, name: str) -> str:
    status = orgs.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
    return str(
        orgs.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]["AccountId"]
    )


def handle_account_created(org: Organization, worker: AwsContext, name: str) -> Counter[str]:
    """Organizations creates the account; the worker reconciles its scope. Returns the calls that reconcile made."""
    account_id = create_account(org.orgs, name)
    before = Counter(worker.calls.calls)
    report = reconcile(org.config, Scope.account(account_id), apply=True, context=worker)
    made = Counter({api: n for api, n in (worker.calls.calls - before).items() if api.startswith(COUNTED_SERVICES)})
    created = [r for r in report.succeeded if r.operation.kind == "create_assignment"]
    if not report.ok or len(created) != GRANTS or len(report.plan.operations) != GRANTS:
        raise RuntimeError(f"expected exactly {GRANTS} assignments to be created: {report.summary()}")
    return made


def measure_at(sizes: Sizes) -> dict[str, Any]:
    with emulated_aws():
        org = deploy(sizes)
        headline = handle_account_created(org, warm_worker(org.config), "joined-at-once")
        asynchronous = AsynchronousAssignments(VirtualClock(), completes_after=HEADLINE_COMPLETION)
        later = handle_account_created(org, warm_worker(org.config, asynchronous), "joined-later")
    status_reads = sum(later[op] for op in STATUS_OPERATIONS)
    return {
        "calls": sum(headline.values()),
        "lower_bound": lower_bound(org.groups),
        "accounts": org.accounts,
        "breakdown": dict(sorted(headline.items())),
        "asynchronous": {
            "completion_seconds": HEADLINE_COMPLETION,
            "calls": sum(later.values()),
            "status_reads": status_reads,
        },
    }


def measure() -> dict[str, Any]:
    return measure_at(Sizes())


if __name__ == "__main__":
    import json

    print(json.dumps(measure(), indent=2))
