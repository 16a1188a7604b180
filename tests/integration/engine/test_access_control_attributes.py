"""Against the emulator: the instance's ABAC attributes planned, applied, and a hand-made change reverted by the next
full reconcile; read back with plain boto3 (DescribeInstanceAccessControlAttributeConfiguration)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from entra_aws.config import Config
from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.scope import Scope

from .conftest import Seeded

WANTED = {"Department": "${path:enterprise.department}", "CostCenter": "${path:enterprise.costCenter}"}


def with_attributes(config: Config, attributes: dict[str, str]) -> Config:
    identity_center = config.identity_center.model_copy(update={"access_control_attributes": attributes})
    return config.model_copy(update={"identity_center": identity_center})


def configured(seeded: Seeded) -> dict[str, str]:
    response: dict[str, Any] = seeded.sso.describe_instance_access_control_attribute_configuration(
        InstanceArn=seeded.instance_arn
    )
    assert response["Status"] == "ENABLED"
    attributes = response["InstanceAccessControlAttributeConfiguration"]["AccessControlAttributes"]
    return {a["Key"]: a["Value"]["Source"][0] for a in attributes}


def test_attributes_are_planned_applied_and_drift_is_reverted(seeded: Seeded) -> None:
    config = with_attributes(seeded.config, WANTED)
    planned = reconcile(config, Scope.everything(), apply=False, context=seeded.context())
    assert planned.plan.count("create_access_control_attributes") == 1
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        configured(seeded)  # planning changed nothing

    applied = reconcile(config, Scope.everything(), apply=True, context=seeded.context())
    assert applied.ok and configured(seeded) == WANTED

    seeded.sso.update_instance_access_control_attribute_configuration(
        InstanceArn=seeded.instance_arn,
        InstanceAccessControlAttributeConfiguration={
            "AccessControlAttributes": [{"Key": "Department", "Value": {"Source": ["${path:title}"]}}]
        },
    )
    corrected = reconcile(config, Scope.everything(), apply=True, context=seeded.context())
    assert [op.kind for op in corrected.plan.operations] == ["update_access_control_attributes"]
    assert corrected.ok and configured(seeded) == WANTED
    assert reconcile(config, Scope.everything(), apply=False, context=seeded.context()).plan.empty


def test_an_empty_mapping_removes_the_configuration(seeded: Seeded) -> None:
    assert reconcile(
        with_attributes(seeded.config, WANTED), Scope.everything(), apply=True, context=seeded.context()
    ).ok
    removed = reconcile(with_attributes(seeded.config, {}), Scope.everything(), apply=True, context=seeded.context())
    assert removed.ok and removed.plan.count("delete_access_control_attributes") == 1
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        configured(seeded)
