"""A principal is gone only when the identity store says so (a clean GROUP/USER not-found, which the directory
answers with None); any other refusal blocks the reconcile: nothing is deleted and the report says why."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from entra_aws.engine.model import Principal
from entra_aws.engine.ports import ApiError
from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.scope import Scope

from .fakes import FakeDirectory, FakeIdentityCenter, FakeWorld, organization
from .test_reconcile_fakes import DEV, DEVELOPERS, MANAGEMENT, PROD, config, with_read_only


@dataclass
class RefusingDirectory(FakeDirectory):
    """Refuses every single-principal lookup with `error` (as the adapter raises what is not a clean not-found)."""

    error: ApiError = field(default_factory=lambda: ApiError("", ""))

    def group(self, group_id: str) -> Principal | None:
        raise self.error

    def user(self, user_id: str) -> Principal | None:
        raise self.error


def refusing(error: ApiError) -> FakeWorld:
    return FakeWorld(FakeIdentityCenter(), RefusingDirectory(error=error), organization(MANAGEMENT, DEV, PROD))


KMS_DISABLED = ApiError("ResourceNotFoundException", "key disabled", reason="KMS_DISABLED", resource_type="GROUP")
WRONG_STORE = ApiError("ValidationException", "invalid identity store id", operation="DescribeGroup")
DENIED = ApiError("AccessDeniedException", "not authorized", reason="KMS_ACCESS_DENIED")


@pytest.mark.parametrize("error", [KMS_DISABLED, WRONG_STORE, DENIED], ids=["kms-reason", "validation", "denied"])
def test_a_refused_principal_read_deletes_nothing_and_blocks_with_the_reason(error: ApiError) -> None:
    fake = refusing(error)
    fake.admin.create_assignment(DEV, with_read_only(fake), "GROUP", DEVELOPERS.id)
    report = reconcile(config(), Scope.group(DEVELOPERS.id), apply=True, context=fake.context())
    assert not report.ok and report.plan.empty and report.results == []
    assert fake.admin.held(DEVELOPERS.id) == {(DEV, "ReadOnly")}
    assert fake.admin.calls["delete_assignment"] == 0
    [finding] = report.findings
    assert finding.severity == "error" and error.code in finding.message
    assert (error.reason or error.code) in (report.blocked or "")


def test_a_throttled_principal_read_is_raised_for_the_queue_to_retry() -> None:
    fake = refusing(ApiError("ThrottlingException", "slow down"))
    with pytest.raises(ApiError, match="ThrottlingException"):
        reconcile(config(), Scope.group(DEVELOPERS.id), apply=True, context=fake.context())
