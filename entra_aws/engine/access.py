"""Effective access: which user can reach which account with which permission set, and by which path (a group
they are in, or an assignment to them directly). Read live through the ports; changes nothing.

Reads, for the whole organization: the permission-set names (one ListPermissionSets, a describe per set), the
account names (one walk of the organization), the users and groups (their listings), per group its assignments
and, for a group holding any, its members; per user their direct assignments. `--group` reads only that group
(and no direct assignments); `--user` only that user's groups and direct assignments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from entra_aws.engine.context import AwsContext
from entra_aws.engine.model import Principal
from entra_aws.engine.ports import Directory, IdentityCenterReads

DIRECT = "direct"


class AccessQueryError(ValueError):
    """A filter names a user, group, account or permission set that does not exist."""


@dataclass(frozen=True, order=True, slots=True)
class AccessRow:
    """One path by which a user reaches a permission set on an account."""

    user: str
    user_id: str
    via: str
    """`group <display name>` or `direct`."""
    account_id: str
    account_name: str
    permission_set: str
    privileged: bool


@dataclass(frozen=True, order=True, slots=True)
class GroupGrant:
    """A group holds a permission set on an account (whether or not it has members)."""

    group: str
    account_id: str
    permission_set: str
    privileged: bool


@dataclass(frozen=True)
class AccessQuery:
    """Filters; each matches an id or a name. None: no filter."""

    account: str | None = None
    user: str | None = None
    group: str | None = None
    permission_set: str | None = None
    privileged_only: bool = False


@dataclass
class AccessReport:
    rows: list[AccessRow]
    grants: list[GroupGrant]
    """Every group's grants (in the query's group or user, when it names one), for the accounts x groups view."""
    accounts: dict[str, str]
    """Account id -> name, every account of the organization."""
    api_calls: int = 0


def permission_set_names(admin: IdentityCenterReads) -> dict[str, str]:
    """Permission set ARN -> name."""
    return {arn: str(admin.describe(arn)["Name"]) for arn in admin.permission_set_arns()}


def _named(principals: Iterable[Principal], wanted: str, kind: str) -> Principal:
    found = next((p for p in principals if wanted in (p.id, p.name)), None)
    if found is None:
        raise AccessQueryError(f"no {kind} {wanted!r} in the identity store")
    return found


@dataclass(frozen=True)
class _Lookup:
    names: dict[str, str]
    accounts: dict[str, str]
    users: dict[str, Principal]
    privileged: frozenset[str]

    def row(self, user_id: str, via: str, account_id: str, arn: str) -> AccessRow:
        user = self.users.get(user_id)
        permission_set = self.set_name(arn)
        return AccessRow(
            user.name if user else user_id,
            user_id,
            via,
            account_id,
            self.accounts.get(account_id, ""),
            permission_set,
            permission_set in self.privileged,
        )

    def grant(self, group: str, account_id: str, arn: str) -> GroupGrant:
        permission_set = self.set_name(arn)
        return GroupGrant(group, account_id, permission_set, permission_set in self.privileged)

    def set_name(self, arn: str) -> str:
        return self.names.get(arn, arn.rsplit("/", 1)[-1])


def _check(query: AccessQuery, lookup: _Lookup) -> None:
    if query.account and query.account not in lookup.accounts and query.account not in lookup.accounts.values():
        raise AccessQueryError(f"no account {query.account!r} in the organization")
    if query.permission_set and query.permission_set not in lookup.names.values():
        raise AccessQueryError(f"no permission set {query.permission_set!r} in Identity Center")


def _matches(row: AccessRow, query: AccessQuery) -> bool:
    return (
        (query.account is None or query.account in (row.account_id, row.account_name))
        and (query.permission_set is None or row.permission_set == query.permission_set)
        and (not query.privileged_only or row.privileged)
    )


def _groups_in_scope(directory: Directory, query: AccessQuery, user: Principal | None) -> list[Principal]:
    groups = directory.groups()
    if query.group:
        groups = [_named(groups, query.group, "group")]
    if user is not None:
        theirs = set(directory.groups_of(user.id))
        groups = [g for g in groups if g.id in theirs]
    return groups


def read_access(context: AwsContext, privileged: Iterable[str], query: AccessQuery | None = None) -> AccessReport:
    """Every user's access, narrowed by `query`. `privileged`: the permission-set names the config marks so."""
    query = query or AccessQuery()
    admin, directory = context.admin, context.directory
    before = context.calls.total
    accounts = {a.id: a.name for a in context.organization.snapshot().accounts.values()}
    users = {u.id: u for u in directory.users()}
    lookup = _Lookup(permission_set_names(admin), accounts, users, frozenset(privileged))
    _check(query, lookup)
    user = _named(users.values(), query.user, "user") if query.user else None
    report = AccessReport([], [], accounts)
    for group in _groups_in_scope(directory, query, user):
        held = admin.assignments_for_principal("GROUP", group.id)
        if not held:
            continue
        report.grants += [lookup.grant(group.name, account, arn) for account, arn in held]
        ids = [user.id] if user is not None else directory.members(group.id)
        report.rows += [lookup.row(i, f"group {group.name}", account, arn) for i in ids for account, arn in held]
    if not query.group:
        for direct in [user] if user is not None else users.values():
            held = admin.assignments_for_principal("USER", direct.id)
            report.rows += [lookup.row(direct.id, DIRECT, account, arn) for account, arn in held]
    report.rows = sorted(r for r in report.rows if _matches(r, query))
    report.grants.sort()
    report.api_calls = context.calls.total - before
    return report
