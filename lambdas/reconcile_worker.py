"""Reconcile queue (FIFO, one message per scope) -> here -> the engine. Concurrency is bounded by the event
source mapping; each invocation gets max_tps / max_concurrent_reconciles so together they stay under the
Identity Center quota."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from entra_aws.engine.scope import Scope, ScopeError
from entra_aws.events.messages import ReconcileMessage
from lambdas import _runtime, batch, notices
from lambdas.results import Reconciled, ReconcileFailedError
from lambdas.settings import WorkerSettings

if TYPE_CHECKING:
    from entra_aws.config.models import Config
    from entra_aws.engine.context import AwsContext
    from entra_aws.engine.report import Report

logger = Logger()
metrics = Metrics()


DEADLINE_MARGIN = 120.0
"""Seconds kept back from the Lambda timeout: in-flight operations (at most 15, 1-3 s each) finish, the report
and any continuation message are sent."""


def throttled(config: Config, workers: int) -> Config:
    """Split the Identity Center budget between concurrent workers."""
    workers = max(1, workers)
    apply = config.apply.model_copy(
        update={
            "max_tps": config.apply.max_tps / workers,
            "max_outstanding_operations": max(1, config.apply.max_outstanding_operations // workers),
            "max_concurrent_provisioning": max(1, config.apply.max_concurrent_provisioning // workers),
        }
    )
    return config.model_copy(update={"apply": apply})


@cache
def _engine() -> Callable[..., Report]:
    """The engine's reconcile; imported on first use so a cold start that only parses stays light."""
    from entra_aws.engine.reconcile import reconcile

    return reconcile


@cache
def _aws_context() -> AwsContext:
    """Clients built once per warm process (the context also remembers the permission-set catalog)."""
    from entra_aws.adapters.aws import aws_context

    return aws_context(_runtime.config(), ownership_key=WorkerSettings.from_environment(os.environ).ownership_key)


def deadline(remaining_seconds: float, now: float) -> float:
    """When to stop starting assignment operations: leave DEADLINE_MARGIN for those in flight to finish and the
    report to be sent (half the time left, if that is less)."""
    return now + max(remaining_seconds - DEADLINE_MARGIN, remaining_seconds / 2)


def run_reconcile(scope: Scope, *, progress: Callable[[Any], None], remaining_seconds: float) -> Any:
    reconcile = _engine()
    config = throttled(_runtime.config(), _runtime.handler_settings().max_concurrent_reconciles)
    context = _aws_context()
    stop = deadline(remaining_seconds, context.clock.now())
    return reconcile(config, scope, apply=True, context=context, progress=progress, deadline=stop)


def parse(body: str) -> ReconcileMessage:
    try:
        message = ReconcileMessage.model_validate_json(body)
        message.to_scope()
    except (ValidationError, ScopeError) as error:
        raise ValueError(f"malformed reconcile message: {error}".splitlines()[0]) from None
    return message


def record_handler(record: SQSRecord, lambda_context: LambdaContext) -> Reconciled:
    try:
        message = parse(record.body)
    except ValueError as error:
        logger.error(str(error), extra={"message_id": record.message_id})
        metrics.add_metric(name="MalformedMessages", unit=MetricUnit.Count, value=1)
        raise
    logger.set_correlation_id(message.id)
    logger.append_keys(scope=str(message.to_scope()), trigger=message.trigger)
    _, idempotent_handle = _idempotency()
    remaining = lambda_context.get_remaining_time_in_millis() / 1000
    return Reconciled.model_validate(
        idempotent_handle(message=message.model_dump(mode="json"), remaining_seconds=remaining)
    )


@cache
def _idempotency() -> tuple[Any, Any]:
    return _runtime.idempotent(handle_message, keyword="message", key="[id, scope.kind, scope.value]")


def handle_message(message: dict[str, Any], remaining_seconds: float = 900.0) -> dict[str, Any]:
    parsed = ReconcileMessage.model_validate(message)
    scope = parsed.to_scope()
    report = run_reconcile(
        scope, progress=lambda result: logger.debug(str(result)), remaining_seconds=remaining_seconds
    )
    findings = notices.tell_findings(report, parsed, logger)
    reconciled = Reconciled(scope=str(scope), summary=report.summary(), findings=findings)
    summary = reconciled.summary
    metrics.add_metric(name="OperationsSucceeded", unit=MetricUnit.Count, value=len(report.succeeded))
    metrics.add_metric(name="OperationsFailed", unit=MetricUnit.Count, value=len(report.failed))
    granted = notices.tell_privileged_grants(report, _runtime.config(), parsed, logger)
    metrics.add_metric(name="PrivilegedGrants", unit=MetricUnit.Count, value=granted)
    if report.blocked is not None:  # nothing applied, and a retry would be held the same: notified above
        logger.warning("reconcile blocked", extra={"summary": summary})
        metrics.add_metric(name="ReconcilesBlocked", unit=MetricUnit.Count, value=1)
        return reconciled.model_dump(mode="json")
    if not report.ok:
        logger.error("reconcile failed", extra={"summary": summary})
        _runtime.notify(
            f"entra-aws: reconcile of {scope} failed", notices.body(parsed, summary, report=report.to_dict())
        )
        raise ReconcileFailedError(reconciled)
    logger.info("reconciled", extra={"summary": summary})
    if report.deferred:
        _continue(parsed, len(report.deferred))
    if parsed.trigger == "drift" and report.succeeded:
        _runtime.notify(f"entra-aws: drift reverted ({scope})", notices.body(parsed, summary, report=report.to_dict()))
    return reconciled.model_dump(mode="json")


def _continue(message: ReconcileMessage, deferred: int) -> None:
    """Out of time with work left: queue the same scope again (a new id, so idempotency lets it run); the next
    run reads live state and plans only what is still missing."""
    origin = message.id.split("+", 1)[0]
    reason = f"continuing ({message.reason or message.trigger}): {deferred} operations deferred at the deadline"
    follow_up = ReconcileMessage.for_scope(
        f"{origin}+{uuid.uuid4().hex[:12]}", message.trigger, message.to_scope(), reason
    )
    _runtime.queue_reconciles([follow_up])
    metrics.add_metric(name="ReconcilesContinued", unit=MetricUnit.Count, value=1)
    logger.info("reconcile continues in a new message", extra={"deferred": deferred, "follow_up": follow_up.id})


handler = batch.sqs_batch_handler(record_handler, _idempotency, logger=logger, metrics=metrics)
