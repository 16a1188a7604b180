"""Apply a plan: permission-set work first, then provisioning and assignments in bounded windows of asynchronous
operations.

The limits are Identity Center's ("Quotas and limits in IAM Identity Center", docs/facts.md): about 20 admin
calls per second in total, 15 outstanding asynchronous assignment operations, 3 concurrent ProvisionPermissionSet
calls and one IAM role updated at a time per account, so at most one assignment operation per account is in
flight (config `apply`). Work is served across accounts, most backlog first, so that one busy account does not
idle the window. Throttling is retried; a ConflictException is classified by what was asked (see `_run_sync`).
Nothing that eventually succeeded is reported as failed, and nothing that failed is silent.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Protocol

from entra_aws.config.models import MANAGED_TAG_KEY, SEAL_TAG_KEY
from entra_aws.engine.model import Finding
from entra_aws.engine.operations import ASSIGNMENT_KINDS, KINDS
from entra_aws.engine.pacing import Clock, RateLimiter, RealClock, backoff
from entra_aws.engine.plan import Operation, Plan
from entra_aws.engine.ports import ApiError, IdentityCenterWrites, OwnershipSeal, RequestOutcome, StatusKind

TRANSIENT = {"ThrottlingException", "TooManyRequestsException", "ServiceUnavailableException"}
CONFLICT = "ConflictException"
"""Retried like throttling (another operation on the same role, or a change still propagating), except where
the operation's kind says what it means: a duplicate name on create, assignments left on delete."""
ACCOUNT_ID = re.compile(r"(?<!\d)\d{12}(?!\d)")
"""An account id named in a failed provisioning's reason (besides the status's AccountId and the operation's
own target: a provisioning to all accounts may name more than one)."""


@dataclass
class OperationResult:
    operation: Operation
    ok: bool
    error: str = ""
    accounts: tuple[str, ...] = ()
    """A failed provisioning: the accounts its reason names (the set's assignments there are skipped)."""


@dataclass
class Limits:
    max_tps: float = 20.0
    max_outstanding: int = 15
    max_concurrent_provisioning: int = 3
    poll_interval: float = 0.3
    max_attempts: int = 8
    min_request_age: float = 1.0
    """A request is taken as finished only once it is this old and no longer IN_PROGRESS (listings lag); no
    status is asked for before then."""
    describe_at_most: int = 2
    """With this many requests pending or fewer, ask for each one's status (one call each, every
    `min_request_age`) instead of listing IN_PROGRESS and FAILED requests (two calls, every `poll_interval`)."""


class PermissionSetNames(Protocol):
    """The reads that find a permission set by name (Identity Center has no lookup by name)."""

    def permission_set_arns(self) -> list[str]: ...
    def describe(self, arn: str) -> dict[str, Any]: ...
    def tags(self, arn: str) -> dict[str, str]: ...


@dataclass
class _Pending:
    operation: Operation
    kind: StatusKind
    submitted: float


def _account(op: Operation) -> str:
    """What an operation serializes on: its account (one role update at a time); a provisioning to all of a
    set's accounts on nothing (Identity Center fans it out)."""
    if op.assignment is not None:
        return op.assignment.account_id
    return str(op.args.get("account") or f"{op.kind}:{op.permission_set}")


class _Backlog:
    """Queued operations by account. The next one comes from the free account with the most left to do (on a tie,
    the one that has waited longest): with equal backlogs that is round-robin across accounts, and an account
    whose operations must run one after another starts early enough not to finish last."""

    def __init__(self, operations: Iterable[Operation]) -> None:
        self._queues: dict[str, deque[Operation]] = {}
        for op in operations:
            self._queues.setdefault(_account(op), deque()).append(op)

    def __bool__(self) -> bool:
        return bool(self._queues)

    def next(self, busy: set[str]) -> Operation | None:
        free = [account for account in self._queues if account not in busy]
        if not free:
            return None
        account = max(free, key=lambda a: len(self._queues[a]))
        queue = self._queues.pop(account)
        op = queue.popleft()
        if queue:
            self._queues[account] = queue  # to the back: it goes after its equals
        return op

    def drain(self) -> list[Operation]:
        rest = [op for queue in self._queues.values() for op in queue]
        self._queues.clear()
        return rest


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
    names: PermissionSetNames | None = None
    """Finds a permission set whose creation met a duplicate name; without it the creation fails."""
    results: list[OperationResult] = field(default_factory=list)
    deferred: list[Operation] = field(default_factory=list)
    ownership: OwnershipSeal | None = None
    """Mints the seals `seal_permission_set` tags (the planner plans none without it)."""

    def __post_init__(self) -> None:
        self._limiter = RateLimiter(self.clock, self.limits.max_tps, burst=max(1, int(self.limits.max_tps)))
        self._broken: set[str] = set()
        self._unprovisioned: dict[tuple[str, str], str] = {}  # (permission set, account) -> reason

    def run(self, plan: Plan) -> list[OperationResult]:
        self._plan = plan
        ordered = plan.ordered()
        for op in ordered:
            if KINDS[op.kind].status is None and op.kind != "delete_permission_set":
                self._run_sync(op)
        provisioning = [op for op in ordered if op.kind == "provision_permission_set"]
        self._run_window(provisioning, self.limits.max_concurrent_provisioning, deferrable=False)
        for kind in ASSIGNMENT_KINDS:  # grant before revoke
            self._run_window([op for op in ordered if op.kind == kind], self.limits.max_outstanding)
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

    def _done(self, op: Operation, ok: bool, error: str = "", account: str = "") -> None:
        """`account`: the failed request's AccountId, where its status has one."""
        accounts: tuple[str, ...] = ()
        if not ok and op.kind == "create_permission_set":
            self._broken.add(op.permission_set)
        if not ok and op.kind == "provision_permission_set":
            named = [op.args.get("account") or "", account, *ACCOUNT_ID.findall(error)]
            accounts = tuple(dict.fromkeys(a for a in named if a))
            self._unprovisioned |= {(op.permission_set, account): error for account in accounts}
        result = OperationResult(op, ok, error, accounts)
        self.results.append(result)
        if self.progress:
            self.progress(result)

    def _call(self, fn: Callable[[], Any], *, conflicts_retried: bool = True) -> Any:
        """One admin call under the rate limit, retrying throttling (and conflicts) with backoff."""
        retried = TRANSIENT | {CONFLICT} if conflicts_retried else TRANSIENT
        for attempt in range(self.limits.max_attempts):
            self._limiter.acquire()
            try:
                return fn()
            except ApiError as error:
                if error.code not in retried or attempt == self.limits.max_attempts - 1:
                    raise
                self.clock.sleep(backoff(attempt))
        raise AssertionError("unreachable")

    def _skipped(self, op: Operation) -> str | None:
        """Why an operation cannot run now, if it cannot."""
        if op.permission_set in self._broken:
            return f"skipped: permission set {op.permission_set} could not be created"
        if op.kind != "create_permission_set" and op.permission_set not in self.arns:
            return f"skipped: permission set {op.permission_set} is not available"
        account = op.assignment.account_id if op.assignment is not None else ""
        if (op.permission_set, account) in self._unprovisioned:
            reason = self._unprovisioned[(op.permission_set, account)]
            return f"skipped: permission set {op.permission_set} failed to provision to {account}: {reason}"
        return None

    # -- synchronous permission-set work --------------------------------------------------------------------

    def _run_sync(self, op: Operation) -> None:
        """A ConflictException on create means the name is taken (adopt it if ours, else report); on delete,
        assignments or provisioning remain (defer to the next run); anywhere else it is retried."""
        skipped = self._skipped(op)
        if skipped is not None:
            self._done(op, False, skipped)
            return
        try:
            if op.kind == "create_permission_set":
                self.arns[op.permission_set] = self._create(op)
            else:
                self._dispatch(op, conflicts_retried=op.kind != "delete_permission_set")
        except ApiError as error:
            if op.kind == "delete_permission_set" and error.code == CONFLICT:
                self.deferred.append(op)
                return
            self._done(op, False, str(error))
            return
        self._done(op, True)

    def _dispatch(self, op: Operation, *, conflicts_retried: bool = True) -> Any:
        """One call (rate-limited, retried) of the port method the operation's kind names."""
        kind = KINDS[op.kind]
        arn = self.arns.get(op.permission_set, "")
        if op.kind == "seal_permission_set":
            op = self._sealed(op, arn)
        method = getattr(self.api, kind.method)
        return self._call(lambda: method(*kind.arguments(op, arn)), conflicts_retried=conflicts_retried)

    def _sealed(self, op: Operation, arn: str) -> Operation:
        """The seal operation carrying its set's seal (a MAC of the ARN, known once the set exists)."""
        if self.ownership is None:
            raise ApiError("", "no ownership key to seal with (apply.ownership.key)")
        return replace(op, detail=(*op.detail, ("seal", self.ownership.seal(arn))))

    def _create(self, op: Operation) -> str:
        try:
            return str(self._dispatch(op, conflicts_retried=False))
        except ApiError as error:
            if error.code != CONFLICT or self.names is None:
                raise
            found = self._named(op.permission_set)
            if found is None:  # taken, but not listed yet: a propagation delay
                return str(self._dispatch(op))
        arn, tags = found
        if self._ours(arn, tags):
            return arn  # made by a concurrent reconcile
        message = (
            f"permission set {op.permission_set} already exists ({arn}) and is not managed by entra-aws: "
            "add it to apply.adopt_permission_sets to take it over, or rename it"
        )
        self._plan.findings.append(Finding("error", message, subject=op.permission_set, kind="duplicate_name"))
        raise ApiError(CONFLICT, message)

    def _ours(self, arn: str, tags: dict[str, str]) -> bool:
        """With an ownership key, only a seal that verifies proves it (anyone may tag); without one, the tag."""
        if self.ownership is not None:
            return self.ownership.verify(arn, tags.get(SEAL_TAG_KEY, ""))
        return tags.get(MANAGED_TAG_KEY) == "true"

    def _named(self, name: str) -> tuple[str, dict[str, str]] | None:
        names = self.names
        assert names is not None
        for arn in self._call(names.permission_set_arns):
            if self._call(partial(names.describe, arn)).get("Name") == name:
                return arn, self._call(partial(names.tags, arn))
        return None

    # -- asynchronous operations -----------------------------------------------------------------------------

    def _run_window(self, operations: list[Operation], size: int, *, deferrable: bool = True) -> None:
        """At most `size` requests of one kind in flight, at most one per account (see `_Backlog`). Provisioning
        is not `deferrable`: the content it carries out is already changed, so only a later full or permission-set
        reconcile would find the accounts lagging (engine.reads.lagging_provisioning); this run finishes it."""
        waiting = _Backlog(operations)
        pending: dict[str, _Pending] = {}
        while waiting or pending:
            if deferrable and waiting and self._out_of_time():
                self.deferred.extend(waiting.drain())
            busy = {_account(p.operation) for p in pending.values()}
            while len(pending) < size and (op := waiting.next(busy)) is not None:
                busy.add(_account(op))
                self._start(op, pending)
            if pending:
                self.clock.sleep(self._wait(pending))
                self._poll(pending)

    def _start(self, op: Operation, pending: dict[str, _Pending]) -> None:
        skipped = self._skipped(op)
        if skipped is not None:
            self._done(op, False, skipped)
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
            self._done(op, outcome.succeeded, outcome.reason, outcome.account_id)

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
                self._done(item.operation, outcome.succeeded, outcome.reason, outcome.account_id)

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
                outcome = self._call(partial(self.api.request_status, kind, rid))
                self._done(item.operation, False, outcome.reason, outcome.account_id)
            else:
                self._done(item.operation, True)
