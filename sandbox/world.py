"""A small description of an organization and its identity store, and seeding it into the emulator."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator

from entra_aws.config.base import GUID
from entra_aws.config.models import AccountId, NonEmptyStr, Strict
from sandbox.emulator import SANDBOX_ACCOUNT_ID_TAG
from sandbox.identity_center_gaps import SANDBOX_EXTERNAL_ID


class WorldAccount(Strict):
    id: AccountId
    name: NonEmptyStr
    tags: dict[str, str] = Field(default_factory=dict)


class WorldUnit(Strict):
    name: NonEmptyStr
    accounts: list[WorldAccount] = Field(default_factory=list)
    units: list[WorldUnit] = Field(default_factory=list)

    def all_accounts(self) -> list[WorldAccount]:
        return [*self.accounts, *(a for unit in self.units for a in unit.all_accounts())]


class World(Strict):
    management_account: WorldAccount
    units: list[WorldUnit] = Field(default_factory=list)
    groups: list[NonEmptyStr] = Field(default_factory=list)
    external_ids: dict[NonEmptyStr, Annotated[str, StringConstraints(pattern=GUID)]] = Field(
        default_factory=dict,
        description="Group display name -> its Entra object id (what SCIM stores as externalId); other groups get "
        "a new one.",
    )
    users: list[NonEmptyStr] = Field(default_factory=list)
    members: dict[NonEmptyStr, list[NonEmptyStr]] = Field(
        default_factory=dict, description="Group display name -> the user names in it."
    )

    @model_validator(mode="after")
    def _known_groups(self) -> World:
        unknown = sorted(set(self.external_ids) - set(self.groups))
        if unknown:
            raise ValueError(f"external_ids names groups that are not in groups: {', '.join(unknown)}")
        return self

    @model_validator(mode="after")
    def _known_members(self) -> World:
        unknown = sorted(set(self.members) - set(self.groups))
        unknown += sorted({u for users in self.members.values() for u in users} - set(self.users))
        if unknown:
            raise ValueError(f"members names groups or users that are not in groups or users: {', '.join(unknown)}")
        return self

    def all_accounts(self) -> list[WorldAccount]:
        return [self.management_account, *(a for unit in self.units for a in unit.all_accounts())]


def create_account(orgs: Any, account: WorldAccount, parent_id: str, root_id: str) -> None:
    tags = [{"Key": SANDBOX_ACCOUNT_ID_TAG, "Value": account.id}]
    tags += [{"Key": k, "Value": v} for k, v in account.tags.items()]
    orgs.create_account(AccountName=account.name, Email=f"{account.name}@example.com", Tags=tags)
    if parent_id != root_id:
        orgs.move_account(AccountId=account.id, SourceParentId=root_id, DestinationParentId=parent_id)


def _seed_unit(orgs: Any, unit: WorldUnit, parent_id: str, root_id: str) -> None:
    ou_id = orgs.create_organizational_unit(ParentId=parent_id, Name=unit.name)["OrganizationalUnit"]["Id"]
    for account in unit.accounts:
        create_account(orgs, account, ou_id, root_id)
    for child in unit.units:
        _seed_unit(orgs, child, ou_id, root_id)


def seed_organization(orgs: Any, world: World) -> str:
    """Create the organization (the caller is the management account); returns the root id."""
    orgs.create_organization(FeatureSet="ALL")
    root_id = str(orgs.list_roots()["Roots"][0]["Id"])
    for unit in world.units:
        _seed_unit(orgs, unit, root_id, root_id)
    return root_id


def seed_identity_store(identitystore: Any, store_id: str, world: World) -> dict[str, str]:
    """Create groups, users and memberships; returns display name -> id."""
    ids: dict[str, str] = {}
    for name in world.groups:
        chosen = world.external_ids.get(name)
        extra = {"Description": SANDBOX_EXTERNAL_ID + chosen} if chosen else {}
        ids[name] = identitystore.create_group(IdentityStoreId=store_id, DisplayName=name, **extra)["GroupId"]
    for user in world.users:
        ids[user] = identitystore.create_user(
            IdentityStoreId=store_id,
            UserName=user,
            DisplayName=user,
            Name={"GivenName": user.split("@")[0], "FamilyName": "Example"},
        )["UserId"]
    for group, users in world.members.items():
        for user in users:
            if group in ids and user in ids:  # a copy of a world with fewer groups or users keeps its other members
                identitystore.create_group_membership(
                    IdentityStoreId=store_id, GroupId=ids[group], MemberId={"UserId": ids[user]}
                )
    return ids


@dataclass(frozen=True)
class SeededWorld:
    instance_arn: str
    identity_store_id: str
    ids: dict[str, str]
    """Group and user display name -> id."""


def load_world(path: Path) -> World:
    from entra_aws.config.loader import read_document

    return World.model_validate(read_document(path))


def seed_world(world: World, region: str, session: Any = None) -> SeededWorld:
    """The organization (Organizations lives in us-east-1) and the identity store of the Identity Center
    instance in `region`, through the API."""
    import boto3

    session = session or boto3.Session()
    seed_organization(session.client("organizations", region_name="us-east-1"), world)
    instance = session.client("sso-admin", region_name=region).list_instances()["Instances"][0]
    store = instance["IdentityStoreId"]
    ids = seed_identity_store(session.client("identitystore", region_name=region), store, world)
    return SeededWorld(instance["InstanceArn"], store, ids)
