"""boto3 clients for one reconcile: standard credential chain, AWS_ENDPOINT_URL honoured by botocore,
adaptive retries, and a log of every API call made (tests and the benchmark count them)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config as BotoConfig

RETRIES = BotoConfig(retries={"mode": "adaptive", "max_attempts": 10}, connect_timeout=5, read_timeout=30)


@dataclass
class CallLog:
    """Counts logical API calls (one per operation, whatever botocore retried underneath)."""

    calls: Counter[str] = field(default_factory=Counter)

    def record(self, model: Any, **_: Any) -> None:
        self.calls[f"{model.service_model.service_name}:{model.name}"] += 1

    def attach(self, client: Any) -> Any:
        client.meta.events.register("before-call.*.*", self.record)
        return client

    @property
    def total(self) -> int:
        return sum(self.calls.values())


def make_client(session: boto3.Session, service: str, region: str, log: CallLog) -> Any:
    return log.attach(session.client(service, region_name=region, config=RETRIES))  # type: ignore[call-overload]


def largest_page(client: Any, operation: str) -> int | None:
    """The largest MaxResults the service model allows for a paginated operation (None: it takes no size).

    Without MaxResults a listing gets the service's default page size, which the API references do not promise
    to be the largest; asking for the largest keeps a reconcile at the fewest calls AWS permits.
    """
    model = client.meta.service_model.operation_model(client.meta.method_to_api_mapping[operation])
    size = model.input_shape.members.get("MaxResults")
    return int(size.metadata["max"]) if size is not None and "max" in size.metadata else None


def paginate(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    """Every item of a paginated listing, read in the largest pages the API allows."""
    size = largest_page(client, operation)
    config = {"PageSize": size} if size else {}
    pages = client.get_paginator(operation).paginate(**kwargs, PaginationConfig=config)
    return [item for page in pages for item in page[key]]


def error_code(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))
