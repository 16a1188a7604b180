"""EventBridge events -> events queue (moto SQS) -> the real router handler -> FIFO reconcile queue -> the
real worker handler, with Powertools idempotency on a moto DynamoDB table. The Lambda event-source mapping is
simulated faithfully: receive, invoke, delete what the handler did not report as failed; redrive after 3."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from entra_aws.engine.scope import Scope
from tests.unit.events import samples

REPO = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.integration


@dataclass
class Context:
    function_name: str = "test"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:111111111111:function:test"
    aws_request_id: str = "req"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


@dataclass
class FakeReport:
    succeeded: list[str] = field(default_factory=lambda: ["op"])
    failed: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_dict(self) -> dict[str, Any]:
        return {"succeeded": self.succeeded, "failed": self.failed}

    def summary(self) -> str:
        return f"{len(self.succeeded)} succeeded"


@pytest.fixture
def env(aws: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    sqs = boto3.client("sqs")
    events_dlq = sqs.create_queue(QueueName="events-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=events_dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})
    events = sqs.create_queue(QueueName="events", Attributes={"RedrivePolicy": redrive})["QueueUrl"]
    reconcile = sqs.create_queue(
        QueueName="reconcile.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    boto3.client("dynamodb").create_table(
        TableName="idempotency",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    config_json = aws_tmp(monkeypatch) / "config.json"
    from entra_aws.config import load_config
    from stacks.lambda_asset import config_document

    config_json.write_text(json.dumps(config_document(load_config(REPO / "config" / "example.yaml"))))
    values = {
        "ENTRA_AWS_CONFIG": str(config_json),
        "RECONCILE_QUEUE_URL": reconcile,
        "IDEMPOTENCY_TABLE": "idempotency",
        "AUTOMATION_ROLE_ARNS": "arn:aws:iam::111111111111:role/entra-aws-reconcile-worker",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_SERVICE_NAME": "entra-aws",
        "POWERTOOLS_METRICS_NAMESPACE": "EntraAws",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    import importlib

    from lambdas import _runtime, event_router, reconcile_worker

    for module in (_runtime, event_router, reconcile_worker):  # a fresh container: Powertools reads the env at import
        importlib.reload(module)
    return {"events": events, "events_dlq": events_dlq, "reconcile": reconcile}


def aws_tmp(monkeypatch: pytest.MonkeyPatch) -> Path:
    import tempfile

    return Path(tempfile.mkdtemp())


def pump(queue_url: str, handler: Any) -> list[dict[str, Any]]:
    """One event-source-mapping poll: receive a batch, invoke, delete the successes."""
    sqs = boto3.client("sqs")
    received = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0, AttributeNames=["All"]
    ).get("Messages", [])
    if not received:
        return []
    records = [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": m.get("Attributes", {}),
            "messageAttributes": {},
            "md5OfBody": m["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:eu-west-1:111111111111:q",
            "awsRegion": "eu-west-1",
        }
        for m in received
    ]
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    try:
        response = handler({"Records": records}, Context())
        failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
    except BatchProcessingError:  # every record failed: the mapping retries the whole batch
        failed = {r["messageId"] for r in records}
    for m in received:
        if m["MessageId"] not in failed:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
    return records


def send(queue_url: str, body: str) -> None:
    boto3.client("sqs").send_message(QueueUrl=queue_url, MessageBody=body)


def test_scim_group_event_reaches_the_worker_once_and_malformed_goes_to_dlq(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from lambdas import event_router, reconcile_worker

    reconciled: list[Scope] = []
    monkeypatch.setattr(reconcile_worker, "run_reconcile", lambda scope, **_: reconciled.append(scope) or FakeReport())
    event = json.dumps(samples.scim_create_group())
    send(env["events"], event)
    send(env["events"], "{not json")
    send(env["events"], event)  # the same event delivered twice
    for _ in range(4):
        pump(env["events"], event_router.handler)
    sqs = boto3.client("sqs")
    dead = sqs.receive_message(QueueUrl=env["events_dlq"], MaxNumberOfMessages=10).get("Messages", [])
    assert [m["Body"] for m in dead] == ["{not json"]
    while pump(env["reconcile"], reconcile_worker.handler):
        pass
    assert reconciled == [Scope.group(samples.GROUP_ID)]


def test_drift_is_notified_and_reconciled(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from lambdas import _runtime, event_router, reconcile_worker

    notes: list[str] = []
    monkeypatch.setattr(_runtime, "notify", lambda subject, message: notes.append(subject))
    monkeypatch.setattr(reconcile_worker, "run_reconcile", lambda scope, **_: FakeReport())
    send(
        env["events"],
        json.dumps(samples.cloudtrail("sso-CreateAccountAssignment-GROUP-console-root.mgmtacct.json")),
    )
    pump(env["events"], event_router.handler)
    while pump(env["reconcile"], reconcile_worker.handler):
        pass
    assert notes == [
        "entra-aws: manual Identity Center change (CreateAccountAssignment)",
        f"entra-aws: drift reverted (group:{samples.GROUP_ID})",
    ]


def test_failed_reconcile_is_reported_and_retried(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from entra_aws.events.messages import ReconcileMessage
    from lambdas import _runtime, reconcile_worker

    notes: list[str] = []
    monkeypatch.setattr(_runtime, "notify", lambda subject, message: notes.append(subject))
    monkeypatch.setattr(reconcile_worker, "run_reconcile", lambda scope, **_: FakeReport(failed=["x"]))
    message = ReconcileMessage.for_scope("evt-1", "schedule", Scope.everything())
    boto3.client("sqs").send_message(
        QueueUrl=env["reconcile"], MessageBody=message.model_dump_json(), MessageGroupId=message.group_id
    )
    records = pump(env["reconcile"], reconcile_worker.handler)
    assert len(records) == 1
    assert notes == ["entra-aws: reconcile of all failed"]


def test_a_reconcile_out_of_time_queues_its_scope_again_and_succeeds(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
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
        QueueUrl=env["reconcile"], MessageBody=message.model_dump_json(), MessageGroupId=message.group_id
    )
    first = pump(env["reconcile"], reconcile_worker.handler)
    follow_up = ReconcileMessage.model_validate_json(pump(env["reconcile"], reconcile_worker.handler)[0]["body"])
    assert pump(env["reconcile"], reconcile_worker.handler) == []  # nothing deferred the second time
    assert len(first) == 1 and seen[0] == (Scope.everything(), 60.0)
    assert follow_up.id.startswith("evt-9+") and follow_up.trigger == "deploy"
    assert follow_up.to_scope() == Scope.everything()
    assert "40 operations deferred" in follow_up.reason
