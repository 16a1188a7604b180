"""What every handler shares: the config shipped in the asset, settings from the environment, lazy clients.

The config travels as JSON (`config.json` next to this package) because PyYAML is not on the Lambda runtime.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from functools import cache, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics

    from entra_aws.config.models import Config
    from entra_aws.events.messages import ReconcileMessage

ASSET_ROOT = Path(__file__).resolve().parents[1]

P = ParamSpec("P")
R = TypeVar("R")


@cache
def config() -> Config:
    from entra_aws.config.models import Config

    path = Path(os.environ.get("ENTRA_AWS_CONFIG", ASSET_ROOT / "config.json"))
    return Config.model_validate(json.loads(path.read_text(encoding="utf-8")))


def automation_role_arns() -> frozenset[str]:
    return frozenset(a for a in os.environ.get("AUTOMATION_ROLE_ARNS", "").split(",") if a)


@cache
def client(service: str) -> Any:
    import boto3

    return boto3.client(service)  # type: ignore[call-overload]


def idempotent(function: Callable[..., Any], *, keyword: str, key: str) -> tuple[Any, Callable[..., Any]]:
    """(IdempotencyConfig, wrapped function): one result per `key` (a JMESPath into the `keyword` argument)
    for 24 hours, persisted in DynamoDB. Built on first use, so importing a handler creates no boto3 client."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    config = IdempotencyConfig(event_key_jmespath=key, expires_after_seconds=24 * 3600)
    store = DynamoDBPersistenceLayer(table_name=os.environ.get("IDEMPOTENCY_TABLE", "entra-aws-idempotency"))
    wrapped = idempotent_function(data_keyword_argument=keyword, persistence_store=store, config=config)(function)
    return config, wrapped


def queue_reconciles(messages: Sequence[ReconcileMessage]) -> None:
    """Send to the reconcile FIFO queue (ten per call); a refused entry raises, so the caller's record is retried."""
    queue_url = os.environ["RECONCILE_QUEUE_URL"]
    for start in range(0, len(messages), 10):
        chunk = messages[start : start + 10]
        response = client("sqs").send_message_batch(
            QueueUrl=queue_url,
            Entries=[
                {
                    "Id": str(i),
                    "MessageBody": m.model_dump_json(),
                    "MessageGroupId": m.group_id,
                    "MessageDeduplicationId": m.deduplication_id,
                }
                for i, m in enumerate(chunk)
            ],
        )
        if response.get("Failed"):
            raise RuntimeError(f"could not queue reconciles: {response['Failed']}")


def notify(subject: str, message: str) -> None:
    topic = os.environ.get("TOPIC_ARN")
    if topic:
        client("sns").publish(TopicArn=topic, Subject=subject[:100], Message=message)


def sqs_batch_handler(
    record_handler: Callable[..., Any], idempotency: Callable[[], tuple[Any, Any]], *, logger: Logger, metrics: Metrics
) -> Callable[[dict[str, Any], Any], Any]:
    """The Lambda handler both SQS-triggered functions share: one record at a time with partial batch failures,
    idempotency bound to the invocation's context, Powertools logging, metrics and tracing."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    processor = BatchProcessor(event_type=EventType.SQS)

    @traced
    @metrics.log_metrics
    @logger.inject_lambda_context
    def handler(event: dict[str, Any], context: Any) -> Any:
        idempotency()[0].register_lambda_context(context)
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return handler


def traced(handler: Callable[P, R]) -> Callable[P, R]:
    """Powertools' `Tracer().capture_lambda_handler`, with the Tracer built on the first invocation.

    Building a Tracer imports and configures the X-Ray SDK (about 0.2 s), so importing a handler stays light
    (see bench/cold_start.py). Tracing is unchanged: the first invocation is still annotated as the cold start,
    and botocore is patched before the handler creates any client.
    """
    captured: Callable[P, R] | None = None

    @wraps(handler)
    def invoke(*args: P.args, **kwargs: P.kwargs) -> R:
        nonlocal captured
        if captured is None:
            from aws_lambda_powertools import Tracer

            captured = Tracer().capture_lambda_handler(handler)
        return captured(*args, **kwargs)

    return invoke
