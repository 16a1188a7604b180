"""The worker's statements follow the config: permission-set writes only on sets carrying the ownership tag,
the tag key never removed, adoption only when the config adopts, IAM and SAML-provider writes only when a rule
reaches the management account (topology management)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from entra_aws.config import Config, load_config
from stacks.automation import permissions

REPO = Path(__file__).resolve().parents[3]
MGMT = "111111111111"
MANAGED = {"StringEquals": {"aws:ResourceTag/entra-aws:managed": "true"}}
pytestmark = pytest.mark.infrastructure


def example(no_management: bool = False) -> Config:
    """config/example.yaml; `no_management`: with no rule reaching the management account."""
    config = load_config(REPO / "config" / "example.yaml")
    if not no_management:
        return config
    rules = [rule.model_copy(update={"allow_management_account": False}) for rule in config.assignments]
    return config.model_copy(update={"assignments": rules})


def worker(config: Config) -> list[dict[str, Any]]:
    statements = permissions.worker_statements(config, "aws", MGMT)
    return [s.to_statement_json() for s in statements]


def actions(statement: dict[str, Any]) -> list[str]:
    value = statement["Action"]
    return [value] if isinstance(value, str) else value


def granted(statements: list[dict[str, Any]], prefix: str) -> set[str]:
    return {a for s in statements if s["Effect"] == "Allow" for a in actions(s) if a.startswith(prefix)}


def test_iam_writes_only_when_a_rule_reaches_the_management_account() -> None:
    assert "iam:CreateRole" in granted(worker(example()), "iam:")
    assert "iam:UpdateSAMLProvider" in granted(worker(example()), "iam:")
    assert granted(worker(example(no_management=True)), "iam:") == set()


def test_assignments_in_the_management_account_are_denied_unless_a_rule_reaches_it() -> None:
    deny = {"Effect": "Deny", "Action": "sso:CreateAccountAssignment", "Resource": f"arn:aws:sso:::account/{MGMT}"}
    assert deny in worker(example(no_management=True))
    assert deny not in worker(example())


def test_permission_set_writes_need_the_ownership_tag() -> None:
    on_sets = [s for s in worker(example()) if s["Resource"] == "arn:aws:sso:::permissionSet/*/*"]
    writes = [s for s in on_sets if not all(a.startswith(("sso:Describe", "sso:List", "sso:Get")) for a in actions(s))]
    assert writes and all(s.get("Condition") for s in writes)
    create = next(s for s in writes if actions(s) == ["sso:CreatePermissionSet"])
    assert create["Condition"] == {"StringEquals": {"aws:RequestTag/entra-aws:managed": "true"}}
    for s in writes:
        if s is not create:
            assert s["Condition"]["StringEquals"] == MANAGED["StringEquals"]


def test_the_ownership_tag_is_never_removed() -> None:
    (untag,) = [s for s in worker(example()) if "sso:UntagResource" in actions(s)]
    assert untag["Condition"]["ForAllValues:StringNotEquals"] == {"aws:TagKeys": ["entra-aws:managed"]}


def test_adoption_tags_unowned_sets_only_when_the_config_adopts() -> None:
    config = example()
    adopting = config.model_copy(
        update={"apply": config.apply.model_copy(update={"adopt_permission_sets": ["ReadOnly"]})}
    )

    def adopt(c: Config) -> list[dict[str, Any]]:
        return [s for s in worker(c) if actions(s) == ["sso:TagResource"]]

    assert adopt(config) == []
    (statement,) = adopt(adopting)
    assert statement["Condition"] == {
        "StringEquals": {"aws:RequestTag/entra-aws:managed": "true"},
        "ForAllValues:StringEquals": {"aws:TagKeys": ["entra-aws:managed"]},
    }


def test_abac_attribute_writes_only_when_the_config_manages_them() -> None:
    config = example()
    assert config.identity_center.access_control_attributes is None
    assert not granted(worker(config), "sso:") & set(permissions.ACCESS_CONTROL_ATTRIBUTE_ACTIONS)
    attributes = {"Department": "${path:enterprise.department}"}
    identity_center = config.identity_center.model_copy(update={"access_control_attributes": attributes})
    managing = config.model_copy(update={"identity_center": identity_center})
    [statement] = [s for s in worker(managing) if set(actions(s)) == set(permissions.ACCESS_CONTROL_ATTRIBUTE_ACTIONS)]
    assert ":sso:::instance/" in statement["Resource"]
