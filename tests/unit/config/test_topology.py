"""deployment.topology: management (the default) or delegated_admin, whose rules never reach the management
account (a delegated administrator cannot manage permission sets provisioned there)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from entra_aws.config import ConfigError, load_config, parse_config

REPO = Path(__file__).resolve().parents[3]
MGMT = "111111111111"
DELEGATED = "333333333334"
WHY = (
    "a delegated administrator cannot manage permission sets provisioned in the management account "
    "(IAM Identity Center User Guide, Delegated administration)"
)


def document(rule: dict[str, Any], **deployment: Any) -> dict[str, Any]:
    return {
        "tenant_id": "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b",
        "identity_center": {"region": "eu-west-1"},
        "management_account_id": MGMT,
        "deployment": {"topology": "delegated_admin", "delegated_admin_account_id": DELEGATED, **deployment},
        "permission_sets": [{"name": "Billing", "managed_policies": ["arn:aws:iam::aws:policy/job-function/Billing"]}],
        "assignments": [{"name": "r", "groups": ["AWS-Finance"], "permission_sets": ["Billing"], **rule}],
    }


def problems(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        parse_config(doc)
    return raised.value.problems


def test_management_is_the_default() -> None:
    config = load_config(REPO / "config" / "example.yaml")
    assert (config.deployment.topology, config.deployment.delegated) == ("management", False)


def test_the_shipped_delegated_config_validates() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "entra_aws", "validate", str(REPO / "config" / "delegated-admin.yaml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert load_config(REPO / "config" / "delegated-admin.yaml").deployment.delegated_admin_account_id == DELEGATED


def test_explicit_targets_naming_the_management_account_are_refused_with_why() -> None:
    rule = {"targets": {"accounts": ["222222222222", MGMT]}}
    assert problems(document(rule)) == [
        f"config: assignments[0].targets.accounts[1]: {MGMT} is the management account, refused with topology "
        f"delegated_admin: {WHY}"
    ]


def test_allow_management_account_is_refused_with_why() -> None:
    rule = {
        "targets": {"organization": True},
        "allow_management_account": True,
        "groups": [{"external_id": "2d5e8c3a-9b4f-4e0a-9c7d-3f4a5b6c7d8e", "name": "AWS-Finance"}],
    }
    assert problems(document(rule)) == [
        f"config: assignments[0].allow_management_account: refused with topology delegated_admin: {WHY}"
    ]


def test_the_delegated_administrator_is_a_member_account() -> None:
    doc = document({"targets": {"organization": True}}, delegated_admin_account_id=MGMT)
    assert problems(doc) == [
        "config: deployment.delegated_admin_account_id: is the management account; the delegated administrator "
        "is a member account (or use topology: management)"
    ]


def test_the_management_account_must_be_known() -> None:
    doc = document({"targets": {"organization": True}})
    del doc["management_account_id"]
    assert problems(doc) == [
        "config: management_account_id: is required with deployment.topology delegated_admin (the forwarders go there)"
    ]


@pytest.mark.parametrize(
    ("deployment", "expected"),
    [
        (
            {"topology": "delegated_admin"},
            "config: deployment: topology delegated_admin needs delegated_admin_account_id (the member account)",
        ),
        (
            {"topology": "management", "delegated_admin_account_id": DELEGATED},
            "config: deployment: delegated_admin_account_id is used only with topology: delegated_admin",
        ),
        (
            {"log_retention_days": 100},
            "config: deployment.log_retention_days: must be one of 1, 3, 5, 7, 14, 30, "
            "60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (CloudWatch Logs), "
            "got 100",
        ),
    ],
)
def test_deployment_problems_are_one_line(deployment: dict[str, Any], expected: str) -> None:
    doc = document({"targets": {"organization": True}})
    doc["deployment"] = deployment
    assert problems(doc) == [expected]
