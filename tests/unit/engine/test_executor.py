"""The executor against the Identity Center quota model in virtual time (no AWS, no sleeping)."""

from __future__ import annotations

from entra_aws.engine.apply import Executor, Limits
from entra_aws.engine.model import Assignment
from entra_aws.engine.plan import Operation, Plan
from entra_aws.engine.ports import RequestOutcome, StatusKind
from sandbox.quota_model import QuotaModel, lower_bound_seconds

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
    assert model.peak_outstanding == 15
    bound = lower_bound_seconds({f"{i}": [2.0] for i in range(300)}, tps=20, max_outstanding=15)
    assert model.clock.now() <= 1.15 * bound


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


class CountingModel(QuotaModel):
    """The quota model, remembering which status calls the executor made."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.status_calls: list[str] = []

    def request_ids(self, kind: StatusKind, status: str) -> set[str]:
        self.status_calls.append(f"list:{status}")
        return super().request_ids(kind, status)

    def request_status(self, kind: StatusKind, request_id: str) -> RequestOutcome:
        self.status_calls.append("describe")
        return super().request_status(kind, request_id)


def test_a_single_assignment_is_asked_about_once_a_second_from_one_second_old() -> None:
    for low_high, expected in (((0.9, 1.0), 1), ((1.9, 2.0), 2), ((2.9, 3.0), 3)):
        model = CountingModel(low=low_high[0], high=low_high[1])
        executor = run(model, assignment_plan(1))
        assert [r.ok for r in executor.results] == [True]
        assert model.status_calls == ["describe"] * expected, low_high


def test_a_single_failed_assignment_reports_its_reason_from_one_describe() -> None:
    model = CountingModel(fail_accounts=frozenset({"100000000000"}), low=0.5, high=0.9)
    executor = run(model, assignment_plan(1))
    assert [(r.ok, r.error) for r in executor.results] == [(False, "the target account is not active")]
    assert model.status_calls == ["describe"]


def test_many_pending_requests_are_listed_not_described_one_by_one() -> None:
    model = CountingModel()
    run(model, assignment_plan(30))
    listings = sum(call.startswith("list:") for call in model.status_calls)
    assert listings > model.status_calls.count("describe")
    assert model.status_calls.count("describe") <= 2 * 3, "only the last one or two requests are described"


def test_past_the_deadline_no_new_operation_starts_and_the_rest_is_deferred_not_failed() -> None:
    model = QuotaModel()
    executor = Executor(
        model,
        {"ReadOnly": ARN},
        limits=Limits(),
        clock=model.clock,
        deadline=10.0,
    )
    plan = assignment_plan(200)
    plan.operations.append(Operation("delete_permission_set", "ReadOnly"))
    executor.run(plan)
    assert executor.results and all(r.ok for r in executor.results), "what started finished"
    assert len(executor.results) + len(executor.deferred) == 201
    assert executor.deferred[-1].kind == "delete_permission_set", "its assignments may still exist"
    assert model.outstanding() == 0
    assert model.clock.now() < 10.0 + 5.0, "only in-flight operations (at most 3 s each) ran past the deadline"


def test_without_a_deadline_nothing_is_deferred() -> None:
    executor = run(QuotaModel(), assignment_plan(20))
    assert executor.deferred == [] and len(executor.results) == 20
