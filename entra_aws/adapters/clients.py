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


def error_code(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))
