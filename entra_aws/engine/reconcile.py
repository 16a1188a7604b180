"""The one engine: desired (config x organization x groups) vs actual (read live) -> plan -> apply -> report.

Every trigger -- events, the schedule, deploy time, the CLI -- calls `reconcile` with a scope. Identity Center
is the truth for what exists, the config for what should. The only thing a warm process carries from one run
to the next is the names and ARNs of the permission sets (`engine.catalog`), checked against what each run
reads and dropped on any doubt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from entra_aws.adapters.clients import CallLog, make_client
from entra_aws.adapters.identity_store import Directory, looks_like_id
from entra_aws.adapters.organizations import OrganizationReader
from entra_aws.adapters.sso_admin import IdentityCenterAdmin, discover_instance
from entra_aws.config.models import MANAGED_TAG_KEY, Config
from entra_aws.engine.apply import Executor, Limits, OperationResult
from entra_aws.engine.catalog import Catalog, CatalogCache, StaleCatalogError
from entra_aws.engine.desired import desired_state, referenced_users
from entra_aws.engine.model import Assignment, DesiredState, Finding, PermissionSetRecord, Principal, PrincipalType
from entra_aws.engine.organization import OrganizationView
from entra_aws.engine.pacing import Clock, RealClock
from entra_aws.engine.plan import CatalogChanges, Plan, plan_assignments, plan_permission_sets
from entra_aws.engine.report import Report
from entra_aws.engine.scope import Scope

CONTENT_SCOPES = ("all", "permission_set")
"""Scopes that correct permission-set content: they always read the catalog live."""


@dataclass
class AwsContext:
    admin: IdentityCenterAdmin
    directory: Directory
    organization: OrganizationView
    calls: CallLog = field(default_factory=CallLog)
    clock: Clock = field(default_factory=RealClock)
    catalog_cache: CatalogCache = field(default_factory=CatalogCache)
    """Permission-set names and ARNs from the last live read, for later group, user and account scopes."""

    @classmethod
    def from_session(cls, config: Config, session: Any = None) -> AwsContext:
        import boto3

        session = session or boto3.Session()
        log = CallLog()
        region = config.identity_center.region
        sso = make_client(session, "sso-admin", region, log)
        instance_arn = config.identity_center.instance_arn
        store = config.identity_center.identity_store_id
        if not instance_arn or not store:
            found_arn, found_store = discover_instance(sso)
            instance_arn, store = instance_arn or found_arn, store or found_store
        directory = Directory(make_client(session, "identitystore", region, log), store)
        organization = OrganizationReader(
            make_client(session, "organizations", "us-east-1", log),
            management_account_id=config.management_account_id,
            with_tags=uses_tag_targets(config),
        )
        return cls(IdentityCenterAdmin(sso, instance_arn), directory, organization, log)


def uses_tag_targets(config: Config) -> bool:
    selectors = [r.targets for r in config.assignments] + [r.exclude for r in config.assignments]
    selectors += [c.exclude for c in config.conventions]
    return any(t.tags for t in selectors)


# -- the permission-set catalog ------------------------------------------------------------------------------


def read_catalog(admin: IdentityCenterAdmin, config: Config, *, content_for: set[str] | None) -> Catalog:
    """Every managed permission set (by tag), plus unmanaged ones whose names the config wants.

    `content_for`: names whose policies etc. are read (None: all managed ones). Unmanaged permission sets are
    described only while a wanted name is still missing, so a steady state describes only what it owns.
    """
    wanted = {ps.name for ps in config.permission_sets}
    adopt = set(config.apply.adopt_permission_sets)
    records: dict[str, PermissionSetRecord] = {}
    unmanaged: list[tuple[str, dict[str, str]]] = []
    listed = admin.permission_set_arns()
    for arn in listed:
        tags = admin.tags(arn)
        if tags.get(MANAGED_TAG_KEY) != "true":
            unmanaged.append((arn, tags))
            continue
        described = admin.describe(arn)
        name = described["Name"]
        read = content_for is None or name in content_for
        records[name] = PermissionSetRecord(arn, name, True, admin.content(arn, described, tags) if read else None)
    missing = wanted - records.keys()
    for arn, tags in unmanaged:
        if not missing:
            break
        described = admin.describe(arn)
        name = described["Name"]
        if name in missing:
            missing.discard(name)
            read = name in adopt and (content_for is None or name in content_for)
            records[name] = PermissionSetRecord(arn, name, False, admin.content(arn, described, tags) if read else None)
    return Catalog(records, frozenset(listed))


def _catalog(ctx: AwsContext, config: Config, scope: Scope, *, live: bool) -> Catalog:
    """Full and permission-set scopes read content (to correct drift) and always read live; narrower scopes
    need only names and ARNs, which a warm context remembers (unless `live`). Every live read is remembered."""
    now = ctx.clock.now()
    if not live and scope.kind not in CONTENT_SCOPES:
        remembered = ctx.catalog_cache.recall(now)
        if remembered is not None:
            return remembered
    content_for = None if scope.kind == "all" else {scope.value or ""} if scope.kind == "permission_set" else set()
    catalog = read_catalog(ctx.admin, config, content_for=content_for)
    ctx.catalog_cache.remember(catalog, now)
    return catalog


# -- principals in scope -------------------------------------------------------------------------------------


@dataclass
class Principals:
    present: list[Principal]
    gone: list[tuple[PrincipalType, str]]
    """Principals referenced by id that no longer exist: their managed assignments are cleaned up."""
    findings: list[Finding] = field(default_factory=list)


def _named_users(config: Config, directory: Directory, findings: list[Finding]) -> list[Principal]:
    if config.apply.sweep_users:
        return directory.users()
    names = referenced_users(config)
    users = []
    for name in sorted(names):
        user = directory.user_named(name)
        if user is None:
            findings.append(Finding("warning", f"user {name!r} named in the config does not exist", name))
        else:
            users.append(user)
    return users


def _one_principal(kind: PrincipalType, value: str, directory: Directory, findings: list[Finding]) -> Principals:
    by_id = directory.group if kind == "GROUP" else directory.user
    by_name = directory.group_named if kind == "GROUP" else directory.user_named
    if looks_like_id(value):
        principal = by_id(value)
        return Principals([principal], []) if principal else Principals([], [(kind, value)])
    principal = by_name(value)
    if principal is None:
        findings.append(Finding("error", f"no {kind.lower()} named {value!r} in the identity store", value))
        return Principals([], [], findings)
    return Principals([principal], [], findings)


def principals_in_scope(config: Config, scope: Scope, directory: Directory) -> Principals:
    findings: list[Finding] = []
    if scope.kind in ("group", "user"):
        kind: PrincipalType = "GROUP" if scope.kind == "group" else "USER"
        return _one_principal(kind, scope.value or "", directory, findings)
    present = directory.groups() + _named_users(config, directory, findings)
    return Principals(present, [], findings)


# -- actual assignments (managed permission sets only) -------------------------------------------------------


def actual_for_principals(
    admin: IdentityCenterAdmin, principals: Iterable[tuple[PrincipalType, str]], catalog: Catalog
) -> set[Assignment]:
    found: set[Assignment] = set()
    for ptype, pid in principals:
        for account_id, arn in admin.assignments_for_principal(ptype, pid):
            name = catalog.managed_name(arn)
            if name is not None:
                found.add(Assignment(account_id, name, ptype, pid))
    return found


def _pair_assignments(admin: IdentityCenterAdmin, account_id: str, arn: str, name: str) -> set[Assignment]:
    return {Assignment(account_id, name, ptype, pid) for ptype, pid in admin.assignments(account_id, arn)}


def actual_for_account(admin: IdentityCenterAdmin, account_id: str, catalog: Catalog) -> set[Assignment]:
    managed = {arn: catalog.managed_name(arn) for arn in admin.provisioned_to_account(account_id)}
    found: set[Assignment] = set()
    for arn, name in managed.items():
        if name is not None:
            found |= _pair_assignments(admin, account_id, arn, name)
    return found


def actual_for_permission_set(admin: IdentityCenterAdmin, record: PermissionSetRecord) -> set[Assignment]:
    found: set[Assignment] = set()
    for account_id in admin.accounts_for_permission_set(record.arn):
        found |= _pair_assignments(admin, account_id, record.arn, record.name)
    return found


def stray_assignments(admin: IdentityCenterAdmin, catalog: Catalog, known: set[Assignment]) -> set[Assignment]:
    """Assignments of managed permission sets held by principals nobody listed (users, deleted groups).

    Each managed permission set's provisioned accounts are compared with the pairs the listed principals
    explain; only unexplained pairs are read, so a steady state costs one listing per permission set.
    """
    explained = {(a.account_id, a.permission_set) for a in known}
    found: set[Assignment] = set()
    for record in catalog.records.values():
        if not record.managed:
            continue
        for account_id in admin.accounts_for_permission_set(record.arn):
            if (account_id, record.name) not in explained:
                found |= _pair_assignments(admin, account_id, record.arn, record.name)
    return found


def _actual(ctx: AwsContext, scope: Scope, principals: Principals, catalog: Catalog) -> set[Assignment]:
    admin = ctx.admin
    if scope.kind == "account":
        return actual_for_account(admin, scope.value or "", catalog)
    if scope.kind == "permission_set":
        record = catalog.records.get(scope.value or "")
        return actual_for_permission_set(admin, record) if record and record.managed else set()
    listed = [(p.type, p.id) for p in principals.present] + principals.gone
    found = actual_for_principals(admin, listed, catalog)
    if scope.kind == "all":
        found |= stray_assignments(admin, catalog, found)
    return found


# -- plan and apply ------------------------------------------------------------------------------------------


def _in_scope(assignments: set[Assignment], scope: Scope) -> set[Assignment]:
    if scope.kind == "account":
        return {a for a in assignments if a.account_id == scope.value}
    if scope.kind == "permission_set":
        return {a for a in assignments if a.permission_set == scope.value}
    return assignments


def _permission_set_plan(config: Config, scope: Scope, catalog: Catalog, desired: set[Assignment]) -> Plan:
    adopt = config.apply.adopt_permission_sets
    records = catalog.records
    if scope.kind == "all":
        return plan_permission_sets(config.permission_sets, records, adopt=adopt, prune_unlisted=config.apply.prune)
    if scope.kind == "permission_set":
        specs = [ps for ps in config.permission_sets if ps.name == scope.value]
        only = {k: v for k, v in records.items() if k == scope.value}
        return plan_permission_sets(specs, only, adopt=adopt, prune_unlisted=config.apply.prune)
    # Scoped to principals or an account: create what the grants need, leave content to full reconciles.
    needed = {a.permission_set for a in desired}
    specs = [ps for ps in config.permission_sets if ps.name in needed]
    return plan_permission_sets(specs, records, adopt=adopt, prune_unlisted=False)


def _scope_state(config: Config, scope: Scope, ctx: AwsContext) -> tuple[Principals, DesiredState, set[Assignment]]:
    """Who is in scope and what the config gives them: independent of the permission-set catalog."""
    if scope.kind not in ("group", "user"):
        ctx.organization.snapshot()  # many principals ahead: one walk of the tree beats a lookup per account
    principals = principals_in_scope(config, scope, ctx.directory)
    desired = desired_state(config, ctx.organization, principals.present)
    return principals, desired, _in_scope(desired.assignments, scope)


def _plan_with(
    config: Config,
    scope: Scope,
    ctx: AwsContext,
    catalog: Catalog,
    state: tuple[Principals, DesiredState, set[Assignment]],
) -> Plan:
    principals, desired, wanted = state
    catalog.require_managed({a.permission_set for a in wanted})
    actual = _actual(ctx, scope, principals, catalog)
    plan = _permission_set_plan(config, scope, catalog, wanted)
    changes = CatalogChanges.of(plan.operations)
    owned = {n for n, r in catalog.records.items() if r.managed} | changes.created | changes.adopted
    plan.operations += plan_assignments(wanted, actual, owned, prune=config.apply.prune)
    plan.findings = principals.findings + desired.findings + plan.findings
    return plan


def build_plan(config: Config, scope: Scope, ctx: AwsContext) -> tuple[Plan, Catalog, dict[str, str]]:
    """Plan from the remembered catalog when the scope allows; from a live read when it cannot explain what
    Identity Center returned (who is in scope and what they should have is not read again)."""
    state = _scope_state(config, scope, ctx)
    catalog = _catalog(ctx, config, scope, live=False)
    try:
        plan = _plan_with(config, scope, ctx, catalog, state)
    except StaleCatalogError:
        ctx.catalog_cache.forget()
        catalog = _catalog(ctx, config, scope, live=True)
        plan = _plan_with(config, scope, ctx, catalog, state)
    return plan, catalog, {p.id: p.name for p in state[0].present}


def plan_changes(config: Config, scope: Scope, context: AwsContext | None = None) -> Report:
    """Read live state for the scope and plan; changes nothing. `execute` applies exactly this plan."""
    ctx = context or AwsContext.from_session(config)
    ctx.directory.forget()  # a context may live across warm Lambda invocations; state is read live each run
    ctx.organization.forget()
    before = ctx.calls.total
    plan, catalog, names = build_plan(config, scope, ctx)
    return Report(
        scope=scope,
        plan=plan,
        names=names,
        arns=catalog.arns(),
        api_calls=ctx.calls.total - before,
        catalog_remembered=catalog.remembered,
    )


def _keep_catalog_cache(cache: CatalogCache, report: Report, arns: dict[str, str]) -> None:
    """After an apply: a failure may mean the remembered catalog was stale, or leaves the catalog unknown (drop
    it); our own successful creations, adoptions and deletions are known exactly (fold them in)."""
    if report.failed and (CatalogChanges.of(report.plan.operations) or report.catalog_remembered):
        cache.forget()
        return
    done = CatalogChanges.of(r.operation for r in report.succeeded)
    if done:
        cache.amend(created={name: arns[name] for name in done.created}, adopted=done.adopted, deleted=done.deleted)


def execute(
    config: Config,
    report: Report,
    context: AwsContext,
    progress: Callable[[OperationResult], None] | None = None,
    deadline: float | None = None,
) -> Report:
    """Apply a planned report's operations (in place) and return it. With a `deadline` (context clock time),
    assignment operations not started by then are left in `report.deferred`."""
    before = context.calls.total
    if not report.plan.empty:
        limits = Limits(max_tps=config.apply.max_tps, max_outstanding=config.apply.max_outstanding_operations)
        executor = Executor(
            context.admin, dict(report.arns), limits=limits, clock=context.clock, progress=progress, deadline=deadline
        )
        report.results = executor.run(report.plan)
        report.deferred = executor.deferred
        _keep_catalog_cache(context.catalog_cache, report, executor.arns)
    report.applied = True
    report.api_calls += context.calls.total - before
    return report


def reconcile(
    config: Config,
    scope: Scope,
    *,
    apply: bool,
    context: AwsContext | None = None,
    progress: Callable[[OperationResult], None] | None = None,
    deadline: float | None = None,
) -> Report:
    """Plan and (if `apply`) execute. A plan made from the remembered catalog that fails is planned and
    executed once more from a live read: the failure may only mean a permission set changed behind our back."""
    ctx = context or AwsContext.from_session(config)
    report = plan_changes(config, scope, ctx)
    if not apply:
        return report
    report = execute(config, report, ctx, progress, deadline)
    if not (report.catalog_remembered and report.failed):
        return report
    retry = execute(config, plan_changes(config, scope, ctx), ctx, progress, deadline)
    failures = "; ".join(f"{r.operation.describe(report.names)}: {r.error}" for r in report.failed)
    note = f"planned again from a live catalog read after the plan from the remembered one failed ({failures})"
    retry.plan.findings.insert(0, Finding("info", note))
    retry.api_calls += report.api_calls
    return retry
