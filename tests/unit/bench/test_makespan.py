"""The makespan harness at a small scale: inside every limit of the quota model, the executor is near the lower
bound and far ahead of a FIFO that idles the window behind a busy account."""

from __future__ import annotations

import pytest

from bench.makespan import TimedQuotaModel, assignment_plan, measure, run_executor
from entra_aws.engine.apply import Limits
from sandbox.quota_model import lower_bound_seconds


def test_the_executor_meets_the_goal_where_fifo_idles_the_window() -> None:
    result = measure(operations=600, accounts=50)
    assert (result["operations"], result["accounts"]) == (600, 50)
    assert result["succeeded"] == 600 and result["failed"] == 0 and result["unfinished"] == 0
    assert result["throttles"] == 0 and result["conflicts"] == 0 and result["naive_throttles"] == 0
    assert 1.0 <= result["ratio_to_lower_bound"] <= 1.10
    assert result["naive_ratio_to_lower_bound"] > 5


def test_the_model_carries_the_documented_limits() -> None:
    model = measure(operations=30, accounts=3)["model"]
    assert (model["max_outstanding"], model["max_concurrent_provisioning"], model["per_account_serial"]) == (
        15,
        3,
        True,
    )
    assert model["tps"] == 20


def test_every_operation_is_accepted_once_and_finished_before_the_run_ends() -> None:
    model = TimedQuotaModel(seed=3)
    run = run_executor(model, 100, Limits(), accounts=10)
    assert len(model.accepted) == 100, "no operation lost or submitted twice"
    assert run.unfinished == 0 and run.succeeded == 100
    assert sorted(len(d) for d in run.durations.values()) == [10] * 10


def test_the_workload_goes_account_by_account() -> None:
    accounts = [op.assignment.account_id for op in assignment_plan(6, accounts=2).operations if op.assignment]
    assert accounts == ["100000000000"] * 3 + ["100000000001"] * 3


def test_the_lower_bound_is_the_largest_of_the_call_rate_the_window_and_the_busiest_account() -> None:
    assert lower_bound_seconds({"a": [0.25] * 100}, tps=20, max_outstanding=15) == 25.0  # the busiest account
    assert lower_bound_seconds({f"{i}": [0.1] for i in range(100)}, tps=20, max_outstanding=15) == 5.0  # rate
    assert lower_bound_seconds({f"{i}": [3.0] for i in range(100)}, tps=20, max_outstanding=15) == 20.0  # window
    result = measure(operations=100, seed=11, accounts=50)
    window = sum(sum(d) for d in run_executor(TimedQuotaModel(seed=11), 100, Limits(), 50).durations.values()) / 15
    assert result["lower_bound_seconds"] == pytest.approx(window)
