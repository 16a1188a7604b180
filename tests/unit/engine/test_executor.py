"""The executor against the Identity Center quota model in virtual time (no AWS, no sleeping)."""

from __future__ import annotations

from entra_aws.engine.apply import Executor, Limits
from entra_aws.engine.model import Assignment
from entra_aws.engine.plan import Operation, Plan
from entra_aws.sandbox.quota_model import QuotaModel, lower_bound_seconds

ARN = "arn:aws:sso:::permissionSet/ssoins-1/ps-1"


def assignment_plan(count: int, kind: str = "create_assignment") -> Plan:
    ops = [
        Operation(kind, "ReadOnly", assignment=Assignment(f"{100000000000 + i}", "ReadOnly", "GROUP", f"g-{i}"))  # type: ignore[arg-type]
        for i in range(count)
    ]
    return Plan(operations=ops)


def run(model: QuotaModel, plan: Plan, **limits: float) -> Executor:
    executor = Executor(model, {"ReadOnly": ARN}, limits=Limits(**limits), clock=model.clock)  # type: ignore[arg-type]
    executor.run(plan)
    return executor


def test_all_operations_finish_within_quota_and_near_the_lower_bound() -> None:
    model = QuotaModel()
    executor = run(model, assignment_plan(300))
    assert len(executor.results) == 300 and all(r.ok for r in executor.results)
    assert model.throttled == 0, "the executor itself must stay inside the limits"
    assert model.peak_outstanding <= 10
    bound = lower_bound_seconds(300, tps=20, max_outstanding=10, mean_duration=2.0)
    assert model.clock.now() <= 1.25 * bound


def test_a_throttling_storm_loses_nothing_and_reports_nothing_as_failed() -> None:
    model = QuotaModel(throttle_probability=0.3)
    executor = run(model, assignment_plan(120))
    assert model.throttled > 20, "the storm must actually have happened"
    assert [r for r in executor.results if not r.ok] == []
    assert len(executor.results) == 120


def test_failed_asynchronous_operations_are_reported_with_their_reason() -> None:
    model = QuotaModel(fail_accounts=frozenset({"100000000003"}))
    executor = run(model, assignment_plan(8))
    failed = [r for r in executor.results if not r.ok]
    assert [r.operation.assignment.account_id for r in failed if r.operation.assignment] == ["100000000003"]
    assert "not active" in failed[0].error
    assert sum(r.ok for r in executor.results) == 7


def test_grants_complete_before_revocations_start() -> None:
    model = QuotaModel()
    plan = assignment_plan(15)
    plan.operations += assignment_plan(15, "delete_assignment").operations
    executor = run(model, plan)
    kinds = [r.operation.kind for r in executor.results]
    assert kinds.index("delete_assignment") == 15
    assert all(k == "create_assignment" for k in kinds[:15])


def test_the_outstanding_window_is_a_setting() -> None:
    model = QuotaModel(max_outstanding=3)
    executor = run(model, assignment_plan(30), max_outstanding=3)
    assert model.throttled == 0 and model.peak_outstanding <= 3
    assert all(r.ok for r in executor.results)


def test_operations_on_an_unavailable_permission_set_are_skipped_and_reported() -> None:
    model = QuotaModel()
    plan = Plan(
        operations=[
            Operation("create_assignment", "Missing", assignment=Assignment("100000000001", "Missing", "GROUP", "g"))
        ]
    )
    executor = run(model, plan)
    assert not executor.results[0].ok and "not available" in executor.results[0].error
