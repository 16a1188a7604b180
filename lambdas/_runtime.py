"""What every handler shares: the config shipped in the asset, settings from the environment, lazy clients.

The config travels as JSON (`config.json` next to this package) because PyYAML is not on the Lambda runtime.
Settings are read once per container, on first use: importing a handler reads no variable.
"""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Callable, Sequence
from functools import cache, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from lambdas.settings import FunctionSettings, HandlerSettings

if TYPE_CHECKING:
    from entra_aws.config.models import Config
    from entra_aws.events.messages import ReconcileMessage

ASSET_ROOT = Path(__file__).resolve().parents[1]

P = ParamSpec("P")
R = TypeVar("R")


@cache
def function_settings() -> FunctionSettings:
    return FunctionSettings.from_environment(os.environ)


@cache
def handler_settings() -> HandlerSettings:
    """The router's and the worker's settings (a superset of `function_settings`)."""
    return HandlerSettings.from_environment(os.environ)


@cache
def config() -> Config:
    from entra_aws.config.models import Config

    path = function_settings().entra_aws_config or ASSET_ROOT / "config.json"
    return Config.model_validate(json.loads(path.read_text(encoding="utf-8")))


def automation_role_arns() -> frozenset[str]:
    return frozenset(handler_settings().automation_role_arns)


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
    store = DynamoDBPersistenceLayer(table_name=handler_settings().idempotency_table)
    wrapped = idempotent_function(data_keyword_argument=keyword, persistence_store=store, config=config)(function)
    return config, wrapped


def queue_reconciles(messages: Sequence[ReconcileMessage]) -> None:
    """Send to the reconcile FIFO queue (ten per call); a refused entry raises, so the caller's record is retried."""
    queue_url = function_settings().reconcile_queue_url
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
    """Publish to the topic; the subject is shortened at a word to fit SNS's limit (under 100 characters)."""
    subject = textwrap.shorten(subject, width=99, placeholder=" ...")
    client("sns").publish(TopicArn=handler_settings().topic_arn, Subject=subject, Message=message)


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
