"""Groups and users from the Identity Center identity store (names are read here, never from events).

A group or user provisioned by Entra's SCIM connector carries `ExternalIds: [{Issuer, Id}]`, the Id being its
Entra object id (the gallery app maps objectId to externalId); one made in Identity Center carries none.
"""

from __future__ import annotations

from typing import Any

from entra_aws.adapters.clients import api_client, paginate
from entra_aws.engine.model import Principal
from entra_aws.engine.ports import ApiError


def external_id(found: dict[str, Any]) -> str | None:
    """The first external id the identity store lists (Entra provisions exactly one)."""
    ids = found.get("ExternalIds") or []
    return str(ids[0]["Id"]) if ids else None


def is_gone(error: ApiError, resource_type: str) -> bool:
    """The principal does not exist: ResourceNotFoundException naming its resource type, without a Reason.

    Anything else -- a Reason (KMS_KEY_NOT_FOUND, KMS_DISABLED...: the store cannot read its data), another
    resource type, a ValidationException (a wrong identity store id), AccessDenied -- says nothing about the
    principal, and is raised: reading it as "gone" would delete real access."""
    return error.code == "ResourceNotFoundException" and error.resource_type == resource_type and not error.reason


def _group(found: dict[str, Any]) -> Principal:
    return Principal("GROUP", found["GroupId"], found.get("DisplayName", ""), external_id(found))


def _user(found: dict[str, Any]) -> Principal:
    return Principal("USER", found["UserId"], found.get("UserName", ""), external_id(found))


class IdentityStoreDirectory:
    """Implements the engine's Directory port over identitystore."""

    def __init__(self, client: Any, identity_store_id: str) -> None:
        self._client = api_client(client)
        self._store = identity_store_id
        self._groups: dict[str, Principal | None] = {}

    def forget(self) -> None:
        """Drop what one reconcile learned; the next reads live again."""
        self._groups.clear()

    def group(self, group_id: str) -> Principal | None:
        """None when the group no longer exists (its assignments are then cleaned up); see `is_gone`."""
        if group_id not in self._groups:
            try:
                found = self._client.describe_group(IdentityStoreId=self._store, GroupId=group_id)
                self._groups[group_id] = _group(found)
            except ApiError as error:
                if not is_gone(error, "GROUP"):
                    raise
                self._groups[group_id] = None
        return self._groups[group_id]

    def group_named(self, name: str) -> Principal | None:
        try:
            found = self._client.get_group_id(
                IdentityStoreId=self._store,
                AlternateIdentifier={"UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": name}},
            )
        except ApiError as error:
            if not is_gone(error, "GROUP"):
                raise
            return None
        return self.group(found["GroupId"])  # the name alone does not say whether Entra provisioned it

    def groups(self) -> list[Principal]:
        found = [_group(g) for g in paginate(self._client, "list_groups", "Groups", IdentityStoreId=self._store)]
        self._groups.update({p.id: p for p in found})
        return found

    def user(self, user_id: str) -> Principal | None:
        try:
            found = self._client.describe_user(IdentityStoreId=self._store, UserId=user_id)
        except ApiError as error:
            if not is_gone(error, "USER"):
                raise
            return None
        return _user(found)

    def user_named(self, name: str) -> Principal | None:
        try:
            found = self._client.get_user_id(
                IdentityStoreId=self._store,
                AlternateIdentifier={"UniqueAttribute": {"AttributePath": "userName", "AttributeValue": name}},
            )
        except ApiError as error:
            if not is_gone(error, "USER"):
                raise
            return None
        return self.user(found["UserId"])

    def users(self) -> list[Principal]:
        return [_user(u) for u in paginate(self._client, "list_users", "Users", IdentityStoreId=self._store)]

    def members(self, group_id: str) -> list[str]:
        found = paginate(
            self._client, "list_group_memberships", "GroupMemberships", IdentityStoreId=self._store, GroupId=group_id
        )
        return [m["MemberId"]["UserId"] for m in found if "UserId" in m.get("MemberId", {})]

    def groups_of(self, user_id: str) -> list[str]:
        found = paginate(
            self._client,
            "list_group_memberships_for_member",
            "GroupMemberships",
            IdentityStoreId=self._store,
            MemberId={"UserId": user_id},
        )
        return [str(m["GroupId"]) for m in found]
