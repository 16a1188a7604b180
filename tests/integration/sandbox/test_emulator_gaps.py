"""The emulator's Identity Center fills answer as AWS does where the engine depends on it: provisioning listings
page at MaxResults, an assignment needs an existing permission set, groups can be renamed."""

from __future__ import annotations

import re

import boto3
import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.integration


def instance() -> tuple[str, str]:
    found = boto3.client("sso-admin").list_instances()["Instances"][0]
    return found["InstanceArn"], found["IdentityStoreId"]


def test_provisioned_accounts_are_listed_in_pages(aws: str) -> None:
    sso = boto3.client("sso-admin")
    instance_arn, store = instance()
    group = boto3.client("identitystore").create_group(IdentityStoreId=store, DisplayName="g")["GroupId"]
    arn = sso.create_permission_set(InstanceArn=instance_arn, Name="ps")["PermissionSet"]["PermissionSetArn"]
    accounts = [f"{700000000000 + i}" for i in range(5)]
    for account in accounts:
        sso.create_account_assignment(
            InstanceArn=instance_arn,
            TargetId=account,
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=arn,
            PrincipalType="GROUP",
            PrincipalId=group,
        )
    first = sso.list_accounts_for_provisioned_permission_set(
        InstanceArn=instance_arn, PermissionSetArn=arn, MaxResults=2
    )
    assert first["AccountIds"] == accounts[:2]
    pages = sso.get_paginator("list_accounts_for_provisioned_permission_set").paginate(
        InstanceArn=instance_arn, PermissionSetArn=arn, PaginationConfig={"PageSize": 2}
    )
    assert [page["AccountIds"] for page in pages] == [accounts[:2], accounts[2:4], accounts[4:]]
    listed = sso.list_permission_sets_provisioned_to_account(
        InstanceArn=instance_arn, AccountId=accounts[0], MaxResults=1
    )
    assert listed["PermissionSets"] == [arn]
    assert "NextToken" not in listed


def test_an_assignment_to_a_missing_permission_set_is_refused(aws: str) -> None:
    sso = boto3.client("sso-admin")
    instance_arn, _ = instance()
    missing = instance_arn.replace(":instance/", ":permissionSet/") + "/ps-0000000000000000"
    with pytest.raises(ClientError) as error:
        sso.create_account_assignment(
            InstanceArn=instance_arn,
            TargetId="700000000000",
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=missing,
            PrincipalType="GROUP",
            PrincipalId="9067c0c5-3a81-4cbb-b1a5-1234567890ab",
        )
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_group_can_be_renamed(aws: str) -> None:
    store_client = boto3.client("identitystore")
    _, store = instance()
    group = store_client.create_group(IdentityStoreId=store, DisplayName="before")["GroupId"]
    store_client.update_group(
        IdentityStoreId=store, GroupId=group, Operations=[{"AttributePath": "displayName", "AttributeValue": "after"}]
    )
    assert store_client.describe_group(IdentityStoreId=store, GroupId=group)["DisplayName"] == "after"
    with pytest.raises(ClientError):
        store_client.update_group(
            IdentityStoreId=store, GroupId=group, Operations=[{"AttributePath": "members", "AttributeValue": "x"}]
        )


def test_permission_set_arns_have_the_aws_shape(aws: str) -> None:
    instance_arn, _ = instance()
    arn = boto3.client("sso-admin").create_permission_set(InstanceArn=instance_arn, Name="ps")["PermissionSet"][
        "PermissionSetArn"
    ]
    instance_id = instance_arn.rsplit("/", 1)[1]
    assert re.fullmatch(rf"arn:aws:sso:::permissionSet/{instance_id}/ps-[0-9a-f]{{16}}", arn)
