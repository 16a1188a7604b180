"""Conflicts are classified, not retried blindly; a failed provisioning is isolated to the accounts it names."""

from __future__ import annotations

from dataclasses import replace

from entra_aws.config.models import MANAGED_TAG_KEY, SEAL_TAG_KEY, PermissionSetSpec
from entra_aws.engine.apply import Executor
from entra_aws.engine.model import Assignment
from entra_aws.engine.plan import Operation, Plan
from entra_aws.engine.ports import RequestOutcome, StatusKind
from entra_aws.engine.report import Report
from entra_aws.engine.scope import Scope
from sandbox.quota_model import ARN_PREFIX, QuotaModel

ARN = ARN_PREFIX + "readonly"
FAILING_ACCOUNT = "100000000001"
MISSING_POLICY = (
    f"The customer managed policy Boundary was not found in account {FAILING_ACCOUNT}; create it there first"
)


def grant(account: int) -> Operation:
    a = Assignment(f"{100000000000 + account}", "ReadOnly", "GROUP", f"g-{account}")
    return Operation("create_assignment", "ReadOnly", assignment=a)


def create_then_grant() -> Plan:
    spec = PermissionSetSpec(name="ReadOnly")
    return Plan(operations=[Operation("create_permission_set", "ReadOnly", detail=(("spec", spec),)), grant(0)])


def run(model: QuotaModel, plan: Plan, arns: dict[str, str], *, names: bool = True) -> Executor:
    executor = Executor(model, arns, clock=model.clock, names=model if names else None)
    executor.run(plan)
    return executor


def outcomes(executor: Executor) -> list[tuple[str, bool]]:
    return [(r.operation.kind, r.ok) for r in executor.results]


def test_a_failed_provisioning_skips_only_the_accounts_it_names() -> None:
    model = QuotaModel(failing_provisioning={ARN: MISSING_POLICY})
    plan = Plan(operations=[Operation("provision_permission_set", "ReadOnly"), *(grant(a) for a in range(4))])
    executor = run(model, plan, {"ReadOnly": ARN})
    provisioning = executor.results[0]
    assert (provisioning.ok, provisioning.error, provisioning.accounts) == (False, MISSING_POLICY, (FAILING_ACCOUNT,))
    granted = {r.operation.assignment.account_id: r for r in executor.results[1:] if r.operation.assignment}
    assert sorted(a for a, r in granted.items() if r.ok) == ["100000000000", "100000000002", "100000000003"]
    assert MISSING_POLICY in granted[FAILING_ACCOUNT].error and FAILING_ACCOUNT in granted[FAILING_ACCOUNT].error
    report = Report(Scope.everything(), plan, applied=True, results=executor.results).to_dict()
    assert report["results"][0]["accounts"] == [FAILING_ACCOUNT] and "accounts" not in report["results"][1]


def test_a_duplicate_name_that_is_ours_is_adopted_without_retrying() -> None:
    model = QuotaModel(permission_sets={"ReadOnly": {MANAGED_TAG_KEY: "true"}})
    executor = run(model, create_then_grant(), {})
    assert outcomes(executor) == [("create_permission_set", True), ("create_assignment", True)]
    assert executor.arns == {"ReadOnly": ARN} and model.conflicts == 1


def test_a_duplicate_name_that_is_not_ours_is_an_error_finding_and_nothing_is_granted() -> None:
    model = QuotaModel(permission_sets={"ReadOnly": {"team": "platform"}})
    plan = create_then_grant()
    executor = run(model, plan, {})
    assert outcomes(executor) == [("create_permission_set", False), ("create_assignment", False)]
    assert "not managed by entra-aws" in executor.results[0].error and model.conflicts == 1
    assert [(f.severity, f.subject) for f in plan.findings] == [("error", "ReadOnly")]


def test_without_a_way_to_look_names_up_a_duplicate_fails_at_once() -> None:
    model = QuotaModel(permission_sets={"ReadOnly": {MANAGED_TAG_KEY: "true"}})
    executor = run(model, create_then_grant(), {}, names=False)
    assert outcomes(executor)[0] == ("create_permission_set", False) and model.conflicts == 1


def test_deleting_a_permission_set_still_in_use_is_deferred_not_failed_or_retried() -> None:
    model = QuotaModel(in_use=frozenset({ARN}))
    plan = Plan(operations=[Operation("delete_permission_set", "ReadOnly")])
    executor = run(model, plan, {"ReadOnly": ARN})
    assert executor.results == [] and [op.kind for op in executor.deferred] == ["delete_permission_set"]
    assert model.conflicts == 1 and model.deleted == []


class ConflictingOnce(QuotaModel):
    """A concurrent operation on the same role (another worker): the first grant conflicts, as peers see."""

    def create_assignment(self, account_id: str, arn: str, principal_type: str, principal_id: str) -> RequestOutcome:
        if not self.conflicts:
            raise self._conflict("CreateAccountAssignment", "a conflicting operation is in progress")
        return super().create_assignment(account_id, arn, principal_type, principal_id)


def test_a_concurrent_operation_conflict_is_retried_and_succeeds() -> None:
    model = ConflictingOnce()
    executor = run(model, Plan(operations=[grant(0)]), {"ReadOnly": ARN})
    assert outcomes(executor) == [("create_assignment", True)] and model.conflicts == 1


class Seals:
    def seal(self, arn: str) -> str:
        return f"mac({arn})"

    def verify(self, arn: str, seal: str) -> bool:
        return seal == self.seal(arn)


def test_with_an_ownership_key_a_managed_tag_alone_does_not_make_a_duplicate_ours() -> None:
    model = QuotaModel(permission_sets={"ReadOnly": {MANAGED_TAG_KEY: "true"}})
    executor = Executor(model, {}, clock=model.clock, names=model, ownership=Seals())
    executor.run(create_then_grant())
    assert outcomes(executor) == [("create_permission_set", False), ("create_assignment", False)]
    sealed = QuotaModel(permission_sets={"ReadOnly": {MANAGED_TAG_KEY: "true", SEAL_TAG_KEY: f"mac({ARN})"}})
    executor = Executor(sealed, {}, clock=sealed.clock, names=sealed, ownership=Seals())
    executor.run(create_then_grant())
    assert outcomes(executor) == [("create_permission_set", True), ("create_assignment", True)]


def provision_to(account: int, permission_set: str = "ReadOnly") -> Operation:
    return Operation("provision_permission_set", permission_set, detail=(("account", f"{100000000000 + account}"),))


def test_a_failed_provisioning_to_one_account_skips_that_account_even_when_the_reason_names_none() -> None:
    model = QuotaModel(failing_provisioning={ARN: "Received a 404 status error: the policy does not exist"})
    plan = Plan(operations=[provision_to(1), *(grant(a) for a in range(3))])
    executor = run(model, plan, {"ReadOnly": ARN})
    provisioning = executor.results[0]
    assert (provisioning.ok, provisioning.accounts) == (False, (FAILING_ACCOUNT,)), "the status's AccountId says"
    granted = {r.operation.assignment.account_id: r.ok for r in executor.results[1:] if r.operation.assignment}
    assert granted == {"100000000000": True, FAILING_ACCOUNT: False, "100000000002": True}


def test_provisionings_to_one_account_update_its_roles_one_at_a_time() -> None:
    sets = ("ReadOnly", "Developer", "Billing")
    arns = {name: ARN_PREFIX + name.lower() for name in sets}
    plan = Plan(operations=[provision_to(account, name) for name in sets for account in (0, 1)])
    model = QuotaModel()  # per_account_serial: a second role update on a busy account is a ConflictException
    executor = run(model, plan, arns)
    assert all(r.ok for r in executor.results) and len(executor.results) == 6
    assert model.conflicts == 0 and model.peak_provisioning <= 3


class NamingTheAccountInTheStatus(QuotaModel):
    """A provisioning to all accounts that fails in one, named by the status's AccountId and not by its reason."""

    def request_status(self, kind: StatusKind, request_id: str) -> RequestOutcome:
        outcome = super().request_status(kind, request_id)
        return replace(outcome, account_id=FAILING_ACCOUNT) if outcome.status == "FAILED" else outcome


def test_a_failed_provisioning_to_all_accounts_skips_the_account_its_status_names() -> None:
    model = NamingTheAccountInTheStatus(failing_provisioning={ARN: "Received a 400 status error"})
    plan = Plan(operations=[Operation("provision_permission_set", "ReadOnly"), *(grant(a) for a in range(3))])
    executor = run(model, plan, {"ReadOnly": ARN})
    assert executor.results[0].accounts == (FAILING_ACCOUNT,)
    granted = {r.operation.assignment.account_id: r.ok for r in executor.results[1:] if r.operation.assignment}
    assert granted == {"100000000000": True, FAILING_ACCOUNT: False, "100000000002": True}
