"""The Lambda handler both queue-fed functions share: one record at a time with partial batch failures
(Powertools' batch processing), idempotency bound to the invocation's context, Powertools logging, metrics and
tracing.

Lambda reads only the partial batch response. What the record handler returned or raised for each record of
the latest invocation stays on the handler (`BatchHandler.results`), for a runtime in the same process (the
sandbox) to tell what happened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.base import FailureResponse, SuccessResponse
from aws_lambda_powertools.utilities.batch.exceptions import ExceptionInfo

from lambdas import _runtime

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics


class ResultKeepingProcessor(BatchProcessor):
    """Powertools' SQS batch processor, keeping each record's result (or exception) in record order."""

    def __init__(self) -> None:
        super().__init__(event_type=EventType.SQS)
        self.results: list[object] = []

    def success_handler(self, record: Any, result: Any) -> SuccessResponse:
        self.results.append(result)
        return super().success_handler(record, result)

    def failure_handler(self, record: Any, exception: ExceptionInfo) -> FailureResponse:
        self.results.append(exception[1])
        return super().failure_handler(record, exception)


@dataclass(frozen=True)
class BatchHandler:
    """The function's Lambda handler (called with the event and the context) and its processor."""

    invoke: Callable[[dict[str, Any], Any], Any]
    processor: ResultKeepingProcessor

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        return self.invoke(event, context)

    @property
    def results(self) -> list[object]:
        """What the record handler returned, or raised, for each record of the latest invocation."""
        return list(self.processor.results)


def sqs_batch_handler(
    record_handler: Callable[..., Any], idempotency: Callable[[], tuple[Any, Any]], *, logger: Logger, metrics: Metrics
) -> BatchHandler:
    processor = ResultKeepingProcessor()

    @_runtime.traced
    @metrics.log_metrics
    @logger.inject_lambda_context
    def handler(event: dict[str, Any], context: Any) -> Any:
        _runtime.handler_settings()  # a missing or invalid variable fails the whole invocation, in one line
        idempotency()[0].register_lambda_context(context)
        processor.results.clear()
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return BatchHandler(handler, processor)
