"""Apply a plan: permission-set work first, then assignments with a bounded window of asynchronous operations.

Identity Center allows roughly 20 admin calls per second in total and about 10 outstanding asynchronous
assignment operations; both are settings (config `apply`). Throttling and conflicts are retried; nothing that
eventually succeeded is reported as failed, and nothing that failed is silent.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from entra_aws.engine.operations import ASSIGNMENT_KINDS, KINDS
from entra_aws.engine.pacing import Clock, RateLimiter, RealClock, backoff
from entra_aws.engine.plan import Operation, Plan
from entra_aws.engine.ports import ApiError, IdentityCenterWrites, RequestOutcome, StatusKind

RETRYABLE = {
    "ThrottlingException",
    "TooManyRequestsException",
    "ConflictException",
    "ServiceUnavailableException",
}


@dataclass
class OperationResult:
    operation: Operation
    ok: bool
    error: str = ""


@dataclass
class Limits:
    max_tps: float = 20.0
    max_outstanding: int = 10
    poll_interval: float = 0.5
    max_attempts: int = 8
    min_request_age: float = 1.0
    """A request is taken as finished only once it is this old and no longer IN_PROGRESS (listings lag); no
    status is asked for before then."""
    describe_at_most: int = 2
    """With this many requests pending or fewer, ask for each one's status (one call each, every
    `min_request_age`) instead of listing IN_PROGRESS and FAILED requests (two calls, every `poll_interval`)."""


@dataclass
class _Pending:
    operation: Operation
    kind: StatusKind
    submitted: float


@dataclass
class Executor:
    api: IdentityCenterWrites
    arns: dict[str, str]
    """Permission set name -> ARN, for every permission set the plan touches; creations add to it."""
    limits: Limits = field(default_factory=Limits)
    clock: Clock = field(default_factory=RealClock)
    progress: Callable[[OperationResult], None] | None = None
    deadline: float | None = None
    """Clock time after which no new assignment operation starts: those in flight finish, the rest are
    `deferred` (not failed) for the next reconcile, e.g. before a Lambda's timeout."""
    results: list[OperationResult] = field(default_factory=list)
    deferred: list[Operation] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._limiter = RateLimiter(self.clock, self.limits.max_tps, burst=max(1.0, self.limits.max_tps / 4))
        self._broken: set[str] = set()

    def run(self, plan: Plan) -> list[OperationResult]:
        ordered = plan.ordered()
        synchronous = [op for op in ordered if op.kind not in ASSIGNMENT_KINDS and op.kind != "delete_permission_set"]
        for op in synchronous:
            self._run_sync(op)
        self._run_async([op for op in ordered if op.kind in ASSIGNMENT_KINDS])
        for op in ordered:
            if op.kind != "delete_permission_set":
                continue
            if self.deferred:  # its assignments may still exist
                self.deferred.append(op)
            else:
                self._run_sync(op)
        return self.results

    def _out_of_time(self) -> bool:
        return self.deadline is not None and self.clock.now() >= self.deadline

    # -- bookkeeping -----------------------------------------------------------------------------------------

    def _done(self, op: Operation, ok: bool, error: str = "") -> None:
        result = OperationResult(op, ok, error)
        self.results.append(result)
        if not ok and op.kind in ("create_permission_set", "provision_permission_set"):
            self._broken.add(op.permission_set)
        if self.progress:
            self.progress(result)

    def _call(self, fn: Callable[[], Any]) -> Any:
        """One admin call under the rate limit, retrying throttling and conflicts with backoff."""
        for attempt in range(self.limits.max_attempts):
            self._limiter.acquire()
            try:
                return fn()
            except ApiError as error:
                if error.code not in RETRYABLE or attempt == self.limits.max_attempts - 1:
                    raise
                self.clock.sleep(backoff(attempt))
        raise AssertionError("unreachable")

    # -- synchronous permission-set work --------------------------------------------------------------------

    def _run_sync(self, op: Operation) -> None:
        if op.permission_set in self._broken:
            self._done(op, False, f"skipped: permission set {op.permission_set} could not be created or provisioned")
            return
        try:
            self._sync_operation(op)
        except ApiError as error:
            self._done(op, False, str(error))
            return
        if KINDS[op.kind].status is None:
            self._done(op, True)

    def _dispatch(self, op: Operation) -> Any:
        """One call (rate-limited, retried) of the port method the operation's kind names."""
        kind = KINDS[op.kind]
        arn = "" if op.kind == "create_permission_set" else self.arns[op.permission_set]
        method = getattr(self.api, kind.method)
        return self._call(lambda: method(*kind.arguments(op, arn)))

    def _sync_operation(self, op: Operation) -> None:
        kind = KINDS[op.kind]
        result = self._dispatch(op)
        if op.kind == "create_permission_set":
            self.arns[op.permission_set] = result
        elif kind.status is not None:
            self._settle(op, kind.status, result)

    def _settle(self, op: Operation, kind: StatusKind, outcome: RequestOutcome) -> None:
        """A provisioning request: wait for it to finish."""
        if outcome.in_progress:
            self._await({outcome.request_id: _Pending(op, kind, self.clock.now())})
        else:
            self._done(op, outcome.succeeded, outcome.reason)

    # -- asynchronous assignments ----------------------------------------------------------------------------

    def _run_async(self, operations: list[Operation]) -> None:
        for kind in ASSIGNMENT_KINDS:  # grant before revoke
            queue = deque(op for op in operations if op.kind == kind)
            pending: dict[str, _Pending] = {}
            while queue or pending:
                if queue and self._out_of_time():
                    self.deferred.extend(queue)
                    queue.clear()
                while queue and len(pending) < self.limits.max_outstanding:
                    self._start(queue.popleft(), pending)
                if pending:
                    self.clock.sleep(self._wait(pending))
                    self._poll(pending)

    def _start(self, op: Operation, pending: dict[str, _Pending]) -> None:
        if op.permission_set in self._broken or op.permission_set not in self.arns:
            self._done(op, False, f"skipped: permission set {op.permission_set} is not available")
            return
        try:
            outcome: RequestOutcome = self._dispatch(op)
        except ApiError as error:
            self._done(op, False, str(error))
            return
        status = KINDS[op.kind].status
        assert status is not None
        if outcome.in_progress:
            pending[outcome.request_id] = _Pending(op, status, self.clock.now())
        else:
            self._done(op, outcome.succeeded, outcome.reason)

    def _await(self, pending: dict[str, _Pending]) -> None:
        while pending:
            self.clock.sleep(self._wait(pending))
            self._poll(pending)

    def _wait(self, pending: dict[str, _Pending]) -> float:
        """Until the oldest request is old enough to be asked about, and at least one polling interval."""
        oldest = min(p.submitted for p in pending.values())
        until_ready = self.limits.min_request_age - (self.clock.now() - oldest)
        few = len(pending) <= self.limits.describe_at_most
        return max(until_ready, self.limits.min_request_age if few else self.limits.poll_interval)

    def _poll(self, pending: dict[str, _Pending]) -> None:
        if len(pending) <= self.limits.describe_at_most:
            self._describe_each(pending)
        else:
            self._list_statuses(pending)

    def _describe_each(self, pending: dict[str, _Pending]) -> None:
        now = self.clock.now()
        for rid, item in list(pending.items()):
            if now - item.submitted < self.limits.min_request_age:
                continue
            outcome: RequestOutcome = self._call(partial(self.api.request_status, item.kind, rid))
            if not outcome.in_progress:
                del pending[rid]
                self._done(item.operation, outcome.succeeded, outcome.reason)

    def _list_statuses(self, pending: dict[str, _Pending]) -> None:
        kind = next(iter(pending.values())).kind
        in_progress = self._call(lambda: self.api.request_ids(kind, "IN_PROGRESS"))
        now = self.clock.now()
        finished = [
            rid
            for rid, p in pending.items()
            if rid not in in_progress and now - p.submitted >= self.limits.min_request_age
        ]
        if not finished:
            return
        failed = self._call(lambda: self.api.request_ids(kind, "FAILED"))
        for rid in finished:
            item = pending.pop(rid)
            if rid in failed:
                self._done(item.operation, False, self._call(partial(self.api.request_status, kind, rid)).reason)
            else:
                self._done(item.operation, True)
