"""The instance's ABAC attributes (identity_center.access_control_attributes): planned, applied and drift reverted by
full reconciles, left alone when the config does not set them, removed by `{}`."""

from __future__ import annotations

from typing import Any

import pytest

from entra_aws.config import Config, ConfigError, parse_config
from entra_aws.engine.plan import plan_access_control_attributes
from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.scope import Scope

from .fakes import FakeDirectory, FakeIdentityCenter, FakeWorld, organization

MANAGEMENT, DEV = "111111111111", "222222222222"
DEPARTMENT = "${path:enterprise.department}"
COST_CENTER = "${path:enterprise.costCenter}"


def config(attributes: dict[str, str] | None) -> Config:
    identity_center: dict[str, Any] = {"region": "eu-west-1"}
    if attributes is not None:
        identity_center["access_control_attributes"] = attributes
    return parse_config(
        {
            "tenant_id": "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b",
            "identity_center": identity_center,
            "management_account_id": MANAGEMENT,
        }
    )


def world(abac: dict[str, str] | None = None) -> FakeWorld:
    return FakeWorld(FakeIdentityCenter(abac=abac), FakeDirectory(), organization(MANAGEMENT, DEV))


WANTED = {"Department": DEPARTMENT, "CostCenter": COST_CENTER}


def test_attributes_are_created_then_nothing_is_left_to_do() -> None:
    fake = world()
    report = reconcile(config(WANTED), Scope.everything(), apply=True, context=fake.context())
    assert [op.kind for op in report.plan.operations] == ["create_access_control_attributes"]
    assert report.ok and fake.admin.abac == WANTED
    again = reconcile(config(WANTED), Scope.everything(), apply=False, context=fake.context())
    assert again.plan.empty


def test_a_hand_made_change_is_reverted_by_the_next_full_reconcile() -> None:
    fake = world({"Department": "${path:enterprise.division}", "Extra": "${path:title}"})
    report = reconcile(config(WANTED), Scope.everything(), apply=True, context=fake.context())
    assert [op.kind for op in report.plan.operations] == ["update_access_control_attributes"]
    assert fake.admin.abac == WANTED


def test_an_empty_mapping_removes_the_configuration() -> None:
    fake = world(WANTED)
    report = reconcile(config({}), Scope.everything(), apply=True, context=fake.context())
    assert [op.kind for op in report.plan.operations] == ["delete_access_control_attributes"]
    assert fake.admin.abac is None


def test_a_config_without_the_key_neither_reads_nor_changes_them() -> None:
    fake = world({"Hand": "${path:title}"})
    report = reconcile(config(None), Scope.everything(), apply=True, context=fake.context())
    assert report.plan.empty and fake.admin.abac == {"Hand": "${path:title}"}
    assert fake.admin.calls["access_control_attributes"] == 0


def test_narrower_scopes_leave_them_to_full_reconciles() -> None:
    fake = world()
    report = reconcile(config(WANTED), Scope.account(DEV), apply=True, context=fake.context())
    assert report.plan.empty and fake.admin.abac is None


def test_the_plan_line_names_the_attributes_in_words() -> None:
    (op,) = plan_access_control_attributes(WANTED, None)
    assert op.describe() == (f"instance access-control attributes: CostCenter={COST_CENTER}, Department={DEPARTMENT}")
    assert plan_access_control_attributes({}, None) == []


def test_keys_and_sources_are_checked_against_the_api_limits() -> None:
    at_the_limits = config({f"Key {n}:/=+-@": "${path:" + "x" * 248 + "}" for n in range(50)})
    assert len(at_the_limits.identity_center.access_control_attributes or {}) == 50
    with pytest.raises(ConfigError):
        config({"Bad<key": DEPARTMENT})
    with pytest.raises(ConfigError):
        config({"Department": "x" * 257})
    with pytest.raises(ConfigError):
        config({f"k{n}": DEPARTMENT for n in range(51)})
