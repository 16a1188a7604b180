"""EventBridge rules -> events queue -> here: parse each CloudTrail event, decide the scope(s), queue one
reconcile message per scope, notify on drift. Never reconciles itself (that is the worker's job).

Events for a scope already queued by this invocation are merged into that message: every record of a batch was
received, so its change had happened, before the invocation sent anything, and the worker reconciles a scope
from a live read that starts after the message was sent, so that one reconcile sees every merged change. A
scope is taken as queued only once SQS accepted it; a record whose queueing failed is retried by its own."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import ValidationError

from entra_aws.engine.scope import Scope
from entra_aws.events.messages import ReconcileMessage, Trigger
from entra_aws.events.models import CloudTrailEvent
from entra_aws.events.routing import Decision, PermissionSetRef, Target, route
from lambdas import _runtime, batch
from lambdas.results import Routed

logger = Logger()
metrics = Metrics()
_queued: set[tuple[Scope, Trigger]] = set()
"""Scopes (with their trigger) this invocation has queued; emptied at the start of each invocation."""


class MalformedEventError(ValueError):
    """The message is not an EventBridge CloudTrail event; retrying cannot help, it ends in the DLQ."""


def parse(body: str) -> CloudTrailEvent:
    try:
        return CloudTrailEvent.model_validate_json(body)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in error.errors())
        raise MalformedEventError(problems[:500]) from None


def record_handler(record: SQSRecord) -> Routed:
    try:
        event = parse(record.body)
    except MalformedEventError as error:
        logger.error(
            "malformed event: not an EventBridge CloudTrail event; it will reach the DLQ",
            extra={"message_id": record.message_id, "problem": str(error)},
        )
        metrics.add_metric(name="MalformedEvents", unit=MetricUnit.Count, value=1)
        raise
    logger.set_correlation_id(event.id)
    logger.append_keys(event_name=event.detail.event_name, event_source=event.detail.event_source)
    _, idempotent_handle = _idempotency()
    return Routed.model_validate(idempotent_handle(event=event.model_dump(mode="json", by_alias=True)))


@cache
def _idempotency() -> tuple[Any, Any]:
    return _runtime.idempotent(handle_event, keyword="event", key="id")


def handle_event(event: dict[str, Any]) -> dict[str, Any]:
    """Route one event and queue its scopes. Idempotent per event id (redeliveries answered from DynamoDB, which
    keeps the `Routed` as JSON)."""
    parsed = CloudTrailEvent.model_validate(event)
    config = _runtime.config()
    decision = route(
        parsed,
        automation_role_arns=_runtime.automation_role_arns(),
        include_users=config.assigns_users,
        trusted_writers=_runtime.handler_settings().trusted_writers,
    )
    scopes = _resolve(decision.targets)
    if not scopes:
        logger.info("event ignored", extra={"reason": decision.reason})
        metrics.add_metric(name="EventsIgnored", unit=MetricUnit.Count, value=1)
        return Routed(queued=(), reason=decision.reason).model_dump(mode="json")
    trigger: Trigger = "drift" if decision.drift else "event"
    fresh = [s for s in scopes if (s, trigger) not in _queued]
    messages = [ReconcileMessage.for_scope(parsed.id, trigger, s, decision.reason) for s in fresh]
    if messages:
        _runtime.queue_reconciles(messages)
    _queued.update((s, trigger) for s in fresh)
    metrics.add_metric(name="ScopesQueued", unit=MetricUnit.Count, value=len(messages))
    if len(fresh) < len(scopes):
        metrics.add_metric(name="ScopesMerged", unit=MetricUnit.Count, value=len(scopes) - len(fresh))
    if decision.drift:
        _notify_drift(parsed, decision, scopes)
    routed = Routed(queued=tuple(str(s) for s in scopes), reason=decision.reason)
    logger.info("scopes queued", extra={"scopes": list(routed.queued), "reason": routed.reason})
    return routed.model_dump(mode="json")


def _resolve(targets: tuple[Target, ...]) -> list[Scope]:
    scopes: list[Scope] = []
    for target in targets:
        if isinstance(target, Scope):
            scopes.append(target)
            continue
        name = _permission_set_name(target)
        if name is None:
            scopes.append(Scope.everything())
        elif _runtime.config().permission_set(name) is not None:
            scopes.append(Scope.permission_set(name))
        else:
            logger.info("permission set is not in the config; not ours to revert", extra={"name": name})
    return list(dict.fromkeys(scopes))


def _permission_set_name(ref: PermissionSetRef) -> str | None:
    from entra_aws.adapters.sso_admin import IdentityCenterAdmin

    return IdentityCenterAdmin.for_permission_set(_runtime.client("sso-admin"), ref.arn).name_of(ref.arn)


def _intent() -> str:
    """In observe mode the worker reports what it would revert and reverts nothing: the notice says so."""
    return "report (apply.mode: observe), not revert," if _runtime.config().apply.mode == "observe" else "revert"


def _kept_addition(event: CloudTrailEvent) -> str | None:
    """The additive permission set a hand-made assignment was added to, if it went to one: the worker keeps it.
    Its name is read (one DescribePermissionSet) only when the config has additive sets."""
    detail = event.detail
    additive = _runtime.config().additive_permission_sets
    arn = (detail.request_parameters or {}).get("permissionSetArn")
    if detail.event_name != "CreateAccountAssignment" or not additive or not isinstance(arn, str):
        return None
    name = _permission_set_name(PermissionSetRef(arn))
    return name if name in additive else None


def _action(event: CloudTrailEvent, scopes: list[Scope]) -> str:
    action = f"reconciling {', '.join(str(s) for s in scopes)} to {_intent()} changes to managed resources"
    kept = _kept_addition(event)
    if kept is not None:
        action += f"; this assignment of {kept} is kept, not reverted (the set's assignments are additive)"
    return action


def _notify_drift(event: CloudTrailEvent, decision: Decision, scopes: list[Scope]) -> None:
    detail = event.detail
    body = {
        "what": f"{detail.event_source} {detail.event_name}",
        "who": detail.user_identity.describe(),
        "when": detail.event_time or event.time,
        "event_id": event.id,
        "action": _action(event, scopes),
        "reason": decision.reason,
    }
    _runtime.notify(f"entra-aws: manual Identity Center change ({detail.event_name})", json.dumps(body, indent=2))


def _each_invocation_afresh(invoke: Callable[[dict[str, Any], Any], Any]) -> Callable[[dict[str, Any], Any], Any]:
    def invoked(event: dict[str, Any], context: Any) -> Any:
        _queued.clear()
        return invoke(event, context)

    return invoked


_batch = batch.sqs_batch_handler(record_handler, _idempotency, logger=logger, metrics=metrics)
handler = batch.BatchHandler(_each_invocation_afresh(_batch.invoke), _batch.processor)
