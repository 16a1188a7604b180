"""The adapters' boundary: botocore's ClientError leaves an adapter as the engine's ApiError, with the
identitystore error's Reason and ResourceType kept (botocore's Stubber checks requests against the real model)."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from entra_aws.adapters.clients import api_client
from entra_aws.adapters.identity_store import IdentityStoreDirectory
from entra_aws.engine.ports import ApiError

STORE = "d-1234567890"
GROUP = "9067d1d2-1111-4111-8111-000000000001"


def directory() -> tuple[IdentityStoreDirectory, Stubber]:
    client = boto3.client("identitystore", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    return IdentityStoreDirectory(client, STORE), Stubber(client)


def test_a_refusal_becomes_an_api_error_with_reason_and_resource_type() -> None:
    store, stub = directory()
    with stub:
        stub.add_client_error(
            "describe_user",
            "AccessDeniedException",
            "no",
            modeled_fields={"Message": "no", "Reason": "KMS_ACCESS_DENIED"},
        )
        stub.add_client_error(
            "list_groups",
            "ThrottlingException",
            "slow down",
            modeled_fields={"Message": "slow down", "RetryAfterSeconds": 1},
        )
        with pytest.raises(ApiError) as denied:
            store.user(GROUP)
        with pytest.raises(ApiError) as throttled:
            store.groups()
    assert (denied.value.code, denied.value.message, denied.value.reason) == (
        "AccessDeniedException",
        "no",
        "KMS_ACCESS_DENIED",
    )
    assert (denied.value.operation, str(denied.value)) == ("DescribeUser", "AccessDeniedException: no")
    assert (throttled.value.code, throttled.value.operation) == ("ThrottlingException", "ListGroups")


def test_a_missing_group_names_its_resource_type_and_the_directory_answers_none() -> None:
    store, stub = directory()
    with stub:
        for _ in range(2):
            stub.add_client_error(
                "describe_group",
                "ResourceNotFoundException",
                "gone",
                modeled_fields={"Message": "gone", "ResourceType": "GROUP", "ResourceId": GROUP},
            )
        with pytest.raises(ApiError) as missing:
            api_client(stub.client).describe_group(IdentityStoreId=STORE, GroupId=GROUP)
        assert store.group(GROUP) is None
        stub.assert_no_pending_responses()
    assert (missing.value.code, missing.value.resource_type) == ("ResourceNotFoundException", "GROUP")
