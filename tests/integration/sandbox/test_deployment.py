"""The sandbox deploys what `cdk synth` produces: each EventBridge rule in the emulator carries the synthesized
pattern and targets; the scheduled rule ignores events and, when fired, sends the worker a message it accepts."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from entra_aws.config import load_config
from sandbox import cloudtrail
from sandbox.deployment import Deployment, StackTemplate, deploy, synthesize
from sandbox.eventbridge_gaps import fire_schedule
from tests.conftest import REPO

pytestmark = pytest.mark.integration
CONFIG = load_config(REPO / "config" / "example.yaml")


@pytest.fixture(scope="module")
def templates() -> list[StackTemplate]:
    return synthesize(CONFIG)


@pytest.fixture
def deployed(aws: str, templates: list[StackTemplate]) -> Deployment:
    return deploy(templates, CONFIG, "111111111111")


def rules_of(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: r["Properties"] for k, r in template["Resources"].items() if r["Type"] == "AWS::Events::Rule"}


def test_every_synthesized_rule_exists_with_its_pattern(deployed: Deployment, templates: list[StackTemplate]) -> None:
    found = 0
    for stack in templates:
        events = boto3.client("events", region_name=stack.region)
        for logical_id, properties in rules_of(stack.template).items():
            region, name = deployed.rules[logical_id]
            assert region == stack.region
            rule = events.describe_rule(Name=name)
            if "EventPattern" in properties:
                pattern = json.loads(rule["EventPattern"])
                assert json.dumps(pattern, sort_keys=True) == json.dumps(
                    _partition_resolved(properties["EventPattern"]), sort_keys=True
                )
            else:
                assert rule["ScheduleExpression"] == properties["ScheduleExpression"]
            targets = events.list_targets_by_rule(Rule=name)["Targets"]
            assert len(targets) == len(properties["Targets"])
            found += 1
    assert found == 9  # seven automation rules + the schedule + the us-east-1 forwarder


def _partition_resolved(value: Any) -> Any:
    """The drift rule's role ARNs are Fn::Join with AWS::Partition in the template."""
    if isinstance(value, list):
        return [_partition_resolved(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"Fn::Join"}:
            separator, parts = value["Fn::Join"]
            return separator.join("aws" if p == {"Ref": "AWS::Partition"} else p for p in parts)
        return {k: _partition_resolved(v) for k, v in value.items()}
    return value


def test_an_organizations_event_is_forwarded_from_us_east_1_into_the_events_queue(deployed: Deployment) -> None:
    boto3.client("events", region_name="us-east-1").put_events(
        Entries=[cloudtrail.account_removed("444444444445", management="111111111111").entry()]
    )
    router = next(m for m in deployed.mappings if m.function.handler == "lambdas.event_router.handler")
    sqs = boto3.client("sqs", region_name="eu-west-1")
    [message] = sqs.receive_message(QueueUrl=router.queue_url, MaxNumberOfMessages=10)["Messages"]
    event = json.loads(message["Body"])
    assert event["detail"]["eventName"] == "RemoveAccountFromOrganization"
    assert event["account"] == "111111111111"


def test_the_schedule_ignores_events_and_when_fired_queues_a_full_reconcile(deployed: Deployment) -> None:
    from lambdas.reconcile_worker import parse

    worker = next(m for m in deployed.mappings if m.function.handler == "lambdas.reconcile_worker.handler")
    sqs = boto3.client("sqs", region_name="eu-west-1")
    boto3.client("events", region_name="eu-west-1").put_events(
        Entries=[
            cloudtrail.scim_group_deleted(
                "9067c0c5-3a81-4cbb-b1a5-1234567890ab", region="eu-west-1", account="111111111111"
            ).entry()
        ]
    )
    assert sqs.receive_message(QueueUrl=worker.queue_url).get("Messages", []) == []
    [(region, rule)] = deployed.schedules
    event_id = fire_schedule("111111111111", region, rule)
    [message] = sqs.receive_message(QueueUrl=worker.queue_url, AttributeNames=["All"])["Messages"]
    reconcile = parse(message["Body"])
    assert (reconcile.id, reconcile.trigger, str(reconcile.to_scope())) == (event_id, "schedule", "all")
    assert message["Attributes"]["MessageGroupId"]


def test_a_synth_failure_is_reported_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import stacks.application
    from sandbox.deployment import DeploymentError

    def broken(app: object, config: object) -> None:
        raise RuntimeError("\nValidationError: Queue names must end in .fifo\n    at Queue (/node_modules/...)")

    monkeypatch.setattr(stacks.application, "build_app", broken)
    with pytest.raises(DeploymentError) as error:
        synthesize(CONFIG)
    assert str(error.value) == "cdk synth failed: ValidationError: Queue names must end in .fifo"


def test_each_function_gets_the_settings_its_handlers_read(deployed: Deployment) -> None:
    from lambdas.settings import FunctionSettings, HandlerSettings

    functions = {f.handler: f.environment for f in deployed.functions.values()}
    router = HandlerSettings.from_environment(functions["lambdas.event_router.handler"])
    assert router.reconcile_queue_url == next(
        m.queue_url for m in deployed.mappings if m.function.handler == "lambdas.reconcile_worker.handler"
    )
    assert router.topic_arn == deployed.topic_arn
    assert router.automation_role_arns == (
        "arn:aws:iam::111111111111:role/entra-aws-event-router",
        "arn:aws:iam::111111111111:role/entra-aws-reconcile-worker",
    )
    assert HandlerSettings.from_environment(functions["lambdas.reconcile_worker.handler"]) == router
    deploy_time = FunctionSettings.from_environment(functions["lambdas.deploy_reconcile.handler"])
    assert deploy_time.reconcile_queue_url == router.reconcile_queue_url
