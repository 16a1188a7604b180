"""The organization, read from AWS Organizations: lazily, because most events only need one account."""

from __future__ import annotations

from typing import Any

from entra_aws.adapters.clients import api_client, paginate
from entra_aws.engine.model import Account, OrganizationalUnit
from entra_aws.engine.organization import Organization, Reach, on_the_way
from entra_aws.engine.ports import ApiError


def _status(data: dict[str, Any]) -> str:
    """`State` (ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED, PENDING_ACTIVATION) supersedes the retired `Status`.
    Neither (an older SDK, a partial answer): "" -- an account of unknown state is never targeted."""
    return str(data.get("State") or data.get("Status") or "")


class OrganizationReader:
    """Implements OrganizationView. One DescribeOrganization, then one DescribeAccount per account asked for, an
    account's surroundings, or one walk of the OU tree."""

    def __init__(self, client: Any, *, with_tags: bool) -> None:
        self._client = api_client(client)
        self._management: str | None = None
        self._with_tags = with_tags
        self._accounts: dict[str, Account | None] = {}
        self._snapshot: Organization | None = None

    def forget(self) -> None:
        """Drop what one reconcile learned (accounts move, get tagged, close); the next reads live again."""
        self._accounts.clear()
        self._snapshot = None
        self._management = None

    def management_account_id(self) -> str:
        if self._management is None:
            self._management = str(self._client.describe_organization()["Organization"]["MasterAccountId"])
        return self._management

    def account(self, account_id: str) -> Account | None:
        if self._snapshot is not None:
            return self._snapshot.account(account_id)
        if account_id not in self._accounts:
            try:
                data = self._client.describe_account(AccountId=account_id)["Account"]
                self._accounts[account_id] = Account(account_id, data.get("Name", ""), _status(data))
            except ApiError as error:
                if error.code not in ("AccountNotFoundException", "InvalidInputException"):
                    raise
                self._accounts[account_id] = None
        return self._accounts[account_id]

    def snapshot(self) -> Organization:
        if self._snapshot is None:
            self._snapshot = self._walk()
        return self._snapshot

    def surroundings(self, account_id: str, reach: Reach) -> Organization:
        """DescribeAccount, ListTagsForResource when rules use tags, ListParents up to the root and
        DescribeOrganizationalUnit for each ancestor, then the listings `reach` asks for."""
        if reach.everything:
            return self.snapshot()
        found = self.account(account_id)
        if found is None:
            return Organization("", self.management_account_id(), {})
        root_id, ancestors = self._ancestry(account_id)
        units = self._units_around(root_id, ancestors, reach)
        for ou in reach.unit_ids - units.keys() - {root_id}:
            units |= self._described_with_ancestors(ou, root_id, units)
        parent = ancestors[0] if ancestors else root_id
        tags = self._tags(account_id) if self._with_tags else ()
        account = Account(found.id, found.name, found.status, parent, tags)
        return Organization(root_id, self.management_account_id(), {account_id: account}, units)

    def _units_around(self, root_id: str, ancestors: list[str], reach: Reach) -> dict[str, OrganizationalUnit]:
        """The ancestors (named by the OU tree when a per-OU convention needs it whole, else described), and the
        OUs on the way to the paths `reach` asks for from them."""
        if reach.all_units:
            every = self._all_units(root_id)
            return every | self._described(ancestors, root_id, every)
        units = self._described(ancestors, root_id, {})
        paths = reach.walked(Organization(root_id, "", {}, units).ou_path(ou) for ou in ancestors)
        return units | self._toward(root_id, paths)

    def _ancestry(self, child_id: str) -> tuple[str, list[str]]:
        """The root's id and the OU ids from the child's parent up (ListParents answers one level)."""
        chain: list[str] = []
        while True:
            parent = self._client.list_parents(ChildId=child_id)["Parents"][0]
            if parent["Type"] == "ROOT":
                return str(parent["Id"]), chain
            child_id = str(parent["Id"])
            chain.append(child_id)

    def _children(self, parent_id: str) -> list[OrganizationalUnit]:
        listed = self._pages("list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent_id)
        return [OrganizationalUnit(ou["Id"], ou.get("Name", ""), parent_id) for ou in listed]

    def _toward(self, root_id: str, paths: frozenset[str]) -> dict[str, OrganizationalUnit]:
        """The OUs on the way from the root to each of `paths`, whatever their names hold."""
        units: dict[str, OrganizationalUnit] = {}
        frontier = [(root_id, "")] if paths else []
        while frontier:
            parent, path = frontier.pop()
            for unit in self._children(parent):
                units[unit.id] = unit
                if on_the_way(f"{path}/{unit.name}", paths):
                    frontier.append((unit.id, f"{path}/{unit.name}"))
        return units

    def _all_units(self, root_id: str) -> dict[str, OrganizationalUnit]:
        units: dict[str, OrganizationalUnit] = {}
        parents = [root_id]
        while parents:
            for unit in self._children(parents.pop()):
                units[unit.id] = unit
                parents.append(unit.id)
        return units

    def _described(
        self, chain: list[str], root_id: str, known: dict[str, OrganizationalUnit]
    ) -> dict[str, OrganizationalUnit]:
        """`chain`: OU ids from a child's parent up; each one's parent is the next (the last one's, the root)."""
        units: dict[str, OrganizationalUnit] = {}
        for level, ou in enumerate(chain):
            parent = chain[level + 1] if level + 1 < len(chain) else root_id
            name = known[ou].name if ou in known else self._ou_name(ou)
            units[ou] = OrganizationalUnit(ou, name, parent)
        return units

    def _described_with_ancestors(
        self, ou_id: str, root_id: str, known: dict[str, OrganizationalUnit]
    ) -> dict[str, OrganizationalUnit]:
        """An OU an exclusion names by id, with its ancestors (their names make its path); none if it is gone."""
        try:
            name = self._ou_name(ou_id)
        except ApiError as error:
            if error.code not in ("OrganizationalUnitNotFoundException", "InvalidInputException"):
                raise
            return {}
        _, chain = self._ancestry(ou_id)
        parent = chain[0] if chain else root_id
        return {ou_id: OrganizationalUnit(ou_id, name, parent)} | self._described(chain, root_id, known)

    def _ou_name(self, ou_id: str) -> str:
        described = self._client.describe_organizational_unit(OrganizationalUnitId=ou_id)["OrganizationalUnit"]
        return str(described.get("Name", ""))

    def _pages(self, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
        return paginate(self._client, operation, key, **kwargs)

    def _walk(self) -> Organization:
        root_id = str(self._client.list_roots()["Roots"][0]["Id"])
        accounts: dict[str, Account] = {}
        units: dict[str, OrganizationalUnit] = {}
        parents = [root_id]
        while parents:
            parent = parents.pop()
            for ou in self._pages("list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent):
                units[ou["Id"]] = OrganizationalUnit(ou["Id"], ou.get("Name", ""), parent)
                parents.append(ou["Id"])
            for data in self._pages("list_accounts_for_parent", "Accounts", ParentId=parent):
                tags = self._tags(data["Id"]) if self._with_tags else ()
                accounts[data["Id"]] = Account(data["Id"], data.get("Name", ""), _status(data), parent, tags)
        return Organization(root_id, self.management_account_id(), accounts, units)

    def _tags(self, account_id: str) -> tuple[tuple[str, str], ...]:
        tags = self._pages("list_tags_for_resource", "Tags", ResourceId=account_id)
        return tuple(sorted((t["Key"], t["Value"]) for t in tags))
