"""A model of Identity Center's admin API limits, in virtual time, for the executor's tests and the benchmark.

The model: at most `tps` calls in any one-second window across all callers (collective), at most
`max_outstanding` asynchronous assignment operations in flight, each finishing `duration` seconds (uniform in
[low, high]) after it was accepted. A call over either limit fails with ThrottlingException, as AWS does.
Permission-set calls succeed at once. The numbers are documented assumptions (docs/facts.md), not
measurements of AWS.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from entra_aws.engine.operations import KINDS, SYNCHRONOUS_METHODS, OperationKind
from entra_aws.engine.pacing import VirtualClock
from entra_aws.engine.ports import ApiError, RequestOutcome, StatusKind


@dataclass
class QuotaModel:
    clock: VirtualClock = field(default_factory=VirtualClock)
    tps: float = 20.0
    max_outstanding: int = 10
    low: float = 1.0
    high: float = 3.0
    seed: int = 7
    throttle_probability: float = 0.0
    """Extra, random throttling on top of the limits (a 'storm')."""
    fail_accounts: frozenset[str] = frozenset()
    """Assignments to these accounts end FAILED, as when a target account is suspended."""

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._window: deque[float] = deque()
        self.requests: dict[str, tuple[str, float, str]] = {}  # id -> (kind, done_at, final status)
        self.calls = 0
        self.throttled = 0
        self.completed: list[tuple[str, str, str, str]] = []
        self.peak_outstanding = 0
        self._next = 0

    # -- limits ------------------------------------------------------------------------------------------

    def _throttle(self, operation: str) -> ApiError:
        self.throttled += 1
        return ApiError("ThrottlingException", "Rate exceeded", operation=operation)

    def _admit(self, operation: str) -> None:
        now = self.clock.now()
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        self.calls += 1
        if len(self._window) >= self.tps or self._rng.random() < self.throttle_probability:
            self._window.append(now)
            raise self._throttle(operation)
        self._window.append(now)

    def outstanding(self) -> int:
        now = self.clock.now()
        return sum(1 for kind, done, _ in self.requests.values() if kind != "provisioning" and done > now)

    # -- asynchronous operations ---------------------------------------------------------------------------

    def _submit(self, kind: StatusKind, operation: str, account_id: str) -> RequestOutcome:
        self._admit(operation)
        if self.outstanding() >= self.max_outstanding:
            raise self._throttle(operation)
        self._next += 1
        request_id = f"req-{self._next}"
        status = "FAILED" if account_id in self.fail_accounts else "SUCCEEDED"
        done_at = self.clock.now() + self._rng.uniform(self.low, self.high)
        self.requests[request_id] = (kind, done_at, status)
        self.peak_outstanding = max(self.peak_outstanding, self.outstanding())
        return RequestOutcome(request_id, "IN_PROGRESS")

    def create_assignment(self, account_id: str, arn: str, principal_type: str, principal_id: str) -> RequestOutcome:
        return self._submit(_status_of("create_assignment"), "CreateAccountAssignment", account_id)

    def delete_assignment(self, account_id: str, arn: str, principal_type: str, principal_id: str) -> RequestOutcome:
        return self._submit(_status_of("delete_assignment"), "DeleteAccountAssignment", account_id)

    def provision(self, arn: str) -> RequestOutcome:
        self._admit("ProvisionPermissionSet")
        self._next += 1
        request_id = f"prov-{self._next}"
        self.requests[request_id] = (
            _status_of("provision_permission_set"),
            self.clock.now() + self._rng.uniform(self.low, self.high),
            "SUCCEEDED",
        )
        return RequestOutcome(request_id, "IN_PROGRESS")

    def request_ids(self, kind: StatusKind, status: str) -> set[str]:
        self._admit("ListStatus")
        now = self.clock.now()
        if status == "IN_PROGRESS":
            return {rid for rid, (k, done, _) in self.requests.items() if k == kind and done > now}
        return {rid for rid, (k, done, final) in self.requests.items() if k == kind and done <= now and final == status}

    def request_status(self, kind: StatusKind, request_id: str) -> RequestOutcome:
        self._admit("DescribeStatus")
        _, done_at, final = self.requests[request_id]
        if done_at > self.clock.now():
            return RequestOutcome(request_id, "IN_PROGRESS")
        return RequestOutcome(request_id, final, "the target account is not active" if final == "FAILED" else "")

    # -- synchronous permission-set calls -----------------------------------------------------------------

    def create_permission_set(self, spec: Any) -> str:
        self._admit("CreatePermissionSet")
        return f"arn:aws:sso:::permissionSet/ssoins-model/ps-{spec.name.lower()}"

    def __getattr__(self, name: str) -> Any:
        """Every other synchronous permission-set call of the operation table: admitted, and done at once."""
        if name in SYNCHRONOUS_METHODS:
            return lambda *args, **kwargs: self._admit(name)
        raise AttributeError(name)


def _status_of(kind: OperationKind) -> StatusKind:
    status = KINDS[kind].status
    assert status is not None
    return status


def lower_bound_seconds(operations: int, *, tps: float, max_outstanding: int, mean_duration: float) -> float:
    """No strategy beats both the call rate and the in-flight window (Little's law)."""
    return max(operations / tps, operations * mean_duration / max_outstanding)
