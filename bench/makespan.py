"""Benchmark: makespan of 1,200 account assignments through the engine's Executor under the quota model.

Everything runs in virtual time (VirtualClock): the QuotaModel enforces Identity Center's documented limits
(about 20 admin calls per second collectively, status polls included; about 10 outstanding asynchronous
assignment operations; ThrottlingException over either) and completes each accepted operation uniformly 1-3 s
later. The same model, with the same seed, runs a naive strategy for reference: create one assignment, poll
its status until it is done, then the next.

The lower bound is taken from the executor's own run, so it describes the work that was actually done:
no strategy finishes before `operations / tps` (each operation needs at least one call) nor before
`sum of the sampled durations / max_outstanding` (each operation holds one of `max_outstanding` slots for
its whole duration). `expected_lower_bound_seconds` is the same bound with the mean duration.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from entra_aws.engine.apply import Executor, Limits
from entra_aws.engine.model import Assignment
from entra_aws.engine.plan import Operation, Plan
from entra_aws.engine.ports import RequestOutcome
from sandbox.quota_model import QuotaModel, lower_bound_seconds

OPERATIONS = 1200
SEED = 7
PERMISSION_SET = "ReadOnly"
PERMISSION_SET_ARN = "arn:aws:sso:::permissionSet/ssoins-bench/ps-readonly"


@dataclass
class TimedQuotaModel(QuotaModel):
    """The quota model, also remembering when each assignment was accepted (to sum the sampled durations)."""

    accepted: dict[str, float] = field(default_factory=dict, init=False)

    def create_assignment(self, account_id: str, arn: str, principal_type: str, principal_id: str) -> RequestOutcome:
        request = super().create_assignment(account_id, arn, principal_type, principal_id)
        self.accepted[request.request_id] = self.clock.now()
        return request

    def durations(self) -> list[float]:
        return [self.requests[request_id][1] - accepted for request_id, accepted in self.accepted.items()]


@dataclass(frozen=True)
class ExecutorRun:
    seconds: float
    succeeded: int
    failed: int
    throttles: int
    calls: int
    peak_outstanding: int
    unfinished: int
    durations: list[float]


def assignment_plan(operations: int) -> Plan:
    """`operations` CreateAccountAssignment operations: one group per account, one permission set."""
    return Plan(
        operations=[
            Operation(
                "create_assignment",
                PERMISSION_SET,
                assignment=Assignment(f"{100000000000 + i}", PERMISSION_SET, "GROUP", f"group-{i}"),
            )
            for i in range(operations)
        ]
    )


def run_executor(model: TimedQuotaModel, operations: int, limits: Limits) -> ExecutorRun:
    executor = Executor(model, {PERMISSION_SET: PERMISSION_SET_ARN}, limits=limits, clock=model.clock)
    results = executor.run(assignment_plan(operations))
    return ExecutorRun(
        seconds=model.clock.now(),
        succeeded=sum(r.ok for r in results),
        failed=sum(not r.ok for r in results),
        throttles=model.throttled,
        calls=model.calls,
        peak_outstanding=model.peak_outstanding,
        unfinished=model.outstanding(),  # still in progress: the run must not end while any is
        durations=model.durations(),
    )


def run_naive(model: QuotaModel, operations: int, poll_interval: float) -> float:
    """Create one assignment, poll its status every `poll_interval` until it is done, then the next.

    At most two calls per `poll_interval`, far below the call rate, so it is never throttled."""
    for op in assignment_plan(operations).operations:
        assert op.assignment is not None
        a = op.assignment
        request = model.create_assignment(a.account_id, PERMISSION_SET_ARN, a.principal_type, a.principal_id)
        while True:
            model.clock.sleep(poll_interval)
            if request.request_id not in model.request_ids("creation", "IN_PROGRESS"):
                break
    return model.clock.now()


def measure(operations: int = OPERATIONS, seed: int = SEED) -> dict[str, Any]:
    limits = Limits()
    model = TimedQuotaModel(seed=seed)
    run = run_executor(model, operations, limits)
    naive = QuotaModel(seed=seed)
    naive_seconds = run_naive(naive, operations, limits.poll_interval)
    bound = lower_bound_seconds(
        operations, tps=model.tps, max_outstanding=model.max_outstanding, mean_duration=sum(run.durations) / operations
    )
    mean_duration = (model.low + model.high) / 2
    return {
        "operations": operations,
        "seconds": run.seconds,
        "lower_bound_seconds": bound,
        "naive_seconds": naive_seconds,
        "ratio_to_lower_bound": run.seconds / bound,
        "succeeded": run.succeeded,
        "failed": run.failed,
        "throttles": run.throttles,
        "naive_throttles": naive.throttled,
        "calls": run.calls,
        "peak_outstanding": run.peak_outstanding,
        "unfinished": run.unfinished,
        "model": {
            "tps": model.tps,
            "max_outstanding": model.max_outstanding,
            "duration_seconds": {"distribution": "uniform", "low": model.low, "high": model.high},
            "seed": seed,
            "time": "virtual (VirtualClock)",
            "lower_bound": "max(operations / tps, sum of sampled durations / max_outstanding)",
            "expected_lower_bound_seconds": lower_bound_seconds(
                operations, tps=model.tps, max_outstanding=model.max_outstanding, mean_duration=mean_duration
            ),
            "executor_limits": {
                "max_tps": limits.max_tps,
                "max_outstanding": limits.max_outstanding,
                "poll_interval": limits.poll_interval,
                "min_request_age": limits.min_request_age,
            },
            "naive": "create one, poll its status every poll_interval until done, then the next",
        },
    }


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
