"""`entra-aws import`: a config written from what Identity Center and Organizations hold now.

`read_live` reads through the ports; everything after it is pure. Assignments are folded into rules as compactly
as targets allow: a (principal, permission set) that reaches every eligible account becomes `organization: true`,
one that reaches every eligible account of an OU an OU target, the rest an account list; principals and target
shapes that share permission sets share a rule. Principals are pinned by identity (a display name can be taken
by another group), with their names kept for people. Permission sets other tools own (Control Tower, AWS
service-linked ones: `DEFAULT_LEAVE_OUT`) are left out, with their assignments. The config observes
(`apply.mode: observe`) until a person has read its plans and switches it to enforce.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from entra_aws.config.base import GUID
from entra_aws.config.models import MANAGED_TAG_KEY
from entra_aws.engine.context import AwsContext
from entra_aws.engine.model import Assignment, PermissionSetContent, Principal, PrincipalRef
from entra_aws.engine.organization import Organization, spoofable_reference

DEFAULT_LEAVE_OUT = r"^(AWSControlTower|AWSServiceCatalog|AWSReserved)"
"""Permission sets managed elsewhere: Control Tower's and Service Catalog's, AWS-reserved ones."""
POLICY_FOLDER = "policies"
"""Inline policies go to files in this folder beside the config."""


@dataclass(frozen=True)
class LivePermissionSet:
    name: str
    managed: bool
    """Tagged as entra-aws's already; the others are listed in apply.adopt_permission_sets."""
    content: PermissionSetContent


@dataclass
class LiveState:
    """What the import read."""

    organization: Organization
    permission_sets: list[LivePermissionSet]
    left_out: list[str]
    principals: dict[str, Principal]
    """By id: every group and user of the identity store."""
    assignments: set[Assignment]
    """Of the imported permission sets only."""


def read_live(ctx: AwsContext, leave_out: re.Pattern[str]) -> LiveState:
    """The organization, every permission set (content only of those imported) and every principal's assignments.

    Unmanaged permission sets whose names match `leave_out` are left out; managed ones are always imported.
    """
    admin = ctx.admin
    organization = ctx.organization.snapshot()
    kept: dict[str, LivePermissionSet] = {}
    left_out: list[str] = []
    for arn in admin.permission_set_arns():
        tags = admin.tags(arn)
        described = admin.describe(arn)
        name, managed = str(described["Name"]), tags.get(MANAGED_TAG_KEY) == "true"
        if not managed and leave_out.search(name):
            left_out.append(name)
            continue
        kept[arn] = LivePermissionSet(name, managed, admin.content(arn, described, tags))
    principals = {p.id: p for p in [*ctx.directory.groups(), *ctx.directory.users()]}
    assignments = {
        Assignment(account_id, kept[arn].name, principal.type, principal.id)
        for principal in principals.values()
        for account_id, arn in admin.assignments_for_principal(principal.type, principal.id)
        if arn in kept
    }
    return LiveState(organization, list(kept.values()), sorted(left_out), principals, assignments)


# -- folding assignments into rules (pure) --------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class FoldedTargets:
    """The most compact targets that select exactly a set of accounts (what eligible() keeps of them)."""

    organization: bool = False
    ous: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    allow_management_account: bool = False

    def to_document(self) -> dict[str, Any]:
        targets: dict[str, Any] = {}
        if self.organization:
            targets["organization"] = True
        if self.ous:
            targets["ous"] = list(self.ous)
        if self.accounts:
            targets["accounts"] = list(self.accounts)
        return targets


@dataclass
class Reaches:
    """The accounts a rule targeting each OU assigns (active ones, the management account only when allowed),
    worked out once per organization whatever the number of (principal, permission set) pairs folded."""

    org: Organization
    _known: dict[tuple[str, bool], frozenset[str]] = field(default_factory=dict)

    def of(self, unit: str, allow_management_account: bool) -> frozenset[str]:
        key = (unit, allow_management_account)
        if key not in self._known:
            management = self.org.management_account
            under = self.org.accounts_under(unit)
            self._known[key] = frozenset(
                a.id for a in under if a.active and (allow_management_account or a.id != management)
            )
        return self._known[key]

    @cached_property
    def children(self) -> dict[str, list[str]]:
        """OU ids by parent, in path order."""
        found: dict[str, list[str]] = defaultdict(list)
        for unit in sorted(self.org.units.values(), key=lambda u: self.org.ou_path(u.id)):
            found[unit.parent_id].append(unit.id)
        return found


def ou_reference(org: Organization, unit: str) -> str:
    """The OU's path when it names exactly this OU and cannot be spoofed, else its id."""
    path = org.ou_path(unit)
    if org.ous_matching(path) == [unit] and spoofable_reference(org, path, [unit]) is None:
        return path
    return unit


def fold_targets(accounts: frozenset[str], reaches: Reaches) -> FoldedTargets:
    org = reaches.org
    allow = org.management_account in accounts
    if reaches.of(org.root_id, allow) <= accounts:
        return FoldedTargets(organization=True, allow_management_account=allow)
    chosen: list[str] = []
    covered: set[str] = set()
    parents = [org.root_id]
    while parents:
        for unit in reaches.children.get(parents.pop(), []):
            reach = reaches.of(unit, allow)
            if reach and reach <= accounts:
                chosen.append(ou_reference(org, unit))
                covered |= reach
            else:
                parents.append(unit)
    return FoldedTargets(
        ous=tuple(sorted(chosen)), accounts=tuple(sorted(accounts - covered)), allow_management_account=allow
    )


@dataclass(frozen=True)
class FoldedRule:
    principals: tuple[PrincipalRef, ...]
    permission_sets: tuple[str, ...]
    targets: FoldedTargets


def fold_assignments(assignments: set[Assignment], org: Organization) -> list[FoldedRule]:
    """(principal, permission set) -> its targets; then the permission sets a principal holds on the same targets
    share a rule, and the principals holding the same permission sets on the same targets too."""
    held: dict[tuple[PrincipalRef, str], set[str]] = defaultdict(set)
    for a in assignments:
        held[(PrincipalRef(a.principal_type, a.principal_id), a.permission_set)].add(a.account_id)
    reaches = Reaches(org)
    by_principal: dict[tuple[PrincipalRef, FoldedTargets], list[str]] = defaultdict(list)
    for (principal, permission_set), accounts in sorted(held.items(), key=lambda item: item[0][1]):
        by_principal[(principal, fold_targets(frozenset(accounts), reaches))].append(permission_set)
    rules: dict[tuple[tuple[str, ...], FoldedTargets], list[PrincipalRef]] = defaultdict(list)
    for (principal, targets), permission_sets in by_principal.items():
        rules[(tuple(permission_sets), targets)].append(principal)
    return [
        FoldedRule(tuple(sorted(principals, key=lambda p: (p.type, p.id))), permission_sets, targets)
        for (permission_sets, targets), principals in sorted(rules.items())
    ]


# -- the config document (pure) --------------------------------------------------------------------------------


@dataclass
class ImportedConfig:
    document: dict[str, Any]
    """The config, ready for YAML."""
    policy_files: dict[str, str]
    """Path relative to the config -> inline policy JSON."""
    left_out: list[str]
    assignments: int


def policy_file(name: str) -> str:
    return f"{POLICY_FOLDER}/{name}.json"


def permission_set_document(live: LivePermissionSet) -> dict[str, Any]:
    content = live.content
    spec: dict[str, Any] = {"name": live.name}
    if content.description:
        spec["description"] = content.description
    spec["session_duration"] = content.session_duration
    if content.managed_policies:
        spec["managed_policies"] = sorted(content.managed_policies)
    if content.customer_managed_policies:
        refs = sorted(content.customer_managed_policies)
        spec["customer_managed_policies"] = [{"name": name, "path": path} for name, path in refs]
    if content.inline_policy:
        spec["inline_policy_file"] = policy_file(live.name)
    boundary = content.permissions_boundary
    if boundary is not None and boundary.managed_policy_arn:
        spec["permissions_boundary"] = {"managed_policy_arn": boundary.managed_policy_arn}
    elif boundary is not None and boundary.customer_managed_policy:
        name, path = boundary.customer_managed_policy
        spec["permissions_boundary"] = {"customer_managed_policy": {"name": name, "path": path}}
    if content.relay_state:
        spec["relay_state"] = content.relay_state
    if content.tags:
        spec["tags"] = dict(content.tags)
    return spec


def principal_entry(principal: Principal) -> dict[str, str]:
    """A group provisioned from Entra by its Entra object id, any other principal by its identity store id."""
    if principal.type == "GROUP" and principal.external_id and re.match(GUID, principal.external_id):
        return {"external_id": principal.external_id, "name": principal.name}
    return {"id": principal.id, "name": principal.name}


def _rule_name(rule: FoldedRule, principals: dict[str, Principal], taken: set[str]) -> str:
    first = principals[rule.principals[0].id].name
    others = f" and {len(rule.principals) - 1} more" if len(rule.principals) > 1 else ""
    base = f"{first}{others}: {', '.join(rule.permission_sets)}"
    name, n = base, 2
    while name in taken:
        name, n = f"{base} ({n})", n + 1
    taken.add(name)
    return name


def rule_document(rule: FoldedRule, principals: dict[str, Principal], name: str) -> dict[str, Any]:
    document: dict[str, Any] = {"name": name}
    for kind, key in (("GROUP", "groups"), ("USER", "users")):
        entries = [principal_entry(principals[p.id]) for p in rule.principals if p.type == kind]
        if entries:
            document[key] = entries
    document["permission_sets"] = list(rule.permission_sets)
    document["targets"] = rule.targets.to_document()
    if rule.targets.allow_management_account:
        document["allow_management_account"] = True
    return document


def imported_config(live: LiveState, *, tenant_id: str, region: str) -> ImportedConfig:
    rules = fold_assignments(live.assignments, live.organization)
    taken: set[str] = set()
    document: dict[str, Any] = {
        "version": 1,
        "tenant_id": tenant_id,
        "identity_center": {"region": region},
        "management_account_id": live.organization.management_account,
        "permission_sets": [permission_set_document(ps) for ps in live.permission_sets],
        "assignments": [rule_document(r, live.principals, _rule_name(r, live.principals, taken)) for r in rules],
    }
    adopt = [ps.name for ps in live.permission_sets if not ps.managed]
    document["apply"] = {"mode": "observe"} | ({"adopt_permission_sets": adopt} if adopt else {})
    policies = {
        policy_file(ps.name): json.dumps(json.loads(ps.content.inline_policy), indent=2) + "\n"
        for ps in live.permission_sets
        if ps.content.inline_policy
    }
    return ImportedConfig(document, policies, live.left_out, len(live.assignments))
