"""What the queue-fed handlers did with one record: the router's routing, the worker's reconcile. The shapes are
also what idempotency stores for 24 hours, so a redelivered record is answered with the same result.

Kept out of the handler modules so a runtime in the same process (the sandbox) can tell what happened from these
types, across the reloads of a cold start, instead of reading the log.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Routed(BaseModel):
    """The scopes the router queued for one event, and why; none when the event was ignored."""

    model_config = ConfigDict(frozen=True)

    queued: tuple[str, ...]
    reason: str

    @property
    def ignored(self) -> bool:
        return not self.queued


class ToldFinding(BaseModel):
    """A finding of a reconcile, as the worker told the platform team."""

    model_config = ConfigDict(frozen=True)

    severity: str
    kind: str
    message: str
    notified: bool
    """In this reconcile's notification; False: the same finding was notified within the quiet period."""


class Reconciled(BaseModel):
    """The worker's reconcile of one scope: the report's one-line summary and its findings."""

    model_config = ConfigDict(frozen=True)

    scope: str
    summary: str
    findings: tuple[ToldFinding, ...] = ()


class ReconcileFailedError(RuntimeError):
    """Some operations of the reconcile failed: the record fails, so SQS delivers it again (then the DLQ)."""

    def __init__(self, reconciled: Reconciled) -> None:
        super().__init__(reconciled.summary)
        self.reconciled = reconciled
