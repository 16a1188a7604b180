"""Removing a permission set's description or relay state from the config converges whatever UpdatePermissionSet
does with an omitted field (AWS does not document it): the second full reconcile plans nothing."""

from __future__ import annotations

from typing import Any

import pytest

from entra_aws.config import Config, parse_config
from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.scope import Scope

from .fakes import FakeDirectory, FakeIdentityCenter, FakePermissionSet, FakeWorld, organization
from .test_reconcile_fakes import DEV, MANAGEMENT, PROD, READ_ONLY


class KeepingIdentityCenter(FakeIdentityCenter):
    """An UpdatePermissionSet that leaves omitted optional fields as they were."""

    def update_permission_set(
        self, arn: str, description: str | None, session_duration: str, relay_state: str | None
    ) -> None:
        ps = self.permission_sets[arn]
        super().update_permission_set(
            arn, description or ps.description, session_duration, relay_state or ps.relay_state
        )


def read_only_config(session_duration: str = "PT1H") -> Config:
    spec: dict[str, Any] = {"name": "ReadOnly", "managed_policies": [READ_ONLY], "session_duration": session_duration}
    return parse_config(
        {
            "tenant_id": "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b",
            "identity_center": {"region": "eu-west-1"},
            "management_account_id": MANAGEMENT,
            "permission_sets": [spec],
        }
    )


@pytest.mark.parametrize("admin", [FakeIdentityCenter, KeepingIdentityCenter], ids=["omit-clears", "omit-keeps"])
@pytest.mark.parametrize("session_duration", ["PT1H", "PT4H"], ids=["only-removed", "with-a-session-change"])
def test_removing_description_and_relay_state_converges(admin: type[FakeIdentityCenter], session_duration: str) -> None:
    fake = FakeWorld(admin(), FakeDirectory(), organization(MANAGEMENT, DEV, PROD))
    was = FakePermissionSet("ReadOnly", "PT1H", "Read-only", "https://console.aws.amazon.com/", {READ_ONLY})
    fake.admin.add(was, managed=True)
    config = read_only_config(session_duration)
    first = reconcile(config, Scope.everything(), apply=True, context=fake.context())
    assert first.ok
    second = reconcile(config, Scope.everything(), apply=True, context=fake.context())
    assert second.plan.empty, [op.describe() for op in second.plan.operations]
    ps = fake.admin.permission_sets[fake.admin.arn_of("ReadOnly")]
    assert ps.session_duration == session_duration
    kept = [f for f in second.findings if f.kind == "attribute_not_cleared"]
    assert len(kept) == (2 if ps.description else 0)
