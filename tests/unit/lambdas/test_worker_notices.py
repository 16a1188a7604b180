"""Said, not silent: the worker tells the platform team every finding (notified once a week at most, counted by
kind, logged with what it is about), every new privileged grant, and a blocked reconcile without failing it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from entra_aws.config import load_config
from entra_aws.engine.apply import OperationResult
from entra_aws.engine.model import Assignment, Finding
from entra_aws.engine.plan import Operation, Plan
from entra_aws.engine.report import Report
from entra_aws.engine.scope import Scope
from entra_aws.events.messages import ReconcileMessage
from lambdas import _runtime, notices, reconcile_worker
from lambdas.results import Reconciled, ToldFinding
from tests.conftest import REPO
from tests.unit.lambdas.test_settings import HANDLER

CONFIG = load_config(REPO / "config" / "example.yaml")
GROUP_ID = "9a1b2c3d-0000-4000-8000-000000000001"
REFUSED = Finding(
    "warning",
    "convention per-account, group 'AWS-444444444445-AdministratorAccess': asks for 'AdministratorAccess', "
    "which this convention does not grant (allowed: ReadOnly, Developer, Billing)",
    GROUP_ID,
)
WEEK = notices.QUIET_SECONDS


class ConditionalCheckFailedError(Exception):
    pass


@dataclass
class FakeDynamoDB:
    """The idempotency table's conditional put and delete, as DynamoDB evaluates them."""

    items: dict[str, int] = field(default_factory=dict)
    exceptions: Any = field(default_factory=lambda: type("Exceptions", (), {}))

    def __post_init__(self) -> None:
        self.exceptions.ConditionalCheckFailedException = ConditionalCheckFailedError

    def put_item(self, **call: Any) -> None:
        assert call["TableName"] == "idempotency"
        assert call["ConditionExpression"] == "attribute_not_exists(id) OR expiration < :now"
        key, now = call["Item"]["id"]["S"], int(call["ExpressionAttributeValues"][":now"]["N"])
        if key in self.items and self.items[key] >= now:
            raise ConditionalCheckFailedError(key)
        self.items[key] = int(call["Item"]["expiration"]["N"])

    def delete_item(self, **call: Any) -> None:
        self.items.pop(call["Key"]["id"]["S"], None)


@dataclass
class FakeSns:
    published: list[dict[str, str]] = field(default_factory=list)
    fails: bool = False

    def publish(self, **kwargs: str) -> None:
        if self.fails:
            raise RuntimeError("SNS is unavailable")
        self.published.append(kwargs)

    @property
    def subjects(self) -> list[str]:
        return [p["Subject"] for p in self.published]


@dataclass
class Worker:
    dynamodb: FakeDynamoDB
    sns: FakeSns
    monkeypatch: pytest.MonkeyPatch
    now: float = 1_800_000_000.0

    def reconcile(self, report: Report, trigger: str = "schedule") -> Reconciled:
        """The worker's handling of one message whose reconcile returns `report`."""
        self.monkeypatch.setattr(reconcile_worker, "run_reconcile", lambda *args, **kwargs: report)
        self.monkeypatch.setattr(time, "time", lambda: self.now)
        message = ReconcileMessage.for_scope("origin-1", trigger, report.scope)  # type: ignore[arg-type]
        return Reconciled.model_validate(reconcile_worker.handle_message(message.model_dump(mode="json")))


@pytest.fixture
def worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[Worker]:
    for name, value in HANDLER.to_environment().items():
        monkeypatch.setenv(name, value)
    _runtime.handler_settings.cache_clear()
    fakes = {"dynamodb": FakeDynamoDB(), "sns": FakeSns()}
    monkeypatch.setattr(_runtime, "client", fakes.__getitem__)
    monkeypatch.setattr(_runtime, "config", lambda: CONFIG)
    yield Worker(fakes["dynamodb"], fakes["sns"], monkeypatch)  # type: ignore[arg-type]
    reconcile_worker.metrics.clear_metrics()
    _runtime.handler_settings.cache_clear()


def applied(*findings: Finding, results: list[OperationResult] | None = None, scope: Scope | None = None) -> Report:
    plan = Plan(findings=list(findings))
    names = {GROUP_ID: "AWS-Platform-Admins"}
    return Report(scope or Scope.everything(), plan, applied=True, results=results or [], names=names)


def granted(permission_set: str, account_id: str = "555555555557") -> OperationResult:
    assignment = Assignment(account_id, permission_set, "GROUP", GROUP_ID)
    return OperationResult(Operation("create_assignment", permission_set, assignment=assignment), ok=True)


def test_the_same_finding_is_notified_once_within_the_week(worker: Worker) -> None:
    first = worker.reconcile(applied(REFUSED), trigger="event")
    assert worker.sns.subjects == [
        "entra-aws: warning: convention per-account, group 'AWS-444444444445-AdministratorAccess': asks ..."
    ]
    assert first.findings == (
        ToldFinding(severity="warning", kind="unclassified", message=REFUSED.message, notified=True),
    )
    worker.now += 6 * 3600  # the next scheduled reconcile finds it again
    again = worker.reconcile(applied(REFUSED, REFUSED))
    assert len(worker.sns.published) == 1, "not mailed again within the week"
    assert [f.notified for f in again.findings] == [False]
    worker.now += WEEK
    worker.reconcile(applied(REFUSED))
    assert len(worker.sns.published) == 2, "a finding that stays is told again after the week"


def test_findings_are_notified_together_with_what_they_are_about(worker: Worker) -> None:
    pinned = Finding(
        "error", "rule platform-admins: the group is not pinned", GROUP_ID, kind="unpinned", rule="platform-admins"
    )
    worker.reconcile(applied(REFUSED, pinned))
    [notification] = worker.sns.published
    assert notification["Subject"] == "entra-aws: 2 findings (all)"
    told = json.loads(notification["Message"])["findings"]
    assert told[1] == {
        "message": pinned.message,
        "severity": "error",
        "kind": "unpinned",
        "subject": GROUP_ID,
        "group": "AWS-Platform-Admins",
        "rule": "platform-admins",
    }


def test_a_notification_not_sent_leaves_the_finding_to_the_next_reconcile(worker: Worker) -> None:
    worker.sns.fails = True
    with pytest.raises(RuntimeError, match="SNS is unavailable"):
        worker.reconcile(applied(REFUSED))
    worker.sns.fails = False
    worker.reconcile(applied(REFUSED))
    assert len(worker.sns.published) == 1


def test_each_finding_is_counted_by_kind_and_severity(worker: Worker, capsys: pytest.CaptureFixture[str]) -> None:
    unpinned = Finding("error", "rule x: not pinned", kind="unpinned")
    worker.reconcile(applied(REFUSED, unpinned, Finding("error", "rule y: not pinned", kind="unpinned")))
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    counts = {(e["kind"], e["severity"]): e["Findings"] for e in emitted if "Findings" in e}
    assert counts == {("unclassified", "warning"): [1.0], ("unpinned", "error"): [2.0]}
    [directive] = {json.dumps(d) for e in emitted for d in e["_aws"]["CloudWatchMetrics"] if "Findings" in str(d)}
    assert json.loads(directive)["Namespace"] == "EntraAws"


def test_each_finding_is_logged_with_the_group_it_is_about(worker: Worker, caplog: pytest.LogCaptureFixture) -> None:
    worker.reconcile(applied(REFUSED))
    [logged] = [record for record in caplog.records if record.getMessage() == REFUSED.message]
    assert (logged.levelname, logged.__dict__["group"], logged.__dict__["kind"]) == (
        "WARNING",
        "AWS-Platform-Admins",
        "unclassified",
    )


def test_a_new_grant_of_a_privileged_permission_set_is_notified(worker: Worker) -> None:
    worker.reconcile(applied(results=[granted("AdministratorAccess"), granted("ReadOnly")]))
    [notification] = worker.sns.published
    assert notification["Subject"] == "entra-aws: AdministratorAccess granted to AWS-Platform-Admins on 555555555557"
    listed = json.loads(notification["Message"])["privileged_grants"]
    assert [g["permission_set"] for g in listed] == ["AdministratorAccess"], "ReadOnly is not privileged"


def test_a_blocked_reconcile_is_notified_and_does_not_fail(worker: Worker) -> None:
    held = Finding("error", "mass deletion held: the plan deletes 40 of the 42 managed assignments", "mass_delete")
    report = applied(held)
    report.applied = False
    report.blocked = held.message
    reconciled = worker.reconcile(report)
    assert worker.sns.subjects == ["entra-aws: nothing applied to all (blocked)"]
    assert json.loads(worker.sns.published[0]["Message"])["blocked"] == held.message
    assert reconciled.findings[0].notified
