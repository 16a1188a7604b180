"""topology delegated_admin: which management-account rules go to which region."""

from __future__ import annotations

from pathlib import Path

import pytest

from entra_aws.config import Config, load_config
from stacks.automation import organizations_regions
from stacks.automation.forwarder import IDENTITY_CENTER_FORWARD_RULE as IDC
from stacks.automation.forwarder import ORGANIZATION_FORWARD_RULE as ORG
from stacks.automation.forwarder import management_forward_rules

REPO = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.infrastructure


def delegated(home: str, control_tower: str | None = None) -> Config:
    config = load_config(REPO / "config" / "delegated-admin.yaml")
    identity_center = config.identity_center.model_copy(update={"region": home})
    automation = config.automation.model_copy(update={"control_tower_region": control_tower})
    return config.model_copy(update={"identity_center": identity_center, "automation": automation})


def rules(config: Config) -> dict[str, list[str]]:
    return management_forward_rules(config, organizations_regions(config))


def test_organizations_from_us_east_1_identity_center_from_home() -> None:
    assert rules(delegated("eu-west-1")) == {"eu-west-1": [IDC], "us-east-1": [ORG]}


def test_a_home_region_of_us_east_1_holds_both_rules_in_one_stack() -> None:
    assert rules(delegated("us-east-1")) == {"us-east-1": [ORG, IDC]}


def test_control_tower_events_are_forwarded_from_its_region() -> None:
    assert rules(delegated("eu-west-1", "eu-central-1")) == {
        "eu-central-1": [ORG],
        "eu-west-1": [IDC],
        "us-east-1": [ORG],
    }
    assert rules(delegated("eu-west-1", "eu-west-1")) == {"eu-west-1": [ORG, IDC], "us-east-1": [ORG]}
