"""The read side of a reconcile: the permission-set catalog, who is in scope, and the assignments they hold
(of managed permission sets only: a plan that adopts sets reads through `Catalog.adopting`, so theirs count).
Everything is read live through the ports, except the catalog's names and ARNs, which a warm context may remember
(`engine.catalog`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TypeVar

from entra_aws.config.models import MANAGED_TAG_KEY, SEAL_TAG_KEY, AssignmentRule, Config, PrincipalEntry
from entra_aws.engine.catalog import Catalog
from entra_aws.engine.context import AwsContext
from entra_aws.engine.desired import entry_matches, rule_entries
from entra_aws.engine.model import Assignment, Finding, PermissionSetRecord, Principal, PrincipalRef, PrincipalType
from entra_aws.engine.ports import ApiError, Directory, IdentityCenterReads
from entra_aws.engine.scope import Scope

CONTENT_SCOPES = ("all", "permission_set")
"""Scopes that correct permission-set content: they always read the catalog live."""

_ID = re.compile(r"^([0-9a-f]{10}-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def looks_like_id(value: str) -> bool:
    """An identity store group or user id (a scope may name a principal by id or by name)."""
    return bool(_ID.match(value))


# -- the permission-set catalog ------------------------------------------------------------------------------


def read_catalog(admin: IdentityCenterReads, config: Config, *, content_for: set[str] | None) -> Catalog:
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
        content = admin.content(arn, described, tags) if read else None
        records[name] = PermissionSetRecord(arn, name, True, content, tags.get(SEAL_TAG_KEY))
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


def catalog_for(ctx: AwsContext, config: Config, scope: Scope, *, live: bool) -> Catalog:
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


TRANSIENT = frozenset({"ThrottlingException", "InternalServerException"})
"""Directory errors a retry of the same message may get past: raised as they are."""
_Found = TypeVar("_Found")


class PrincipalUnreadableError(Exception):
    """The identity store refused to say whether a principal exists (a KMS Reason, a ValidationException,
    AccessDenied): nothing may be planned from it, least of all deleting what it holds."""

    def __init__(self, what: str, error: ApiError) -> None:
        why = f"{error.code} ({error.reason})" if error.reason else error.code
        super().__init__(f"cannot read {what} from the identity store: {why}: {error.message}")
        self.error = error

    @property
    def finding(self) -> Finding:
        return Finding("error", f"{self}; nothing was planned or changed", kind="principal_unreadable")


def _looked_up(what: str, lookup: Callable[[], _Found]) -> _Found:
    try:
        return lookup()
    except ApiError as error:
        if error.code in TRANSIENT:
            raise
        raise PrincipalUnreadableError(what, error) from error


@dataclass
class Principals:
    present: list[Principal]
    gone: list[PrincipalRef]
    """Principals referenced by id that no longer exist: their managed assignments are cleaned up."""
    findings: list[Finding] = field(default_factory=list)


def _missing(rule: AssignmentRule, kind: PrincipalType, entry: PrincipalEntry) -> Finding:
    """A rule principal the directory does not have: the rule grants it nothing, and whatever another principal
    held through the rule before (a typo, a rename) is deleted by this plan."""
    permission_sets = ", ".join(rule.permission_sets)
    shown = repr(entry) if isinstance(entry, str) else str(entry)
    return Finding(
        "error",
        f"rule {rule.name}: {kind.lower()} {shown} is not in the identity store; the rule grants it nothing, and "
        f"this plan's deletions of {permission_sets} that no other rule explains follow from it",
        rule.name,
        kind="rule_principal_missing",
        rule=rule.name,
    )


def _find_user(
    entry: PrincipalEntry, directory: Directory, everyone: Callable[[], list[Principal]]
) -> Principal | None:
    if isinstance(entry, str):
        return _looked_up(f"user {entry!r}", lambda: directory.user_named(entry))
    if entry.id is not None:
        user_id = entry.id
        return _looked_up(f"user {user_id}", lambda: directory.user(user_id))
    return next((user for user in everyone() if user.external_id == entry.external_id), None)


def _named_users(config: Config, directory: Directory, findings: list[Finding]) -> list[Principal]:
    if config.apply.sweep_users:
        return directory.users()
    everyone = cache(directory.users)  # listed only when a user is pinned by external id
    users: dict[str, Principal] = {}
    for rule, entry in rule_entries(config, "USER"):
        user = _find_user(entry, directory, everyone)
        if user is None:
            findings.append(_missing(rule, "USER", entry))
        else:
            users[user.id] = user
    return list(users.values())


def _missing_groups(config: Config, groups: list[Principal]) -> list[Finding]:
    return [
        _missing(rule, "GROUP", entry)
        for rule, entry in rule_entries(config, "GROUP")
        if not any(entry_matches(entry, group) for group in groups)
    ]


def _one_principal(kind: PrincipalType, value: str, directory: Directory, findings: list[Finding]) -> Principals:
    by_id = directory.group if kind == "GROUP" else directory.user
    by_name = directory.group_named if kind == "GROUP" else directory.user_named
    what = f"{kind.lower()} {value}"
    if looks_like_id(value):
        principal = _looked_up(what, lambda: by_id(value))
        return Principals([principal], []) if principal else Principals([], [PrincipalRef(kind, value)])
    principal = _looked_up(what, lambda: by_name(value))
    if principal is None:
        findings.append(
            Finding("error", f"no {kind.lower()} named {value!r} in the identity store", value, kind="scope_unknown")
        )
        return Principals([], [], findings)
    return Principals([principal], [], findings)


def principals_in_scope(config: Config, scope: Scope, directory: Directory) -> Principals:
    findings: list[Finding] = []
    if scope.kind in ("group", "user"):
        kind: PrincipalType = "GROUP" if scope.kind == "group" else "USER"
        return _one_principal(kind, scope.value or "", directory, findings)
    groups = directory.groups()
    findings += _missing_groups(config, groups)
    return Principals(groups + _named_users(config, directory, findings), [], findings)


# -- actual assignments (managed permission sets only) -------------------------------------------------------


def actual_for_principals(
    admin: IdentityCenterReads, principals: Iterable[PrincipalRef], catalog: Catalog
) -> set[Assignment]:
    found: set[Assignment] = set()
    for principal in principals:
        for account_id, arn in admin.assignments_for_principal(principal.type, principal.id):
            name = catalog.managed_name(arn)
            if name is not None:
                found.add(Assignment(account_id, name, principal.type, principal.id))
    return found


def _pair_assignments(admin: IdentityCenterReads, account_id: str, arn: str, name: str) -> set[Assignment]:
    return {Assignment(account_id, name, ptype, pid) for ptype, pid in admin.assignments(account_id, arn)}


def actual_for_account(admin: IdentityCenterReads, account_id: str, catalog: Catalog) -> set[Assignment]:
    managed = {arn: catalog.managed_name(arn) for arn in admin.provisioned_to_account(account_id)}
    found: set[Assignment] = set()
    for arn, name in managed.items():
        if name is not None:
            found |= _pair_assignments(admin, account_id, arn, name)
    return found


def actual_for_permission_set(admin: IdentityCenterReads, record: PermissionSetRecord) -> set[Assignment]:
    found: set[Assignment] = set()
    for account_id in admin.accounts_for_permission_set(record.arn):
        found |= _pair_assignments(admin, account_id, record.arn, record.name)
    return found


def stray_assignments(admin: IdentityCenterReads, catalog: Catalog, known: set[Assignment]) -> set[Assignment]:
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


def lagging_provisioning(admin: IdentityCenterReads, catalog: Catalog, names: Iterable[str]) -> dict[str, list[str]]:
    """Per managed permission set named (each in the catalog), the accounts whose role lags its latest version
    (one listing per set; sets without such accounts are left out). Content drift is corrected by comparing
    content; this is the other half: content that is right in Identity Center but never reached an account's
    role."""
    found: dict[str, list[str]] = {}
    for name in names:
        accounts = admin.lagging_accounts(catalog.records[name].arn)
        if accounts:
            found[name] = accounts
    return found


def actual_in_scope(
    admin: IdentityCenterReads, scope: Scope, principals: Principals, catalog: Catalog
) -> set[Assignment]:
    """The managed permission sets' assignments the scope looks at."""
    if scope.kind == "account":
        return actual_for_account(admin, scope.value or "", catalog)
    if scope.kind == "permission_set":
        record = catalog.records.get(scope.value or "")
        return actual_for_permission_set(admin, record) if record and record.managed else set()
    listed = [p.ref for p in principals.present] + principals.gone
    found = actual_for_principals(admin, listed, catalog)
    if scope.kind == "all":
        found |= stray_assignments(admin, catalog, found)
    return found
