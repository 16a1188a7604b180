"""The executor keeps Identity Center's limits: 15 outstanding assignment operations, 3 concurrent provisionings,
one operation per account at a time, served round-robin across accounts so the window stays full."""

from __future__ import annotations

from entra_aws.engine.apply import Executor
from entra_aws.engine.model import Assignment
from entra_aws.engine.pacing import RateLimiter, VirtualClock
from entra_aws.engine.plan import Operation, Plan
from sandbox.quota_model import ARN_PREFIX, QuotaModel, lower_bound_seconds


def by_account(accounts: int, each: int, first: int = 0) -> Plan:
    """Account by account, as a planner walking the organization emits them."""
    return Plan(
        operations=[
            Operation(
                "create_assignment",
                "ReadOnly",
                assignment=Assignment(f"{100000000000 + a}", "ReadOnly", "GROUP", f"g-{a}-{n}"),
            )
            for a in range(first, first + accounts)
            for n in range(each)
        ]
    )


def run(model: QuotaModel, plan: Plan, arns: dict[str, str] | None = None) -> Executor:
    executor = Executor(model, arns or {"ReadOnly": ARN_PREFIX + "readonly"}, clock=model.clock)
    executor.run(plan)
    return executor


def test_one_operation_per_account_is_in_flight_and_the_window_stays_full() -> None:
    model = QuotaModel()
    executor = run(model, by_account(accounts=20, each=10))
    assert all(r.ok for r in executor.results) and len(executor.results) == 200
    assert model.conflicts == 0, "never a second operation on a busy account"
    assert model.throttled == 0 and model.peak_outstanding == 15
    bound = lower_bound_seconds({f"{a}": [2.0] * 10 for a in range(20)}, tps=20, max_outstanding=15)
    assert model.clock.now() <= 1.15 * bound, "round-robin across accounts, not one account at a time"


def test_an_account_with_more_work_than_the_window_runs_its_operations_one_after_another() -> None:
    model = QuotaModel(low=1.0, high=1.0)
    executor = run(model, by_account(accounts=1, each=5))
    assert all(r.ok for r in executor.results)
    assert model.conflicts == 0 and model.peak_outstanding == 1


def test_the_account_with_the_most_work_starts_first_wherever_the_plan_puts_it() -> None:
    model = QuotaModel(low=2.0, high=2.0)
    plan = by_account(accounts=60, each=1)
    plan.operations += by_account(accounts=1, each=10, first=60).operations  # last in the plan
    executor = run(model, plan)
    assert all(r.ok for r in executor.results) and model.conflicts == 0
    started_last = 10 * 2.0 + 60 / 15 * 2.0
    assert model.clock.now() < started_last, "its ten start at once and run back to back, the others beside them"


def test_at_most_three_provisionings_run_at_once_and_all_finish() -> None:
    names = [f"Set{i}" for i in range(7)]
    model = QuotaModel()
    plan = Plan(operations=[Operation("provision_permission_set", name) for name in names])
    executor = run(model, plan, {name: ARN_PREFIX + name.lower() for name in names})
    assert [r.ok for r in executor.results] == [True] * 7
    assert model.peak_provisioning == 3 and model.throttled == 0


def test_provisioning_runs_past_the_deadline_since_no_later_plan_would_ask_for_it_again() -> None:
    model = QuotaModel()
    plan = Plan(operations=[Operation("provision_permission_set", "ReadOnly"), *by_account(3, 1).operations])
    executor = Executor(model, {"ReadOnly": ARN_PREFIX + "readonly"}, clock=model.clock, deadline=0.0)
    executor.run(plan)
    assert [(r.operation.kind, r.ok) for r in executor.results] == [("provision_permission_set", True)]
    assert [op.kind for op in executor.deferred] == ["create_assignment"] * 3


def test_the_rate_limiter_never_lets_more_than_the_rate_into_any_one_second() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(clock, rate=20, burst=20)
    calls = []
    for _ in range(100):
        limiter.acquire()
        calls.append(clock.now())
    assert max(sum(1 for c in calls if start <= c < start + 1.0) for start in calls) == 20
    assert calls[19] == 0.0, "a burst of up to the rate goes at once"
