"""EventBridge events -> events queue -> the real router handler -> FIFO reconcile queue -> the real worker
handler, with Powertools idempotency on DynamoDB — all as the synthesized template defines them, created in the
emulator by the sandbox (`sandbox.deployment`), and the handlers run by its event-source-mapping
stand-in: receive, invoke, delete what the handler did not report as failed; SQS redrives after 3 receives."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from entra_aws.config import load_config
from entra_aws.engine.apply import OperationResult
from entra_aws.engine.model import Assignment, Finding
from entra_aws.engine.plan import Operation
from entra_aws.engine.scope import Scope
from sandbox.deployment import Deployment, StackTemplate, deploy, synthesize
from sandbox.lambda_runtime import Poller, cold_start
from tests.conftest import REPO
from tests.unit.events import samples

pytestmark = pytest.mark.integration
CONFIG = load_config(REPO / "config" / "example.yaml")


GRANT = Operation("create_assignment", "ReadOnly", assignment=Assignment("444444444445", "ReadOnly", "GROUP", "g-1"))


@dataclass
class FakeReport:
    succeeded: list[OperationResult] = field(default_factory=lambda: [OperationResult(GRANT, ok=True)])
    failed: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    blocked: str | None = None

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_dict(self) -> dict[str, Any]:
        return {"succeeded": self.succeeded, "failed": self.failed}

    def summary(self) -> str:
        return f"{len(self.succeeded)} succeeded"


@dataclass
class Deployed:
    deployment: Deployment
    poller: Poller
    events: str
    events_dlq: str
    reconcile: str

    def pump(self, queue_url: str) -> list[str]:
        """One poll of the queue's event-source mapping; the message bodies it delivered."""
        mapping = next(m for m in self.deployment.mappings if m.queue_url == queue_url)
        invocation = self.poller.poll(mapping)
        return invocation.records if invocation else []

    def drain(self, queue_url: str) -> None:
        while self.pump(queue_url):
            pass


@pytest.fixture(scope="module")
def templates() -> list[StackTemplate]:
    return synthesize(CONFIG)


@pytest.fixture
def env(aws: str, templates: list[StackTemplate]) -> Deployed:
    deployment = deploy(templates, CONFIG, "111111111111")
    cold_start(deployment)
    queue = {m.function.handler.split(".")[1]: m.queue_url for m in deployment.mappings}
    [events_dlq] = [url for logical_id, url in deployment.dead_letter_queues.items() if "EventsDlq" in logical_id]
    poller = Poller(deployment, boto3.Session())
    return Deployed(deployment, poller, queue["event_router"], events_dlq, queue["reconcile_worker"])


def send(queue_url: str, body: str) -> None:
    boto3.client("sqs").send_message(QueueUrl=queue_url, MessageBody=body)


def test_scim_group_event_reaches_the_worker_once_and_malformed_goes_to_dlq(
    env: Deployed, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from lambdas import reconcile_worker

    reconciled: list[Scope] = []
    monkeypatch.setattr(reconcile_worker, "run_reconcile", lambda scope, **_: reconciled.append(scope) or FakeReport())
    event = json.dumps(samples.scim_create_group())
    send(env.events, event)
    send(env.events, "{not json")
    send(env.events, event)  # the same event delivered twice
    for _ in range(4):
        env.pump(env.events)
    sqs = boto3.client("sqs")
    dead = sqs.receive_message(QueueUrl=env.events_dlq, MaxNumberOfMessages=10).get("Messages", [])
    assert [m["Body"] for m in dead] == ["{not json"]
    env.drain(env.reconcile)
    assert reconciled == [Scope.group(samples.GROUP_ID)]


def test_drift_is_notified_and_reconciled(env: Deployed, monkeypatch: pytest.MonkeyPatch) -> None:
    from lambdas import _runtime, reconcile_worker

    notes: list[str] = []
    monkeypatch.setattr(_runtime, "notify", lambda subject, message: notes.append(subject))
    monkeypatch.setattr(reconcile_worker, "run_reconcile", lambda scope, **_: FakeReport())
    send(
        env.events,
        json.dumps(samples.cloudtrail("sso-CreateAccountAssignment-GROUP-console-root.mgmtacct.json")),
    )
    env.pump(env.events)
    env.drain(env.reconcile)
    assert notes == [
        "entra-aws: manual Identity Center change (CreateAccountAssignment)",
        f"entra-aws: drift reverted (group:{samples.GROUP_ID})",
    ]


def test_failed_reconcile_is_reported_and_retried(env: Deployed, monkeypatch: pytest.MonkeyPatch) -> None:
    from entra_aws.events.messages import ReconcileMessage
    from lambdas import _runtime, reconcile_worker

    notes: list[str] = []
    monkeypatch.setattr(_runtime, "notify", lambda subject, message: notes.append(subject))
    monkeypatch.setattr(reconcile_worker, "run_reconcile", lambda scope, **_: FakeReport(failed=["x"]))
    message = ReconcileMessage.for_scope("evt-1", "schedule", Scope.everything())
    boto3.client("sqs").send_message(
        QueueUrl=env.reconcile, MessageBody=message.model_dump_json(), MessageGroupId=message.group_id
    )
    assert len(env.pump(env.reconcile)) == 1
    assert notes == ["entra-aws: reconcile of all failed"]
    assert len(env.pump(env.reconcile)) == 1, "the failed message is delivered again"


def test_a_finding_found_by_every_schedule_is_notified_once(env: Deployed, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker remembers what it notified in the deployed idempotency table (a conditional put), not in
    Identity Center: two scheduled reconciles finding the same refusal send one notification."""
    from entra_aws.events.messages import ReconcileMessage
    from lambdas import _runtime, reconcile_worker

    notes: list[str] = []
    refused = Finding("warning", "convention per-account, group 'AWS-444444444445-AdministratorAccess': refused")
    monkeypatch.setattr(_runtime, "notify", lambda subject, message: notes.append(subject))
    monkeypatch.setattr(reconcile_worker, "run_reconcile", lambda scope, **_: FakeReport([], findings=[refused]))
    for schedule in ("schedule-1", "schedule-2"):
        message = ReconcileMessage.for_scope(schedule, "schedule", Scope.everything())
        boto3.client("sqs").send_message(
            QueueUrl=env.reconcile, MessageBody=message.model_dump_json(), MessageGroupId=message.group_id
        )
        assert len(env.pump(env.reconcile)) == 1
    assert notes == [f"entra-aws: {refused}"]


def test_a_reconcile_out_of_time_queues_its_scope_again_and_succeeds(
    env: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    from entra_aws.events.messages import ReconcileMessage
    from lambdas import reconcile_worker

    seen: list[tuple[Scope, float]] = []

    def out_of_time(scope: Scope, progress: object, remaining_seconds: float) -> FakeReport:
        seen.append((scope, remaining_seconds))
        return FakeReport(deferred=["op"] * 40) if len(seen) == 1 else FakeReport()

    monkeypatch.setattr(reconcile_worker, "run_reconcile", out_of_time)
    message = ReconcileMessage.for_scope("evt-9", "deploy", Scope.everything(), "cdk deploy")
    boto3.client("sqs").send_message(
        QueueUrl=env.reconcile, MessageBody=message.model_dump_json(), MessageGroupId=message.group_id
    )
    first = env.pump(env.reconcile)
    follow_up = ReconcileMessage.model_validate_json(env.pump(env.reconcile)[0])
    assert env.pump(env.reconcile) == []  # nothing deferred the second time
    assert len(first) == 1 and seen[0][0] == Scope.everything()
    assert 800 < seen[0][1] <= 900, "the worker's remaining time, from its synthesized 15-minute timeout"
    assert follow_up.id.startswith("evt-9+") and follow_up.trigger == "deploy"
    assert follow_up.to_scope() == Scope.everything()
    assert "40 operations deferred" in follow_up.reason


def test_a_permission_set_changed_by_hand_is_routed_by_its_name(env: Deployed, monkeypatch: pytest.MonkeyPatch) -> None:
    """The router names a permission set from its ARN (DescribePermissionSet): a set of the config is reconciled,
    any other is left alone, one that no longer exists makes a full reconcile."""
    from lambdas import _runtime, reconcile_worker

    reconciled: list[Scope] = []
    monkeypatch.setattr(_runtime, "notify", lambda subject, message: None)
    monkeypatch.setattr(reconcile_worker, "run_reconcile", lambda scope, **_: reconciled.append(scope) or FakeReport())
    sso = boto3.client("sso-admin", region_name="eu-west-1")
    instance = sso.list_instances()["Instances"][0]["InstanceArn"]
    arns = {
        name: sso.create_permission_set(InstanceArn=instance, Name=name)["PermissionSet"]["PermissionSetArn"]
        for name in ("ReadOnly", "HandMade")
    }
    gone = arns["HandMade"].rsplit("/", 1)[0] + "/ps-0000000000000000"
    sample = samples.cloudtrail("sso-CreateAccountAssignment-GROUP-console-root.mgmtacct.json")
    for index, arn in enumerate([arns["ReadOnly"], arns["HandMade"], gone]):
        event = samples.derive(
            sample,
            eventName="PutInlinePolicyToPermissionSet",
            requestParameters={"instanceArn": instance, "permissionSetArn": arn, "inlinePolicy": "{}"},
            responseElements=None,
        )
        event["id"] = f"inline-{index}"
        send(env.events, json.dumps(event))
        env.drain(env.events)
    env.drain(env.reconcile)
    assert reconciled == [Scope.permission_set("ReadOnly"), Scope.everything()]
