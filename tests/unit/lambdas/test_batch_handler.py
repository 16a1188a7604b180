"""The queue-fed functions' Lambda handler: partial batch failures for Lambda, each record's result kept for a
runtime in the same process, and a broken environment failing the whole invocation in one line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from lambdas import _runtime, batch
from lambdas.results import Routed
from lambdas.settings import SettingsError
from sandbox.lambda_runtime import LambdaContext
from tests.unit.lambdas.test_settings import HANDLER

CONTEXT = LambdaContext("router", 512, "arn:aws:lambda:eu-west-1:111111111111:function:router", timeout_seconds=60)


class IdempotencyConfig:
    def register_lambda_context(self, context: Any) -> None:
        self.context = context


def record(message_id: str, body: str) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "receiptHandle": f"handle-{message_id}",
        "body": body,
        "attributes": {},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-west-1:111111111111:events",
        "awsRegion": "eu-west-1",
    }


def route(record: SQSRecord) -> Routed:
    if record.body == "malformed":
        raise ValueError("not an event")
    return Routed(queued=(record.body,), reason="test")


@pytest.fixture
def handler(monkeypatch: pytest.MonkeyPatch) -> Iterator[batch.BatchHandler]:
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    for name, value in HANDLER.to_environment().items():
        monkeypatch.setenv(name, value)
    _runtime.handler_settings.cache_clear()
    config = IdempotencyConfig()
    metrics = Metrics(namespace="Test")
    yield batch.sqs_batch_handler(route, lambda: (config, None), logger=Logger(service="test"), metrics=metrics)
    _runtime.handler_settings.cache_clear()


def test_a_failed_record_is_reported_and_every_result_is_kept(handler: batch.BatchHandler) -> None:
    event = {"Records": [record("1", "group:a"), record("2", "malformed"), record("3", "all")]}
    assert handler(event, CONTEXT) == {"batchItemFailures": [{"itemIdentifier": "2"}]}
    first, failed, third = handler.results
    assert (first, third) == (Routed(queued=("group:a",), reason="test"), Routed(queued=("all",), reason="test"))
    assert isinstance(failed, ValueError)
    handler({"Records": [record("4", "account:1")]}, CONTEXT)
    assert handler.results == [Routed(queued=("account:1",), reason="test")], "only the latest invocation's"


def test_a_missing_variable_fails_the_invocation_in_one_line(
    handler: batch.BatchHandler, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IDEMPOTENCY_TABLE")
    with pytest.raises(SettingsError, match=r"^the Lambda environment is not usable: IDEMPOTENCY_TABLE is not set$"):
        handler({"Records": [record("1", "all")]}, CONTEXT)
    assert handler.results == []
