"""What the worker tells the platform team besides a failed reconcile or a reverted drift: the findings of every
reconcile (a refused convention group, a skipped management account, a reconcile held back) and every new grant
of a privileged permission set.

A finding gets a structured log line (with the group, account, permission set and rule it is about, where it
knows), a count in the `Findings` metric (dimensions `kind` and `severity`) and a place in the reconcile's SNS
notification, unless it was notified within QUIET_SECONDS. That deduplication is a conditional put of
`finding#<sha256 of the finding's text>` in the idempotency table (absent, or past its expiration), kept with a
TTL of QUIET_SECONDS. A conditional put rather than Powertools' idempotency utility: one call per finding, no
in-progress record to wait on, and nothing about Identity Center is stored; a finding that stays is notified
again once a week. A grant is not deduplicated: each is a change that happened.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from lambdas import _runtime
from lambdas.results import ToldFinding

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger

    from entra_aws.config.models import Config
    from entra_aws.engine.model import Assignment, Finding
    from entra_aws.engine.report import Report
    from entra_aws.events.messages import ReconcileMessage

QUIET_SECONDS = 7 * 24 * 3600
"""A finding notified is not notified again for a week (the schedule reconciles every few hours)."""
UNCLASSIFIED = "unclassified"
"""The `kind` of a finding the engine has not classified."""


def finding_key(finding: Finding) -> str:
    text = "\n".join((finding.severity, finding.kind, finding.subject, finding.message))
    return f"finding#{hashlib.sha256(text.encode()).hexdigest()}"


def claim(key: str, now: float) -> bool:
    """Record that a finding is notified now; False when it already was within the quiet period."""
    dynamodb = _runtime.client("dynamodb")
    try:
        dynamodb.put_item(
            TableName=_runtime.handler_settings().idempotency_table,
            Item={"id": {"S": key}, "expiration": {"N": str(int(now) + QUIET_SECONDS)}},
            ConditionExpression="attribute_not_exists(id) OR expiration < :now",
            ExpressionAttributeValues={":now": {"N": str(int(now))}},
        )
    except dynamodb.exceptions.ConditionalCheckFailedException:
        return False
    return True


def release(keys: Iterable[str]) -> None:
    """The notification could not be sent: the next reconcile notifies these findings."""
    table = _runtime.handler_settings().idempotency_table
    for key in keys:
        _runtime.client("dynamodb").delete_item(TableName=table, Key={"id": {"S": key}})


def log_fields(finding: Finding, names: Mapping[str, str]) -> dict[str, str]:
    """The finding's structured log fields; the group named from the report when the subject is its id."""
    fields = {
        "severity": finding.severity,
        "kind": finding.kind or UNCLASSIFIED,
        "subject": finding.subject,
        "group": finding.group or names.get(finding.subject, ""),
        "account": finding.account,
        "permission_set": finding.permission_set,
        "rule": finding.rule,
    }
    return {name: value for name, value in fields.items() if value}


def count(findings: Iterable[Finding]) -> None:
    """One `Findings` datum per kind and severity (Powertools Metrics, in its own EMF line for the dimensions)."""
    settings = _runtime.handler_settings()
    kinds = Counter((f.kind or UNCLASSIFIED, f.severity) for f in findings)
    for (kind, severity), n in sorted(kinds.items()):
        with single_metric(
            name="Findings",
            unit=MetricUnit.Count,
            value=n,
            namespace=settings.powertools_metrics_namespace,
            default_dimensions={"service": settings.powertools_service_name},
        ) as metric:
            metric.add_dimension(name="kind", value=kind)
            metric.add_dimension(name="severity", value=severity)


def body(message: ReconcileMessage, summary: str, **details: Any) -> str:
    """A notification's message: the reconcile it is about, then the details."""
    about = {"scope": str(message.to_scope()), "trigger": message.trigger, "origin": message.id}
    about |= {"reason": message.reason, "summary": summary, **details}
    return json.dumps(about, indent=2, default=str)[:250_000]


def tell_findings(report: Report, message: ReconcileMessage, logger: Logger) -> tuple[ToldFinding, ...]:
    """Log and count every finding; notify, in one message, those not notified within the quiet period."""
    by_key = {finding_key(f): f for f in report.findings}
    levels: dict[str, Callable[..., None]] = {"info": logger.info, "warning": logger.warning, "error": logger.error}
    for finding in by_key.values():
        levels[finding.severity](finding.message, extra=log_fields(finding, report.names))
    count(by_key.values())
    now = time.time()
    fresh = [key for key in by_key if claim(key, now)]
    if fresh:
        try:
            _notify_findings(report, message, [by_key[key] for key in fresh])
        except Exception:
            release(fresh)
            raise
    return tuple(
        ToldFinding(severity=f.severity, kind=f.kind or UNCLASSIFIED, message=f.message, notified=key in fresh)
        for key, f in by_key.items()
    )


def _notify_findings(report: Report, message: ReconcileMessage, findings: Sequence[Finding]) -> None:
    scope = str(message.to_scope())
    if report.blocked is not None:
        subject = f"entra-aws: nothing applied to {scope} (blocked)"
    elif len(findings) == 1:
        subject = f"entra-aws: {findings[0]}"
    else:
        subject = f"entra-aws: {len(findings)} findings ({scope})"
    listed = [{"message": f.message, **log_fields(f, report.names)} for f in findings]
    _runtime.notify(subject, body(message, report.summary(), blocked=report.blocked, findings=listed))


def privileged_grants(report: Report, config: Config) -> list[Assignment]:
    """The assignments this reconcile created whose permission set is `privileged: true` in the config."""
    privileged = {ps.name for ps in config.permission_sets if ps.privileged}
    operations = [r.operation for r in report.succeeded if r.operation.kind == "create_assignment"]
    return [op.assignment for op in operations if op.assignment is not None and op.permission_set in privileged]


def tell_privileged_grants(report: Report, config: Config, message: ReconcileMessage, logger: Logger) -> int:
    """Log each new privileged grant and notify them all in one message; how many there were."""
    grants = privileged_grants(report, config)
    if not grants:
        return 0
    listed = []
    for grant in grants:
        fields = {
            "group" if grant.principal_type == "GROUP" else "user": report.names.get(grant.principal_id, ""),
            "principal_id": grant.principal_id,
            "account": grant.account_id,
            "permission_set": grant.permission_set,
        }
        logger.warning("privileged permission set granted", extra=fields)
        listed.append(fields)
    if len(grants) == 1:
        [grant] = grants
        who = report.names.get(grant.principal_id, grant.principal_id)
        subject = f"entra-aws: {grant.permission_set} granted to {who} on {grant.account_id}"
    else:
        subject = f"entra-aws: {len(grants)} privileged grants ({message.to_scope()})"
    _runtime.notify(subject, body(message, report.summary(), privileged_grants=listed))
    return len(grants)
