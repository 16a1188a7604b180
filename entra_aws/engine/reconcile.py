"""The one engine: desired (config x organization x groups) vs actual (read live) -> plan -> apply -> report.

Every trigger -- events, the schedule, deploy time, the CLI -- calls `reconcile` with a scope. Identity Center
is the truth for what exists, the config for what should. The only thing a warm process carries from one run
to the next is the names and ARNs of the permission sets (`engine.catalog`), checked against what each run
reads and dropped on any doubt. This module orchestrates; what is read lives in `engine.reads`, what is
talked to in `engine.ports`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from entra_aws.config.models import Config
from entra_aws.engine.apply import Executor, Limits, OperationResult
from entra_aws.engine.catalog import Catalog, CatalogCache, StaleCatalogError
from entra_aws.engine.context import AwsContext
from entra_aws.engine.delegated import withhold_management_account
from entra_aws.engine.desired import desired_state
from entra_aws.engine.guardrails import management_account_check, mass_deletion_check
from entra_aws.engine.model import Assignment, DesiredState, Finding
from entra_aws.engine.operations import INSTANCE
from entra_aws.engine.organization import AccountView, Reach
from entra_aws.engine.ownership import guard_ownership
from entra_aws.engine.plan import (
    CatalogChanges,
    Operation,
    Plan,
    kept_by_additive,
    lagging_findings,
    plan_access_control_attributes,
    plan_assignments,
    plan_permission_sets,
    plan_reprovisioning,
)
from entra_aws.engine.ports import OrganizationView
from entra_aws.engine.reads import (
    CONTENT_SCOPES,
    Principals,
    PrincipalUnreadableError,
    actual_in_scope,
    catalog_for,
    lagging_provisioning,
    principals_in_scope,
)
from entra_aws.engine.report import Report
from entra_aws.engine.scope import Scope


def _in_scope(assignments: set[Assignment], scope: Scope) -> set[Assignment]:
    if scope.kind == "account":
        return {a for a in assignments if a.account_id == scope.value}
    if scope.kind == "permission_set":
        return {a for a in assignments if a.permission_set == scope.value}
    return assignments


def _permission_set_plan(
    config: Config, scope: Scope, catalog: Catalog, desired: set[Assignment], *, seal: bool
) -> Plan:
    """`seal`: an ownership key is at hand, so what is created or adopted is sealed (engine.ownership)."""
    planner = partial(
        plan_permission_sets,
        adopt=config.apply.adopt_permission_sets,
        keep_unlisted=not config.apply.delete_permission_sets,
        seal=seal,
    )
    records = catalog.records
    if scope.kind == "all":
        return planner(config.permission_sets, records, prune_unlisted=config.apply.prune)
    if scope.kind == "permission_set":
        specs = [ps for ps in config.permission_sets if ps.name == scope.value]
        only = {k: v for k, v in records.items() if k == scope.value}
        return planner(specs, only, prune_unlisted=config.apply.prune)
    # Scoped to principals or an account: create what the grants need, leave content to full reconciles.
    needed = {a.permission_set for a in desired}
    specs = [ps for ps in config.permission_sets if ps.name in needed]
    return planner(specs, records, prune_unlisted=False)


def _lagging(config: Config, scope: Scope, catalog: Catalog, plan: Plan, ctx: AwsContext) -> dict[str, list[str]]:
    """Scopes that correct content also provision what never reached an account: the accounts lagging each of the
    config's managed sets whose content this plan leaves alone (a set whose content changes is provisioned to all
    its accounts anyway)."""
    if scope.kind not in CONTENT_SCOPES:
        return {}
    provisioned = {op.permission_set for op in plan.operations if op.kind == "provision_permission_set"}
    names = [
        ps.name
        for ps in config.permission_sets
        if (scope.kind == "all" or ps.name == scope.value)
        and ps.name not in provisioned
        and (record := catalog.records.get(ps.name)) is not None
        and record.managed
        and record.content is not None
    ]
    return lagging_provisioning(ctx.admin, catalog, names)


def _access_control_plan(config: Config, scope: Scope, ctx: AwsContext) -> list[Operation]:
    """The instance's ABAC attributes: corrected by full reconciles only, and read only when the config says."""
    wanted = config.identity_center.access_control_attributes
    if scope.kind != "all" or wanted is None:
        return []
    return plan_access_control_attributes(wanted, ctx.admin.access_control_attributes())


@dataclass
class ScopeState:
    """Who is in scope and what the config gives them: independent of the permission-set catalog."""

    principals: Principals
    desired: DesiredState
    wanted: set[Assignment]
    """The desired assignments inside the scope."""

    @property
    def names(self) -> dict[str, str]:
        return {p.id: p.name for p in self.principals.present}


def _organization_for(config: Config, scope: Scope, ctx: AwsContext) -> OrganizationView:
    """An account scope reads the account's surroundings, whatever the size of the organization; a full scope
    walks the tree once (many principals ahead: one walk beats a lookup per account); a principal's scope asks
    for the accounts its grants name."""
    if scope.kind == "account":
        near = ctx.organization.surroundings(scope.value or "", Reach.of(config))
        return AccountView(ctx.organization, near)
    if scope.kind not in ("group", "user"):
        ctx.organization.snapshot()
    return ctx.organization


def _scope_state(config: Config, scope: Scope, ctx: AwsContext) -> ScopeState:
    organization = _organization_for(config, scope, ctx)
    principals = principals_in_scope(config, scope, ctx.directory)
    within = scope.value if scope.kind == "account" else None
    desired = desired_state(config, organization, principals.present, within=within)
    return ScopeState(principals, desired, _in_scope(desired.assignments, scope))


def _plan_with(config: Config, scope: Scope, ctx: AwsContext, catalog: Catalog, state: ScopeState) -> Plan:
    catalog.require_managed({a.permission_set for a in state.wanted})
    plan = _permission_set_plan(config, scope, catalog, state.wanted, seal=ctx.ownership is not None)
    lagging = _lagging(config, scope, catalog, plan, ctx)
    plan.operations += plan_reprovisioning(lagging)
    changes = CatalogChanges.of(plan.operations)
    owned = {n for n, r in catalog.records.items() if r.managed} | changes.created | changes.adopted
    # the sets this plan adopts are read like the managed ones: what they already hold is neither created
    # again nor left unpruned
    actual = actual_in_scope(ctx.admin, scope, state.principals, catalog.adopting(changes.adopted))
    additive = config.additive_permission_sets
    plan.operations += plan_assignments(state.wanted, actual, owned, prune=config.apply.prune, additive=additive)
    plan.operations += _access_control_plan(config, scope, ctx)
    guard_ownership(plan, catalog, ctx)
    if config.deployment.delegated:
        management = config.management_account_id or ctx.organization.management_account_id()
        withhold_management_account(plan, catalog, management, ctx.admin.provisioned_to_account)
    plan.findings += lagging_findings(lagging, plan.operations)
    plan.managed += sum(1 for a in actual if a.permission_set in owned)
    kept = _kept_findings(kept_by_additive(state.wanted, actual, owned, additive), state.names)
    plan.findings = state.principals.findings + state.desired.findings + plan.findings + kept
    return plan


LISTED = 20
"""Assignments or operations a finding names one by one; the rest are counted."""


def _listed(items: list[str]) -> str:
    more = f", and {len(items) - LISTED} more" if len(items) > LISTED else ""
    return ", ".join(items[:LISTED]) + more


def _kept_findings(kept: list[Assignment], names: dict[str, str]) -> list[Finding]:
    """One finding per additive permission set holding assignments no rule explains (drift not reverted)."""
    by_set: dict[str, list[str]] = {}
    for a in kept:
        who = f"{a.principal_type.lower()} {names.get(a.principal_id, a.principal_id)} on {a.account_id}"
        by_set.setdefault(a.permission_set, []).append(who)
    return [
        Finding(
            "info",
            f"permission set {name!r} is additive: {len(held)} assignment(s) no rule explains kept: {_listed(held)}",
            name,
            kind="additive_unexplained",
            permission_set=name,
        )
        for name, held in sorted(by_set.items())
    ]


def _observed_finding(plan: Plan, names: dict[str, str]) -> Finding:
    changes = _listed([op.describe(names) for op in plan.ordered()])
    return Finding(
        "info",
        f"observe mode (apply.mode: observe), nothing applied; enforce would make {len(plan.operations)} "
        f"change(s): {changes}",
        kind="observed_changes",
    )


@dataclass
class ScopePlan:
    plan: Plan
    catalog: Catalog
    """The catalog the plan was made from (its ARNs are what the executor needs)."""
    names: dict[str, str]
    """Principal id -> display name, for people reading the report."""


def build_plan(config: Config, scope: Scope, ctx: AwsContext) -> ScopePlan:
    """Plan from the remembered catalog when the scope allows; from a live read when it cannot explain what
    Identity Center returned (who is in scope and what they should have is not read again)."""
    state = _scope_state(config, scope, ctx)
    catalog = catalog_for(ctx, config, scope, live=False)
    try:
        plan = _plan_with(config, scope, ctx, catalog, state)
    except StaleCatalogError:
        ctx.catalog_cache.forget()
        catalog = catalog_for(ctx, config, scope, live=True)
        plan = _plan_with(config, scope, ctx, catalog, state)
    return ScopePlan(plan, catalog, state.names)


def plan_changes(config: Config, scope: Scope, context: AwsContext, *, allow_mass_delete: bool = False) -> Report:
    """Read live state for the scope and plan; changes nothing. `execute` applies exactly this plan, unless the
    report is `blocked`: a config naming another management account than the organization's is not planned, nor
    a scope whose principal the identity store will not read (`PrincipalUnreadableError`); a plan over the deletion
    circuit breaker's limits is held unless `allow_mass_delete` (or acknowledged)."""
    context.directory.forget()  # a context may live across warm Lambda invocations; state is read live each run
    context.organization.forget()
    before = context.calls.total
    mismatch = management_account_check(config.management_account_id, context.organization.management_account_id())
    if mismatch is not None:
        plan = Plan(findings=[mismatch.finding])
        return Report(scope=scope, plan=plan, blocked=mismatch.blocked, api_calls=context.calls.total - before)
    try:
        planned = build_plan(config, scope, context)
    except PrincipalUnreadableError as unreadable:
        plan = Plan(findings=[unreadable.finding])
        return Report(scope=scope, plan=plan, blocked=str(unreadable), api_calls=context.calls.total - before)
    breaker = mass_deletion_check(planned.plan, config.apply.mass_delete, allowed=allow_mass_delete)
    if breaker is not None:
        planned.plan.findings.append(breaker.finding)
    observed = config.apply.mode == "observe"
    if observed and not planned.plan.empty:
        planned.plan.findings.append(_observed_finding(planned.plan, planned.names))
    return Report(
        scope=scope,
        plan=planned.plan,
        names=planned.names,
        arns=planned.catalog.arns() | {INSTANCE: ""},  # instance operations name no permission set
        api_calls=context.calls.total - before,
        catalog_remembered=planned.catalog.remembered,
        blocked=breaker.blocked if breaker else None,
        observed=observed,
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
    """Apply a planned report's operations (in place) and return it; a `blocked` one is returned as it is. With
    a `deadline` (context clock time), assignment operations not started by then are left in `report.deferred`.
    An `observed` one (apply.mode: observe) is returned as it is too: the executor is never made."""
    if report.blocked is not None or report.observed:
        return report
    before = context.calls.total
    if not report.plan.empty:
        limits = Limits(
            max_tps=config.apply.max_tps,
            max_outstanding=config.apply.max_outstanding_operations,
            max_concurrent_provisioning=config.apply.max_concurrent_provisioning,
        )
        executor = Executor(
            context.admin,
            dict(report.arns),
            limits=limits,
            clock=context.clock,
            progress=progress,
            deadline=deadline,
            names=context.admin,
            ownership=context.ownership,
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
    context: AwsContext,
    progress: Callable[[OperationResult], None] | None = None,
    deadline: float | None = None,
    allow_mass_delete: bool = False,
) -> Report:
    """Plan and (if `apply`) execute. A plan made from the remembered catalog that fails is planned and
    executed once more from a live read: the failure may only mean a permission set changed behind our back."""
    report = plan_changes(config, scope, context, allow_mass_delete=allow_mass_delete)
    if not apply:
        return report
    report = execute(config, report, context, progress, deadline)
    if not (report.catalog_remembered and report.failed):
        return report
    replanned = plan_changes(config, scope, context, allow_mass_delete=allow_mass_delete)
    retry = execute(config, replanned, context, progress, deadline)
    failures = "; ".join(f"{r.operation.describe(report.names)}: {r.error}" for r in report.failed)
    note = f"planned again from a live catalog read after the plan from the remembered one failed ({failures})"
    retry.plan.findings.insert(0, Finding("info", note, kind="replanned_live"))
    retry.api_calls += report.api_calls
    return retry
