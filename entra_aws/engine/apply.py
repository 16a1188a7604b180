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
from typing import Any, Protocol

from entra_aws.config.models import MANAGED_TAG_KEY, PermissionSetSpec
from entra_aws.engine.model import Boundary
from entra_aws.engine.pacing import Clock, RateLimiter, RealClock, backoff
from entra_aws.engine.plan import Operation, Plan

RETRYABLE = {
    "ThrottlingException",
    "TooManyRequestsException",
    "ConflictException",
    "ServiceUnavailableException",
}
ASYNC_KINDS = {"create_assignment": "creation", "delete_assignment": "deletion"}


class AdminApi(Protocol):
    """The slice of the sso-admin adapter the executor uses (the benchmark supplies a quota model)."""

    def create_permission_set(self, spec: PermissionSetSpec) -> str: ...
    def update_permission_set(
        self, arn: str, description: str | None, session_duration: str, relay_state: str | None
    ) -> None: ...
    def tag(self, arn: str, tags: dict[str, str]) -> None: ...
    def untag(self, arn: str, keys: list[str]) -> None: ...
    def attach_managed_policy(self, arn: str, policy_arn: str) -> None: ...
    def detach_managed_policy(self, arn: str, policy_arn: str) -> None: ...
    def attach_customer_managed_policy(self, arn: str, name: str, path: str) -> None: ...
    def detach_customer_managed_policy(self, arn: str, name: str, path: str) -> None: ...
    def put_inline_policy(self, arn: str, document: str) -> None: ...
    def delete_inline_policy(self, arn: str) -> None: ...
    def put_permissions_boundary(self, arn: str, boundary: Boundary) -> None: ...
    def delete_permissions_boundary(self, arn: str) -> None: ...
    def delete_permission_set(self, arn: str) -> None: ...
    def provision(self, arn: str) -> tuple[str, str, str]: ...
    def create_assignment(
        self, account_id: str, arn: str, principal_type: str, principal_id: str
    ) -> tuple[str, str, str]: ...
    def delete_assignment(
        self, account_id: str, arn: str, principal_type: str, principal_id: str
    ) -> tuple[str, str, str]: ...
    def request_ids(self, kind: Any, status: str) -> set[str]: ...
    def request_status(self, kind: Any, request_id: str) -> tuple[str, str]: ...


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


def _code(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def _message(error: Exception) -> str:
    code = _code(error)
    response = getattr(error, "response", None) or {}
    text = str(response.get("Error", {}).get("Message", "")) or str(error)
    return f"{code}: {text}" if code else text


@dataclass
class _Pending:
    operation: Operation
    kind: str
    submitted: float


@dataclass
class Executor:
    api: AdminApi
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
        synchronous = [op for op in ordered if op.kind not in ASYNC_KINDS and op.kind != "delete_permission_set"]
        for op in synchronous:
            self._run_sync(op)
        self._run_async([op for op in ordered if op.kind in ASYNC_KINDS])
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
            except Exception as error:
                if _code(error) not in RETRYABLE or attempt == self.limits.max_attempts - 1:
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
        except Exception as error:
            if not hasattr(error, "response"):
                raise
            self._done(op, False, _message(error))
            return
        if op.kind != "provision_permission_set":
            self._done(op, True)

    def _sync_operation(self, op: Operation) -> None:
        args = op.args
        if op.kind == "create_permission_set":
            spec: PermissionSetSpec = args["spec"]
            self.arns[op.permission_set] = self._call(lambda: self.api.create_permission_set(spec))
            return
        arn = self.arns[op.permission_set]
        handlers: dict[str, Callable[[], Any]] = {
            "update_permission_set": lambda: self.api.update_permission_set(
                arn, args["description"], args["session_duration"], args["relay_state"]
            ),
            "tag_permission_set": lambda: self.api.tag(
                arn, {MANAGED_TAG_KEY: "true"} if op.adopts else dict(args["tags"])
            ),
            "untag_permission_set": lambda: self.api.untag(arn, list(args["keys"])),
            "attach_managed_policy": lambda: self.api.attach_managed_policy(arn, args["arn"]),
            "detach_managed_policy": lambda: self.api.detach_managed_policy(arn, args["arn"]),
            "attach_customer_managed_policy": lambda: self.api.attach_customer_managed_policy(
                arn, args["policy_name"], args["path"]
            ),
            "detach_customer_managed_policy": lambda: self.api.detach_customer_managed_policy(
                arn, args["policy_name"], args["path"]
            ),
            "put_inline_policy": lambda: self.api.put_inline_policy(arn, args["document"]),
            "delete_inline_policy": lambda: self.api.delete_inline_policy(arn),
            "put_permissions_boundary": lambda: self.api.put_permissions_boundary(arn, args["boundary"]),
            "delete_permissions_boundary": lambda: self.api.delete_permissions_boundary(arn),
            "delete_permission_set": lambda: self.api.delete_permission_set(arn),
            "provision_permission_set": lambda: self._provision(op, arn),
        }
        handlers[op.kind]()

    def _provision(self, op: Operation, arn: str) -> None:
        request_id, status, reason = self._call(lambda: self.api.provision(arn))
        if status == "IN_PROGRESS":
            self._await({request_id: _Pending(op, "provisioning", self.clock.now())})
        else:
            self._done(op, status == "SUCCEEDED", reason)

    # -- asynchronous assignments ----------------------------------------------------------------------------

    def _submit(self, op: Operation) -> tuple[str, str, str]:
        a = op.assignment
        assert a is not None
        arn = self.arns[a.permission_set]
        submit = self.api.create_assignment if op.kind == "create_assignment" else self.api.delete_assignment
        result: tuple[str, str, str] = self._call(lambda: submit(a.account_id, arn, a.principal_type, a.principal_id))
        return result

    def _run_async(self, operations: list[Operation]) -> None:
        for kind in ("create_assignment", "delete_assignment"):  # grant before revoke
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
            request_id, status, reason = self._submit(op)
        except Exception as error:
            if not hasattr(error, "response"):
                raise
            self._done(op, False, _message(error))
            return
        if status == "IN_PROGRESS":
            pending[request_id] = _Pending(op, ASYNC_KINDS[op.kind], self.clock.now())
        else:
            self._done(op, status == "SUCCEEDED", reason)

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
            status, reason = self._call(partial(self.api.request_status, item.kind, rid))
            if status != "IN_PROGRESS":
                del pending[rid]
                self._done(item.operation, status == "SUCCEEDED", reason)

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
                self._done(item.operation, False, self._call(partial(self.api.request_status, kind, rid))[1])
            else:
                self._done(item.operation, True)
