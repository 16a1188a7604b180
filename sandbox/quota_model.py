"""A model of Identity Center's admin API limits, in virtual time, for the executor's tests and the benchmark.

The limits, after "Quotas and limits in IAM Identity Center" (docs/facts.md, docs/benchmark.md):

- at most `tps` calls in any one-second window across all callers (collective), status reads included;
- at most `max_outstanding` (15, not increasable) asynchronous assignment operations in flight;
- at most `max_concurrent_provisioning` (3) ProvisionPermissionSet requests in progress;
- one IAM role updated at a time per account (`per_account_serial`): an assignment operation on an account
  with one still in progress is refused with ConflictException, as peers observe AWS do.

A call over the first three fails with ThrottlingException. Each accepted asynchronous request finishes
`duration` seconds (uniform in [low, high]) after it was accepted. Permission-set calls succeed at once unless
a failure is injected. The durations are assumptions, not measurements of AWS.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from entra_aws.config.models import MANAGED_TAG_KEY
from entra_aws.engine.operations import KINDS, SYNCHRONOUS_METHODS, OperationKind
from entra_aws.engine.pacing import VirtualClock
from entra_aws.engine.ports import ApiError, RequestOutcome, StatusKind

ARN_PREFIX = "arn:aws:sso:::permissionSet/ssoins-model/ps-"


@dataclass(frozen=True)
class Request:
    kind: StatusKind
    done_at: float
    status: str
    """What it ends as: SUCCEEDED or FAILED."""
    account_id: str = ""
    """An assignment's account, or a provisioning's one target account; empty for a provisioning to all of a
    set's accounts (it fans out inside Identity Center)."""
    reason: str = ""


@dataclass
class QuotaModel:
    clock: VirtualClock = field(default_factory=VirtualClock)
    tps: float = 20.0
    max_outstanding: int = 15
    max_concurrent_provisioning: int = 3
    per_account_serial: bool = True
    low: float = 1.0
    high: float = 3.0
    seed: int = 7
    throttle_probability: float = 0.0
    """Extra, random throttling on top of the limits (a 'storm')."""
    fail_accounts: frozenset[str] = frozenset()
    """Assignments to these accounts end FAILED, as when a target account is suspended."""
    failing_provisioning: Mapping[str, str] = field(default_factory=dict)
    """Permission-set ARN -> the FailureReason its provisioning ends FAILED with."""
    permission_sets: dict[str, dict[str, str]] = field(default_factory=dict)
    """Name -> tags of the permission sets that exist; CreatePermissionSet of one of these names conflicts."""
    in_use: frozenset[str] = frozenset()
    """Permission-set ARNs still assigned or provisioned somewhere: DeletePermissionSet conflicts."""

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._window: deque[float] = deque()
        self.requests: dict[str, Request] = {}
        self.calls = 0
        self.throttled = 0
        self.conflicts = 0
        self.peak_outstanding = 0
        self.peak_provisioning = 0
        self.deleted: list[str] = []
        self._next = 0

    # -- limits ------------------------------------------------------------------------------------------

    def _throttle(self, operation: str) -> ApiError:
        self.throttled += 1
        return ApiError("ThrottlingException", "Rate exceeded", operation=operation)

    def _conflict(self, operation: str, message: str) -> ApiError:
        self.conflicts += 1
        return ApiError("ConflictException", message, operation=operation)

    def _admit(self, operation: str) -> None:
        now = self.clock.now()
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        self.calls += 1
        if len(self._window) >= self.tps or self._rng.random() < self.throttle_probability:
            self._window.append(now)
            raise self._throttle(operation)
        self._window.append(now)

    def _in_progress(self) -> list[Request]:
        now = self.clock.now()
        return [r for r in self.requests.values() if r.done_at > now]

    def outstanding(self) -> int:
        return sum(1 for r in self._in_progress() if r.kind != "provisioning")

    def provisioning(self) -> int:
        return sum(1 for r in self._in_progress() if r.kind == "provisioning")

    def busy_accounts(self) -> set[str]:
        return {r.account_id for r in self._in_progress() if r.account_id}

    # -- asynchronous operations ---------------------------------------------------------------------------

    def _accept(self, prefix: str, request: Request) -> RequestOutcome:
        self._next += 1
        request_id = f"{prefix}-{self._next}"
        self.requests[request_id] = request
        self.peak_outstanding = max(self.peak_outstanding, self.outstanding())
        self.peak_provisioning = max(self.peak_provisioning, self.provisioning())
        return RequestOutcome(request_id, "IN_PROGRESS")

    def _done_at(self) -> float:
        return self.clock.now() + self._rng.uniform(self.low, self.high)

    def _submit(self, kind: StatusKind, operation: str, account_id: str) -> RequestOutcome:
        self._admit(operation)
        if self.outstanding() >= self.max_outstanding:
            raise self._throttle(operation)
        if self.per_account_serial and account_id in self.busy_accounts():
            raise self._conflict(operation, f"an operation on account {account_id} is already in progress")
        failed = account_id in self.fail_accounts
        status, reason = ("FAILED", "the target account is not active") if failed else ("SUCCEEDED", "")
        return self._accept("req", Request(kind, self._done_at(), status, account_id, reason))

    def create_assignment(self, account_id: str, arn: str, principal_type: str, principal_id: str) -> RequestOutcome:
        return self._submit(_status_of("create_assignment"), "CreateAccountAssignment", account_id)

    def delete_assignment(self, account_id: str, arn: str, principal_type: str, principal_id: str) -> RequestOutcome:
        return self._submit(_status_of("delete_assignment"), "DeleteAccountAssignment", account_id)

    def provision(self, arn: str, account_id: str | None = None) -> RequestOutcome:
        self._admit("ProvisionPermissionSet")
        if self.provisioning() >= self.max_concurrent_provisioning:
            raise self._throttle("ProvisionPermissionSet")
        if account_id and self.per_account_serial and account_id in self.busy_accounts():
            raise self._conflict("ProvisionPermissionSet", f"an operation on account {account_id} is in progress")
        reason = self.failing_provisioning.get(arn, "")
        status = "FAILED" if reason else "SUCCEEDED"
        return self._accept(
            "prov", Request(_status_of("provision_permission_set"), self._done_at(), status, account_id or "", reason)
        )

    def request_ids(self, kind: StatusKind, status: str) -> set[str]:
        self._admit("ListStatus")
        now = self.clock.now()
        if status == "IN_PROGRESS":
            return {rid for rid, r in self.requests.items() if r.kind == kind and r.done_at > now}
        return {rid for rid, r in self.requests.items() if r.kind == kind and r.done_at <= now and r.status == status}

    def request_status(self, kind: StatusKind, request_id: str) -> RequestOutcome:
        self._admit("DescribeStatus")
        request = self.requests[request_id]
        if request.done_at > self.clock.now():
            return RequestOutcome(request_id, "IN_PROGRESS")
        return RequestOutcome(request_id, request.status, request.reason, request.account_id)

    # -- synchronous permission-set calls -----------------------------------------------------------------

    def create_permission_set(self, spec: Any) -> str:
        self._admit("CreatePermissionSet")
        if spec.name in self.permission_sets:
            raise self._conflict("CreatePermissionSet", f"a permission set named {spec.name} already exists")
        self.permission_sets[spec.name] = {MANAGED_TAG_KEY: "true"}
        return ARN_PREFIX + str(spec.name).lower()

    def delete_permission_set(self, arn: str) -> None:
        self._admit("DeletePermissionSet")
        if arn in self.in_use:
            raise self._conflict("DeletePermissionSet", "the permission set is still assigned or provisioned")
        self.deleted.append(arn)

    def permission_set_arns(self) -> list[str]:
        self._admit("ListPermissionSets")
        return [ARN_PREFIX + name.lower() for name in self.permission_sets]

    def describe(self, arn: str) -> dict[str, Any]:
        self._admit("DescribePermissionSet")
        return {"Name": self._name(arn), "PermissionSetArn": arn}

    def tags(self, arn: str) -> dict[str, str]:
        self._admit("ListTagsForResource")
        return dict(self.permission_sets[self._name(arn)])

    def _name(self, arn: str) -> str:
        return next(name for name in self.permission_sets if ARN_PREFIX + name.lower() == arn)

    def __getattr__(self, name: str) -> Any:
        """Every other synchronous permission-set call of the operation table: admitted, and done at once."""
        if name in SYNCHRONOUS_METHODS:
            return lambda *args, **kwargs: self._admit(name)
        raise AttributeError(name)


def _status_of(kind: OperationKind) -> StatusKind:
    status = KINDS[kind].status
    assert status is not None
    return status


def lower_bound_seconds(durations: Mapping[str, Sequence[float]], *, tps: float, max_outstanding: int) -> float:
    """Assignment durations by account: no strategy finishes before the call rate allows one call per operation,
    before the window has held each operation for its duration (Little's law), or before the busiest account has
    run its operations one after another."""
    every = [d for account in durations.values() for d in account]
    busiest = max((sum(account) for account in durations.values()), default=0.0)
    return max(len(every) / tps, sum(every) / max_outstanding, busiest)
