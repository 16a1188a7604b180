"""Desired state: which principal should hold which permission set on which account. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from entra_aws.config.models import AssignmentRule, Config, NamingConvention, Targets
from entra_aws.engine.model import Assignment, DesiredState, Finding, Principal
from entra_aws.engine.organization import eligible, resolve_targets
from entra_aws.engine.ports import OrganizationView


@dataclass
class _Resolver:
    """Resolves each rule's targets once per reconcile, whoever asks."""

    org: OrganizationView
    findings: list[Finding]
    _cache: dict[str, frozenset[str]] = field(default_factory=dict)

    def accounts(self, targets: Targets, exclude: Targets, label: str) -> frozenset[str]:
        key = label  # rule names are unique (checked by the config loader)
        if key not in self._cache:
            included = resolve_targets(targets, self.org)
            excluded = resolve_targets(exclude, self.org) if not exclude.is_empty() else None
            for problem in included.unresolved:
                self.findings.append(Finding("warning", f"{label}: {problem}", label))
            accounts = included.account_ids - (excluded.account_ids if excluded else frozenset())
            self._cache[key] = accounts
        return self._cache[key]


def _explicit_rules(config: Config, principal: Principal) -> list[AssignmentRule]:
    if principal.type == "GROUP":
        return [rule for rule in config.assignments if principal.name in rule.groups]
    return [rule for rule in config.assignments if principal.name in rule.users]


def _convention_match(config: Config, principal: Principal) -> tuple[NamingConvention, dict[str, str]] | None:
    if principal.type != "GROUP":
        return None
    for convention in config.conventions:
        match = convention.compiled.fullmatch(principal.name)
        if match:
            return convention, {k: v for k, v in match.groupdict().items() if v is not None}
    return None


def _convention_accounts(
    convention: NamingConvention, target: str, org: OrganizationView
) -> tuple[set[str], str | None]:
    kind = convention.target_kind
    if kind == "account":
        return ({target} if org.account(target) else set()), (
            None if org.account(target) else f"account {target} is not in the organization"
        )
    snapshot = org.snapshot()
    if kind == "account_name":
        accounts = {a.id for a in snapshot.accounts_named(target)}
        return accounts, None if accounts else f"no account is named {target!r}"
    ous = snapshot.ous_matching(target)
    if len(ous) > 1:
        return set(), f"OU name {target!r} is ambiguous ({', '.join(sorted(ous))}); use the OU id"
    accounts = {a.id for ou in ous for a in snapshot.accounts_under(ou)}
    return accounts, None if ous else f"no OU matches {target!r}"


def _grants_for(config: Config, principal: Principal, resolver: _Resolver, findings: list[Finding]) -> set[Assignment]:
    grants: set[Assignment] = set()
    org = resolver.org
    for rule in _explicit_rules(config, principal):
        label = f"rule {rule.name}"
        accounts = resolver.accounts(rule.targets, rule.exclude, label)
        kept, _ = eligible(accounts, org, allow_management_account=rule.allow_management_account)
        for ps in rule.permission_sets:
            grants.update(Assignment(a, ps, principal.type, principal.id) for a in kept)
    matched = _convention_match(config, principal)
    if matched is None:
        return grants
    convention, groups = matched
    label = f"convention {convention.name}, group {principal.name!r}"
    ps = groups["permission_set"]
    if ps not in convention.allowed_permission_sets:
        findings.append(
            Finding(
                "warning",
                f"{label}: asks for {ps!r}, which this convention does not grant "
                f"(allowed: {', '.join(convention.allowed_permission_sets)})",
                principal.id,
            )
        )
        return grants
    target = groups[convention.target_kind]
    matched_accounts, problem = _convention_accounts(convention, target, org)
    if problem:
        findings.append(Finding("warning", f"{label}: {problem}", principal.id))
    if not convention.exclude.is_empty():
        matched_accounts = matched_accounts - resolve_targets(convention.exclude, org).account_ids
    kept, skipped = eligible(matched_accounts, org, allow_management_account=False)
    for reason in skipped:
        findings.append(Finding("info", f"{label}: skipped {reason}", principal.id))
    grants.update(Assignment(a, ps, principal.type, principal.id) for a in kept)
    return grants


def desired_state(config: Config, org: OrganizationView, principals: Iterable[Principal]) -> DesiredState:
    """Every assignment the config asks for, for the given principals (already resolved from the directory)."""
    state = DesiredState()
    resolver = _Resolver(org, state.findings)
    for principal in principals:
        state.assignments |= _grants_for(config, principal, resolver, state.findings)
    return state


def referenced_users(config: Config) -> set[str]:
    """User names that explicit rules mention (groups are listed whole; users only when named)."""
    return {name for rule in config.assignments for name in rule.users}
