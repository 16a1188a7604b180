"""The emulator fails where AWS fails (docs/scenarios.md, "Fidelity"), through plain boto3: name and delete
conflicts, provisioning that fails for a suspended account or a policy missing in the account's IAM, the set
deprovisioned with its last assignment, status listings in pages, identity store errors with ResourceType and
Reason, and the injectable faults and quotas of sandbox/faults.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from sandbox.faults import Faults, clear_faults, in_account, set_faults

pytestmark = pytest.mark.integration

ACCOUNT = "222222222222"
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


@pytest.fixture
def sso(aws: str) -> Iterator[Any]:
    yield boto3.client("sso-admin", config=NO_RETRIES)
    clear_faults(aws)


def instance() -> tuple[str, str]:
    found = boto3.client("sso-admin").list_instances()["Instances"][0]
    return found["InstanceArn"], found["IdentityStoreId"]


def new_group(name: str = "g") -> str:
    _, store = instance()
    return str(boto3.client("identitystore").create_group(IdentityStoreId=store, DisplayName=name)["GroupId"])


def new_set(sso: Any, name: str = "ps") -> str:
    instance_arn, _ = instance()
    return str(sso.create_permission_set(InstanceArn=instance_arn, Name=name)["PermissionSet"]["PermissionSetArn"])


def assign(sso: Any, arn: str, group: str, account: str = ACCOUNT, delete: bool = False) -> dict[str, Any]:
    instance_arn, _ = instance()
    call = sso.delete_account_assignment if delete else sso.create_account_assignment
    response = call(
        InstanceArn=instance_arn,
        TargetId=account,
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=arn,
        PrincipalType="GROUP",
        PrincipalId=group,
    )
    key = "AccountAssignmentDeletionStatus" if delete else "AccountAssignmentCreationStatus"
    status: dict[str, Any] = response[key]
    return status


def creation_status(sso: Any, request_id: str) -> dict[str, Any]:
    instance_arn, _ = instance()
    status: dict[str, Any] = sso.describe_account_assignment_creation_status(
        InstanceArn=instance_arn, AccountAssignmentCreationRequestId=request_id
    )["AccountAssignmentCreationStatus"]
    return status


def provisioned_to(sso: Any, account: str = ACCOUNT) -> list[str]:
    instance_arn, _ = instance()
    sets: list[str] = sso.list_permission_sets_provisioned_to_account(InstanceArn=instance_arn, AccountId=account)[
        "PermissionSets"
    ]
    return sets


def code_of(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def field(error: pytest.ExceptionInfo[ClientError], name: str) -> Any:
    """A modeled field of the error (botocore puts them beside Error)."""
    response: dict[str, Any] = dict(error.value.response)
    return response.get(name)


def test_a_second_permission_set_with_a_taken_name_is_a_conflict(sso: Any) -> None:
    new_set(sso, "ReadOnly")
    with pytest.raises(ClientError) as error:
        new_set(sso, "ReadOnly")
    assert code_of(error) == "ConflictException"
    assert error.value.response["Error"]["Message"] == "PermissionSet with name ReadOnly already exists."


def test_a_permission_set_in_use_cannot_be_deleted_until_its_last_assignment_goes(sso: Any) -> None:
    instance_arn, _ = instance()
    arn, group = new_set(sso), new_group()
    assign(sso, arn, group)
    with pytest.raises(ClientError) as error:
        sso.delete_permission_set(InstanceArn=instance_arn, PermissionSetArn=arn)
    assert code_of(error) == "ConflictException"
    assign(sso, arn, group, delete=True)
    sso.delete_permission_set(InstanceArn=instance_arn, PermissionSetArn=arn)


def test_the_last_assignment_of_a_set_on_an_account_deprovisions_it_there(sso: Any) -> None:
    arn, first, second = new_set(sso), new_group("a"), new_group("b")
    assign(sso, arn, first)
    assign(sso, arn, second)
    assign(sso, arn, first, delete=True)
    assert provisioned_to(sso) == [arn]
    assign(sso, arn, second, delete=True)
    assert provisioned_to(sso) == []


def test_an_assignment_to_a_suspended_account_fails_with_the_reason(sso: Any) -> None:
    organizations = boto3.client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    account = organizations.create_account(AccountName="gone", Email="gone@example.com")["CreateAccountStatus"][
        "AccountId"
    ]
    organizations.close_account(AccountId=account)
    arn, group = new_set(sso), new_group()
    created = assign(sso, arn, group, account=account)
    status = creation_status(sso, created["RequestId"])
    assert status["Status"] == "FAILED"
    assert account in status["FailureReason"] and "SUSPENDED" in status["FailureReason"]
    assert provisioned_to(sso, account) == []


def attach_guardrails(sso: Any, arn: str) -> None:
    instance_arn, _ = instance()
    sso.attach_customer_managed_policy_reference_to_permission_set(
        InstanceArn=instance_arn,
        PermissionSetArn=arn,
        CustomerManagedPolicyReference={"Name": "Guardrails", "Path": "/org/"},
    )


def test_provisioning_fails_when_the_account_lacks_a_customer_managed_policy_and_works_once_it_exists(
    aws: str, sso: Any
) -> None:
    set_faults(aws, Faults(account_iam=True))
    instance_arn, _ = instance()
    arn, group = new_set(sso), new_group()
    attach_guardrails(sso, arn)

    failed = creation_status(sso, assign(sso, arn, group)["RequestId"])
    assert failed["Status"] == "FAILED"
    assert f"arn:aws:iam::{ACCOUNT}:policy/org/Guardrails" in failed["FailureReason"]

    boto3.client("iam").create_policy(PolicyName="Guardrails", Path="/org/", PolicyDocument=POLICY)
    assert creation_status(sso, assign(sso, arn, group)["RequestId"])["Status"] == "FAILED", "IAM of another account"

    in_account(boto3.client("iam"), ACCOUNT).create_policy(PolicyName="Guardrails", Path="/org/", PolicyDocument=POLICY)
    assert creation_status(sso, assign(sso, arn, group)["RequestId"])["Status"] == "SUCCEEDED"
    provisioning = sso.provision_permission_set(
        InstanceArn=instance_arn, PermissionSetArn=arn, TargetType="AWS_ACCOUNT", TargetId=ACCOUNT
    )["PermissionSetProvisioningStatus"]
    assert provisioning["Status"] == "SUCCEEDED" and provisioning["AccountId"] == ACCOUNT


def test_a_missing_boundary_fails_provisioning_to_the_account(aws: str, sso: Any) -> None:
    set_faults(aws, Faults(account_iam=True))
    instance_arn, _ = instance()
    arn = new_set(sso)
    sso.put_permissions_boundary_to_permission_set(
        InstanceArn=instance_arn,
        PermissionSetArn=arn,
        PermissionsBoundary={"CustomerManagedPolicyReference": {"Name": "Boundary"}},
    )
    status = sso.provision_permission_set(
        InstanceArn=instance_arn, PermissionSetArn=arn, TargetType="AWS_ACCOUNT", TargetId=ACCOUNT
    )["PermissionSetProvisioningStatus"]
    assert status["Status"] == "FAILED" and status["AccountId"] == ACCOUNT
    assert f"arn:aws:iam::{ACCOUNT}:policy/Boundary" in status["FailureReason"]


POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}'


OTHER = "333333333333"
LAGGING = "LATEST_PERMISSION_SET_NOT_PROVISIONED"
CURRENT = "LATEST_PERMISSION_SET_PROVISIONED"


def accounts_of(sso: Any, arn: str, status: str) -> list[str]:
    instance_arn, _ = instance()
    found: list[str] = sso.list_accounts_for_provisioned_permission_set(
        InstanceArn=instance_arn, PermissionSetArn=arn, ProvisioningStatus=status
    )["AccountIds"]
    return sorted(found)


def sets_of(sso: Any, account: str, status: str) -> list[str]:
    instance_arn, _ = instance()
    found: list[str] = sso.list_permission_sets_provisioned_to_account(
        InstanceArn=instance_arn, AccountId=account, ProvisioningStatus=status
    )["PermissionSets"]
    return found


def test_a_change_reaches_no_account_until_provisioned_and_a_failed_account_keeps_lagging(aws: str, sso: Any) -> None:
    instance_arn, _ = instance()
    arn, group = new_set(sso), new_group()
    for account in (ACCOUNT, OTHER):
        assert assign(sso, arn, group, account)["Status"] == "SUCCEEDED"
    assert accounts_of(sso, arn, CURRENT) == [ACCOUNT, OTHER] and accounts_of(sso, arn, LAGGING) == []

    sso.update_permission_set(InstanceArn=instance_arn, PermissionSetArn=arn, SessionDuration="PT2H")
    assert accounts_of(sso, arn, LAGGING) == [ACCOUNT, OTHER], "an update is not provisioned by itself"
    assert sets_of(sso, ACCOUNT, LAGGING) == [arn] and sets_of(sso, ACCOUNT, CURRENT) == []

    set_faults(aws, Faults(account_iam=True))
    sso.put_permissions_boundary_to_permission_set(
        InstanceArn=instance_arn,
        PermissionSetArn=arn,
        PermissionsBoundary={"CustomerManagedPolicyReference": {"Name": "Boundary"}},
    )
    in_account(boto3.client("iam"), OTHER).create_policy(PolicyName="Boundary", PolicyDocument=POLICY)
    everywhere = sso.provision_permission_set(
        InstanceArn=instance_arn, PermissionSetArn=arn, TargetType="ALL_PROVISIONED_ACCOUNTS"
    )["PermissionSetProvisioningStatus"]
    assert everywhere["Status"] == "FAILED" and everywhere["AccountId"] == ACCOUNT
    assert accounts_of(sso, arn, LAGGING) == [ACCOUNT] and accounts_of(sso, arn, CURRENT) == [OTHER]

    in_account(boto3.client("iam"), ACCOUNT).create_policy(PolicyName="Boundary", PolicyDocument=POLICY)
    alone = sso.provision_permission_set(
        InstanceArn=instance_arn, PermissionSetArn=arn, TargetType="AWS_ACCOUNT", TargetId=ACCOUNT
    )["PermissionSetProvisioningStatus"]
    assert alone["Status"] == "SUCCEEDED" and accounts_of(sso, arn, LAGGING) == []


def test_a_tag_is_not_a_change_that_needs_provisioning(sso: Any) -> None:
    instance_arn, _ = instance()
    arn, group = new_set(sso), new_group()
    assign(sso, arn, group)
    sso.tag_resource(InstanceArn=instance_arn, ResourceArn=arn, Tags=[{"Key": "team", "Value": "x"}])
    assert accounts_of(sso, arn, LAGGING) == []
    sso.put_inline_policy_to_permission_set(InstanceArn=instance_arn, PermissionSetArn=arn, InlinePolicy=POLICY)
    assert accounts_of(sso, arn, LAGGING) == [ACCOUNT]
    assign(sso, arn, group, delete=True)
    assert accounts_of(sso, arn, LAGGING) == [], "deprovisioned with its last assignment"


def test_status_listings_page_at_100_with_a_next_token(sso: Any) -> None:
    arn = new_set(sso)
    groups = [new_group(f"g{i}") for i in range(101)]
    for group in groups:
        assign(sso, arn, group)
    instance_arn, _ = instance()
    first = sso.list_account_assignment_creation_status(InstanceArn=instance_arn)
    assert len(first["AccountAssignmentsCreationStatus"]) == 100
    rest = sso.list_account_assignment_creation_status(InstanceArn=instance_arn, NextToken=first["NextToken"])
    assert len(rest["AccountAssignmentsCreationStatus"]) == 1 and "NextToken" not in rest
    assert set(rest["AccountAssignmentsCreationStatus"][0]) == {"RequestId", "Status", "CreatedDate"}


def test_a_wrong_identity_store_id_is_not_a_missing_group(aws: str) -> None:
    store_client = boto3.client("identitystore")
    _, store = instance()
    with pytest.raises(ClientError) as missing:
        store_client.describe_group(IdentityStoreId=store, GroupId="9067d1d2-1111-4111-8111-000000000001")
    assert (field(missing, "ResourceType"), field(missing, "Reason")) == ("GROUP", None)
    with pytest.raises(ClientError) as wrong_store:
        store_client.describe_user(IdentityStoreId="d-0000000000", UserId="9067d1d2-1111-4111-8111-000000000001")
    assert code_of(wrong_store) == "ResourceNotFoundException"
    assert field(wrong_store, "ResourceType") == "IDENTITY_STORE"


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("KMS_KEY_NOT_FOUND", "ResourceNotFoundException"),
        ("KMS_ACCESS_DENIED", "AccessDeniedException"),
        ("KMS_DISABLED", "ValidationException"),
        ("KMS_INVALID_STATE", "ValidationException"),
    ],
)
def test_a_kms_fault_fails_every_identity_store_read_with_its_reason(aws: str, reason: str, code: str) -> None:
    group = new_group()
    _, store = instance()
    set_faults(aws, Faults(identity_store_kms=reason))
    store_client = boto3.client("identitystore", config=NO_RETRIES)
    for call in (
        lambda: store_client.describe_group(IdentityStoreId=store, GroupId=group),
        lambda: store_client.list_groups(IdentityStoreId=store),
    ):
        with pytest.raises(ClientError) as error:
            call()
        assert (code_of(error), field(error, "Reason")) == (code, reason)
    clear_faults(aws)
    assert store_client.describe_group(IdentityStoreId=store, GroupId=group)["GroupId"] == group


def test_every_nth_call_is_throttled(aws: str, sso: Any) -> None:
    instance_arn, _ = instance()
    set_faults(aws, Faults(throttle_every=3))
    outcomes = []
    for _ in range(6):
        try:
            sso.list_permission_sets(InstanceArn=instance_arn)
            outcomes.append("ok")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])
    assert outcomes == ["ok", "ok", "ThrottlingException"] * 2


def test_the_next_k_writes_conflict_and_reads_do_not(aws: str, sso: Any) -> None:
    instance_arn, _ = instance()
    set_faults(aws, Faults(conflicts=2))
    sso.list_permission_sets(InstanceArn=instance_arn)
    for name in ("a", "b"):
        with pytest.raises(ClientError) as error:
            new_set(sso, name)
        assert code_of(error) == "ConflictException"
    new_set(sso, "c")


def test_moto_s_reset_clears_the_faults(aws: str, sso: Any) -> None:
    import urllib.request

    set_faults(aws, Faults(conflicts=5))
    urllib.request.urlopen(urllib.request.Request(f"{aws}/moto-api/reset", method="POST")).read()
    new_set(sso)


def test_asynchronous_mode_keeps_a_request_in_progress_for_n_reads(aws: str, sso: Any) -> None:
    set_faults(aws, Faults(status_reads=2))
    arn, group = new_set(sso), new_group()
    created = assign(sso, arn, group)
    assert created["Status"] == "IN_PROGRESS"
    instance_arn, _ = instance()
    listed = sso.list_account_assignment_creation_status(InstanceArn=instance_arn, Filter={"Status": "IN_PROGRESS"})
    assert [s["RequestId"] for s in listed["AccountAssignmentsCreationStatus"]] == [created["RequestId"]]
    assert creation_status(sso, created["RequestId"])["Status"] == "IN_PROGRESS"
    assert creation_status(sso, created["RequestId"])["Status"] == "SUCCEEDED"


def test_asynchronous_mode_refuses_a_16th_outstanding_assignment(aws: str, sso: Any) -> None:
    set_faults(aws, Faults(status_reads=1))
    arn = new_set(sso)
    accounts = [f"{700000000000 + i}" for i in range(16)]
    outstanding = [assign(sso, arn, new_group(f"g{i}"), account) for i, account in enumerate(accounts[:15])]
    with pytest.raises(ClientError) as error:
        assign(sso, arn, new_group("late"), accounts[15])
    assert code_of(error) == "ThrottlingException"
    creation_status(sso, outstanding[0]["RequestId"])  # one completes
    assign(sso, arn, new_group("now"), accounts[15])


def test_asynchronous_mode_allows_three_concurrent_provisionings(aws: str, sso: Any) -> None:
    set_faults(aws, Faults(status_reads=1))
    instance_arn, _ = instance()
    arns = [new_set(sso, f"ps{i}") for i in range(4)]
    for arn in arns[:3]:
        sso.provision_permission_set(
            InstanceArn=instance_arn, PermissionSetArn=arn, TargetType="ALL_PROVISIONED_ACCOUNTS"
        )
    with pytest.raises(ClientError) as error:
        sso.provision_permission_set(
            InstanceArn=instance_arn, PermissionSetArn=arns[3], TargetType="ALL_PROVISIONED_ACCOUNTS"
        )
    assert code_of(error) == "ThrottlingException"


def test_asynchronous_mode_updates_one_role_per_account_at_a_time(aws: str, sso: Any) -> None:
    set_faults(aws, Faults(status_reads=1))
    first, second = new_set(sso, "a"), new_set(sso, "b")
    created = assign(sso, first, new_group("x"))
    with pytest.raises(ClientError) as error:
        assign(sso, second, new_group("y"))
    assert code_of(error) == "ConflictException"
    assign(sso, second, new_group("z"), account="333333333333")  # another account is not held up
    creation_status(sso, created["RequestId"])
    assign(sso, second, new_group("w"))


def test_the_faults_endpoint_refuses_a_reason_the_identity_store_model_lacks(aws: str) -> None:
    import urllib.error

    with pytest.raises(urllib.error.HTTPError) as refused:
        set_faults(aws, Faults(identity_store_kms="KMS_ON_FIRE"))
    assert refused.value.code == 400
