"""boto3 clients for one reconcile: standard credential chain, AWS_ENDPOINT_URL honoured by botocore,
adaptive retries, a log of every API call made (tests and the benchmark count them), and the boundary where
botocore's ClientError becomes the engine's ApiError."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from entra_aws.engine.ports import ApiError

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


def api_error(error: ClientError) -> ApiError:
    body = error.response.get("Error", {})
    return ApiError(
        str(body.get("Code", "")),
        str(body.get("Message", "")),
        reason=str(error.response.get("Reason", "")),
        resource_type=str(error.response.get("ResourceType", "")),
        operation=error.operation_name,
    )


@contextmanager
def api_errors() -> Iterator[None]:
    """Inside: a ClientError leaves as ApiError (botocore puts modeled fields like Reason beside Error)."""
    try:
        yield
    except ClientError as error:
        raise api_error(error) from error


class ApiClient:
    """A boto3 client whose calls raise ApiError instead of ClientError; everything else passes through."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def __getattr__(self, name: str) -> Any:
        found = getattr(self.client, name)
        if name == "meta" or not callable(found):
            return found
        return _translated(found)


def _translated(call: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(call)
    def translated(*args: Any, **kwargs: Any) -> Any:
        with api_errors():
            return call(*args, **kwargs)

    return translated


def api_client(client: Any) -> ApiClient:
    return client if isinstance(client, ApiClient) else ApiClient(client)


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
    with api_errors():  # pages are fetched while iterating
        return [item for page in pages for item in page[key]]
