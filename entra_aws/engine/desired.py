"""Desired state: which principal should hold which permission set on which account. Pure.

Nothing unresolvable widens access: a rule whose exclusions select nothing, or whose targets or exclusions go
through an OU path that can be spoofed, grants nothing at all (an error finding says why)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from entra_aws.config.models import AssignmentRule, Config, NamingConvention, PinnedPrincipal, PrincipalEntry, Targets
from entra_aws.engine.model import Assignment, DesiredState, Finding, Principal, PrincipalType
from entra_aws.engine.organization import NO_STATE, eligible, resolve_targets, spoofable_reference, stateless
from entra_aws.engine.ports import OrganizationView


@dataclass
class _Resolver:
    """Resolves each rule's targets once per reconcile, whoever asks. None: the rule is skipped."""

    org: OrganizationView
    findings: list[Finding]
    within: str | None = None
    """An account scope's account: only grants on it are resolved (see `resolve_targets`)."""
    _cache: dict[str, frozenset[str] | None] = field(default_factory=dict)

    def accounts(self, targets: Targets, exclude: Targets, label: str) -> frozenset[str] | None:
        """The accounts a rule reaches (rule names are unique: checked by the config loader)."""
        if label not in self._cache:
            included = resolve_targets(targets, self.org, within=self.within)
            for problem in included.unresolved:
                self.findings.append(
                    Finding("warning", f"{label}: {problem}", label, kind="target_unresolved", rule=_rule_named(label))
                )
            excluded = self.exclusions(exclude, label)
            refused = self._stop(label, included.refused)
            self._cache[label] = None if excluded is None or refused else included.account_ids - excluded
            for account_id in stateless(self._cache[label] or (), self.org):
                self.findings.append(
                    Finding(
                        "warning",
                        f"{label}: account {account_id}: {NO_STATE}",
                        label,
                        kind="account_state_unknown",
                        account=account_id,
                        rule=_rule_named(label),
                    )
                )
        return self._cache[label]

    def exclusions(self, exclude: Targets, label: str) -> frozenset[str] | None:
        """The accounts `exclude` keeps out; None when an entry selects nothing or cannot be trusted."""
        key = f"{label} exclude"
        if key not in self._cache:
            excluded = resolve_targets(exclude, self.org)
            stopped = self._stop(label, (*excluded.refused, *(f"exclude: {p}" for p in excluded.unresolved)))
            self._cache[key] = None if stopped else excluded.account_ids
        return self._cache[key]

    def _stop(self, label: str, problems: Iterable[str]) -> bool:
        stopped = False
        for problem in problems:
            message = f"{label}: {problem}; it grants nothing until this is fixed"
            self.findings.append(Finding("error", message, label, kind="rule_stopped", rule=_rule_named(label)))
            stopped = True
        return stopped


def entry_matches(entry: PrincipalEntry, principal: Principal) -> bool:
    """A name matches the display name; a pinned entry only the principal with its id or external id."""
    if isinstance(entry, str):
        return principal.name == entry
    if entry.id is not None:
        return principal.id == entry.id
    return principal.external_id == entry.external_id


def _is_impostor(entry: PrincipalEntry, principal: Principal) -> bool:
    return isinstance(entry, PinnedPrincipal) and entry.name == principal.name and not entry_matches(entry, principal)


def rule_entries(config: Config, kind: PrincipalType) -> Iterator[tuple[AssignmentRule, PrincipalEntry]]:
    for rule in config.assignments:
        for entry in rule.groups if kind == "GROUP" else rule.users:
            yield rule, entry


def _explicit_rules(config: Config, principal: Principal, findings: list[Finding]) -> list[AssignmentRule]:
    rules: list[AssignmentRule] = []
    for rule, entry in rule_entries(config, principal.type):
        if entry_matches(entry, principal):
            rules.append(rule)
        elif _is_impostor(entry, principal):
            findings.append(
                Finding(
                    "error",
                    f"rule {rule.name}: {principal.type.lower()} {principal.name!r} ({principal.id}) has the name of "
                    f"a pinned rule principal but not its identity (pinned: {entry}); it gets nothing from this rule",
                    principal.id,
                    kind="pinned_identity_mismatch",
                    group=principal.name if principal.type == "GROUP" else "",
                    rule=rule.name,
                )
            )
    return rules


def _convention_match(
    config: Config, principal: Principal, findings: list[Finding]
) -> tuple[NamingConvention, dict[str, str]] | None:
    if principal.type != "GROUP":
        return None
    for convention in config.conventions:
        match = convention.compiled.fullmatch(principal.name)
        if not match:
            continue
        if principal.external_id is None and not convention.match_unprovisioned_groups:
            findings.append(
                Finding(
                    "warning",
                    f"convention {convention.name}, group {principal.name!r} ({principal.id}): not provisioned from "
                    "Entra (no external id), so the convention does not apply (match_unprovisioned_groups: true "
                    "would let it)",
                    principal.id,
                    kind="convention_unprovisioned_group",
                    group=principal.name,
                    rule=convention.name,
                )
            )
            return None
        return convention, {k: v for k, v in match.groupdict().items() if v is not None}
    return None


def _convention_accounts(
    convention: NamingConvention, target: str, org: OrganizationView, within: str | None
) -> tuple[set[str], str | None]:
    kind = convention.target_kind
    if kind == "account" and within is not None and target != within:
        return set(), None
    if kind == "account":
        return ({target} if org.account(target) else set()), (
            None if org.account(target) else f"account {target} is not in the organization"
        )
    snapshot = org.snapshot()
    if kind == "account_name":
        accounts = {a.id for a in snapshot.accounts_named(target)}
        return accounts, None if accounts or within else f"no account is named {target!r}"
    ous = snapshot.ous_matching(target)
    if snapshot.root_id in ous:
        return set(), f"{target!r} is the organization root; a convention never grants on every account"
    if len(ous) > 1:
        return set(), f"OU name {target!r} is ambiguous ({', '.join(sorted(ous))}); use the OU id"
    spoofed = spoofable_reference(snapshot, target, ous)
    if spoofed:
        return set(), spoofed
    accounts = {a.id for ou in ous for a in snapshot.accounts_under(ou)}
    return accounts, None if ous else f"no OU matches {target!r}"


def _convention_grants(
    convention: NamingConvention, groups: dict[str, str], principal: Principal, resolver: _Resolver
) -> set[Assignment]:
    findings, org = resolver.findings, resolver.org
    label = f"convention {convention.name}, group {principal.name!r}"
    ps = groups["permission_set"]
    if ps not in convention.allowed_permission_sets:
        findings.append(
            Finding(
                "warning",
                f"{label}: asks for {ps!r}, which this convention does not grant "
                f"(allowed: {', '.join(convention.allowed_permission_sets)})",
                principal.id,
                kind="convention_refused",
                group=principal.name,
                permission_set=ps,
                rule=convention.name,
            )
        )
        return set()
    target = groups[convention.target_kind]
    matched_accounts, problem = _convention_accounts(convention, target, org, resolver.within)
    if problem:
        findings.append(
            Finding(
                "warning",
                f"{label}: {problem}",
                principal.id,
                kind="convention_target_unresolved",
                group=principal.name,
            )
        )
    excluded = resolver.exclusions(convention.exclude, f"convention {convention.name}")
    if excluded is None:
        return set()
    kept, skipped = eligible(matched_accounts - excluded, org, allow_management_account=False)
    for reason in skipped:
        findings.append(
            Finding(
                "info",
                f"{label}: skipped {reason}",
                principal.id,
                kind="convention_account_skipped",
                group=principal.name,
                permission_set=ps,
                rule=convention.name,
            )
        )
    return {Assignment(a, ps, principal.type, principal.id) for a in kept}


def _grants_for(config: Config, principal: Principal, resolver: _Resolver) -> set[Assignment]:
    grants: set[Assignment] = set()
    for rule in _explicit_rules(config, principal, resolver.findings):
        accounts = resolver.accounts(rule.targets, rule.exclude, f"rule {rule.name}")
        if accounts is None:
            continue
        kept, _ = eligible(accounts, resolver.org, allow_management_account=rule.allow_management_account)
        for ps in rule.permission_sets:
            grants.update(Assignment(a, ps, principal.type, principal.id) for a in kept)
    matched = _convention_match(config, principal, resolver.findings)
    if matched is not None:
        grants |= _convention_grants(*matched, principal, resolver)
    return grants


def desired_state(
    config: Config, org: OrganizationView, principals: Iterable[Principal], *, within: str | None = None
) -> DesiredState:
    """Every assignment the config asks for, for the given principals (already resolved from the directory);
    `within`: only those on this account (an account scope), and none when it is not in the organization."""
    state = DesiredState()
    if within is not None and org.account(within) is None:
        return state
    resolver = _Resolver(org, state.findings, within)
    for principal in principals:
        state.assignments |= _grants_for(config, principal, resolver)
    if within is not None:
        state.assignments = {a for a in state.assignments if a.account_id == within}
    return state


def _rule_named(label: str) -> str:
    """`rule <name>` / `convention <name>` (the resolver's labels) -> the rule's or convention's name."""
    return label.split(" ", 1)[-1]
