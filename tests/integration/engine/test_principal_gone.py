"""When the directory adapter reads a principal as gone: only moto's (and AWS's) clean not-found, never an error
carrying a Reason or another code. moto cannot produce identitystore's KMS Reasons, so those cases use
botocore's Stubber (which checks the error against the real service model); the clean not-found is moto's own."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from entra_aws.adapters.identity_store import IdentityStoreDirectory
from entra_aws.engine.ports import ApiError
from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.scope import Scope

from .conftest import Seeded

STORE = "d-1234567890"
GROUP = "9067d1d2-1111-4111-8111-000000000001"


def stubbed() -> tuple[IdentityStoreDirectory, Stubber]:
    client = boto3.client("identitystore", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    return IdentityStoreDirectory(client, STORE), Stubber(client)


@pytest.mark.parametrize(
    ("operation", "code", "fields"),
    [
        ("describe_group", "ResourceNotFoundException", {"ResourceType": "GROUP", "Reason": "KMS_DISABLED"}),
        ("describe_group", "ResourceNotFoundException", {"ResourceType": "IDENTITY_STORE"}),
        ("describe_group", "ValidationException", {"Reason": "KMS_INVALID_STATE"}),
        ("describe_group", "ValidationException", {}),
        ("describe_user", "ResourceNotFoundException", {"ResourceType": "USER", "Reason": "KMS_KEY_NOT_FOUND"}),
        ("describe_user", "ValidationException", {}),
    ],
)
def test_an_error_that_does_not_say_the_principal_is_gone_is_raised(
    operation: str, code: str, fields: dict[str, str]
) -> None:
    directory, stub = stubbed()
    with stub:
        stub.add_client_error(operation, code, "refused", modeled_fields={"Message": "refused", **fields})
        with pytest.raises(ApiError) as raised:
            directory.group(GROUP) if operation == "describe_group" else directory.user(GROUP)
    assert (raised.value.code, raised.value.reason) == (code, fields.get("Reason", ""))


def test_moto_s_not_found_reads_as_gone(seeded: Seeded) -> None:
    directory = seeded.context().directory
    assert directory.group(GROUP) is None and directory.user(GROUP) is None


def test_a_kms_fault_on_a_group_event_deletes_nothing_and_blocks_the_reconcile(seeded: Seeded) -> None:
    """DescribeGroup answered with identitystore's KMS_DISABLED (injected before the call reaches moto)."""
    reconcile(seeded.config, Scope.everything(), apply=True, context=seeded.context())
    group_id = seeded.groups["AWS-555555555556-ReadOnly"]
    seeded.identitystore.delete_group(IdentityStoreId=seeded.store_id, GroupId=group_id)
    context = seeded.context()
    held = seeded.assignments()

    def kms_disabled(**_: object) -> tuple[object, dict[str, object]]:
        error: dict[str, object] = {
            "Error": {"Code": "ResourceNotFoundException", "Message": "KMS key is disabled"},
            "ResourceType": "GROUP",
            "Reason": "KMS_DISABLED",
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }
        return type("R", (), {"status_code": 400, "headers": {}})(), error

    context.directory._client.meta.events.register("before-call.identitystore.DescribeGroup", kms_disabled)  # type: ignore[attr-defined]
    report = reconcile(seeded.config, Scope.group(group_id), apply=True, context=context)
    assert not report.ok and report.results == [] and "KMS_DISABLED" in (report.blocked or "")
    assert [f.severity for f in report.findings] == ["error"]
    assert seeded.assignments() == held
