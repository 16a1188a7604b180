"""The quota model refuses what Identity Center refuses, so an executor run with no throttles and no conflicts
kept every limit."""

from __future__ import annotations

import pytest

from entra_aws.engine.ports import ApiError
from sandbox.quota_model import QuotaModel


def test_a_fourth_concurrent_provisioning_is_throttled() -> None:
    model = QuotaModel()
    for i in range(3):
        model.provision(f"arn-{i}")
    with pytest.raises(ApiError, match="ThrottlingException"):
        model.provision("arn-3")
    model.clock.sleep(model.high)
    assert model.provision("arn-3").in_progress


def test_a_sixteenth_outstanding_assignment_is_throttled() -> None:
    model = QuotaModel()
    for i in range(15):
        model.create_assignment(f"{100000000000 + i}", "arn", "GROUP", "g")
    with pytest.raises(ApiError, match="ThrottlingException"):
        model.create_assignment("100000000099", "arn", "GROUP", "g")


def test_a_second_operation_on_a_busy_account_conflicts_until_the_first_is_done() -> None:
    model = QuotaModel()
    model.create_assignment("100000000000", "arn", "GROUP", "g1")
    with pytest.raises(ApiError, match="ConflictException"):
        model.delete_assignment("100000000000", "arn", "GROUP", "g2")
    assert model.conflicts == 1
    model.create_assignment("100000000001", "arn", "GROUP", "g2")  # another account is free
    model.clock.sleep(model.high)
    assert model.create_assignment("100000000000", "arn", "GROUP", "g2").in_progress
