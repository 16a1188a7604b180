"""The makespan harness at a small scale: the executor beats the naive strategy inside the quota model's limits."""

from __future__ import annotations

import pytest

from bench.makespan import TimedQuotaModel, measure, run_executor
from entra_aws.engine.apply import Limits
from sandbox.quota_model import lower_bound_seconds


def test_the_executor_beats_create_then_wait_without_breaking_the_limits() -> None:
    result = measure(operations=100)
    assert result["operations"] == 100
    assert result["succeeded"] == 100 and result["failed"] == 0 and result["unfinished"] == 0
    assert result["throttles"] == 0 and result["naive_throttles"] == 0
    assert result["lower_bound_seconds"] <= result["seconds"] < result["naive_seconds"] / 3


def test_every_operation_is_accepted_once_and_finished_before_the_run_ends() -> None:
    model = TimedQuotaModel(seed=3)
    run = run_executor(model, 100, Limits())
    assert len(model.accepted) == 100, "no operation lost or submitted twice"
    assert run.unfinished == 0 and run.succeeded == 100
    assert len(run.durations) == 100


def test_the_lower_bound_is_the_larger_of_the_call_rate_and_the_window() -> None:
    assert lower_bound_seconds(100, tps=20, max_outstanding=10, mean_duration=0.1) == 5.0  # the call rate
    assert lower_bound_seconds(100, tps=20, max_outstanding=10, mean_duration=2.0) == 20.0  # the window
    result = measure(operations=100, seed=11)
    window = sum(run_executor(TimedQuotaModel(seed=11), 100, Limits()).durations) / 10
    assert result["lower_bound_seconds"] == pytest.approx(window)
    assert result["model"]["seed"] == 11 and result["model"]["tps"] == 20
