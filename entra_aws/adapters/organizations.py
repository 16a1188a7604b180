"""The organization, read from AWS Organizations: lazily, because most events only need one account."""

from __future__ import annotations

from typing import Any

from entra_aws.adapters.clients import api_client, paginate
from entra_aws.engine.model import Account, OrganizationalUnit
from entra_aws.engine.organization import Organization
from entra_aws.engine.ports import ApiError


def _status(data: dict[str, Any]) -> str:
    """`State` (ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED, PENDING_ACTIVATION) supersedes the retired `Status`.
    Neither (an older SDK, a partial answer): "" -- an account of unknown state is never targeted."""
    return str(data.get("State") or data.get("Status") or "")


class OrganizationReader:
    """Implements OrganizationView. One DescribeOrganization, then one DescribeAccount per account asked for or
    one walk of the OU tree."""

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
