"""The Lambda service, in-process: an SQS event-source mapping polls the emulator's queue and invokes the real
handler with the function's environment (as synthesized) and a Lambda context; what the function prints (its
Powertools logs and metrics) is kept as its CloudWatch log would be, and what its record handler returned or
raised for each record (`lambdas.results`) is collected, so the simulator need not read the log.

Like the real mapping with ReportBatchItemFailures: a batch is received, the handler runs, the messages it did
not report as failed are deleted; failed ones are received again, and after the queue's maxReceiveCount SQS
moves them to the dead-letter queue. Visibility timeouts are not waited for (retries happen at once).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import logging
import os
import time
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from lambdas.batch import BatchHandler
from sandbox.deployment import Deployment, EventSourceMapping, Function

MAX_ROUNDS = 200


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    timeout_seconds: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = ""
    _started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self._started)) * 1000))


@dataclass
class Invocation:
    function: str
    records: list[str]
    """The message bodies delivered."""
    failed: int
    log: list[dict[str, Any]]
    """The function's structured log lines (metrics lines excluded)."""
    results: list[object] = field(default_factory=list)
    """What the record handler returned, or raised, for each record delivered (a `lambdas.results` value on
    success)."""
    error: str = ""
    """The last line of the error that failed the batch or its records, for people reading the output."""


def handler_module(function: Function) -> ModuleType:
    return importlib.import_module(function.handler.rsplit(".", 1)[0])


def cold_start(deployment: Deployment) -> None:
    """Load each function's code afresh inside its environment, as a new container does: Powertools reads its
    settings (service, namespace, log level) at import, and warm caches (config, clients, engine context) go."""
    for function in deployment.functions.values():
        with _environment(function, deployment.region):
            importlib.reload(importlib.import_module("lambdas._runtime"))
            importlib.reload(handler_module(function))


@contextlib.contextmanager
def _environment(function: Function, region: str) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(function.environment)
    os.environ.update(
        {
            "ENTRA_AWS_CONFIG": str(function.config_path),
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon here
        }
    )
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def _captured(module: ModuleType) -> Iterator[io.StringIO]:
    """Send the function's log handler and stdout (metrics) to a buffer for the invocation."""
    buffer = io.StringIO()
    handlers = _stream_handlers(module)
    previous = [h.setStream(buffer) for h in handlers]
    try:
        with contextlib.redirect_stdout(buffer):
            yield buffer
    finally:
        for handler, stream in zip(handlers, previous, strict=True):
            if stream is not None:
                handler.setStream(stream)


def _stream_handlers(module: ModuleType) -> list[logging.StreamHandler[Any]]:
    logger = getattr(module, "logger", None)
    inner = getattr(logger, "_logger", None)
    handlers = list(getattr(inner, "handlers", []))
    return [h for h in handlers if isinstance(h, logging.StreamHandler)]


def _log_lines(text: str) -> list[dict[str, Any]]:
    lines = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            record = {"message": line}
        if isinstance(record, dict) and "_aws" not in record:
            lines.append(record)
    return lines


@dataclass
class Returned:
    value: Any
    """What the handler returned, or the exception it raised."""
    results: list[object]
    """Per record, for a queue-fed handler: see `Invocation.results`."""
    log: list[dict[str, Any]]


def invoke(function: Function, event: dict[str, Any], region: str, account_id: str) -> Returned:
    module = handler_module(function)
    handler = getattr(module, function.handler.rsplit(".", 1)[1])
    context = LambdaContext(
        function_name=function.name,
        memory_limit_in_mb=function.memory_mb,
        invoked_function_arn=f"arn:aws:lambda:{region}:{account_id}:function:{function.name}",
        timeout_seconds=function.timeout_seconds,
        log_group_name=f"/aws/lambda/{function.name}",
    )
    with _environment(function, region), _captured(module) as output, warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        try:
            value = handler(event, context)
        except Exception as error:  # the Lambda service records the error; the mapping retries the batch
            value = error
    results = handler.results if isinstance(handler, BatchHandler) else []
    log = _log_lines(output.getvalue())
    return Returned(value, results, log + [{"level": "WARNING", "message": str(w.message)} for w in said])


def _last_error(result: Any, log: list[dict[str, Any]]) -> str:
    texts = [str(line.get("exception", "")) for line in log if line.get("exception")]
    if isinstance(result, Exception):
        texts.append(str(result))
    lines = [
        line.strip()
        for text in texts
        for line in text.splitlines()
        if line.strip() and not line.strip().startswith("For further information visit")  # pydantic's link
    ]
    return lines[-1][:300] if lines else ""


class Poller:
    """Every event-source mapping of a deployment, polled until the queues are drained."""

    def __init__(self, deployment: Deployment, session: Any) -> None:
        self.deployment = deployment
        self.sqs = session.client("sqs", region_name=deployment.region)
        self.invocations: list[Invocation] = []

    def poll(self, mapping: EventSourceMapping) -> Invocation | None:
        received = self.sqs.receive_message(
            QueueUrl=mapping.queue_url,
            MaxNumberOfMessages=mapping.batch_size,
            VisibilityTimeout=0,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not received:
            return None
        event = {"Records": [self._record(m, mapping) for m in received]}
        returned = invoke(mapping.function, event, self.deployment.region, self.deployment.account_id)
        failed = self._failed(returned.value, received)
        for message in received:
            if message["MessageId"] not in failed:
                self.sqs.delete_message(QueueUrl=mapping.queue_url, ReceiptHandle=message["ReceiptHandle"])
        invocation = Invocation(
            function=mapping.function.name,
            records=[m["Body"] for m in received],
            failed=len(failed),
            log=returned.log,
            results=returned.results,
            error=_last_error(returned.value, returned.log),
        )
        self.invocations.append(invocation)
        return invocation

    def drain(self) -> list[Invocation]:
        """Poll every mapping in turn until a whole round finds nothing."""
        start = len(self.invocations)
        for _ in range(MAX_ROUNDS):
            if all(self.poll(mapping) is None for mapping in list(self.deployment.mappings)):
                return self.invocations[start:]
        raise RuntimeError(f"the queues still held messages after {MAX_ROUNDS} polling rounds")

    def _record(self, message: dict[str, Any], mapping: EventSourceMapping) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": mapping.queue_arn,
            "awsRegion": self.deployment.region,
        }

    @staticmethod
    def _failed(result: Any, received: list[dict[str, Any]]) -> set[str]:
        if isinstance(result, dict) and "batchItemFailures" in result:
            return {f["itemIdentifier"] for f in result["batchItemFailures"]}
        if isinstance(result, Exception):  # the whole batch failed
            return {m["MessageId"] for m in received}
        return set()
