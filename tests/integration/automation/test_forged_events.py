"""Only AWS's own events start a reconcile: a CloudTrail-shaped record put on the bus with a custom `source`
(anyone with events:PutEvents can) or a custom `detail-type` matches no rule in the emulator's EventBridge, while
the same record with AWS's envelope reaches the events queue. The rules are created from the synthesized
template by the sandbox, so this is the deployed pattern, evaluated by moto's own matcher."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from entra_aws.config import load_config
from entra_aws.events import rules
from sandbox.deployment import Deployment, StackTemplate, deploy, synthesize
from tests.conftest import REPO
from tests.unit.events import samples

pytestmark = pytest.mark.integration
CONFIG = load_config(REPO / "config" / "example.yaml")


@pytest.fixture(scope="module")
def templates() -> list[StackTemplate]:
    return synthesize(CONFIG)


@pytest.fixture
def deployment(aws: str, templates: list[StackTemplate]) -> Deployment:
    return deploy(templates, CONFIG, "111111111111")


def _put(event: dict[str, Any]) -> None:
    client = boto3.client("events", region_name=CONFIG.identity_center.region)
    entry = {"Source": event["source"], "DetailType": event["detail-type"], "Detail": json.dumps(event["detail"])}
    response = client.put_events(Entries=[entry])
    assert response["FailedEntryCount"] == 0


def _events_queue_messages(deployment: Deployment) -> list[dict[str, Any]]:
    [queue_url] = [m.queue_url for m in deployment.mappings if m.function.handler.endswith("event_router.handler")]
    sqs = boto3.client("sqs", region_name=CONFIG.identity_center.region)
    received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    return [json.loads(m["Body"]) for m in received.get("Messages", [])]


@pytest.mark.parametrize(
    "forgery",
    [
        {"source": "my.forger"},
        {"source": "sso.amazonaws.com"},
        {"detail-type": "Forged Event"},
    ],
    ids=["custom-source", "service-name-as-source", "custom-detail-type"],
)
def test_a_forged_scim_event_matches_no_rule(deployment: Deployment, forgery: dict[str, str]) -> None:
    _put(samples.scim_create_group() | forgery)
    assert _events_queue_messages(deployment) == []


def test_the_same_record_with_awss_envelope_reaches_the_events_queue(deployment: Deployment) -> None:
    _put(samples.scim_create_group())
    [message] = _events_queue_messages(deployment)
    assert message["detail"]["eventName"] == "CreateGroup"


def test_a_forged_manual_change_is_not_drift(deployment: Deployment) -> None:
    assignment = samples.cloudtrail("sso-CreateAccountAssignment-GROUP-console-root.mgmtacct.json")
    _put(assignment | {"source": "custom.sso"})
    assert _events_queue_messages(deployment) == []
    _put(assignment)
    assert len(_events_queue_messages(deployment)) == 1


def test_every_rule_pins_source_and_detail_type() -> None:
    specs = rules.rule_specs(include_users=True, automation_role_arns=["arn:aws:iam::111111111111:role/worker"])
    patterns = [spec.pattern for spec in specs] + [rules.organization_forward_pattern()]
    for pattern in patterns:
        sources = pattern["source"]
        assert all(s == {"prefix": "aws."} or (isinstance(s, str) and s.startswith("aws.")) for s in sources)
        assert set(pattern["detail-type"]) <= {rules.API_CALL, rules.SERVICE_EVENT}
