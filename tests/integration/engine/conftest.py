"""An example organization and identity store seeded into the moto server, and the example config bound to it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from entra_aws.adapters.aws import aws_context
from entra_aws.config import Config, load_config
from entra_aws.engine.context import AwsContext
from sandbox.world import World, seed_world
from sandbox.world import load_world as world_from

REPO = Path(__file__).resolve().parents[3]


@dataclass
class Seeded:
    config: Config
    groups: dict[str, str]
    sso: Any
    identitystore: Any
    orgs: Any
    instance_arn: str
    store_id: str

    def context(self) -> AwsContext:
        return aws_context(self.config)

    def permission_set_arn(self, name: str) -> str:
        for arn in self.sso.list_permission_sets(InstanceArn=self.instance_arn)["PermissionSets"]:
            described = self.sso.describe_permission_set(InstanceArn=self.instance_arn, PermissionSetArn=arn)
            if described["PermissionSet"]["Name"] == name:
                return str(arn)
        raise LookupError(name)

    def lagging(self, name: str) -> list[str]:
        """The accounts Identity Center says lack the permission set's latest version."""
        listed = self.sso.list_accounts_for_provisioned_permission_set(
            InstanceArn=self.instance_arn,
            PermissionSetArn=self.permission_set_arn(name),
            ProvisioningStatus="LATEST_PERMISSION_SET_NOT_PROVISIONED",
        )
        return sorted(listed["AccountIds"])

    def assignments(self) -> list[dict[str, Any]]:
        """Every assignment in the emulator, read with plain boto3 (independent of the engine)."""
        found = []
        for name, group_id in self.groups.items():
            pages = self.sso.get_paginator("list_account_assignments_for_principal").paginate(
                InstanceArn=self.instance_arn, PrincipalType="GROUP", PrincipalId=group_id
            )
            for page in pages:
                for item in page["AccountAssignments"]:
                    ps = self.sso.describe_permission_set(
                        InstanceArn=self.instance_arn, PermissionSetArn=item["PermissionSetArn"]
                    )["PermissionSet"]["Name"]
                    found.append({"group": name, "account": item["AccountId"], "permission_set": ps})
        return found


def load_world(path: Path = REPO / "scenarios" / "example-organization.yaml") -> World:
    return world_from(path)


@pytest.fixture
def seeded(aws: str) -> Seeded:
    world = seed_world(load_world(), "eu-west-1")
    orgs = boto3.client("organizations", region_name="us-east-1")
    sso = boto3.client("sso-admin", region_name="eu-west-1")
    identitystore = boto3.client("identitystore", region_name="eu-west-1")
    config = load_config(REPO / "config" / "example.yaml")
    return Seeded(config, world.ids, sso, identitystore, orgs, world.instance_arn, world.identity_store_id)
