"""The permission-set catalog: which permission sets exist, by name, and which of them entra-aws manages.

Identity Center has no lookup by name. Learning one name's ARN costs ListPermissionSets, a tag read per set and
a describe per managed set, which would dwarf the handful of calls a group event otherwise needs. A warm
process (the reconcile Lambda keeps its AwsContext) therefore remembers the names and ARNs of its last complete
live read, `CatalogCache`, for scopes that need no permission-set content (group, user, account).

Identity Center stays the truth; the cache is a hint that is checked on every use and dropped on any doubt:

- only a complete live read fills it (full and permission-set scopes always read live and refresh it);
- it expires after `ttl` seconds;
- a scoped reconcile uses it only while it explains everything that reconcile sees: every permission set the
  plan needs is a known *managed* set, and every permission-set ARN Identity Center returns (a principal's
  assignments, an account's provisioned sets) was in the remembered listing. Otherwise `StaleCatalogError`
  makes the reconcile read the catalog live and plan again;
- any failed operation of a plan made from it, or of a plan that creates, adopts or deletes a permission set,
  drops it (the reconcile then retries once from a live read); a plan that changes the catalog and fully
  succeeds folds its own creations, adoptions and deletions into it (`amend`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

from entra_aws.engine.model import PermissionSetRecord

DEFAULT_TTL = 600.0
"""Seconds a remembered catalog is trusted: shorter than a warm Lambda usually lives, long enough for bursts."""


class StaleCatalogError(Exception):
    """A remembered catalog could not explain what Identity Center returned; read it live."""


@dataclass(frozen=True)
class Catalog:
    records: Mapping[str, PermissionSetRecord]
    """Every managed permission set, plus unmanaged ones whose names the config wants; by name."""
    listed: frozenset[str]
    """Every ARN ListPermissionSets returned, managed or not."""
    remembered: bool = False
    """True when this came from the cache rather than from a live read in this reconcile."""

    @cached_property
    def _managed_by_arn(self) -> dict[str, str]:
        return {r.arn: r.name for r in self.records.values() if r.managed}

    def managed_name(self, arn: str) -> str | None:
        """The name of a managed permission set, None for any other; a remembered catalog refuses unknown ARNs."""
        if self.remembered and arn not in self.listed:
            raise StaleCatalogError(f"permission set {arn} is newer than the remembered catalog")
        return self._managed_by_arn.get(arn)

    def require_managed(self, names: Iterable[str]) -> None:
        """A remembered catalog must know every permission set a plan needs as a managed one."""
        if not self.remembered:
            return
        unknown = sorted(n for n in names if n not in self.records or not self.records[n].managed)
        if unknown:
            raise StaleCatalogError(f"the remembered catalog has no managed {', '.join(unknown)}")

    def arns(self) -> dict[str, str]:
        return {name: record.arn for name, record in self.records.items()}

    def adopting(self, names: Iterable[str]) -> Catalog:
        """The catalog as reads of a plan that adopts `names` see it: those sets count as managed, so their
        assignments are read like those of the sets already managed."""
        adopted = {n: replace(self.records[n], managed=True) for n in names if not self.records[n].managed}
        return replace(self, records={**self.records, **adopted}) if adopted else self

    def names_only(self) -> Catalog:
        records = {n: PermissionSetRecord(r.arn, r.name, r.managed) for n, r in self.records.items()}
        return Catalog(records, self.listed, remembered=True)


@dataclass
class CatalogCache:
    """The last complete live catalog (names and ARNs only), for one warm process."""

    ttl: float = DEFAULT_TTL
    _entry: tuple[float, Catalog] | None = field(default=None, repr=False)

    def remember(self, catalog: Catalog, now: float) -> None:
        self._entry = (now, catalog.names_only())

    def recall(self, now: float) -> Catalog | None:
        if self._entry is None:
            return None
        read_at, catalog = self._entry
        if now - read_at >= self.ttl:
            self._entry = None
            return None
        return catalog

    def amend(self, *, created: Mapping[str, str], adopted: Iterable[str], deleted: Iterable[str]) -> None:
        """Fold this process's own successful catalog changes (name -> ARN it created, names it adopted or
        deleted) into the remembered catalog, keeping the original read's age. Nothing remembered: nothing to do."""
        if self._entry is None:
            return
        read_at, catalog = self._entry
        records, listed = dict(catalog.records), set(catalog.listed)
        for name, arn in created.items():
            records[name] = PermissionSetRecord(arn, name, True)
            listed.add(arn)
        for name in adopted:
            if name in records:
                records[name] = PermissionSetRecord(records[name].arn, name, True)
        for name in deleted:
            gone = records.pop(name, None)
            if gone is not None:
                listed.discard(gone.arn)
        self._entry = (read_at, Catalog(records, frozenset(listed), remembered=True))

    def forget(self) -> None:
        self._entry = None
