"""Rule principals by identity: a rule granting a privileged permission set or reaching the management account
names its groups and users by id; `validate` refuses a name there in one line saying where to find the id."""

from __future__ import annotations

from typing import Any

import pytest

from entra_aws.config import ConfigError, parse_config
from entra_aws.config.models import PinnedPrincipal

MGMT = "111111111111"
OBJECT_ID = "0b3c6a1e-7f2d-4c8e-9a5b-1d2e3f4a5b6c"


def document(rule: dict[str, Any]) -> dict[str, Any]:
    return {
        "tenant_id": "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b",
        "identity_center": {"region": "eu-west-1"},
        "management_account_id": MGMT,
        "permission_sets": [
            {"name": "Admin", "managed_policies": ["arn:aws:iam::aws:policy/AdministratorAccess"], "privileged": True},
            {"name": "Billing", "managed_policies": ["arn:aws:iam::aws:policy/job-function/Billing"]},
        ],
        "assignments": [{"name": "r", "targets": {"organization": True}, **rule}],
    }


def problems(rule: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        parse_config(document(rule))
    return raised.value.problems


def test_a_name_only_group_in_a_privileged_rule_is_refused_saying_how_to_find_its_id() -> None:
    assert problems({"groups": ["AWS-Platform-Admins"], "permission_sets": ["Admin"]}) == [
        "config: assignments[0].groups[0]: 'AWS-Platform-Admins' is a name only and this rule grants the privileged "
        "permission set 'Admin'; pin it as {external_id: <Entra object id>, name: 'AWS-Platform-Admins'} (Entra admin "
        "center > Groups > the group > Object ID) or {id: <identity store group id>} (aws identitystore list-groups)"
    ]


def test_a_name_only_user_in_a_rule_reaching_the_management_account_is_refused() -> None:
    rule = {"users": ["alice@example.com"], "permission_sets": ["Billing"], "allow_management_account": True}
    (problem,) = problems(rule)
    assert problem.startswith("config: assignments[0].users[0]: 'alice@example.com' is a name only and this rule may ")
    assert "aws identitystore list-users" in problem


def test_pinned_principals_are_accepted_and_other_rules_may_use_names() -> None:
    privileged = {"groups": [{"external_id": OBJECT_ID, "name": "AWS-Platform-Admins"}], "permission_sets": ["Admin"]}
    config = parse_config(document(privileged))
    assert config.assignments[0].groups == [PinnedPrincipal(external_id=OBJECT_ID, name="AWS-Platform-Admins")]
    assert parse_config(document({"groups": ["AWS-Finance"], "permission_sets": ["Billing"]})).assignments[0].groups


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"name": "AWS-Platform-Admins"}, "give exactly one of id (identity store id) or external_id"),
        ({"id": "d-1234567890", "name": "x"}, "assignments[0].groups[0].id: must be an identity store"),
        (
            {"external_id": "AWS-Platform-Admins"},
            "assignments[0].groups[0].external_id: must be a GUID",
        ),
    ],
)
def test_a_pinned_entry_needs_exactly_one_well_formed_identity(entry: dict[str, str], expected: str) -> None:
    found = problems({"groups": [entry], "permission_sets": ["Billing"]})
    assert any(expected in problem for problem in found), found
