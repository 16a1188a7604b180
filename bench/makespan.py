"""Benchmark: makespan of 1,200 account assignments through the engine's Executor under the quota model.

Everything runs in virtual time (VirtualClock). The QuotaModel enforces Identity Center's documented limits
(docs/benchmark.md): 20 admin calls per second collectively, status polls included; 15 outstanding asynchronous
assignment operations; 3 concurrent provisionings; one role update at a time per account (an assignment
operation on an account with one in progress conflicts). Each accepted operation completes uniformly 1-3 s
later. The workload is 100 accounts x 4 permission sets x 3 groups, in account order (as a planner walking the
organization emits it), so per-account serialization matters. The same model, with the same seed, runs a
naive FIFO for reference: the same window, filled strictly in plan order, waiting whenever the next operation's
account is busy.

The lower bound is taken from the executor's own run, so it describes the work that was actually done: no
strategy finishes before `operations / tps` (one call each), before `sum of the sampled durations /
max_outstanding` (each operation holds a slot for its whole duration) or before the busiest account's
durations one after another. `expected_lower_bound_seconds` is the same bound with the mean duration.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from entra_aws.engine.apply import Executor, Limits
from entra_aws.engine.model import Assignment
from entra_aws.engine.plan import Operation, Plan
from entra_aws.engine.ports import RequestOutcome
from sandbox.quota_model import QuotaModel, lower_bound_seconds

OPERATIONS = 1200
ACCOUNTS = 100
PERMISSION_SETS = ("ReadOnly", "Developer", "Operator", "Billing")
SEED = 7


def arn_of(permission_set: str) -> str:
    return f"arn:aws:sso:::permissionSet/ssoins-bench/ps-{permission_set.lower()}"


@dataclass
class TimedQuotaModel(QuotaModel):
    """The quota model, also remembering when and where each assignment was accepted (to sum the durations)."""

    accepted: dict[str, float] = field(default_factory=dict, init=False)

    def create_assignment(self, account_id: str, arn: str, principal_type: str, principal_id: str) -> RequestOutcome:
        request = super().create_assignment(account_id, arn, principal_type, principal_id)
        self.accepted[request.request_id] = self.clock.now()
        return request

    def durations(self) -> dict[str, list[float]]:
        """Sampled durations by account."""
        by_account: dict[str, list[float]] = defaultdict(list)
        for request_id, accepted in self.accepted.items():
            request = self.requests[request_id]
            by_account[request.account_id].append(request.done_at - accepted)
        return dict(by_account)


@dataclass(frozen=True)
class ExecutorRun:
    seconds: float
    succeeded: int
    failed: int
    throttles: int
    conflicts: int
    calls: int
    peak_outstanding: int
    unfinished: int
    durations: dict[str, list[float]]


def assignment_plan(operations: int, accounts: int = ACCOUNTS) -> Plan:
    """`operations` CreateAccountAssignment operations, account by account: on each, every permission set to a
    few groups."""
    per_account = max(1, operations // accounts)
    return Plan(
        operations=[
            Operation(
                "create_assignment",
                name,
                assignment=Assignment(f"{100000000000 + i // per_account}", name, "GROUP", f"group-{i}"),
            )
            for i in range(operations)
            for name in (PERMISSION_SETS[i % len(PERMISSION_SETS)],)
        ]
    )


def run_executor(model: TimedQuotaModel, operations: int, limits: Limits, accounts: int = ACCOUNTS) -> ExecutorRun:
    executor = Executor(model, {name: arn_of(name) for name in PERMISSION_SETS}, limits=limits, clock=model.clock)
    results = executor.run(assignment_plan(operations, accounts))
    return ExecutorRun(
        seconds=model.clock.now(),
        succeeded=sum(r.ok for r in results),
        failed=sum(not r.ok for r in results),
        throttles=model.throttled,
        conflicts=model.conflicts,
        calls=model.calls,
        peak_outstanding=model.peak_outstanding,
        unfinished=model.outstanding(),  # still in progress: the run must not end while any is
        durations=model.durations(),
    )


def run_fifo(model: QuotaModel, operations: int, limits: Limits, accounts: int = ACCOUNTS) -> float:
    """The same window, filled strictly in plan order: when the next operation's account is busy, wait for it.
    One IN_PROGRESS listing per poll interval; it never exceeds the call rate."""
    queue = deque(assignment_plan(operations, accounts).operations)
    pending: dict[str, str] = {}  # request id -> account
    while queue or pending:
        while queue and len(pending) < limits.max_outstanding:
            a = queue[0].assignment
            assert a is not None
            if a.account_id in pending.values():
                break
            queue.popleft()
            request = model.create_assignment(a.account_id, arn_of(a.permission_set), a.principal_type, a.principal_id)
            pending[request.request_id] = a.account_id
        model.clock.sleep(limits.poll_interval)
        in_progress = model.request_ids("creation", "IN_PROGRESS")
        pending = {rid: account for rid, account in pending.items() if rid in in_progress}
    return model.clock.now()


def measure(operations: int = OPERATIONS, seed: int = SEED, accounts: int = ACCOUNTS) -> dict[str, Any]:
    limits = Limits()
    model = TimedQuotaModel(seed=seed)
    run = run_executor(model, operations, limits, accounts)
    fifo = QuotaModel(seed=seed)
    fifo_seconds = run_fifo(fifo, operations, limits, accounts)
    bound = lower_bound_seconds(run.durations, tps=model.tps, max_outstanding=model.max_outstanding)
    mean = (model.low + model.high) / 2
    expected = {account: [mean] * len(d) for account, d in run.durations.items()}
    return {
        "operations": operations,
        "accounts": len(run.durations),
        "seconds": run.seconds,
        "lower_bound_seconds": bound,
        "ratio_to_lower_bound": run.seconds / bound,
        "naive_seconds": fifo_seconds,
        "naive_ratio_to_lower_bound": fifo_seconds / bound,
        "succeeded": run.succeeded,
        "failed": run.failed,
        "throttles": run.throttles,
        "conflicts": run.conflicts,
        "naive_throttles": fifo.throttled,
        "calls": run.calls,
        "peak_outstanding": run.peak_outstanding,
        "unfinished": run.unfinished,
        "model": {
            "tps": model.tps,
            "max_outstanding": model.max_outstanding,
            "max_concurrent_provisioning": model.max_concurrent_provisioning,
            "per_account_serial": model.per_account_serial,
            "duration_seconds": {"distribution": "uniform", "low": model.low, "high": model.high},
            "seed": seed,
            "time": "virtual (VirtualClock)",
            "workload": f"{len(run.durations)} accounts x {len(PERMISSION_SETS)} permission sets, in account order",
            "lower_bound": "max(operations / tps, sum of sampled durations / max_outstanding, "
            "busiest account's sum of sampled durations)",
            "expected_lower_bound_seconds": lower_bound_seconds(
                expected, tps=model.tps, max_outstanding=model.max_outstanding
            ),
            "executor_limits": {
                "max_tps": limits.max_tps,
                "max_outstanding": limits.max_outstanding,
                "max_concurrent_provisioning": limits.max_concurrent_provisioning,
                "poll_interval": limits.poll_interval,
                "min_request_age": limits.min_request_age,
            },
            "naive": "FIFO: the same window filled in plan order, waiting while the next operation's account is busy",
        },
    }


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
