"""deployment.kms_key_arn / create_key: one or the other, and a given key where the automation is."""

from __future__ import annotations

from typing import Any

import pytest

from entra_aws.config import ConfigError, parse_config

MGMT, DELEGATED = "111111111111", "333333333334"
KEY = "arn:aws:kms:{region}:{account}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def document(**deployment: Any) -> dict[str, Any]:
    return {
        "tenant_id": "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b",
        "identity_center": {"region": "eu-west-1"},
        "management_account_id": MGMT,
        "deployment": deployment,
    }


def problems(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        parse_config(doc)
    return raised.value.problems


def test_a_key_in_the_automation_account_and_region_is_accepted() -> None:
    given = KEY.format(region="eu-west-1", account=DELEGATED)
    config = parse_config(document(topology="delegated_admin", delegated_admin_account_id=DELEGATED, kms_key_arn=given))
    assert config.deployment.kms_key_arn == given and not config.deployment.create_key


def test_a_given_key_and_create_key_together_are_refused() -> None:
    (problem,) = problems(document(kms_key_arn=KEY.format(region="eu-west-1", account=MGMT), create_key=True))
    assert "kms_key_arn (your key) or create_key: true (a new one), not both" in problem


def test_a_key_in_another_region_or_account_is_refused() -> None:
    found = problems(document(kms_key_arn=KEY.format(region="us-east-1", account=DELEGATED)))
    assert found == [
        "config: deployment.kms_key_arn: the key is in us-east-1; the automation (queues, topic, log groups) is in "
        "eu-west-1, and they take a key in their own region",
        f"config: deployment.kms_key_arn: the key is in account {DELEGATED}; the automation is in {MGMT}",
    ]


def test_a_key_arn_that_is_not_one_says_what_is_expected() -> None:
    (problem,) = problems(document(kms_key_arn="alias/mine"))
    assert "deployment.kms_key_arn: must be a KMS key ARN like arn:aws:kms:" in problem
