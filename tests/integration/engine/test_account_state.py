"""An account's state comes from Organizations' `State`, then the retired `Status`; an answer with neither is
never read as ACTIVE. moto always answers both, so the adapter is driven with botocore's Stubber here."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from entra_aws.adapters.organizations import OrganizationReader

ACCOUNT = "222222222222"


def described(**state: str) -> dict[str, object]:
    return {"Account": {"Id": ACCOUNT, "Name": "dev", **state}}


@pytest.mark.parametrize(
    ("answer", "status", "active"),
    [
        ({"State": "SUSPENDED", "Status": "ACTIVE"}, "SUSPENDED", False),
        ({"State": "ACTIVE"}, "ACTIVE", True),
        ({"Status": "SUSPENDED"}, "SUSPENDED", False),
        ({}, "", False),
    ],
    ids=["state-wins", "state-only", "status-only", "neither"],
)
def test_the_account_state_is_read_from_state_then_status_and_never_defaults_to_active(
    answer: dict[str, str], status: str, active: bool
) -> None:
    client = boto3.client("organizations", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_response("describe_account", described(**answer), {"AccountId": ACCOUNT})
        account = OrganizationReader(client, with_tags=False).account(ACCOUNT)
    assert account is not None and (account.status, account.active) == (status, active)
