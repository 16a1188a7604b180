"""The organization as the planner sees it, and resolving rule targets to accounts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from entra_aws.config.models import Config, Targets
from entra_aws.engine.model import Account, OrganizationalUnit
from entra_aws.engine.ports import OrganizationView


def normal_path(reference: str) -> str:
    """An OU path as targets compare it: /A/B, without empty parts or a leading /Root; the root itself is '/'."""
    wanted = "/" + "/".join(p for p in reference.split("/") if p)
    if wanted == "/Root":
        return "/"
    return wanted.removeprefix("/Root") if wanted.startswith("/Root/") else wanted


def on_the_way(path: str, paths: Iterable[str]) -> bool:
    """An OU at `path` may have descendants at one of `paths` (an OU whose name holds '/' included)."""
    prefix = path.lower() + "/"
    return any(p.lower().startswith(prefix) for p in paths)


@dataclass(frozen=True)
class Reach:
    """What an account scope reads beyond the account, its tags and its ancestors (which decide every target).

    An exclusion that selects nothing, or an OU path that goes through an OU named with '/', stops its rule
    everywhere, so an account scope must know whether each one that can matter does, as a full view would: that
    costs the OUs on the way to those paths and each excluded OU id, never the accounts. Only what cannot be told
    that way widens the read.
    """

    paths: frozenset[str] = frozenset()
    """OU paths the OUs on the way to are listed from the root: excluded ones, and the targets of a rule that
    selects accounts by other means too (its refusal would take those grants away)."""
    target_paths: tuple[frozenset[str], ...] = ()
    """Each other rule's targeted OU paths: listed only when one of them is the path of an ancestor of the account
    (otherwise the rule cannot select the account, and its refusal takes nothing from it)."""
    unit_ids: frozenset[str] = frozenset()
    """Excluded OU (or root) ids: described, with their ancestors."""
    all_units: bool = False
    """A per-OU convention names OUs by name: only every OU tells whether a name is unique."""
    everything: bool = False
    """An exclusion by account name or tag: only every account tells whether it selects any."""

    @classmethod
    def of(cls, config: Config) -> Reach:
        excludes = [rule.exclude for rule in config.assignments] + [c.exclude for c in config.conventions]
        references = [reference for exclude in excludes for reference in exclude.ous]
        mixed = [r.targets for r in config.assignments if _selects_otherwise(r.targets)]
        return cls(
            paths=_paths(references) | _paths(ou for targets in mixed for ou in targets.ous),
            target_paths=tuple(_paths(rule.targets.ous) for rule in config.assignments if rule.targets.ous),
            unit_ids=frozenset(r for r in references if not r.startswith("/")),
            all_units=any(c.target_kind == "ou" for c in config.conventions),
            everything=any(exclude.account_names or exclude.tags for exclude in excludes),
        )

    def walked(self, ancestor_paths: Iterable[str]) -> frozenset[str]:
        """The paths to list the OUs toward, for an account whose ancestors have `ancestor_paths`."""
        ancestors = {path.lower() for path in ancestor_paths}
        selecting = [paths for paths in self.target_paths if any(path.lower() in ancestors for path in paths)]
        return self.paths.union(*selecting)


def _paths(references: Iterable[str]) -> frozenset[str]:
    return frozenset(normal_path(r) for r in references if r.startswith("/")) - {"/"}


def _selects_otherwise(targets: Targets) -> bool:
    return bool(
        targets.organization
        or targets.accounts
        or targets.account_names
        or targets.tags
        or any(not ou.startswith("/") for ou in targets.ous)
    )


@dataclass
class Organization:
    """A complete, in-memory picture of the organization: accounts, OU tree, tags."""

    root_id: str
    management_account: str
    accounts: dict[str, Account]
    units: dict[str, OrganizationalUnit] = field(default_factory=dict)

    def management_account_id(self) -> str:
        return self.management_account

    def account(self, account_id: str) -> Account | None:
        return self.accounts.get(account_id)

    def snapshot(self) -> Organization:
        return self

    def surroundings(self, account_id: str, reach: Reach) -> Organization:
        """What an account scope reads (see `Reach`), taken from this complete picture."""
        account = self.accounts.get(account_id)
        if reach.everything or account is None:
            return self if reach.everything else Organization(self.root_id, self.management_account, {})
        ancestors = self._ancestors(account.parent_id)
        wanted = set(ancestors) | self._toward(reach.walked(self.ou_path(ou) for ou in ancestors))
        wanted |= set(self.units) if reach.all_units else set()
        for ou in reach.unit_ids & self.units.keys():
            wanted |= set(self._ancestors(ou))
        units = {ou: self.units[ou] for ou in wanted}
        return Organization(self.root_id, self.management_account, {account_id: account}, units)

    def _ancestors(self, ou_id: str) -> list[str]:
        found: list[str] = []
        while ou_id in self.units:
            found.append(ou_id)
            ou_id = self.units[ou_id].parent_id
        return found

    def _toward(self, paths: frozenset[str]) -> set[str]:
        found: set[str] = set()
        frontier = [(self.root_id, "")] if paths else []
        while frontier:
            parent, path = frontier.pop()
            for unit in (u for u in self.units.values() if u.parent_id == parent):
                found.add(unit.id)
                if on_the_way(f"{path}/{unit.name}", paths):
                    frontier.append((unit.id, f"{path}/{unit.name}"))
        return found

    def forget(self) -> None:
        return None

    def ou_path(self, ou_id: str) -> str:
        parts: list[str] = []
        while ou_id in self.units:
            unit = self.units[ou_id]
            parts.append(unit.name)
            ou_id = unit.parent_id
        return "/" + "/".join(reversed(parts))

    def ous_matching(self, reference: str) -> list[str]:
        """An OU id, the root id, a path like /Workloads/Prod, or (for conventions) a unique OU name."""
        if reference == self.root_id:
            return [self.root_id]
        if reference in self.units:
            return [reference]
        if reference.startswith("/"):
            wanted = normal_path(reference)
            if wanted == "/":
                return [self.root_id]
            return [ou for ou in self.units if self.ou_path(ou).lower() == wanted.lower()]
        return [ou for ou, unit in self.units.items() if unit.name.lower() == reference.lower()]

    def slashed_unit_on_path(self, ou_id: str) -> OrganizationalUnit | None:
        """An OU on the way from the root to `ou_id` (itself included) whose name contains '/': its path can pass
        for a nested one (an OU named 'Workloads/NonProd' reads as /Workloads/NonProd)."""
        while ou_id in self.units:
            unit = self.units[ou_id]
            if "/" in unit.name:
                return unit
            ou_id = unit.parent_id
        return None

    def accounts_under(self, ou_id: str) -> list[Account]:
        """Accounts in the OU and in every OU nested below it."""
        return [a for a in self.accounts.values() if self._is_under(a.parent_id, ou_id)]

    def _is_under(self, parent_id: str, ou_id: str) -> bool:
        if ou_id == self.root_id:
            return True
        while parent_id:
            if parent_id == ou_id:
                return True
            unit = self.units.get(parent_id)
            parent_id = unit.parent_id if unit else ""
        return False

    def accounts_named(self, name: str) -> list[Account]:
        return [a for a in self.accounts.values() if a.name.lower() == name.lower()]


NO_STATE = "Organizations gave no State (nor Status) for it; not targeted until it reads ACTIVE"


def stateless(account_ids: Iterable[str], org: OrganizationView) -> list[str]:
    """Accounts whose state Organizations did not give: never taken for ACTIVE."""
    return sorted(a for a in account_ids if (account := org.account(a)) is not None and not account.status)


@dataclass
class AccountView:
    """An account scope's organization: the account's surroundings, read once (`OrganizationView.surroundings`);
    another account (one an exclusion names by id) is asked of the full view."""

    full: OrganizationView
    near: Organization

    def management_account_id(self) -> str:
        return self.full.management_account_id()

    def account(self, account_id: str) -> Account | None:
        return self.near.account(account_id) or self.full.account(account_id)

    def snapshot(self) -> Organization:
        return self.near

    def surroundings(self, account_id: str, reach: Reach) -> Organization:
        return self.full.surroundings(account_id, reach)

    def forget(self) -> None:
        self.full.forget()


@dataclass(frozen=True)
class Resolution:
    account_ids: frozenset[str]
    unresolved: tuple[str, ...] = ()
    """Entries that select nothing (a typo, a renamed OU, an account that left)."""
    refused: tuple[str, ...] = ()
    """Entries that cannot be trusted to mean what they say (an OU path through an OU named with '/')."""


def spoofable_reference(snapshot: Organization, reference: str, ous: list[str]) -> str | None:
    """Why an OU path or name must not be followed, or None. An OU id names one OU whatever it is called."""
    if reference in snapshot.units or reference == snapshot.root_id:
        return None
    for ou in ous:
        unit = snapshot.slashed_unit_on_path(ou)
        if unit is not None:
            return (
                f"OU {reference!r} goes through the OU {unit.name!r} ({unit.id}), whose name contains '/' and can "
                "pass for a nested path; refused (rename that OU, or name the OU by id)"
            )
    return None


def _needs_snapshot(targets: Targets) -> bool:
    return bool(targets.account_names or targets.ous or targets.tags or targets.organization)


def resolve_targets(targets: Targets, org: OrganizationView, *, within: str | None = None) -> Resolution:
    """Account ids a Targets selects (a union). Names/OUs that match nothing are reported, not ignored.

    `within`: only whether this account is selected matters (an account scope's view knows no other): other
    account ids are not looked up, and nothing is reported unresolved (full reconciles report it)."""
    selected: set[str] = set()
    unresolved: list[str] = []
    refused: list[str] = []
    for account_id in targets.accounts:
        if within is not None and account_id != within:
            continue
        if org.account(account_id) is None:
            unresolved.append(f"account {account_id} is not in the organization")
        else:
            selected.add(account_id)
    if not _needs_snapshot(targets):
        return Resolution(frozenset(selected), tuple(unresolved))
    snapshot = org.snapshot()
    if targets.organization:
        selected.update(snapshot.accounts)
    for name in targets.account_names:
        named = snapshot.accounts_named(name)
        if not named:
            unresolved.append(f"no account is named {name!r}")
        selected.update(a.id for a in named)
    for reference in targets.ous:
        ous = snapshot.ous_matching(reference)
        if not ous:
            unresolved.append(f"no OU matches {reference!r}")
        elif spoofed := spoofable_reference(snapshot, reference, ous):
            refused.append(spoofed)
        else:
            selected.update(a.id for ou in ous for a in snapshot.accounts_under(ou))
    for selector in targets.tags:
        key, _, value = selector.partition("=")
        tagged = {a.id for a in snapshot.accounts.values() if a.has_tag(key, value)}
        if not tagged:
            unresolved.append(f"no account is tagged {selector!r}")
        selected.update(tagged)
    return Resolution(frozenset(selected), tuple(unresolved) if within is None else (), tuple(refused))


def eligible(
    account_ids: Iterable[str], org: OrganizationView, *, allow_management_account: bool
) -> tuple[set[str], list[str]]:
    """Guardrails: only ACTIVE accounts; the management account only when explicitly allowed."""
    kept: set[str] = set()
    skipped: list[str] = []
    management = org.management_account_id()
    for account_id in account_ids:
        account = org.account(account_id)
        if account is None:
            continue
        if account_id == management and not allow_management_account:
            skipped.append(f"{account_id} is the management account")
        elif not account.status:
            skipped.append(f"{account_id}: {NO_STATE}")
        elif not account.active:
            skipped.append(f"{account_id} is {account.status}")
        else:
            kept.add(account_id)
    return kept, skipped
